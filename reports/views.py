"""The monthly bulletin of a plan: the printable page, its PDF and its workbook.

Each view fetches the plan, resolves `?month=YYYY-MM` (default: the latest month with an approved
figure; a malformed, out-of-plan or unfinished month is a 400 with a Chinese message), builds the
bulletin with `bulletin.build_bulletin` and renders it.
"""

import datetime as dt
import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from common import months
from targets.access import visible_plans
from targets.models import Plan
from targets.pagecache import cached_page, note_plan

from . import documents, pdf, xlsx
from .bulletin import BulletinError, build_bulletin, resolve_month

logger = logging.getLogger(__name__)


def _plan_month(request: HttpRequest, pk: int) -> tuple[Plan, dt.date | None, HttpResponse | None]:
    """The plan and the bulletin's month, or a 400 response explaining what is wrong with the month."""
    plan = get_object_or_404(visible_plans(request.user), pk=pk)
    try:
        return plan, resolve_month(request.GET.get("month"), plan, today=timezone.localdate()), None
    except BulletinError as exc:
        response = render(
            request, "targets/bad_request.html", {"plan": plan, "message": str(exc)}, status=400
        )
        return plan, None, response


def _attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_safe
@cached_page
def bulletin_page(request: HttpRequest, pk: int) -> HttpResponse:
    plan, month, error = _plan_month(request, pk)
    if error:
        return error
    note_plan(request, plan)
    bulletin = build_bulletin(plan=plan, month=month)
    month_choices = [end.replace(day=1) for end in months.month_choices(plan, today=timezone.localdate())]
    context = documents.context_for(bulletin) | {"month": month, "month_choices": month_choices}
    return render(request, "reports/bulletin.html", context)


@login_required
@require_safe
def bulletin_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    plan, month, error = _plan_month(request, pk)
    if error:
        return error
    bulletin = build_bulletin(plan=plan, month=month)
    try:
        content = documents.pdf_bytes(bulletin)
    except pdf.ChromiumMissing as exc:
        context = {"plan": plan, "message": str(exc), "command": pdf.INSTALL_COMMAND, "month": month}
        return render(request, "reports/pdf_unavailable.html", context, status=503)
    except pdf.PdfError as exc:
        logger.exception("bulletin PDF failed for plan %s, %s", plan.pk, month)
        context = {"plan": plan, "message": str(exc), "month": month}
        return render(request, "reports/pdf_unavailable.html", context, status=500)
    return _attachment(content, "application/pdf", documents.filename(bulletin, "pdf"))


@login_required
@require_safe
def bulletin_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    plan, month, error = _plan_month(request, pk)
    if error:
        return error
    bulletin = build_bulletin(plan=plan, month=month)
    return _attachment(
        documents.xlsx_bytes(bulletin), xlsx.XLSX_CONTENT_TYPE, documents.filename(bulletin, "xlsx")
    )
