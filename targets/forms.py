"""Validation of a monthly figure, shared by every entry path."""

import datetime as dt

from django import forms
from django.utils.translation import gettext as _

from .models import Figure, Target, month_end


def figure_errors(*, target: Target, month: dt.date, value, reached, reached_on, today: dt.date) -> dict:
    """Field → message for a figure that breaks the rules; empty when it is acceptable."""
    errors: dict[str, str] = {}
    plan = target.key_task.plan
    if month is not None:
        month = month.replace(day=1)
        if not plan.period_start.replace(day=1) <= month <= plan.period_end:
            errors["month"] = _("月份必须在计划年度 %(year)s 年之内。") % {"year": plan.year}
        elif month_end(month) >= today:
            errors["month"] = _("%(month)s 尚未结束,不能填报该月数据。") % {"month": month.strftime("%Y-%m")}
    if target.kind == Target.Kind.MILESTONE:
        if reached is None:
            errors["reached"] = _("里程碑目标请填写是否已完成。")
        elif reached and reached_on is None:
            errors["reached_on"] = _("已完成的里程碑请填写完成日期。")
        elif reached_on is not None and month is not None and reached_on > month_end(month):
            errors["reached_on"] = _("完成日期不能晚于所报月份的月末。")
    else:
        if value is None:
            errors["value"] = _("请填写数值。")
        elif value < 0:
            errors["value"] = _("数值不能为负数。")
        elif target.is_percentage and value > 100:
            errors["value"] = _("百分比必须在 0 到 100 之间。")
    return errors


class FigureAdminForm(forms.ModelForm):
    """The admin's single-figure form; its checks are those of every entry path (`entry.py`)."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Figure
        fields = ["target", "month", *Figure.ENTRY_FIELDS]
        widgets = {
            "progress_note": forms.Textarea(attrs={"rows": 3}),
            "problems": forms.Textarea(attrs={"rows": 3}),
            "correction_reason": forms.Textarea(attrs={"rows": 2}),
            "anomaly_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk and not self.is_bound:
            self.initial["base_version"] = self.instance.version
        self.entry = None

    def validate_unique(self):
        # Duplicates and concurrent edits are judged by `entry.check_entries`, with clearer messages.
        pass

    def clean(self):
        from .entry import Entry, check_entries

        cleaned = super().clean()
        target = cleaned.get("target")
        month = cleaned.get("month")
        if target is None or month is None or self.errors:
            return cleaned
        base_version = cleaned.get("base_version")
        if self.instance.pk is None:
            base_version = None
        elif base_version is None:
            base_version = self.instance.version
        self.entry = Entry(
            target=target,
            month=month,
            value=cleaned.get("value"),
            reached=cleaned.get("reached"),
            reached_on=cleaned.get("reached_on"),
            progress_note=cleaned.get("progress_note") or "",
            problems=cleaned.get("problems") or "",
            correction_reason=cleaned.get("correction_reason") or "",
            anomaly_note=cleaned.get("anomaly_note") or "",
            base_version=base_version,
        )
        if (
            self.instance.pk is None
            and Figure.objects.filter(target=target, month=month.replace(day=1)).exists()
        ):
            self.add_error(
                "month",
                _("该目标 %(month)s 的数据已存在,请修改原记录。") % {"month": month.strftime("%Y-%m")},
            )
            return cleaned
        (check,) = check_entries([self.entry], user=self.user)
        for name, message in check.errors.items():
            self.add_error(None if name == "__all__" else name, message)
        for message in check.warnings.values():
            self.add_error("anomaly_note", message)
        return cleaned
