"""A plan's set-up page (status, next year's copy, documents) and the source-document view."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from targets.models import DataVersion, KeyTask, Plan, Target

from .access import may_set_up_plans, plan_admin_required
from .models import SourceDocument

# The only moves of a plan's status: forward, one step at a time.
NEXT_STATUS = {Plan.Status.DRAFT: Plan.Status.ACTIVE, Plan.Status.ACTIVE: Plan.Status.ARCHIVED}


class CopyForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("新年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200)

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year == self.plan.year:
            raise forms.ValidationError(_("新年度不能与原计划相同。"))
        if Plan.objects.filter(district=self.plan.district, year=year).exists():
            raise forms.ValidationError(
                _("%(district)s %(year)s 年的计划已存在。") % {"district": self.plan.district, "year": year}
            )
        return year


def _setup_page(request, plan, *, copy_form=None, errors=(), status=200):
    year = plan.year + 1
    copy_form = copy_form or CopyForm(
        plan=plan, initial={"year": year, "title": plan.title.replace(str(plan.year), str(year))}
    )
    return TemplateResponse(
        request,
        "planning/plan_setup.html",
        {
            "plan": plan,
            "next_status": NEXT_STATUS.get(plan.status),
            "next_status_label": Plan.Status(NEXT_STATUS[plan.status]).label
            if plan.status in NEXT_STATUS
            else "",
            "documents": plan.source_documents.all(),
            "task_count": plan.key_tasks.count(),
            "target_count": Target.objects.filter(key_task__plan=plan).count(),
            "copy_form": copy_form,
            "errors": list(errors),
        },
        status=status,
    )


@plan_admin_required
@require_safe
def plan_setup(request, pk):
    return _setup_page(request, get_object_or_404(Plan, pk=pk))


@plan_admin_required
@require_POST
def plan_status(request, pk):
    """草稿 → 执行中 → 已归档, one step forward; anything else is refused and changes nothing."""
    plan = get_object_or_404(Plan, pk=pk)
    wanted = request.POST.get("status", "")
    if NEXT_STATUS.get(plan.status) != wanted:
        return _setup_page(
            request, plan, errors=[_("计划状态只能按 草稿 → 执行中 → 已归档 的顺序前进一步。")], status=400
        )
    updated = Plan.objects.filter(pk=plan.pk, status=plan.status).update(status=wanted)
    if updated:
        DataVersion.bump(Plan.objects.filter(pk=plan.pk))
    return redirect("planning:plan-setup", pk=plan.pk)


def _shift(day: dt.date | None, years: int) -> dt.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def copy_plan(plan: Plan, year: int, title: str) -> Plan:
    """The plan's tasks and targets (units and leaders too, no figures) as next year's draft."""
    years = year - plan.year
    new = Plan.objects.create(
        district=plan.district,
        city=plan.city,
        year=year,
        title=title,
        period_start=_shift(plan.period_start, years),
        period_end=_shift(plan.period_end, years),
        source=_("由 %(plan)s 复制") % {"plan": plan},
        on_track_threshold=plan.on_track_threshold,
        behind_threshold=plan.behind_threshold,
        report_due_day=plan.report_due_day,
        status=Plan.Status.DRAFT,
    )
    for task in plan.key_tasks.all():
        new_task = KeyTask.objects.create(
            plan=new, number=task.number, title=task.title, headline=task.headline, text=task.text
        )
        # Ledger-linked and project targets belong to last year's ledger: they are not copied.
        for target in task.targets.filter(project__isnull=True, ledger_group__isnull=True):
            units = list(target.responsible_units.all())
            copied = Target.objects.create(
                key_task=new_task,
                code=target.code,
                name=target.name,
                name_en=target.name_en,
                kind=target.kind,
                direction=target.direction,
                goal=target.goal,
                goal_wording=target.goal_wording,
                standard=target.standard,
                commitment=target.commitment,
                unit_of_measure=target.unit_of_measure,
                baseline=Decimal(0) if target.baseline == 0 else None,
                start=_shift(target.start, years),
                deadline=_shift(target.deadline, years),
                deadline_stated=target.deadline_stated,
                lead_official=target.lead_official,
                source=target.source,
                source_text=target.source_text,
                note=target.note,
                sort_order=target.sort_order,
            )
            copied.responsible_units.set(units)
    return new


@plan_admin_required
@require_POST
def plan_copy(request, pk):
    plan = get_object_or_404(Plan, pk=pk)
    form = CopyForm(request.POST, plan=plan)
    if not form.is_valid():
        return _setup_page(request, plan, copy_form=form, status=400)
    try:
        new = copy_plan(plan, form.cleaned_data["year"], form.cleaned_data["title"])
    except IntegrityError:
        return _setup_page(
            request, plan, errors=[_("复制失败:新计划与已有数据冲突,未创建任何数据。")], status=409
        )
    return redirect("planning:plan-setup", pk=new.pk)


def _marked(document: SourceDocument, highlight: int | None):
    """The document as pieces: plain text, or a tracked sentence with the targets that track it."""
    spans: list[dict] = []
    for s in document.sentences.select_related("target").order_by("start", "end"):
        if spans and s.start < spans[-1]["end"]:
            spans[-1]["targets"].append(s.target)
            spans[-1]["end"] = max(spans[-1]["end"], s.end)
            continue
        spans.append({"start": s.start, "end": s.end, "targets": [s.target]})
    pieces, cursor = [], 0
    text = document.text
    for span in spans:
        if span["start"] > cursor:
            pieces.append({"text": text[cursor : span["start"]]})
        ids = [t.pk for t in span["targets"]]
        pieces.append(
            {
                "text": text[span["start"] : span["end"]],
                "targets": span["targets"],
                "highlight": highlight in ids,
            }
        )
        cursor = span["end"]
    if cursor < len(text):
        pieces.append({"text": text[cursor:]})
    return pieces


@login_required
@require_safe
def document(request, pk):
    """原文: the whole document, every tracked sentence marked, ?highlight=<target id> lit."""
    doc = get_object_or_404(SourceDocument.objects.select_related("plan"), pk=pk)
    raw = request.GET.get("highlight", "")
    highlight = int(raw) if raw.isdigit() and len(raw) < 12 else None
    return TemplateResponse(
        request,
        "planning/document.html",
        {
            "document": doc,
            "plan": doc.plan,
            "pieces": _marked(doc, highlight),
            "tracked": doc.sentences.count(),
            "may_set_up": may_set_up_plans(request.user),
        },
    )
