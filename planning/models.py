"""Source documents of a plan and the sentences of them that targets track."""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from targets.models import Plan, Target


class SourceDocument(models.Model):
    """A document a plan's targets come from: the plan's own text, a mid-year report …"""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="source_documents", verbose_name=_("年度计划")
    )
    title = models.CharField(_("标题"), max_length=200)
    issuer = models.CharField(_("发文单位"), max_length=100, blank=True)
    date = models.DateField(_("日期"), null=True, blank=True)
    text = models.TextField(_("全文"))

    class Meta:
        verbose_name = _("原文")
        verbose_name_plural = _("原文")
        ordering = ["plan", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("planning:document", args=[self.pk])


class TrackedSentence(models.Model):
    """The sentence of a source document a target was taken from: its character offsets."""

    target = models.OneToOneField(
        Target, on_delete=models.CASCADE, related_name="tracked_sentence", verbose_name=_("量化目标")
    )
    document = models.ForeignKey(
        SourceDocument, on_delete=models.CASCADE, related_name="sentences", verbose_name=_("原文")
    )
    start = models.PositiveIntegerField(_("起始位置"))
    end = models.PositiveIntegerField(_("结束位置"))

    class Meta:
        verbose_name = _("原文语句")
        verbose_name_plural = _("原文语句")
        ordering = ["document", "start", "end"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="tracked_sentence_ordered"),
        ]

    def __str__(self):
        return self.document.text[self.start : self.end]
