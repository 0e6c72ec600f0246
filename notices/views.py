"""The notice centre: a user's notices, unread first; mark one or all as read (POST)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from . import access

PER_PAGE = 50


@login_required
@require_safe
def notice_list(request: HttpRequest) -> HttpResponse:
    notices = access.own_notices(request.user)
    page = Paginator(notices, PER_PAGE).get_page(request.GET.get("page"))
    unread = notices.unread().count()
    return render(request, "notices/notice_list.html", {"page": page, "unread": unread})


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the user's notice read; with `open`, go on to the page it is about."""
    notice = access.get_notice_for(request.user, pk)
    if notice.read_at is None:
        type(notice).objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())
    opens = "open" in request.POST and notice.link
    if opens and url_has_allowed_host_and_scheme(notice.link, allowed_hosts={request.get_host()}):
        return redirect(notice.link)
    return redirect("notices:list")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    n = access.own_notices(request.user).unread().update(read_at=timezone.now())
    messages.success(
        request, ngettext("已将 %(n)s 条通知标为已读。", "已将 %(n)s 条通知标为已读。", n) % {"n": n}
    )
    return redirect("notices:list")
