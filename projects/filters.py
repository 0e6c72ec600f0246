"""The FilterSet of the project list (项目台账).

Choices come from the plan (its groups, and the areas and lead officials its projects name), so
a value from another plan or a typo is a form error, which the view answers with 400.
"""

import datetime as dt

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from common import widgets
from common.datalang import DataCheckboxSelectMultiple, DataSelect
from targets.filters import YesNoWidget
from targets.models import Unit

from .models import Problem, Project, ProjectGroup, Stage

UNKNOWN_STAGE = "unknown"


class ProjectFilter(django_filters.FilterSet):
    group = django_filters.ModelMultipleChoiceFilter(
        queryset=ProjectGroup.objects.none(),
        label=_("分组"),
        method="filter_group",
        widget=DataCheckboxSelectMultiple,
    )
    stage = django_filters.ChoiceFilter(
        choices=[*Stage.choices, (UNKNOWN_STAGE, _("阶段未知"))],
        label=_("阶段"),
        empty_label=_("全部"),
        method="filter_stage",
        widget=widgets.Select,
    )
    unit = django_filters.ModelChoiceFilter(
        field_name="responsible_unit",
        queryset=Unit.objects.none(),
        label=_("责任单位"),
        empty_label=_("全部"),
        widget=DataSelect,
    )
    area = django_filters.ChoiceFilter(
        field_name="area", choices=[], label=_("片区"), empty_label=_("全部"), widget=DataSelect
    )
    lead_official = django_filters.ChoiceFilter(
        field_name="lead_official", choices=[], label=_("分包领导"), empty_label=_("全部"), widget=DataSelect
    )
    overdue = django_filters.BooleanFilter(label=_("有逾期问题"), method="filter_overdue", widget=YesNoWidget)

    class Meta:
        model = Project
        fields = ["group", "stage", "unit", "area", "lead_official", "overdue"]

    def __init__(self, *args, plan, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        projects = plan.projects.order_by()
        self.filters["group"].queryset = plan.project_groups.all()
        self.filters["unit"].queryset = Unit.objects.filter(projects__plan=plan).distinct()
        self.filters["area"].extra["choices"] = self._distinct(projects, "area")
        self.filters["lead_official"].extra["choices"] = self._distinct(projects, "lead_official")

    @staticmethod
    def _distinct(projects, field: str) -> list[tuple[str, str]]:
        values = projects.exclude(**{field: ""}).values_list(field, flat=True).distinct().order_by(field)
        return [(value, value) for value in values]

    def filter_group(self, queryset, name, value):
        if not value:
            return queryset
        members = Project.groups.through.objects.filter(projectgroup__in=value).values("project_id")
        return queryset.filter(pk__in=members)

    def filter_stage(self, queryset, name, value):
        return queryset.filter(stage="" if value == UNKNOWN_STAGE else value)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Exists(Problem.objects.overdue(self.today).filter(project=OuterRef("pk")))
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
