"""django-tables2 tables of the project list (rows: `Project` objects from `summary.annotate_for_list`)
and of a group page's projects."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from common.datalang import mark_chinese
from common.formatting import fmt_number, join_list

from . import ledger
from .models import Project, Stage


def _missing(text):
    return format_html('<span class="missing">{}</span>', text)


def _stage_label(stage: str):
    """A project's stage as `get_stage_display` gives it, translating one label, not every choice's."""
    if not stage:
        return _missing(_("阶段未知"))
    return str(Stage(stage).label) if stage in Stage.values else stage


class ProjectTable(tables.Table):
    # Names the scroll box the table sits in (templates/django_tables2/scroll.html).
    scroll_label = _("项目台账")

    name = tables.Column(verbose_name=_("项目"), linkify=True)
    groups = tables.Column(verbose_name=_("分组"), orderable=False, empty_values=())
    key_task = tables.Column(
        verbose_name=_("重点工作"), order_by=("key_task__number", "name"), attrs={"td": {"class": "task-ref"}}
    )
    area = tables.Column(verbose_name=_("片区"), empty_values=())
    stage = tables.Column(verbose_name=_("阶段"), order_by=("stage_rank", "name"), empty_values=())
    responsible_unit = tables.Column(
        verbose_name=_("责任单位"), order_by=("responsible_unit__name", "name"), empty_values=()
    )
    lead_official = tables.Column(verbose_name=_("分包领导"), empty_values=())
    planned_start = tables.Column(verbose_name=_("计划开工"), empty_values=())
    open_problems = tables.Column(verbose_name=_("未解决问题"), attrs={"td": {"class": "num"}})
    overdue_problems = tables.Column(verbose_name=_("逾期问题"), attrs={"td": {"class": "num"}})

    class Meta:
        model = Project
        attrs = {"class": "table project-table"}
        fields = (
            "name",
            "groups",
            "key_task",
            "area",
            "stage",
            "responsible_unit",
            "lead_official",
            "planned_start",
            "open_problems",
            "overdue_problems",
        )
        sequence = fields
        order_by = ("name",)
        empty_text = _("没有符合条件的项目。")

    def render_name(self, value):
        return mark_chinese(value)

    def render_groups(self, record):
        groups = record.groups.all()
        if not groups:
            return _missing(_("未分组"))
        # Each name escaped and marked by mark_chinese; the separator is plain text.
        return mark_safe(join_list(mark_chinese(group.name) for group in groups))

    def render_key_task(self, value):
        return format_html('<span title="{}">{}</span>', value.title, _("工作%(n)s") % {"n": value.number})

    def render_area(self, value):
        return mark_chinese(value) if value else _missing(_("未明确"))

    def render_stage(self, record):
        return _stage_label(record.stage)

    def render_responsible_unit(self, value):
        return mark_chinese(value.name) if value else _missing(_("未明确"))

    def render_lead_official(self, value):
        return mark_chinese(value) if value else _missing(_("未明确"))

    def render_planned_start(self, value):
        return value.isoformat() if value else "—"

    def render_overdue_problems(self, value):
        if value:
            return format_html('<span class="overdue-count">{} {}</span>', value, _("逾期"))
        return value

    def value_stage(self, record):
        return record.get_stage_display() if record.stage else _("阶段未知")


class DoneColumn(tables.Column):
    """Whether a project has reached a stage a counted target of the group counts (✓ 已开工 / ✗ 未开工)."""

    def __init__(self, stage, **kwargs):
        self.stage = stage
        super().__init__(
            verbose_name=_("是否%(stage)s") % {"stage": stage.label},
            orderable=False,
            empty_values=(),
            attrs={"td": {"class": lambda record: "done" if self._done(record) else "not-done"}},
            **kwargs,
        )

    def _done(self, record) -> bool:
        return ledger.reached(record.ledger_item(), self.stage.value)

    def render(self, record):
        if self._done(record):
            return "✓ " + _("已%(stage)s") % {"stage": self.stage.label}
        return "✗ " + _("未%(stage)s") % {"stage": str(self.stage.label).lower()}


class GroupProjectTable(tables.Table):
    """The projects of a group page, a page at a time. Rows are `Project` objects from
    `summary.annotate_for_table` (their completed investment and problem counts annotated)."""

    scroll_label = _("分组中的项目")

    name = tables.Column(verbose_name=_("项目"))
    stage = tables.Column(verbose_name=_("阶段"), empty_values=())
    responsible_unit = tables.Column(verbose_name=_("责任单位"), empty_values=())
    annual_planned_investment = tables.Column(
        verbose_name=_("年度计划投资(亿元)"),
        empty_values=(),
        attrs={"th": {"class": "num"}, "td": {"class": "num"}},
    )
    completed = tables.Column(
        verbose_name=_("累计完成投资(亿元)"),
        empty_values=(),
        attrs={"th": {"class": "num"}, "td": {"class": "num"}},
    )
    open_problems = tables.Column(
        verbose_name=_("未解决问题"), attrs={"th": {"class": "num"}, "td": {"class": "num"}}
    )
    overdue_problems = tables.Column(
        verbose_name=_("逾期问题"), attrs={"th": {"class": "num"}, "td": {"class": "num"}}
    )

    class Meta:
        attrs = {"class": "table group-items"}
        orderable = False  # in the ledger's order (the project's name), as the group's list is kept
        empty_text = _("台账中尚无该分组的项目。")

    def __init__(self, data, *, stages=(), as_of=None, **kwargs):
        done = [(f"done_{stage.value}", DoneColumn(stage)) for stage in stages]
        sequence = ["name", "stage", *(name for name, _column in done), "..."]
        super().__init__(data, extra_columns=done, sequence=sequence, **kwargs)
        # Links keep the page's as-of date, so the project page shows the same moment.
        self.as_of_query = f"?as_of={as_of.isoformat()}" if as_of else ""

    def render_name(self, record, value):
        return format_html(
            '<a href="{}{}">{}</a>', record.get_absolute_url(), self.as_of_query, mark_chinese(value)
        )

    def render_stage(self, record):
        return _stage_label(record.stage)

    def render_responsible_unit(self, value):
        return mark_chinese(value.name) if value else _missing(_("未明确"))

    def render_annual_planned_investment(self, value):
        return fmt_number(value)

    def render_completed(self, value):
        return fmt_number(value)

    def render_overdue_problems(self, value):
        if value:
            return format_html('<span class="overdue-count">{} {}</span>', value, _("逾期"))
        return value
