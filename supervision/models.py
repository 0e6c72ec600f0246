"""督查督办: every measure (举措) of a plan as a supervised item, and the trace of its loop.

An item is one measure of a key task: the bold lead phrase and its paragraph, quoted from the
plan. The 督查室 assigns it (交办) to units; a unit acknowledges it (签收), reports monthly
(反馈) with evidence, asks to close it (办结申请); the 督查室 accepts or returns each report and
closes the item (办结). Every step is an ItemEvent: who, when, what (留痕). The steps and their
order are in `workflow.py`, the overdue rules in `rules.py`, who may do what in `access.py`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from targets.models import KeyTask, Plan, Target, Unit


class State(models.TextChoices):
    DRAFT = "draft", _("交办前")
    ASSIGNED = "assigned", _("已交办")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    IN_PROGRESS = "in_progress", _("推进中")
    CLOSE_REQUESTED = "close_requested", _("申请办结")
    CLOSED = "closed", _("已办结")


class SupervisedItemManager(models.Manager):
    def get_by_natural_key(self, district, year, code):
        return self.get(plan__district=district, plan__year=year, code=code)


class SupervisedItem(models.Model):
    """One measure of the plan under supervision (督办事项)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="supervised_items", verbose_name=_("年度计划")
    )
    key_task = models.ForeignKey(
        KeyTask, on_delete=models.CASCADE, related_name="supervised_items", verbose_name=_("重点工作")
    )
    code = models.CharField(_("编号"), max_length=20, help_text=_("在本年度计划内唯一,如 2.1"))
    title = models.CharField(_("举措"), max_length=200)
    source_text = models.TextField(_("原文"))
    source_note = models.CharField(_("原文说明"), max_length=200, blank=True)
    lead_unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_items",
        verbose_name=_("牵头单位"),
    )
    co_units = models.ManyToManyField(
        Unit, blank=True, related_name="supervised_items", verbose_name=_("责任单位")
    )
    units_source = models.TextField(
        _("单位出处"), blank=True, help_text=_("原文中写明单位的句子;交办时指定的单位此处留空")
    )
    lead_official = models.CharField(_("分包领导"), max_length=100, blank=True)
    lead_official_account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("分包领导账号"),
        help_text=_("有账号且填写了邮箱时,督办升级会邮件告知分包领导"),
    )
    due_date = models.DateField(_("完成时限"))
    due_stated = models.CharField(
        _("原文时限"),
        max_length=50,
        blank=True,
        help_text=_("原文写明的时限,如“9月底前”;留空表示原文未写,时限取计划年末"),
    )
    targets = models.ManyToManyField(
        Target, blank=True, related_name="supervised_items", verbose_name=_("量化目标")
    )
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT)
    ack_days = models.PositiveSmallIntegerField(_("签收时限(天)"), default=3)
    # Every step moves it; a form carries the version it was shown with (stale forms are refused).
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = SupervisedItemManager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = pgettext_lazy("plural", "督办事项")
        ordering = ["plan_id", "key_task__number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="supervised_item_unique_code"),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in State]), name="supervised_item_state_valid"
            ),
            models.CheckConstraint(condition=Q(ack_days__gte=1), name="supervised_item_ack_days_positive"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def natural_key(self):
        return (*self.plan.natural_key(), self.code)

    natural_key.dependencies = ["targets.plan", "targets.keytask", "targets.unit", "targets.target"]

    def get_absolute_url(self):
        return reverse("supervision:item-detail", args=[self.pk])

    def units(self) -> list[Unit]:
        """The lead unit first, then the co-units (each once)."""
        units = [self.lead_unit] if self.lead_unit_id else []
        return units + [u for u in self.co_units.all() if u.pk != self.lead_unit_id]


class Action(models.TextChoices):
    ASSIGN = "assign", _("交办")
    ACKNOWLEDGE = "acknowledge", _("签收")
    FEEDBACK = "feedback", _("反馈")
    ACCEPT = "accept", _("审核通过")
    RETURN = "return", _("退回")
    CLOSE_REQUEST = "close_request", _("办结申请")
    CLOSE = "close", _("办结")
    REMIND = "remind", _("催办")
    # A leader's instruction (领导批示), recorded by the 督查室: the text, who gave it, the date the
    # unit must answer by; and the unit's answer to it.
    INSTRUCT = "instruct", _("领导批示")
    ANSWER = "answer", _("批示答复")


class ItemEvent(models.Model):
    """One step of an item's loop (留痕): who did what, when, with what text and evidence."""

    Action = Action

    item = models.ForeignKey(
        SupervisedItem, on_delete=models.CASCADE, related_name="events", verbose_name=_("督办事项")
    )
    action = models.CharField(_("环节"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    # The feedback or close request an accept/return answers.
    answers = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="answered_by"
    )
    month = models.DateField(_("反馈月份"), null=True, blank=True)
    requirement = models.TextField(_("交办要求"), blank=True)
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    progress = models.TextField(_("工作进展"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下步打算"), blank=True)
    self_assessment = models.CharField(_("自评"), max_length=20, blank=True)
    reason = models.TextField(_("意见或理由"), blank=True)
    # 催办: escalated to the lead official (督办), and whether anybody was e-mailed.
    escalated = models.BooleanField(_("升级督办"), default=False)
    mailed_to = models.TextField(_("邮件发送至"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = pgettext_lazy("plural", "办理记录")
        ordering = ["item_id", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=[a.value for a in Action]), name="item_event_action_valid"
            ),
        ]

    def __str__(self):
        return f"{self.item.code} {self.get_action_display()}"


def evidence_path(instance, filename):
    # Our own name: the uploader's name is kept only as data, never as a path.
    return f"supervision/{instance.event.item_id}/{instance.token}.{instance.extension}"


def thumbnail_path(instance, filename):
    return f"supervision/{instance.event.item_id}/{instance.token}-thumb.jpg"


class Evidence(models.Model):
    """An evidence file (佐证材料) attached to a step. Served only by `views.evidence`."""

    event = models.ForeignKey(
        ItemEvent, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("办理记录")
    )
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    # Pictures only: a small JPEG for the timeline, served by `views.evidence_thumbnail`.
    thumbnail = models.FileField(_("缩略图"), upload_to=thumbnail_path, max_length=200, blank=True)
    token = models.CharField(max_length=32, unique=True, editable=False)
    original_name = models.CharField(_("原文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10)
    size = models.PositiveIntegerField(_("大小(字节)"))
    sha256 = models.CharField(max_length=64)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = pgettext_lazy("plural", "佐证材料")
        ordering = ["event_id", "id"]

    def __str__(self):
        return self.original_name

    @property
    def extension(self) -> str:
        return self.kind
