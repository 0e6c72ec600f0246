"""Pages of 督查督办: a plan's items, an item with its timeline, the loop's steps, evidence files.

Who may see and do what is decided in `access.py`, the steps in `workflow.py`.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from common.asof import AsOfError
from targets import progress
from targets.access import visible_plans
from targets.models import KeyTask, Plan, Unit

from . import access, evidence, queries, workflow
from .forms import WITH_FILES, form_for
from .models import ItemEvent, State, SupervisedItem

Action = ItemEvent.Action


class ListFilter(forms.Form):
    task = forms.ModelChoiceField(KeyTask.objects.none(), label=gettext_lazy("重点工作"), required=False)
    unit = forms.ModelChoiceField(Unit.objects.all(), label=gettext_lazy("单位"), required=False)
    state = forms.ChoiceField(
        choices=[("", "---------"), *State.choices], label=gettext_lazy("状态"), required=False
    )
    overdue = forms.BooleanField(label=gettext_lazy("只看逾期"), required=False)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = plan.key_tasks.all()


def as_of_or_error(request: HttpRequest, plan: Plan):
    """The date the page's overdue flags are worked out at, or a 400 response saying what is wrong.

    `?as_of=` as on the progress pages (YYYY-MM for its month end, or YYYY-MM-DD; within the
    plan's period and review month, not in the future). Without it: today, the day the steps on
    the page are taken.
    """
    raw = request.GET.get("as_of", "")
    today = timezone.localdate()
    if not raw.strip():
        return today, None
    try:
        return progress.resolve_as_of(raw, plan, today=today), None
    except AsOfError as exc:
        return None, render(
            request, "targets/bad_request.html", {"plan": plan, "message": str(exc)}, status=400
        )


@login_required
@require_safe
def item_list(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(visible_plans(request.user), pk=pk)
    as_of, error = as_of_or_error(request, plan)
    if error:
        return error
    filters = request.GET.copy()
    filters.pop("as_of", None)
    form = ListFilter(filters or None, plan=plan)
    items = SupervisedItem.objects.filter(plan=plan)
    if form.is_bound and not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return render(request, "targets/bad_request.html", {"plan": plan, "message": message}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    if data.get("task"):
        items = items.filter(key_task=data["task"])
    if data.get("unit"):
        unit = data["unit"]
        items = items.filter(pk__in=SupervisedItem.objects.filter(co_units=unit).values("pk")) | items.filter(
            lead_unit=unit
        )
    rows = queries.rows(items, as_of)
    if data.get("state"):  # the state as of the page's date, as the table shows it
        rows = [row for row in rows if row.state == data["state"]]
    if data.get("overdue"):
        rows = [row for row in rows if row.flags.any]
    context = {
        "plan": plan,
        "form": form,
        "rows": rows,
        "as_of": as_of,
        "as_of_param": request.GET.get("as_of"),
    }
    return render(request, "supervision/item_list.html", context)


def _detail_context(request, item: SupervisedItem, *, as_of, bound: dict | None = None) -> dict:
    """The item page: facts, timeline, and a form for each step this user may do now.

    The overdue flags and the instructions' standing are as of `as_of`; the timeline is complete.
    """
    events = list(
        item.events.select_related("actor", "answers").prefetch_related("evidence").order_by("at", "id")
    )
    allowed = workflow.allowed_actions(item, events)
    late = workflow.late_steps(item, events)
    for event in events:
        event.days_late = late.get(event.pk, 0)
    steps = []
    for action in allowed:
        if access.may_act(request.user, item, action):
            form = (bound or {}).get(action) or form_for(action, item)
            steps.append(
                {
                    "action": action,
                    "label": Action(action).label,
                    "form": form,
                    "files": action in WITH_FILES,
                }
            )
    return {
        "plan": item.plan,
        "item": item,
        "units": item.units(),
        "targets": item.targets.select_related("key_task"),
        "events": events,
        "waiting": workflow.waiting_event(events),
        "closed": next((e for e in reversed(events) if e.action == Action.CLOSE), None)
        if item.state == State.CLOSED
        else None,
        "as_of": as_of,
        "state_then": State(workflow.state_on(item, events, as_of)).label,
        "flags": workflow.flags(item, events, as_of),
        "steps": steps,
        "instructions": workflow.instructions(events, as_of),
        "max_files": evidence.MAX_FILES,
        "max_mb": evidence.MAX_BYTES // (1024 * 1024),
        "is_office": access.is_office(request.user),
    }


@login_required
@require_safe
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.get_item_for(request.user, pk)
    as_of, error = as_of_or_error(request, item.plan)
    if error:
        return error
    return render(request, "supervision/item_detail.html", _detail_context(request, item, as_of=as_of))


def _refuse(request, item, message: str, status: int, bound=None) -> HttpResponse:
    context = _detail_context(request, item, as_of=timezone.localdate(), bound=bound) | {"refusal": message}
    return render(request, "supervision/item_detail.html", context, status=status)


@login_required
@require_POST
def step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in Action.values:
        raise Http404
    item = access.get_item_for(request.user, pk)
    if not access.may_act(request.user, item, action):
        raise PermissionDenied
    # Refused before the body is read: more than the allowed files could hold.
    limit = evidence.MAX_FILES * evidence.MAX_BYTES + 1024 * 1024
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        message = _("上传内容超过 %(limit)s MB,未接收:每个文件不超过 %(each)s MB,最多 %(n)s 个。") % {
            "limit": limit // (1024 * 1024),
            "each": evidence.MAX_BYTES // (1024 * 1024),
            "n": evidence.MAX_FILES,
        }
        return _refuse(request, item, message, 413)
    form = form_for(action, item, request.POST)
    files = request.FILES.getlist(f"{action}-files") if action in WITH_FILES else []
    if not form.is_valid():
        return _refuse(request, item, _("请按提示修改后再提交。"), 400, bound={action: form})
    if len(files) > evidence.MAX_FILES:
        message = _("最多上传 %(n)s 个文件。") % {"n": evidence.MAX_FILES}
        return _refuse(request, item, message, 400, bound={action: form})
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return _refuse(request, item, _("表单不完整,请刷新页面后再提交。"), 400)
    try:
        outcome = workflow.perform(
            item.pk, action, request.user, version=version, data=form.cleaned_data, files=files
        )
    except workflow.StepRefused as refusal:
        item.refresh_from_db()
        return _refuse(request, item, str(refusal), 409, bound={action: form})
    messages.success(request, _("已完成“%(step)s”。") % {"step": Action(action).label})
    for note in outcome.notes:
        messages.info(request, note)
    return redirect(item)


@login_required
@require_safe
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    record = access.get_evidence_for(request.user, pk)
    storage = record.file.storage
    if not storage.exists(record.file.name):
        raise Http404
    inline = record.kind in evidence.IMAGE_KINDS or record.kind == "pdf"
    return FileResponse(
        storage.open(record.file.name, "rb"),
        as_attachment=not inline,
        filename=record.original_name,
        content_type=evidence.CONTENT_TYPES[record.kind],
    )


@login_required
@require_safe
def evidence_thumbnail(request: HttpRequest, pk: int) -> FileResponse:
    record = access.get_evidence_for(request.user, pk)
    if not record.thumbnail or not record.thumbnail.storage.exists(record.thumbnail.name):
        raise Http404
    return FileResponse(record.thumbnail.storage.open(record.thumbnail.name, "rb"), content_type="image/jpeg")
