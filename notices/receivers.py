"""Notices for monthly figures: submitted → the 督查室; returned or reminded → the unit's reporters.

The kernel sends `targets.signals.figures_moved` inside the step's transaction; the notices are
written in that same transaction.
"""

from collections import defaultdict
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from targets.models import Figure, FigureEvent, Target, Unit
from targets.signals import figures_moved, units_reminded

from .models import Kind
from .service import notify, reporters, reviewers


def who(user) -> str:
    return user.get_full_name() or user.get_username()


def month_page(unit_id: int, month) -> str:
    return (
        f"{reverse('admin:targets_figure_month')}?{urlencode({'unit': unit_id, 'month': f'{month:%Y-%m}'})}"
    )


def _lines(figures: list[Figure], targets: dict[int, Target]) -> str:
    return "、".join(
        f"{targets[f.target_id].code} {targets[f.target_id].name}({f.month:%Y-%m})"
        for f in sorted(figures, key=lambda f: (f.month, targets[f.target_id].code))
    )


def _targets(figures: list[Figure], *, with_units: bool) -> dict[int, Target]:
    """The figures' targets with their plans: those the figures came with when they are loaded (the
    monthly page's submit costs no query here), else in one query; with their units, one more."""
    cached = [f.target for f in figures if Figure._meta.get_field("target").is_cached(f)]
    loaded = {t.pk: t for t in cached if _plan_is_cached(t)}
    if not with_units and len(loaded) == len({f.target_id for f in figures}):
        return loaded
    queryset = Target.objects.filter(pk__in={f.target_id for f in figures}).select_related("key_task__plan")
    if with_units:
        queryset = queryset.prefetch_related(
            Prefetch("responsible_units", queryset=Unit.objects.order_by("pk"))
        )
    return {t.pk: t for t in queryset}


def _plan_is_cached(target: Target) -> bool:
    task_field = Target._meta.get_field("key_task")
    if not task_field.is_cached(target):
        return False
    return target.key_task._meta.get_field("plan").is_cached(target.key_task)


@receiver(figures_moved, sender=Figure, dispatch_uid="notices-figures-moved")
def figures_moved_notices(sender, *, action, figures, user, reason="", **kwargs):
    if action not in (FigureEvent.Action.SUBMITTED, FigureEvent.Action.RETURNED) or not figures:
        return
    targets = _targets(figures, with_units=action == FigureEvent.Action.RETURNED)
    if action == FigureEvent.Action.SUBMITTED:
        _submitted(figures, targets, user)
    else:
        _returned(figures, targets, user, reason)


def _submitted(figures, targets, user) -> None:
    by_district = defaultdict(list)
    for figure in figures:
        by_district[targets[figure.target_id].key_task.plan.district].append(figure)
    link = reverse("admin:targets_figure_changelist") + "?status__exact=submitted"
    for district, batch in by_district.items():
        n = len(batch)
        text = ngettext(
            "%(who)s 报送了 %(n)s 条月度数据,待审核:%(lines)s",
            "%(who)s 报送了 %(n)s 条月度数据,待审核:%(lines)s",
            n,
        ) % {"who": who(user), "n": n, "lines": _lines(batch, targets)}
        notify(
            reviewers(district),
            kind=Kind.FIGURES_SUBMITTED,
            subject=_("月度数据待审核:%(who)s 报送 %(n)s 条") % {"who": who(user), "n": n},
            text=text,
            link=link,
            actor=user,
        )


def _returned(figures, targets, user, reason: str) -> None:
    by_unit: dict[Unit, list[Figure]] = defaultdict(list)
    for figure in figures:
        for unit in targets[figure.target_id].responsible_units.all():
            by_unit[unit].append(figure)
    for unit, batch in by_unit.items():
        text = _("%(who)s 退回了%(unit)s的月度数据:%(lines)s。退回原因:%(reason)s。请修改后重新报送。") % {
            "who": who(user),
            "unit": unit.name,
            "lines": _lines(batch, targets),
            "reason": reason,
        }
        notify(
            reporters([unit]),
            kind=Kind.FIGURES_RETURNED,
            subject=_("月度数据退回:%(unit)s") % {"unit": unit.name},
            text=text,
            link=month_page(unit.pk, min(f.month for f in batch)),
            actor=user,
            units=[unit],
        )


@receiver(units_reminded, sender=Unit, dispatch_uid="notices-units-reminded")
def units_reminded_notices(sender, *, unit, month, subject, text, **kwargs):
    """The monthly reminder (`remind_units`) in each reporter's 通知, linked to the unit's monthly page;
    the command mails them itself."""
    notify(
        reporters([unit]),
        kind=Kind.REMINDED,
        subject=subject,
        text=text,
        link=month_page(unit.pk, month),
        units=[unit],
        mail=False,
    )
