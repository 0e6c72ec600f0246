"""FilterSets for the target lists.

The light is computed in Python from the approved figures, so its filter only validates the
choice here; the view applies it to the assessed rows.
"""

import django_filters
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from common import widgets
from common.datalang import DataSelect

from . import rules
from .models import KeyTask, Target, Unit

LIGHT_CHOICES = [
    (light.value, format_lazy("{} {}", light.symbol, light.label))
    for light in rules.Light
    if light is not rules.Light.MONITORED
]


class YesNoWidget(django_filters.widgets.BooleanWidget, widgets.Select):
    """全部 / 是 / 否, written by `common.widgets.Select`."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


class TargetFilter(django_filters.FilterSet):
    # The widgets write their HTML in Python (`common.widgets`), as Django's templates would.
    key_task = django_filters.ModelChoiceFilter(
        queryset=KeyTask.objects.none(), label=_("重点工作"), empty_label=_("全部"), widget=widgets.Select
    )
    light = django_filters.MultipleChoiceFilter(
        choices=LIGHT_CHOICES, label=_("状态"), method="keep", widget=widgets.CheckboxSelectMultiple
    )
    risk = django_filters.BooleanFilter(label=_("预计难以完成"), method="keep", widget=YesNoWidget)
    kind = django_filters.ChoiceFilter(
        choices=Target.Kind.choices, label=_("类型"), empty_label=_("全部"), widget=widgets.Select
    )
    deadline_before = django_filters.DateFilter(
        field_name="deadline",
        lookup_expr="lte",
        label=_("期限不晚于"),
        widget=widgets.DateInput(attrs={"type": "date"}),
    )
    unit = django_filters.ModelChoiceFilter(
        field_name="responsible_units",
        queryset=Unit.objects.none(),
        label=_("责任单位"),
        empty_label=_("全部"),
        widget=DataSelect,
    )
    unassigned = django_filters.BooleanFilter(
        field_name="responsible_units",
        lookup_expr="isnull",
        label=_("未明确责任单位"),
        widget=YesNoWidget,
        distinct=True,
    )
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("名称包含"), widget=widgets.TextInput
    )

    class Meta:
        model = Target
        fields = ["key_task", "kind"]

    def __init__(self, *args, plan=None, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        if plan is not None:
            self.filters["key_task"].queryset = plan.key_tasks.all()
            # Only the units answering for one of the plan's targets (of the task's, on a key
            # task's page): a city has a thousand.
            answering = Target.objects.for_plan(plan)
            if task is not None:
                answering = answering.filter(key_task=task)
            self.filters["unit"].queryset = Unit.objects.filter(pk__in=answering.values("responsible_units"))

    def keep(self, queryset, name, value):
        return queryset

    @property
    def risk_choice(self) -> bool | None:
        """True: only targets whose trend misses the goal; False: only the others; None: all."""
        return self.form.cleaned_data.get("risk")

    @property
    def lights(self) -> set[rules.Light]:
        return {rules.Light(v) for v in self.form.cleaned_data.get("light") or []}
