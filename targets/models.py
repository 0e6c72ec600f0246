"""The plan, its key tasks, their quantified targets, responsible units and monthly figures.

Every target and figure keeps the sentence of the source document it came from, so a reader
can check it, and who entered it. What the sources do not say stays empty.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from common.months import last_closed_month, month_end

from . import ledgers


class PlanManager(models.Manager):
    def get_by_natural_key(self, district, year):
        return self.get(district=district, year=year)


class Plan(models.Model):
    """One district's plan for one year (年度重点工作)."""

    district = models.CharField(_("区县"), max_length=50)
    city = models.CharField(_("城市"), max_length=50, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=200)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    source = models.TextField(_("来源文件"), blank=True)
    adopted_on = models.DateField(
        _("印发日期"),
        null=True,
        blank=True,
        help_text=_("计划通过或印发的日期;原文未写明的留空。年度目标的序时进度仍按自然年计"),
    )
    # Status-light thresholds, in percentage points of gap (completion share − expected share).
    on_track_threshold = models.DecimalField(
        _("正常推进阈值(百分点)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("-10"),
        help_text=_("差距不低于此值为“正常推进”"),
    )
    behind_threshold = models.DecimalField(
        _("滞后阈值(百分点)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("-30"),
        help_text=_("差距不低于此值为“滞后”,低于此值为“严重滞后”"),
    )

    report_due_day = models.PositiveSmallIntegerField(
        _("报送截止日"),
        default=5,
        help_text=_("每月数据须在次月此日(含)之前报送,晚于此日为迟报"),
    )

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("执行中")
        ARCHIVED = "archived", _("已归档")

    # 草稿 → 执行中 → 已归档; an archived plan is read-only (no figures are entered for it).
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)

    # Moved by every change to the plan's data; keys the page cache (see DataVersion).
    data_version = models.BigIntegerField(default=0, editable=False)

    objects = PlanManager()
    history = HistoricalRecords(excluded_fields=["data_version"])

    class Meta:
        verbose_name = _("年度计划")
        verbose_name_plural = pgettext_lazy("plural", "年度计划")
        ordering = ["-year", "district"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="plan_unique_district_year"),
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")), name="plan_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(behind_threshold__lte=models.F("on_track_threshold"))
                & Q(on_track_threshold__lte=0),
                name="plan_thresholds_ordered",
            ),
            models.CheckConstraint(
                condition=Q(report_due_day__gte=1) & Q(report_due_day__lte=28),
                name="plan_report_due_day_range",
            ),
        ]

    def __str__(self):
        return _("%(district)s%(year)s年 %(title)s") % {
            "district": self.district,
            "year": self.year,
            "title": self.title,
        }

    def natural_key(self):
        return (self.district, self.year)

    def get_absolute_url(self):
        return reverse("targets:plan-detail", args=[self.pk])


class UnitManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Unit(models.Model):
    """A responsible unit (责任单位): a department, a street office, …"""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("部门")
        STREET = "street", _("街道")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    # A unit works for one district: it is assigned only that district's targets and items, and
    # only that district's users see it in the admin (admins see all).
    district = models.CharField(
        _("区县"),
        max_length=50,
        blank=True,
        help_text=_("与计划的“区县”一致,如“中原区”;未填写区县的单位不能分派任务"),
    )
    source_text = models.TextField(_("原文出处"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="report_units",
        verbose_name=_("填报人员"),
        help_text=_("可为本单位负责的目标填报月度数据的账号"),
    )

    objects = UnitManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = pgettext_lazy("plural", "责任单位")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["department", "street", "other"]), name="unit_kind_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class DistrictMembership(models.Model):
    """A user belongs to a district (区县) and sees that district's plans.

    Admins (superusers and the admin role) see every district's plans without one; everyone else
    sees only the plans of the districts they belong to (`access.visible_plans`).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="district_memberships",
        verbose_name=_("用户"),
    )
    district = models.CharField(_("区县"), max_length=50, help_text=_("与计划的“区县”一致,如“中原区”"))

    class Meta:
        verbose_name = _("所属区县")
        verbose_name_plural = pgettext_lazy("plural", "所属区县")
        ordering = ["district"]
        constraints = [
            models.UniqueConstraint(fields=["user", "district"], name="district_membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.district}"


class KeyTaskManager(models.Manager):
    def get_by_natural_key(self, district, year, number):
        return self.get(plan__district=district, plan__year=year, number=number)


class KeyTask(models.Model):
    """One numbered key task of a plan (重点工作 N)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="key_tasks", verbose_name=_("年度计划")
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=200)
    headline = models.CharField(_("要点"), max_length=200, blank=True)
    text = models.TextField(_("原文"), blank=True)

    objects = KeyTaskManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("重点工作")
        verbose_name_plural = pgettext_lazy("plural", "重点工作")
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="keytask_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="keytask_number_positive"),
        ]

    def __str__(self):
        return _("重点工作%(number)s:%(title)s") % {"number": self.number, "title": self.title}

    def natural_key(self):
        return (*self.plan.natural_key(), self.number)

    natural_key.dependencies = ["targets.plan"]

    def get_absolute_url(self):
        return reverse("targets:keytask-detail", args=[self.pk])


class TargetQuerySet(models.QuerySet):
    def for_plan(self, plan):
        """The plan's own targets and indicators; a project's investment target shows on its project."""
        return self.filter(key_task__plan=plan, project__isnull=True)

    def for_dashboard(self, as_of: dt.date, *, detail: bool = False):
        """Targets with everything a progress page shows, in a fixed number of queries.

        Joins the key task and plan, and prefetches the responsible units, the approved
        figures of months that ended on or before `as_of` (oldest first) and, for targets
        counted from the project ledger, the group's projects with their approved investment
        figures, so the status rules run without touching the database again.

        Lists need only each figure's numbers; with `detail` the figures come whole, with who
        entered and reviewed them (the target and indicator pages show that).
        """
        # The figures sent in (submitted or approved) of months that ended by `as_of`, oldest
        # first, split below into the approved ones (the numbers) and the reported ones (the months
        # sent in, for the reporting state). Lists read only each figure's numbers: one query of
        # plain rows (`FigureNumbers`), no model instances. With `detail`, whole figures with who
        # entered and reviewed them (the target and indicator pages show that).
        last_month = last_closed_month(as_of)
        approved = Figure.objects.filter(status=Figure.Status.APPROVED, month__lte=last_month).order_by(
            "month"
        )
        prefetches = []
        if detail:
            sent = (
                Figure.objects.filter(
                    status__in=(Figure.Status.SUBMITTED, Figure.Status.APPROVED), month__lte=last_month
                )
                .order_by("month")
                .select_related("entered_by", "reviewed_by")
            )
            prefetches.append(models.Prefetch("figures", queryset=sent, to_attr="sent_figures"))
            approved = approved.select_related("entered_by", "reviewed_by")
        else:
            approved = approved.only(*FIGURE_NUMBERS)
        dashboard = self.select_related("ledger_group").prefetch_related(
            # Prefetched, not joined: one instance of each of the plan's key tasks (and of the plan)
            # shared by all its targets, instead of two model instances per target.
            models.Prefetch("key_task", queryset=KeyTask.objects.select_related("plan")),
            *prefetches,
        )
        # Read after the fetch (`_prefetch_related_objects`): the units and planned nodes, the
        # figures sent in, and what a target counted from the ledger measures (`ledgers.py`).
        dashboard._dashboard = ("detail" if detail else last_month, approved, as_of)
        return dashboard

    def _clone(self):
        clone = super()._clone()
        clone._dashboard = getattr(self, "_dashboard", None)
        return clone

    def _prefetch_related_objects(self):
        super()._prefetch_related_objects()
        if getattr(self, "_dashboard", None) is None:
            return
        how, approved, as_of = self._dashboard
        self._fetch_units_and_planned()
        ledgers.prefetch(
            [target for target in self._result_cache if target.ledger_measure],
            approved=approved,
            as_of=as_of,
            detail=how == "detail",
        )
        if how == "detail":
            for target in self._result_cache:
                sent = target.__dict__.pop("sent_figures")
                target.approved_figures = [f for f in sent if f.status == Figure.Status.APPROVED]
                target.reported_figures = sent
            return
        by_target = {target.pk: [] for target in self._result_cache}
        if by_target:
            rows = (
                Figure.objects.filter(
                    self._fetched_targets(),
                    status__in=(Figure.Status.SUBMITTED, Figure.Status.APPROVED),
                    month__lte=how,
                )
                .order_by("month", "pk")
                .values_list(*FIGURE_NUMBERS)
            )
            # Thousands of rows repeat a few months, statuses and qualifiers, and each target's id: keep
            # one object of each (the target's own id object for its figures).
            shared = {}
            target_ids = {pk: pk for pk in by_target}
            # Read in chunks (a server-side cursor on PostgreSQL): a plan of thousands of targets has
            # tens of thousands of figures, and the driver would otherwise hold all their rows at once.
            for (
                pk,
                target_id,
                month,
                value,
                qualifier,
                reached,
                reached_on,
                status,
                doubtful,
            ) in rows.iterator(chunk_size=2000):
                target_id = target_ids[target_id]
                by_target[target_id].append(
                    FigureNumbers(
                        pk,
                        target_id,
                        shared.setdefault(month, month),
                        value,
                        shared.setdefault(qualifier, qualifier),
                        reached,
                        reached_on,
                        shared.setdefault(status, status),
                        doubtful,
                    )
                )
        approved = Figure.Status.APPROVED
        for target in self._result_cache:
            sent = by_target[target.pk]
            target.approved_figures = [f for f in sent if f.status == approved]
            target.reported_figures = sent

    def _fetched_targets(self, *, subquery_from: int | None = None) -> Q:
        """The targets just fetched, as a filter on a table that points at them (`target`): a
        list of their ids, or from `subquery_from` targets on (`FIGURES_BY_SUBQUERY`) the
        targets' own query again."""
        if self.query.is_sliced or len(self._result_cache) < (subquery_from or FIGURES_BY_SUBQUERY):
            return Q(target_id__in=[target.pk for target in self._result_cache])
        return Q(target__in=self.prefetch_related(None).order_by().values("pk"))

    def _fetch_units_and_planned(self) -> None:
        """`dashboard_units` and `dashboard_planned` of each fetched target, as plain lists
        (`unit_list`, `planned_points`), in one query each.

        A unit answers for many targets: each is built once and shared by its targets' lists (a
        prefetch built one per target and unit, and passed the targets themselves to the query,
        which at 4,000 targets took 110 ms before the database was asked). Both select the targets
        with their own query again (a list of 400 ids cost more to send than the second look), but
        a page's slice by its ids.
        """
        units_of = {target.pk: [] for target in self._result_cache}
        planned_of = {target.pk: [] for target in self._result_cache}
        if units_of:
            fields = [field.attname for field in Unit._meta.concrete_fields]  # all but the members
            rows = (
                Target.responsible_units.through.objects.filter(self._fetched_targets(subquery_from=1))
                .order_by("unit__name", "unit_id")
                .values_list("target_id", *(f"unit__{field}" for field in fields))
            )
            units = {}
            for target_id, *values in rows:
                unit = units.get(values[0])
                if unit is None:
                    unit = units[values[0]] = Unit.from_db(self.db, fields, values)
                units_of[target_id].append(unit)
            planned = PlannedValue.objects.filter(self._fetched_targets(subquery_from=1))
            for point in planned.order_by("target_id", "month"):
                planned_of[point.target_id].append(point)
        for target in self._result_cache:
            target.dashboard_units = units_of[target.pk]
            target.dashboard_planned = planned_of[target.pk]


# From this many targets on, a list's figures, units and planned nodes are selected with the
# targets' own query as a subquery rather than with a list of their ids (building the list costs
# more than the database's second look).
FIGURES_BY_SUBQUERY = 500

# What the lists and the status rules read of a figure (for_dashboard without `detail`).
FIGURE_NUMBERS = (
    "id",
    "target_id",
    "month",
    "value",
    "value_qualifier",
    "reached",
    "reached_on",
    "status",
    "measure_doubtful",
)


class FigureNumbers:
    """What the lists and the status rules read of a figure (`FIGURE_NUMBERS`), as a plain row.

    `for_dashboard` without `detail` gives these instead of `Figure` instances: a plan of
    thousands of targets has tens of thousands of figures, and a model instance costs ten times
    the time and memory of this.
    """

    __slots__ = FIGURE_NUMBERS

    def __init__(
        self, id, target_id, month, value, value_qualifier, reached, reached_on, status, measure_doubtful
    ):
        self.id = id
        self.target_id = target_id
        self.month = month
        self.value = value
        self.value_qualifier = value_qualifier
        self.reached = reached
        self.reached_on = reached_on
        self.status = status
        self.measure_doubtful = measure_doubtful

    @property
    def pk(self) -> int:
        return self.id

    @property
    def month_end(self) -> dt.date:
        return month_end(self.month)

    def __repr__(self) -> str:
        return f"<FigureNumbers {self.target_id} {self.month:%Y-%m} {self.status}>"


class TargetManager(models.Manager.from_queryset(TargetQuerySet)):
    def get_by_natural_key(self, district, year, code):
        return self.get(key_task__plan__district=district, key_task__plan__year=year, code=code)


class LedgerMeasure(models.TextChoices):
    MANUAL = "", _("月度填报")
    COUNT = "count", _("台账计数(达到某阶段的项目数)")
    INVESTMENT = "investment", _("台账合计(分组项目已审核的累计完成投资)")


class Target(models.Model):
    """A measurable target (量化目标) or a monitored indicator (监测指标) under a key task."""

    class Kind(models.TextChoices):
        CUMULATIVE = "cumulative", _("累计量")
        LEVEL = "level", _("水平/比率")
        MILESTONE = "milestone", _("里程碑")
        MONITORED = "monitored", _("监测指标")

    class Direction(models.TextChoices):
        AT_LEAST = "gte", "≥"
        AT_MOST = "lte", "≤"

    class Commitment(models.TextChoices):
        FIRM = "firm", _("确保")
        STRETCH = "stretch", _("力争")
        UNSTATED = "", _("未写明")

    class Source(models.TextChoices):
        PLAN = "plan", _("年度重点工作部署")
        H1_REPORT = "h1", _("上半年工作总结(区委全会)")

    key_task = models.ForeignKey(
        KeyTask, on_delete=models.CASCADE, related_name="targets", verbose_name=_("重点工作")
    )
    code = models.CharField(_("编号"), max_length=20, help_text=_("在本年度计划内唯一,如 6-02"))
    name = models.CharField(_("名称"), max_length=200)
    # Data keeps its own language: the Chinese name is the record; an English name is optional.
    name_en = models.CharField(
        _("英文名称"),
        max_length=200,
        blank=True,
        help_text=_("可选;英文页面显示此名称,留空则显示中文名称"),
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    direction = models.CharField(
        _("方向"), max_length=3, choices=Direction.choices, default=Direction.AT_LEAST
    )
    goal = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2, null=True, blank=True)
    goal_wording = models.CharField(
        _("原文完成程度"),
        max_length=100,
        blank=True,
        help_text=_("原文对完成程度的表述,如“大头落地”“基本完成”:不等于全部完成,不折算为目标值"),
    )
    standard = models.BooleanField(
        _("保持类标准"),
        default=False,
        help_text=_(
            "须时时保持的底线或上限(如不低于98%、不超过10%、彻底消除):每次读数判定达标或未达标,不按序时进度"
        ),
    )
    commitment = models.CharField(
        _("目标措辞"),
        max_length=10,
        choices=Commitment.choices,
        default=Commitment.UNSTATED,
        blank=True,
        help_text=_("原文用“确保”(必须完成)还是“力争”(争取完成)"),
    )
    unit_of_measure = models.CharField(_("计量单位"), max_length=20, blank=True)
    baseline = models.DecimalField(
        _("基线值"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("起始日期时的值;原文未给出的留空"),
    )
    start = models.DateField(_("起始日期"))
    deadline = models.DateField(_("完成期限"), null=True, blank=True)
    deadline_stated = models.BooleanField(
        _("原文写明期限"),
        default=True,
        help_text=_("否:原文未写期限,按年度计划截止日期计"),
    )
    responsible_units = models.ManyToManyField(
        Unit, blank=True, related_name="targets", verbose_name=_("责任单位")
    )
    lead_official = models.CharField(_("分包领导"), max_length=100, blank=True)
    source = models.CharField(_("来源文件"), max_length=10, choices=Source.choices, default=Source.PLAN)
    source_text = models.TextField(_("原文"))
    goal_derivation = models.TextField(
        _("目标值推算方法"), blank=True, help_text=_("目标值由原文数字推算而来时,写明如何推算")
    )
    note = models.TextField(_("备注"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    # Ledger links (projects app). A target counted or summed from a ledger group, or the
    # investment target of one project (entered monthly like any figure, shown on its project).
    ledger_group = models.ForeignKey(
        "projects.ProjectGroup",
        # A group that targets are counted from cannot vanish under them (its plan can, with them).
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("台账分组"),
        help_text=_("与该目标对应的项目台账分组;目标页列出其中已完成和未完成的项目"),
    )
    ledger_measure = models.CharField(
        _("实际值来源"),
        max_length=12,
        choices=LedgerMeasure.choices,
        default=LedgerMeasure.MANUAL,
        blank=True,
    )
    ledger_stage = models.CharField(
        _("计数阶段"),
        max_length=12,
        blank=True,
        help_text=_("按台账计数时:达到此阶段或之后阶段的项目计入"),
    )
    project = models.OneToOneField(
        "projects.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="investment_target",
        verbose_name=_("所属项目"),
        help_text=_("项目的年度投资目标:每月填报累计完成投资"),
    )

    objects = TargetManager()
    history = HistoricalRecords(excluded_fields=["sort_order"])

    class Meta:
        verbose_name = pgettext_lazy("singular", "量化目标")
        verbose_name_plural = _("量化目标")
        ordering = ["key_task__number", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["key_task", "code"], name="target_unique_code"),
            models.CheckConstraint(
                condition=Q(kind__in=["cumulative", "level", "milestone", "monitored"]),
                name="target_kind_valid",
            ),
            models.CheckConstraint(condition=Q(direction__in=["gte", "lte"]), name="target_direction_valid"),
            # A monitored indicator has no goal; a numeric target must have one.
            models.CheckConstraint(
                condition=Q(kind="monitored", goal__isnull=True)
                | Q(kind="milestone", goal__isnull=True)
                | (Q(kind__in=["cumulative", "level"]) & Q(goal__isnull=False)),
                name="target_goal_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="monitored") | Q(deadline__isnull=False), name="target_deadline_required"
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(start__lte=models.F("deadline")),
                name="target_start_before_deadline",
            ),
            models.CheckConstraint(
                condition=Q(ledger_measure="") | Q(ledger_group__isnull=False),
                name="target_ledger_measure_has_group",
            ),
            models.CheckConstraint(
                condition=~Q(ledger_measure="count")
                | Q(ledger_stage__in=["reserve", "registered", "started", "completed", "producing"]),
                name="target_ledger_count_has_stage",
            ),
            models.CheckConstraint(
                condition=Q(project__isnull=True) | Q(ledger_measure=""),
                name="target_project_measure_is_manual",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def natural_key(self):
        return (*self.key_task.plan.natural_key(), self.code)

    natural_key.dependencies = ["targets.keytask"]

    def get_absolute_url(self):
        return reverse("targets:target-detail", args=[self.pk])

    def unit_list(self) -> list:
        """The responsible units: as `for_dashboard` fetched them, else from the database."""
        fetched = self.__dict__.get("dashboard_units")
        return fetched if fetched is not None else list(self.responsible_units.all())

    def planned_points(self) -> list:
        """The planned nodes (计划节点): as `for_dashboard` fetched them, else from the database."""
        fetched = self.__dict__.get("dashboard_planned")
        return fetched if fetched is not None else list(self.planned_values.all())

    @property
    def plan(self):
        return self.key_task.plan

    @property
    def display_name(self) -> str:
        """The name for the current language: the English name on English pages when there is one."""
        if self.name_en and (translation.get_language() or "").split("-")[0] == "en":
            return self.name_en
        return self.name

    @property
    def goal_is_derived(self) -> bool:
        return bool(self.goal_derivation)

    @property
    def is_percentage(self) -> bool:
        return self.unit_of_measure.strip() == "%"


class PlannedValue(models.Model):
    """A target's own planned path: the value it should have reached by a month's end."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="planned_values")
    month = models.DateField(_("月份"))
    value = models.DecimalField(_("计划值"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("计划进度")
        verbose_name_plural = _("计划进度")
        ordering = ["target_id", "month"]
        constraints = [
            models.UniqueConstraint(fields=["target", "month"], name="plannedvalue_unique_month"),
        ]

    def __str__(self):
        return f"{self.target_id} {self.month:%Y-%m} {self.value}"


# The longest note (进展情况, 存在问题, 更正原因, 异常说明) a figure keeps, in characters, whichever way
# it is entered (admin form, monthly page, Excel) and in the database. About three pages of text.
NOTE_MAX_LENGTH = 5000
NOTE_FIELDS = ("progress_note", "problems", "correction_reason", "anomaly_note")


class FigureManager(models.Manager):
    def get_by_natural_key(self, district, year, code, month):
        return self.get(
            target__key_task__plan__district=district,
            target__key_task__plan__year=year,
            target__code=code,
            month=month,
        )


class Figure(models.Model):
    """A target's figure for one month (月度填报): the year-to-date or level value at month end."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已报送")
        APPROVED = "approved", _("已审核")
        RETURNED = "returned", _("已退回")

    class Qualifier(models.TextChoices):
        EXACT = "", _("确数")
        MORE_THAN = "more_than", _("余/以上")
        NEARLY = "nearly", _("近")

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="figures", verbose_name=_("目标")
    )
    month = models.DateField(_("月份"), help_text=_("该月1日;数值为该月末的累计值或水平值"))
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=2, null=True, blank=True)
    value_qualifier = models.CharField(
        _("数值限定"), max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT, blank=True
    )
    reached = models.BooleanField(_("已完成(里程碑)"), null=True, blank=True)
    reached_on = models.DateField(_("完成日期"), null=True, blank=True)
    progress_note = models.TextField(_("进展情况"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    correction_reason = models.TextField(
        _("更正原因"), blank=True, help_text=_("累计值低于上月时必须说明原因")
    )
    anomaly_note = models.TextField(
        _("异常说明"), blank=True, help_text=_("数值远超预期范围时,填报人确认数值无误并说明原因")
    )
    source_text = models.TextField(_("原文"), blank=True, help_text=_("来自文件的数字,记下原句"))
    # 口径待核: the figure counts something close to, but not the same as, its target. It is shown
    # with the flag and left out of the verdict until a reviewer confirms the measure.
    measure_doubtful = models.BooleanField(
        _("口径待核"),
        default=False,
        help_text=_("数据口径与目标不完全一致(如只计新建、目标含续建):在审核人确认口径前不计入判定"),
    )
    measure_note = models.TextField(_("口径说明"), blank=True)
    status = models.CharField(_("审核状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    return_reason = models.TextField(_("退回原因"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    entered_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("最后修改人"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Optimistic locking: every save increments it; a save based on an older version is refused.
    version = models.PositiveIntegerField(_("版本"), default=1)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    # What a person types for a target and month, on every entry path (admin form, monthly page, Excel).
    ENTRY_FIELDS = (
        "value",
        "reached",
        "reached_on",
        "progress_note",
        "problems",
        "correction_reason",
        "anomaly_note",
    )

    objects = FigureManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("singular", "月度数据")
        verbose_name_plural = _("月度数据")
        ordering = ["target_id", "month"]
        permissions = [("review_figure", _("可审核(通过或退回)月度数据"))]
        indexes = [models.Index(fields=["status", "month"], name="figure_status_month")]
        constraints = [
            models.UniqueConstraint(fields=["target", "month"], name="figure_unique_target_month"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "approved", "returned"]),
                name="figure_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="figure_value_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | Q(reached__isnull=False),
                name="figure_has_value_or_reached",
            ),
            models.CheckConstraint(
                condition=~Q(reached=True) | Q(reached_on__isnull=False), name="figure_reached_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""), name="figure_returned_has_reason"
            ),
            # The entry paths refuse a longer note with a message (forms.clean_note); this is the floor.
            *(
                models.CheckConstraint(
                    condition=LessThanOrEqual(Length(name), NOTE_MAX_LENGTH),
                    name=f"figure_{name}_max_length",
                )
                for name in NOTE_FIELDS
            ),
        ]

    def __str__(self):
        return f"{self.target.code} {self.month:%Y-%m}"

    def natural_key(self):
        return (*self.target.natural_key(), self.month.isoformat())

    natural_key.dependencies = ["targets.target"]

    @property
    def month_end(self) -> dt.date:
        return month_end(self.month)

    def save(self, *args, **kwargs):
        self.month = self.month.replace(day=1)
        super().save(*args, **kwargs)


class FigureEvent(models.Model):
    """One review step of a figure: submitted, approved or returned (with the reason)."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("报送")
        APPROVED = "approved", _("审核通过")
        RETURNED = "returned", _("退回")

    figure = models.ForeignKey(
        Figure, on_delete=models.CASCADE, related_name="events", verbose_name=_("月度数据")
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    reason = models.TextField(_("原因"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["figure_id", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["submitted", "approved", "returned"]), name="figureevent_action_valid"
            ),
            models.CheckConstraint(
                condition=~Q(action="returned") | ~Q(reason=""), name="figureevent_return_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.figure} {self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class DataVersion:
    """Each plan's data version (`Plan.data_version`): the one truth the page cache is keyed by.

    A cached page remembers its plan's version and is served only while the version in the
    database is unchanged (see `pagecache`). A change to what a plan's pages show moves that
    plan's version once per transaction, when the transaction commits (`transaction.on_commit`;
    outside a transaction at once): the plans touched during the transaction are collected and
    moved together by one UPDATE, so a ten-row submit moves its plan once and the plan row is not
    locked while the transaction runs. Because the version lives in the database, a change made by
    any process (another worker, a `manage.py shell` without Redis settings) makes every process
    re-render the page; nothing has to be told.
    """

    @staticmethod
    def current(plan_id: int, plans=None) -> int | None:
        """The plan's version now; None while this connection's transaction has moved it unseen.

        Inside a transaction that has changed the plan (its move waits for the commit), pages of
        that plan are neither served from nor stored in the cache: the transaction reads its own
        writes, which the cached pages do not show.
        """
        if plan_id in _pending_plans():
            return None
        plans = Plan.objects.all() if plans is None else plans  # `plans`: those the reader may see
        return plans.filter(pk=plan_id).values_list("data_version", flat=True).first()

    @staticmethod
    def is_pending(plan_id: int) -> bool:
        """This connection's running transaction has changed the plan (not yet committed)."""
        return plan_id in _pending_plans()

    @staticmethod
    def bump(plans=None) -> None:
        """Move, at commit, the version of the given plans (a Plan queryset or ids), or of every plan."""
        from django.db import connection, transaction

        if plans is None:
            ids = _EVERY_PLAN
        elif isinstance(plans, models.QuerySet):
            ids = set(plans.values_list("pk", flat=True))
        else:
            ids = {int(pk) for pk in plans}
        if not ids:
            return
        pending = getattr(connection, _PENDING, None)
        if pending is None or not pending.registered(connection):
            pending = _Pending()
            setattr(connection, _PENDING, pending)
        pending.add(ids)
        # Once per call (a savepoint rolled back drops its own); the first to run moves them all.
        transaction.on_commit(pending.flush)

    @staticmethod
    def move_past_everything() -> None:
        """Set every plan's version above any value it had (after a restore of the database).

        A restored database brings back old versions, which pages cached from other data may carry;
        the current time in microseconds is above every version a running installation reaches
        (one move a microsecond at most), so no cached page matches afterwards.
        """
        import time

        from django.db.models.functions import Greatest

        Plan.objects.update(data_version=Greatest(models.F("data_version") + 1, time.time_ns() // 1000))


_PENDING = "_plan_versions_pending"
_EVERY_PLAN = frozenset({"*"})


class _Pending:
    """The plans changed by one transaction, moved together when it commits."""

    def __init__(self):
        self.ids: set = set()

    def add(self, ids) -> None:
        self.ids |= set(ids)

    def registered(self, connection) -> bool:
        # Still waiting for the commit: a rolled-back transaction or savepoint drops its callbacks
        # from the list `on_commit` keeps (the list Django's captureOnCommitCallbacks reads too).
        return any(func == self.flush for _sids, func, _robust in connection.run_on_commit)

    def flush(self) -> None:
        from django.db import connection

        if getattr(connection, _PENDING, None) is self:
            setattr(connection, _PENDING, None)
        ids, self.ids = self.ids, set()
        if not ids:
            return
        plans = Plan.objects.all() if "*" in ids else Plan.objects.filter(pk__in=ids)
        plans.update(data_version=models.F("data_version") + 1)


def _pending_plans():
    """Plans changed by this connection's running transaction, moved only when it commits."""
    from django.db import connection

    pending = getattr(connection, _PENDING, None)
    if pending is None or not connection.in_atomic_block or not pending.registered(connection):
        return frozenset()
    return _EveryPlan() if "*" in pending.ids else pending.ids


class _EveryPlan(frozenset):
    def __contains__(self, item) -> bool:
        return True
