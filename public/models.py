"""政务公开: what of a plan the 督查室 has published for citizens, as of which month.

One Publication per plan. It names the targets and supervised items shown on the public page
and the month whose approved figures it shows; unpublishing (is_published off) hides the page
and keeps the record. Every change is kept with who and when (simple-history), and the last
publication's account and time are on the record itself; neither is ever shown publicly.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.months import month_end
from supervision.models import SupervisedItem
from targets.models import Plan, Target


class Robots(models.TextChoices):
    NOINDEX = "noindex", _("不允许搜索引擎收录")
    INDEX = "index", _("允许搜索引擎收录")


# Kept by name so that the admin can record one history row for a save and its targets and items
# together (`record`): simple-history would otherwise add a row for each many-to-many field.
HISTORY = HistoricalRecords(excluded_fields=["version"], m2m_fields=["targets", "items"])


class Publication(models.Model):
    plan = models.OneToOneField(
        Plan, on_delete=models.CASCADE, related_name="publication", verbose_name=_("年度计划")
    )
    as_of_month = models.DateField(
        _("公开数据月份"),
        help_text=_("公开截至该月底已审核的数据;须是计划期内已结束的月份"),
    )
    targets = models.ManyToManyField(
        Target, blank=True, related_name="publications", verbose_name=_("公开的量化目标")
    )
    items = models.ManyToManyField(
        SupervisedItem, blank=True, related_name="publications", verbose_name=_("公开的督办事项")
    )
    robots = models.CharField(
        _("搜索引擎"),
        max_length=10,
        choices=Robots.choices,
        default=Robots.NOINDEX,
        help_text=_("页面的 robots 标记和 /robots.txt 按此设置"),
    )
    is_published = models.BooleanField(
        _("已公开"), default=True, help_text=_("取消勾选即撤回公开:公开页面不再显示,记录保留")
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    # Moved by every change of the publication or of a published item; keys the public page cache.
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HISTORY

    class Meta:
        verbose_name = _("政务公开")
        verbose_name_plural = _("政务公开")
        ordering = ["-plan__year", "plan__district"]
        permissions = [("publish_plan", _("可发布或撤回政务公开页面"))]

    def __str__(self):
        return str(self.plan)

    @property
    def as_of(self) -> dt.date:
        """The date the public page reads its plan at: the end of the published month."""
        return month_end(self.as_of_month)

    def clean(self):
        if self.as_of_month is None or self.plan_id is None:
            return
        self.as_of_month = self.as_of_month.replace(day=1)
        plan = self.plan
        if not plan.period_start.replace(day=1) <= self.as_of_month <= plan.period_end:
            raise ValidationError(
                {
                    "as_of_month": _("月份须在计划期 %(start)s 至 %(end)s 之内。")
                    % {"start": plan.period_start, "end": plan.period_end}
                }
            )
        if month_end(self.as_of_month) >= timezone.localdate():
            raise ValidationError({"as_of_month": _("该月尚未结束,只能公开已结束月份的数据。")})

    def save(self, *args, **kwargs):
        if self.as_of_month is not None:
            self.as_of_month = self.as_of_month.replace(day=1)
        super().save(*args, **kwargs)

    def record(self, *, created: bool) -> None:
        """One history row with the publication as it is now, its targets and items included."""
        HISTORY.create_historical_record(self, "+" if created else "~")

    def move_version(self) -> None:
        """Move the version (no history row): cached public pages of this plan are re-rendered."""
        Publication.objects.filter(pk=self.pk).update(version=models.F("version") + 1)
