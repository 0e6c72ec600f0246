"""django-tables2 tables for the progress pages. Rows are `progress.TargetRow` objects."""

import django_tables2 as tables
import django_tables2.utils
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from common.datalang import mark_chinese
from common.formatting import fmt_number, fmt_points, fmt_qualified, join_list
from common.templatetags.verdict_tags import commitment_tags, verdict_cell

from .models import Target

# Tables are rendered a page (50 rows) at a time; the page links come with the table's template.
PER_PAGE = 50

_uncached_signature = django_tables2.utils.signature
_signatures: dict = {}


def _signature(fn):
    """django-tables2's `signature`, remembered per function.

    django-tables2 asks for the signature of a column's render method (`render_foo`) for every
    cell it renders, to pass only the arguments the method names; `inspect.signature` was 93% of
    the project list's rendering time. A method's signature never changes, so it is worked out
    once per function (bound methods of the same function share it) and reused.
    """
    func = getattr(fn, "__func__", None)
    if func is None:
        return _uncached_signature(fn)
    found = _signatures.get(func)
    if found is None:
        found = _signatures[func] = _uncached_signature(fn)
    return found


django_tables2.utils.signature = _signature


class LightColumn(tables.Column):
    """The verdict, the month of the figure it rests on, and the 预计难以完成 warning beside it."""

    def render(self, value, record):
        return verdict_cell(value, record)  # targets/_verdict_cell.html, without a template per row


class TargetTable(tables.Table):
    # Names the scroll box the table sits in (templates/django_tables2/scroll.html).
    scroll_label = _("量化目标")

    code = tables.Column(accessor="target__code", verbose_name=_("编号"))
    name = tables.Column(accessor="target__display_name", verbose_name=_("目标"))
    key_task = tables.Column(
        accessor="target__key_task__number", verbose_name=_("重点工作"), attrs={"td": {"class": "num"}}
    )
    goal = tables.Column(
        accessor="target__goal", verbose_name=_("目标值"), attrs={"td": {"class": "num"}}, empty_values=()
    )
    latest_value = tables.Column(verbose_name=_("最新值"), attrs={"td": {"class": "num"}}, empty_values=())
    completion = tables.Column(verbose_name=_("完成率%"), attrs={"td": {"class": "num"}})
    expected_share = tables.Column(verbose_name=_("序时进度%"), attrs={"td": {"class": "num"}})
    gap = tables.Column(verbose_name=_("差距(百分点)"), attrs={"td": {"class": "num"}})
    light = LightColumn(verbose_name=_("状态"), order_by=("light_severity",))
    deadline = tables.Column(accessor="target__deadline", verbose_name=_("期限"))
    units = tables.Column(verbose_name=_("责任单位"), orderable=False, empty_values=())

    class Meta:
        attrs = {"class": "table progress-table"}
        fields = (
            "code",
            "name",
            "key_task",
            "goal",
            "latest_value",
            "completion",
            "expected_share",
            "gap",
            "light",
            "deadline",
            "units",
        )
        order_by = ("code",)
        empty_text = _("没有符合条件的目标。")

    def __init__(self, *args, as_of=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Links keep the page's as-of date, so the target page shows the same moment.
        self.as_of_query = f"?as_of={as_of.isoformat()}" if as_of else ""

    def render_name(self, record, value):
        return format_html(
            '<a href="{}{}">{}</a>{}',
            record.target.get_absolute_url(),
            self.as_of_query,
            mark_chinese(value),
            commitment_tags(record.target),  # targets/_commitment.html, without a template per row
        )

    def render_goal(self, record):
        target = record.target
        if target.kind == Target.Kind.MILESTONE:
            return _("按期完成")
        return format_html(
            "{} {} {}",
            target.get_direction_display(),
            fmt_number(target.goal),
            mark_chinese(target.unit_of_measure),
        )

    def render_latest_value(self, record):
        if record.from_ledger:
            if record.latest_value is None:
                return format_html('<span class="missing">{}</span>', _("台账中尚无项目"))
            return format_html(
                '{} {} <span class="tag">{}</span>',
                fmt_number(record.latest_value),
                mark_chinese(record.target.unit_of_measure),
                _("台账"),
            )
        figure = record.latest_figure
        if figure is None:
            return format_html('<span class="missing">{}</span>', _("暂无数据"))
        if record.target.kind == Target.Kind.MILESTONE:
            return _("已完成") if figure.reached else _("未完成")
        return format_html(
            "{} {}",
            fmt_qualified(figure.value, figure.value_qualifier),
            mark_chinese(record.target.unit_of_measure),
        )

    def render_completion(self, value):
        return fmt_points(value)

    def render_expected_share(self, value):
        return fmt_points(value)

    def render_gap(self, value):
        return fmt_points(value, signed=True)

    def render_deadline(self, record, value):
        if not record.target.deadline_stated:
            # Said in words, not with an unexplained asterisk.
            return format_html('{} <span class="hint">{}</span>', value.isoformat(), _("(原文未写明,按年末)"))
        return value.isoformat()

    def render_units(self, record):
        units = record.units
        if not units:
            return format_html('<span class="missing">{}</span>', _("未明确"))
        # Each name escaped and marked by mark_chinese; the separator is plain text.
        return mark_safe(join_list(mark_chinese(unit.name) for unit in units))
