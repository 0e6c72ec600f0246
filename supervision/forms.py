"""The forms of the loop's steps; `workflow.perform` does the step itself."""

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from targets.models import Unit

from .models import ItemEvent, State

Action = ItemEvent.Action
SELF_ASSESSMENT = [
    ("on_track", _("按期推进")),
    ("behind", _("滞后")),
    ("done", _("已完成")),
]


class DateInput(forms.DateInput):
    """A browser date picker: its value is always YYYY-MM-DD, whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class AssignForm(forms.Form):
    lead_unit = forms.ModelChoiceField(Unit.objects.all(), label=_("牵头单位"), required=False)
    co_units = forms.ModelMultipleChoiceField(Unit.objects.all(), label=_("责任单位"), required=False)
    lead_official = forms.CharField(label=_("分包领导"), max_length=100, required=False)
    lead_official_account = forms.ModelChoiceField(
        get_user_model().objects.filter(is_active=True).order_by("username"),
        label=_("分包领导账号"),
        required=False,
        help_text=_("有账号且填写了邮箱时,督办升级会邮件告知分包领导"),
    )
    requirement = forms.CharField(label=_("交办要求"), widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(label=_("完成时限"), widget=DateInput, input_formats=["%Y-%m-%d"])
    ack_days = forms.IntegerField(label=_("签收时限(天)"), min_value=1, max_value=30, initial=3)

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean(self):
        data = super().clean()
        if not data.get("lead_unit") and not data.get("co_units"):
            raise forms.ValidationError(_("交办须指定牵头单位或责任单位。"))
        due = data.get("due_date")
        if due and self.plan and not (self.plan.period_start <= due <= self.plan.period_end):
            self.add_error("due_date", _("完成时限须在计划年度之内。"))
        return data


class MonthField(forms.DateField):
    """A month as YYYY-MM (a browser's month input), kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class FeedbackForm(forms.Form):
    month = MonthField(label=_("反馈月份"))
    progress = forms.CharField(label=_("工作进展"), widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(label=_("存在问题"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    next_steps = forms.CharField(
        label=_("下步打算"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    self_assessment = forms.ChoiceField(label=_("自评"), choices=SELF_ASSESSMENT)

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean_month(self):
        month = self.cleaned_data["month"]
        this_month = timezone.localdate().replace(day=1)
        if self.plan and not (self.plan.period_start.replace(day=1) <= month <= self.plan.period_end):
            raise forms.ValidationError(_("反馈月份须在计划年度之内。"))
        if month > this_month:
            raise forms.ValidationError(_("不能为未来的月份报送反馈。"))
        return month


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 2}))


class CloseRequestForm(forms.Form):
    progress = forms.CharField(label=_("完成情况"), widget=forms.Textarea(attrs={"rows": 3}))


class RemindForm(forms.Form):
    reason = forms.CharField(label=_("催办说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class EmptyForm(forms.Form):
    pass


class InstructForm(forms.Form):
    leader = forms.CharField(label=_("批示领导"), max_length=100)
    text = forms.CharField(label=_("批示内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    answer_by = forms.DateField(
        label=_("答复期限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("落实情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


FORMS = {
    Action.ASSIGN: AssignForm,
    Action.ACKNOWLEDGE: EmptyForm,
    Action.FEEDBACK: FeedbackForm,
    Action.ACCEPT: ReasonForm,
    Action.RETURN: ReturnForm,
    Action.CLOSE_REQUEST: CloseRequestForm,
    Action.CLOSE: ReasonForm,
    Action.REMIND: RemindForm,
    Action.INSTRUCT: InstructForm,
    Action.ANSWER: AnswerForm,
}
# Steps that take evidence files.
WITH_FILES = {Action.FEEDBACK, Action.CLOSE_REQUEST, Action.CLOSE}


def form_for(action: str, item, data=None):
    form_class = FORMS[action]
    kwargs = {"prefix": action}
    if form_class in (AssignForm, FeedbackForm):
        kwargs["plan"] = item.plan
    if data is None and form_class is AssignForm:
        kwargs["initial"] = {
            "lead_unit": item.lead_unit_id,
            "co_units": [u.pk for u in item.co_units.all()],
            "lead_official": item.lead_official,
            "due_date": item.due_date,
            "ack_days": item.ack_days,
        }
    if data is None and form_class is FeedbackForm:
        last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        kwargs["initial"] = {"month": min(last_month, item.plan.period_end.replace(day=1))}
    return form_class(data, **kwargs)


STATE_CHOICES = State.choices
