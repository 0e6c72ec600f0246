"""The bulletin's narrative (通报的文字部分): written by the 督查室 for one plan and month.

工作亮点, 存在问题 and 下步工作 are drafted from the data (`reports.narrative.draft`), then edited and
approved in the admin; every version is kept (django-simple-history), like the figures. The
bulletin prints an approved note as it is, and otherwise the data's draft marked as such.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from targets.models import Plan

NOTE_MAX_LENGTH = 5000


class BulletinNote(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        APPROVED = "approved", _("已审定")

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="bulletin_notes", verbose_name=_("年度计划")
    )
    month = models.DateField(_("通报月份"), help_text=_("该月1日"))
    highlights = models.TextField(_("工作亮点"), blank=True, max_length=NOTE_MAX_LENGTH)
    problems = models.TextField(_("存在问题"), blank=True, max_length=NOTE_MAX_LENGTH)
    next_steps = models.TextField(_("下步工作"), blank=True, max_length=NOTE_MAX_LENGTH)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审定人"),
    )
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("singular", "通报文字")
        verbose_name_plural = _("通报文字")
        ordering = ["plan_id", "-month"]
        constraints = [models.UniqueConstraint(fields=["plan", "month"], name="bulletin_note_unique_month")]
        permissions = [("approve_bulletinnote", _("可审定通报文字"))]

    def __str__(self):
        return f"{self.plan} {self.month:%Y-%m}"
