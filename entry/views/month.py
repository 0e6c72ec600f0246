"""One page for a unit's month: every target the unit answers for, entered and saved at once.

A reporter picks one of their units and a closed month; the page lists all the unit's targets
(monitored indicators included) with last month's figure beside this month's inputs. Saving goes
through `write.save_entries`, so the whole month is held to the same checks as every other entry
path and is saved all together or not at all.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from common import widgets
from common.formatting import fmt_number, fmt_points, join_list
from common.months import month_end
from targets import progress, rules
from targets.access import can_report, is_admin
from targets.models import NOTE_FIELDS, Figure, Plan, Target, Unit

from .. import access, compliance, write
from ..values import FigureDateField, FigureValueField, NoteField

TEMPLATE = "admin/targets/figure/month_entry.html"
MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
TEXT_FIELDS = list(NOTE_FIELDS)
# Shown in the column headings (one per column rather than under every row's input).
HELP_TEXTS = {
    "correction_reason": gettext_lazy("累计值低于上月时必填"),
    "anomaly_note": gettext_lazy("数值超出预期范围时,确认无误并说明原因"),
}


_CENT = Decimal("0.01")


@dataclass
class Row:
    """One target of the page, with its stored figures of this and the previous month."""

    target: Target
    current: Figure | None
    previous: Figure | None
    refusal: str | None
    month: dt.date | None = None

    @cached_property
    def spec(self) -> rules.TargetSpec:
        return progress.spec_for(self.target)

    @cached_property
    def expected(self) -> Decimal | None:
        """The value time says the target should have reached at the month's end (序时进度)."""
        if self.month is None:
            return None
        return rules.expected_value(spec=self.spec, on=month_end(self.month))

    @cached_property
    def expected_share(self) -> Decimal | None:
        """The same in percent of the way from baseline to goal."""
        if self.month is None:
            return None
        return rules.expected_share(spec=self.spec, on=month_end(self.month))

    @property
    def expected_display(self) -> str:
        if self.expected is None:
            return ""
        return f"{fmt_number(self.expected.quantize(_CENT))} {self.target.unit_of_measure}".strip()

    @property
    def expected_share_display(self) -> str:
        return "" if self.expected_share is None else f"{fmt_points(self.expected_share)}%"

    @property
    def gap(self) -> Decimal | None:
        """Completion − expected in percentage points for this month's stored value."""
        value = self.current.value if self.current is not None else None
        completion = rules.completion_share(spec=self.spec, value=value)
        return rules.gap_points(completion=completion, expected=self.expected_share)

    @property
    def gap_display(self) -> str:
        return fmt_points(self.gap, signed=True)

    @property
    def gap_data(self) -> dict[str, str] | None:
        """What the page's script needs to compute the gap as the value is typed; None without one."""
        spec = self.spec
        if self.expected_share is None or spec.goal is None or spec.baseline is None:
            return None
        return {
            "baseline": f"{spec.baseline.normalize():f}",
            "goal": f"{spec.goal.normalize():f}",
            "direction": str(spec.direction.value),
            "expected": f"{self.expected_share:f}",
        }

    @property
    def is_milestone(self) -> bool:
        return self.target.kind == Target.Kind.MILESTONE

    @property
    def readonly(self) -> bool:
        return self.refusal is not None

    @property
    def goal_display(self) -> str:
        target = self.target
        if target.kind == Target.Kind.MILESTONE:
            return _("按期完成")
        if target.goal is None:
            return _("监测指标(无目标值)")
        return (
            f"{target.get_direction_display()} {target.goal.normalize():f} {target.unit_of_measure}".strip()
        )

    @property
    def current_display(self) -> str:
        return figure_value_display(self.current)

    @property
    def previous_display(self) -> str:
        return figure_value_display(self.previous)


def figure_value_display(figure: Figure | None) -> str:
    if figure is None:
        return ""
    if figure.value is None:
        if figure.reached:
            when = f" {figure.reached_on:%Y-%m-%d}" if figure.reached_on else ""
            return _("已完成") + when
        return _("未完成")
    qualifier = figure.get_value_qualifier_display() if figure.value_qualifier else ""
    return f"{qualifier}{figure.value.normalize():f} {figure.target.unit_of_measure}".strip()


class MonthRowForm(forms.Form):
    """What a reporter types for one target; the target itself is fixed by the server's row."""

    target = forms.IntegerField(widget=widgets.HiddenInput)
    base_version = forms.IntegerField(widget=widgets.HiddenInput, required=False, min_value=1)
    value = FigureValueField(
        label=gettext_lazy("本月数值"),
        required=False,
        widget=widgets.TextInput(attrs={"class": "month-value"}),
    )
    reached = forms.TypedChoiceField(
        label=gettext_lazy("是否完成"),
        choices=[("", "—"), ("1", gettext_lazy("已完成")), ("0", gettext_lazy("未完成"))],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
        widget=widgets.Select,
    )
    reached_on = FigureDateField(
        label=gettext_lazy("完成日期"),
        required=False,
        widget=widgets.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    progress_note = NoteField(label=gettext_lazy("进展情况"), widget=widgets.Textarea(attrs={"rows": 2}))
    problems = NoteField(label=gettext_lazy("存在问题"), widget=widgets.Textarea(attrs={"rows": 2}))
    correction_reason = NoteField(label=gettext_lazy("更正原因"), widget=widgets.Textarea(attrs={"rows": 2}))
    anomaly_note = NoteField(label=gettext_lazy("异常说明"), widget=widgets.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, row: Row | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.row = row
        self.warnings: dict[str, str] = {}
        if row is not None:
            if row.is_milestone:
                del self.fields["value"]
            else:
                del self.fields["reached"]
                del self.fields["reached_on"]
            for name, field in self.fields.items():
                if field.widget.is_hidden:
                    continue
                field.widget.attrs.setdefault("aria-label", f"{row.target.code} {field.label or name}")

    def clean(self):
        cleaned = super().clean()
        if self.row is None:
            raise ValidationError(_("该行不属于本页面,请刷新页面后重新填写。"))
        if "target" in cleaned and cleaned["target"] != self.row.target.pk:
            raise ValidationError(
                _("该行的目标与页面不一致(应为“%(target)s”),请刷新页面后重新填写。")
                % {"target": self.row.target}
            )
        return cleaned

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return (
            data.get("value") is None
            and data.get("reached") is None
            and data.get("reached_on") is None
            and not any((data.get(name) or "").strip() for name in TEXT_FIELDS)
        )

    def typed_changes(self) -> bool:
        return any(
            name in self.changed_data for name in self.fields if name not in {"target", "base_version"}
        )

    def to_entry(self, month: dt.date) -> write.Entry:
        data = self.cleaned_data
        return write.Entry(
            target=self.row.target,
            month=month,
            value=data.get("value"),
            reached=data.get("reached"),
            reached_on=data.get("reached_on"),
            progress_note=data.get("progress_note") or "",
            problems=data.get("problems") or "",
            correction_reason=data.get("correction_reason") or "",
            anomaly_note=data.get("anomaly_note") or "",
            base_version=data.get("base_version"),
        )

    def show_check(self, check: write.Check) -> None:
        for name, message in check.errors.items():
            self.add_error(name if name in self.fields else None, message)
        for name, message in check.warnings.items():
            self.warnings[name if name in self.fields else "value"] = message


class BaseMonthFormSet(forms.BaseFormSet):
    def __init__(self, *args, rows: list[Row], **kwargs):
        self.rows = rows
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["row"] = self.rows[index] if index is not None and index < len(self.rows) else None
        return kwargs

    def clean(self):
        if self.total_form_count() != len(self.rows):
            raise ValidationError(_("本页面的目标已有变化,请刷新页面后重新填写。"))


def month_formset(rows: list[Row], data=None):
    formset_class = forms.formset_factory(
        MonthRowForm,
        formset=BaseMonthFormSet,
        extra=0,
        max_num=len(rows),
        absolute_max=len(rows),
        validate_max=True,
    )
    initial = [_initial(row) for row in rows]
    return formset_class(data, initial=initial, rows=rows, prefix="rows")


def _initial(row: Row) -> dict:
    initial = {"target": row.target.pk, "base_version": None}
    figure = row.current
    if figure is not None:
        initial["base_version"] = figure.version
        initial["value"] = figure.value
        initial["reached"] = "" if figure.reached is None else ("1" if figure.reached else "0")
        initial["reached_on"] = figure.reached_on
        for name in TEXT_FIELDS:
            initial[name] = getattr(figure, name)
    return initial


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def _units_for(user):
    if is_admin(user):
        return list(Unit.objects.all())
    return list(user.report_units.all())


def _pick_unit(raw: str | None, units: list[Unit]) -> Unit | None:
    if raw is None or raw == "":
        # The first of the user's units that answers for a target: an admin's first unit may have none.
        with_targets = set(
            Unit.objects.filter(pk__in=[u.pk for u in units], targets__isnull=False).values_list(
                "pk", flat=True
            )
        )
        return next((u for u in units if u.pk in with_targets), units[0] if units else None)
    try:
        pk = int(raw)
    except ValueError:
        raise BadRequest(_("责任单位参数“%(raw)s”无效。") % {"raw": raw}) from None
    for unit in units:
        if unit.pk == pk:
            return unit
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise BadRequest(_("找不到编号为 %(pk)s 的责任单位。") % {"pk": pk})
    raise BadRequest(_("您不是“%(unit)s”的填报人员,不能填报该单位的数据。") % {"unit": unit}, status=403)


def _previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def _closed_months(plan: Plan, today: dt.date) -> list[dt.date]:
    """The plan's months that have ended by `today` (their figures are due or late), oldest first."""
    first, last = compliance.plan_months(plan)
    months = []
    month = first
    while month <= last and month_end(month) < today:
        months.append(month)
        month = month_end(month) + dt.timedelta(days=1)
    return months


def _months_with_gaps(plan: Plan, unit: Unit, months: list[dt.date]) -> set[dt.date]:
    """Of `months`, those in which one of the unit's targets has no submitted or approved figure.

    Counted as on the compliance page: monitored indicators and targets not yet started are left
    out; a draft or a returned figure is still to be (re)submitted. Two queries.
    """
    if not months:
        return set()
    targets = list(
        Target.objects.filter(key_task__plan=plan, responsible_units=unit)
        .exclude(kind=Target.Kind.MONITORED)
        .values_list("pk", "start")
    )
    done = set(
        Figure.objects.filter(
            target__in=[pk for pk, _start in targets],
            month__in=months,
            status__in=[Figure.Status.SUBMITTED, Figure.Status.APPROVED],
        ).values_list("target_id", "month")
    )
    return {
        month
        for month in months
        if any(start <= month_end(month) and (pk, month) not in done for pk, start in targets)
    }


def default_month(unit: Unit, plans: list[Plan], today: dt.date) -> dt.date:
    """The month the unit's page opens on: the latest month whose figures are due or late.

    The plan is the latest of the unit's plans with a month that has ended by `today` (a plan
    ended last year still counts in its review month, when its last month is reported). Of that
    plan's ended months, the latest in which something of the unit is missing or returned; when
    everything is in, the latest ended month. Before any month of any plan has ended: the first
    month of the first plan.
    """
    if not plans:
        return compliance.last_closed_month(today)
    for plan in reversed(plans):
        months = _closed_months(plan, today)
        if months:
            gaps = _months_with_gaps(plan, unit, months)
            return max(gaps) if gaps else months[-1]
    return compliance.plan_months(plans[0])[0]


def _pick_month(raw: str | None, unit: Unit, plans: list[Plan], today: dt.date) -> dt.date:
    if raw is None or raw == "":
        return default_month(unit, plans, today)
    match = MONTH_RE.match(raw.strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        raise BadRequest(_("月份“%(raw)s”无效,请按“年-月”格式填写,如 2020-06。") % {"raw": raw})
    month = dt.date(int(match[1]), int(match[2]), 1)
    if month_end(month) >= today:
        raise BadRequest(_("%(month)s 尚未结束,不能填报该月数据。") % {"month": f"{month:%Y-%m}"})
    if plans and not any(p.period_start.replace(day=1) <= month <= p.period_end for p in plans):
        years = join_list(str(p.year) for p in plans)
        raise BadRequest(
            _("%(month)s 不在本单位目标所属的计划年度(%(years)s年)之内。")
            % {"month": f"{month:%Y-%m}", "years": years}
        )
    return month


def _rows(user, unit: Unit, month: dt.date) -> list[Row]:
    """The unit's targets of the plan covering `month`, with the stored figures, in a few queries."""
    targets = list(
        Target.objects.filter(
            responsible_units=unit,
            key_task__plan__period_start__lte=month_end(month),
            key_task__plan__period_end__gte=month,
        )
        .select_related("key_task__plan")
        .prefetch_related("planned_values")
        .order_by("key_task__plan__year", "key_task__number", "sort_order", "code")
    )
    previous = _previous_month(month)
    figures = Figure.objects.filter(target__in=targets, month__in=[month, previous]).select_related(
        "updated_by", "entered_by"
    )
    by_key = {}
    by_pk = {t.pk: t for t in targets}
    for figure in figures:
        figure.target = by_pk[figure.target_id]
        by_key[(figure.target_id, figure.month)] = figure
    allowed_ids = access.reportable_target_ids(user)
    rows = []
    for target in targets:
        current = by_key.get((target.pk, month))
        refusal = access.edit_refusal(user, target, current, allowed_ids=allowed_ids)
        rows.append(Row(target, current, by_key.get((target.pk, previous)), refusal, month))
    return rows


def _page_url(unit: Unit, month: dt.date) -> str:
    query = urlencode({"unit": unit.pk, "month": f"{month:%Y-%m}"})
    return f"{reverse('admin:targets_figure_month')}?{query}"


def _context(request, **extra) -> dict:
    return {
        **admin.site.each_context(request),
        "opts": Figure._meta,
        "title": _("按月填报"),
        "labels": {name: field.label for name, field in MonthRowForm.base_fields.items()},
        "help_texts": HELP_TEXTS,
        **extra,
    }


def _refuse(request, message: str, status: int, **extra):
    return TemplateResponse(request, TEMPLATE, _context(request, error=message, **extra), status=status)


def month_entry_view(request):
    user = request.user
    if not (can_report(user) or is_admin(user)):
        return _refuse(request, _("您的账号没有填报权限,不能使用按月填报。"), 403)
    units = _units_for(user)
    try:
        unit = _pick_unit(request.GET.get("unit"), units)
        if unit is None:
            return _refuse(request, _("您的账号尚未分配到任何责任单位,请联系管理员。"), 403)
        plans = list(
            Plan.objects.filter(key_tasks__targets__responsible_units=unit)
            .distinct()
            .order_by("period_start")
        )
        today = timezone.localdate()
        month = _pick_month(request.GET.get("month"), unit, plans, today)
    except BadRequest as bad:
        return _refuse(request, bad.message, bad.status, units=units)

    rows = _rows(user, unit, month)
    rejected_note = None
    if request.method == "POST":
        formset = month_formset(rows, request.POST)
        if formset.is_valid():
            submit = "_submit" in request.POST
            forms_to_save = [
                form
                for form in formset.forms
                if not form.is_blank() and (submit or form.row.current is None or form.typed_changes())
            ]
            entries = [form.to_entry(month) for form in forms_to_save]
            if not entries:
                messages.warning(request, _("没有填写任何数据,未保存。"))
                return _redirect(unit, month)
            try:
                saved = write.save_entries(entries, user=user, submit=submit)
            except write.EntriesRejected as rejected:
                for form, check in zip(forms_to_save, rejected.checks, strict=True):
                    form.show_check(check)
                problems = sum(1 for check in rejected.checks if not check.ok)
                rejected_note = ngettext(
                    "未保存任何数据:有 %(n)s 行需要修改。红色为错误;橙色为提醒,请核对数值,"
                    "确认无误后在“异常说明”中说明原因再保存。",
                    "未保存任何数据:有 %(n)s 行需要修改。红色为错误;橙色为提醒,请核对数值,"
                    "确认无误后在“异常说明”中说明原因再保存。",
                    problems,
                ) % {"n": problems}
            else:
                n = len(saved)
                if submit:
                    message = ngettext(
                        "已保存并报送审核 %(n)s 条数据。", "已保存并报送审核 %(n)s 条数据。", n
                    )
                else:
                    message = ngettext("已保存草稿 %(n)s 条数据。", "已保存草稿 %(n)s 条数据。", n)
                messages.success(request, message % {"n": n})
                return _redirect(unit, month)
        else:
            rejected_note = _("未保存任何数据:请按提示修改标出的内容后重新保存。")
    else:
        formset = month_formset(rows)

    plan = rows[0].target.key_task.plan if rows else (plans[0] if plans else None)
    due = None
    if plan is not None:
        due = compliance.due_date(plan, month)
    context = _context(
        request,
        units=units,
        unit=unit,
        month=month,
        previous_month=_previous_month(month),
        formset=formset,
        rows=[(form.row, form) for form in formset.forms if form.row is not None],
        editable_count=sum(1 for row in rows if not row.readonly),
        action_url=_page_url(unit, month),
        rejected_note=rejected_note,
        due=due,
        overdue=due is not None and due < today,
    )
    return TemplateResponse(request, TEMPLATE, context, status=400 if rejected_note else 200)


def _redirect(unit: Unit, month: dt.date) -> HttpResponseRedirect:
    response = HttpResponseRedirect(_page_url(unit, month))
    response.status_code = 303
    return response
