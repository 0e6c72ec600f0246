"""The project ledger (工作台账): key projects and counted items, their stages, investment and problems.

A project's monthly completed investment is entered and reviewed like any figure: the project
has an investment target (a `targets.Target` linked back to it, made by `investment.py`), so the
monthly page, the Excel import, review, history and compliance all apply unchanged.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class Stage(models.TextChoices):
    """A ledger item's stages, in the order of 四比四看: 开工, then 入库 (纳入统计库), 竣工, 达产.

    入库 is entry into the statistics database of fixed-asset investment, which a project reaches
    once it has started and reports investment: after 开工, not before it.
    """

    RESERVE = "reserve", _("储备")
    STARTED = "started", _("开工")
    REGISTERED = "registered", _("入库")
    COMPLETED = "completed", _("竣工")
    PRODUCING = "producing", _("达产")


STAGE_ORDER = [Stage.RESERVE, Stage.STARTED, Stage.REGISTERED, Stage.COMPLETED, Stage.PRODUCING]
# The date field recording when each stage was reached (储备 has none: it is where items start).
STAGE_DATE_FIELDS = {
    Stage.STARTED: "started_on",
    Stage.REGISTERED: "registered_on",
    Stage.COMPLETED: "completed_on",
    Stage.PRODUCING: "producing_on",
}


class ProjectGroupManager(models.Manager):
    def get_by_natural_key(self, district, year, name):
        return self.get(plan__district=district, plan__year=year, name=name)


class ProjectGroup(models.Model):
    """A set of ledger items the plan counts or sums: 9月底前计划开工, 省市重点项目, 道路 …"""

    plan = models.ForeignKey(
        "targets.Plan", on_delete=models.CASCADE, related_name="project_groups", verbose_name=_("年度计划")
    )
    name = models.CharField(_("名称"), max_length=100)
    key_task = models.ForeignKey(
        "targets.KeyTask",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="project_groups",
        verbose_name=_("重点工作"),
    )
    stated_count = models.PositiveIntegerField(
        _("文件所述数量"), null=True, blank=True, help_text=_("原文给出的项目(个、条、所)数;未给出的留空")
    )
    stated_investment = models.DecimalField(
        _("文件所述投资额(亿元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    measures_production = models.BooleanField(
        _("计算达产率"),
        default=False,
        help_text=_(
            "分组中有建成后投产、产生产值的工业或商业项目时勾选。道路、公园、公厕、学校、"
            "老旧小区改造等没有“达产”阶段,不勾选,不显示达产率。"
        ),
    )
    source_text = models.TextField(_("原文"), blank=True)
    note = models.TextField(_("备注"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = ProjectGroupManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("singular", "项目分组")
        verbose_name_plural = _("项目分组")
        # By column, not by the plan's own ordering: that would join the plan into every query.
        ordering = ["plan_id", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="projectgroup_unique_name")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.plan.natural_key(), self.name)

    natural_key.dependencies = ["targets.plan"]

    def get_absolute_url(self):
        return reverse("projects:group-detail", args=[self.pk])

    @property
    def rate_stages(self) -> list[str]:
        """The stages whose rates mean something for this group, in 四比四看 order."""
        stages = [Stage.STARTED, Stage.REGISTERED, Stage.COMPLETED]
        if self.measures_production:
            stages.append(Stage.PRODUCING)
        return [stage.value for stage in stages]


class StatedStageCountManager(models.Manager):
    def get_by_natural_key(self, district, year, group_name, stage, as_of):
        return self.get(
            group__plan__district=district,
            group__plan__year=year,
            group__name=group_name,
            stage=stage,
            as_of=as_of,
        )


class StatedStageCount(models.Model):
    """How many of a group's items a source document says reached a stage, with its sentence.

    E.g. the H1 report's "487个老旧小区改造已全部开工": 487 started by 2020-06-30. While the
    ledger does not hold all the group's items, the stage rate shows this count instead of a
    ledger count that would read as zero progress.
    """

    group = models.ForeignKey(
        ProjectGroup,
        on_delete=models.CASCADE,
        related_name="stated_stage_counts",
        verbose_name=pgettext_lazy("singular", "项目分组"),
    )
    stage = models.CharField(
        _("阶段"),
        max_length=12,
        choices=[(s.value, s.label) for s in STAGE_ORDER if s != Stage.RESERVE],
    )
    count = models.PositiveIntegerField(_("文件所述达到该阶段的数量"))
    as_of = models.DateField(_("截至日期"), help_text=_("文件所述情况的日期,如上半年报告为6月30日"))
    source_text = models.TextField(_("原文"), help_text=_("照录文件中说明该数量的句子"))

    objects = StatedStageCountManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("文件所述阶段数量")
        verbose_name_plural = _("文件所述阶段数量")
        ordering = ["group_id", "as_of", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["group", "stage", "as_of"], name="statedstagecount_unique"),
            models.CheckConstraint(
                condition=Q(stage__in=["started", "registered", "completed", "producing"]),
                name="statedstagecount_stage_valid",
            ),
        ]

    def __str__(self):
        return f"{self.group} · {self.get_stage_display()} {self.count}"

    def natural_key(self):
        return (*self.group.natural_key(), self.stage, self.as_of.isoformat())

    natural_key.dependencies = ["projects.projectgroup"]


class ProjectQuerySet(models.QuerySet):
    def for_ledger(self):
        """Projects with what list and summary pages show, in a fixed number of queries."""
        return self.select_related("responsible_unit", "key_task", "plan").prefetch_related(
            "groups", "problems"
        )

    def for_list(self):
        """Projects with what the project list shows: its problem counts are annotated
        (`summary.annotate_for_list`), so their problems and plan are not fetched."""
        return self.select_related("responsible_unit", "key_task").prefetch_related("groups")


class ProjectManager(models.Manager.from_queryset(ProjectQuerySet)):
    def get_by_natural_key(self, district, year, name):
        return self.get(plan__district=district, plan__year=year, name=name)


class Project(models.Model):
    """A project or ledger item with its stage, investment plan and responsible people."""

    plan = models.ForeignKey(
        "targets.Plan", on_delete=models.CASCADE, related_name="projects", verbose_name=_("年度计划")
    )
    name = models.CharField(_("名称"), max_length=200)
    groups = models.ManyToManyField(ProjectGroup, blank=True, related_name="projects", verbose_name=_("分组"))
    key_task = models.ForeignKey(
        "targets.KeyTask",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("重点工作"),
    )
    area = models.CharField(_("片区"), max_length=50, blank=True)
    responsible_unit = models.ForeignKey(
        "targets.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("责任单位"),
    )
    lead_official = models.CharField(_("分包领导"), max_length=100, blank=True)
    service_commissioner = models.CharField(_("项目服务专员"), max_length=100, blank=True)
    stage = models.CharField(
        _("阶段"),
        max_length=12,
        choices=Stage.choices,
        blank=True,
        help_text=_("原文未说明的留空,显示为“阶段未知”"),
    )
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    registered_on = models.DateField(
        _("入库日期"), null=True, blank=True, help_text=_("纳入统计库的日期,在开工之后")
    )
    completed_on = models.DateField(_("竣工日期"), null=True, blank=True)
    producing_on = models.DateField(_("达产日期"), null=True, blank=True)
    planned_start = models.DateField(_("计划开工日期"), null=True, blank=True)
    planned_completion = models.DateField(_("计划竣工日期"), null=True, blank=True)
    total_investment = models.DecimalField(
        _("总投资(亿元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    annual_planned_investment = models.DecimalField(
        _("年度计划投资(亿元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    progress_note = models.TextField(_("进展情况"), blank=True)
    source_text = models.TextField(_("原文"), blank=True)
    note = models.TextField(_("备注"), blank=True)

    objects = ProjectManager()
    history = HistoricalRecords(m2m_fields=[groups])

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目台账")
        ordering = ["plan_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="project_unique_name"),
            models.CheckConstraint(
                condition=Q(stage__in=["", *[s.value for s in Stage]]), name="project_stage_valid"
            ),
            # 开工 → 入库 → 竣工 → 达产: each date known is on or after the earlier ones known.
            models.CheckConstraint(
                condition=Q(started_on__isnull=True)
                | Q(registered_on__isnull=True)
                | Q(started_on__lte=F("registered_on")),
                name="project_started_before_registered",
                violation_error_message=_("入库日期不能早于开工日期:入库指纳入统计库,在开工之后。"),
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True)
                | Q(registered_on__isnull=True)
                | Q(registered_on__lte=F("completed_on")),
                name="project_registered_before_completed",
                violation_error_message=_("竣工日期不能早于入库日期。"),
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(started_on__lte=F("completed_on")),
                name="project_started_before_completed",
            ),
            models.CheckConstraint(
                condition=Q(producing_on__isnull=True)
                | Q(completed_on__isnull=True)
                | Q(completed_on__lte=F("producing_on")),
                name="project_completed_before_producing",
            ),
            models.CheckConstraint(
                condition=Q(total_investment__isnull=True) | Q(total_investment__gte=0),
                name="project_total_investment_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(annual_planned_investment__isnull=True) | Q(annual_planned_investment__gte=0),
                name="project_annual_investment_nonnegative",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.plan.natural_key(), self.name)

    natural_key.dependencies = ["targets.plan"]

    def get_absolute_url(self):
        return reverse("projects:project-detail", args=[self.pk])

    def ledger_item(self, *, completed_investment=None):
        """This project as a `ledger.Item`, for counting and rates."""
        from .ledger import Item

        return Item(
            stage=self.stage,
            dates={stage.value: getattr(self, field) for stage, field in STAGE_DATE_FIELDS.items()},
            annual_planned=self.annual_planned_investment,
            completed_investment=completed_investment,
        )

    def stage_dates(self) -> list[tuple[str, str, dt.date | None, bool]]:
        """(stage value, label, date reached or None, reached?) for the stage timeline."""
        reached_index = STAGE_ORDER.index(Stage(self.stage)) if self.stage else -1
        rows = []
        for index, stage in enumerate(STAGE_ORDER):
            field = STAGE_DATE_FIELDS.get(stage)
            rows.append(
                (stage.value, stage.label, getattr(self, field) if field else None, index <= reached_index)
            )
        return rows


class ProblemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_on__isnull=True)

    def overdue(self, today: dt.date):
        return self.open().filter(due_by__lt=today)


class Problem(models.Model):
    """An entry of a project's problem list (问题清单)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="problems", verbose_name=_("项目")
    )
    description = models.TextField(_("问题"))
    responsible_unit = models.ForeignKey(
        "targets.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="project_problems",
        verbose_name=_("责任单位"),
    )
    raised_on = models.DateField(_("提出日期"))
    due_by = models.DateField(_("限期解决"), null=True, blank=True)
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)
    resolution = models.TextField(_("解决情况"), blank=True)

    objects = ProblemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题清单")
        ordering = ["project_id", "resolved_on", "due_by", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_by__isnull=True) | Q(raised_on__lte=F("due_by")),
                name="problem_due_after_raised",
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(raised_on__lte=F("resolved_on")),
                name="problem_resolved_after_raised",
            ),
        ]

    def __str__(self):
        return self.description[:40]

    @property
    def state(self) -> str:
        return "resolved" if self.resolved_on else "open"

    def is_overdue(self, today: dt.date) -> bool:
        return self.resolved_on is None and self.due_by is not None and self.due_by < today


class StageChange(models.Model):
    """A reporter's change of a project's stage, reviewed like a monthly figure (报送 → 审核通过 / 退回).

    The project's own stage and stage dates change only when a reviewer approves (or an admin edits
    the project), so the progress pages, which read the project's stage, count approved stages only.
    Every step is kept: who submitted, who approved or returned and why, in this row and its history.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已报送")
        APPROVED = "approved", _("已审核")
        RETURNED = "returned", _("已退回")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="stage_changes", verbose_name=_("项目")
    )
    stage = models.CharField(_("新阶段"), max_length=12, choices=Stage.choices)
    reached_on = models.DateField(_("到达日期"), null=True, blank=True, help_text=_("储备阶段不填"))
    previous_stage = models.CharField(_("原阶段"), max_length=12, choices=Stage.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("审核状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    return_reason = models.TextField(_("退回原因"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("报送人")
    )
    submitted_at = models.DateTimeField(_("报送时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = pgettext_lazy("plural", "阶段变更")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "approved", "returned"]), name="stagechange_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(stage__in=[s.value for s in Stage]), name="stagechange_stage_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""), name="stagechange_returned_has_reason"
            ),
            # One change waits for review per project at a time.
            models.UniqueConstraint(
                fields=["project"], condition=Q(status="submitted"), name="stagechange_one_submitted"
            ),
        ]

    def __str__(self):
        when = f" {self.reached_on:%Y-%m-%d}" if self.reached_on else ""
        return f"{self.project} → {self.get_stage_display()}{when}"
