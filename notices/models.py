"""Notices (站内通知): what a step of the work told a person, read or not; and the units' group robots.

A notice is created by `service.notify`, in the same transaction as the step that causes it, and
e-mailed to its recipient after the commit. A unit may have a group-robot webhook (企业微信 /
钉钉 style) that gets the notices addressed to the unit's reporters.
"""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from targets.models import Unit


class Kind(models.TextChoices):
    ASSIGNED = "assigned", _("交办")
    RETURNED = "returned", _("退回")
    REMINDED = "reminded", _("催办")
    ESCALATED = "escalated", _("升级督办")
    INSTRUCTED = "instructed", _("领导批示")
    ANSWERED = "answered", _("批示答复")
    TO_REVIEW = "to_review", _("待审核")
    CLOSED = "closed", _("办结")
    FIGURES_SUBMITTED = "figures_submitted", _("数据待审核")
    FIGURES_RETURNED = "figures_returned", _("数据退回")


class NoticeQuerySet(models.QuerySet):
    def for_user(self, user):
        """The user's own notices, unread first, then newest first."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user).order_by(
            models.F("read_at").asc(nulls_first=True), "-created", "-id"
        )

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    Kind = Kind

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices", verbose_name=_("接收人")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("内容"))
    # A path of this site: the item, the target or the month page the notice is about.
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = pgettext_lazy("plural", "通知")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_recipient_unread")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in Kind]), name="notice_kind_valid"),
        ]

    def __str__(self):
        return self.text[:50]


class WebhookURLField(models.URLField):
    default_validators = [URLValidator(schemes=["http", "https"])]

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


class UnitWebhook(models.Model):
    """A unit's group robot (群机器人): notices to the unit's reporters are posted to it as well."""

    unit = models.OneToOneField(
        Unit, on_delete=models.CASCADE, related_name="webhook", verbose_name=_("单位")
    )
    url = WebhookURLField(
        _("群机器人地址"),
        max_length=500,
        help_text=_("企业微信或钉钉群机器人的 Webhook 地址(http 或 https);消息以 JSON 文本消息发送"),
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = pgettext_lazy("plural", "群机器人")
        ordering = ["unit__name"]

    def __str__(self):
        return str(self.unit)
