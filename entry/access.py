"""Which figures a user may see and touch: the one place the admin, the monthly page, review and
the Excel import ask.

- Admins (superusers, or the admin role) may do everything.
- Reviewers approve or return any unit's submitted figures; they do not enter values.
- Reporters enter figures only for targets their units answer for, and only while a figure is
  a draft or has been returned; a submitted or approved figure is out of their hands.

The roles themselves and the plans a user may open are the kernel's (`targets.access`).
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from targets.access import can_report, can_review, is_admin
from targets.models import Figure, Target


def reportable_targets(user) -> QuerySet[Target]:
    """Targets this user may enter figures for (monitored indicators included)."""
    if not user.is_active:
        return Target.objects.none()
    if is_admin(user):
        return Target.objects.all()
    if not can_report(user):
        return Target.objects.none()
    return Target.objects.filter(responsible_units__members=user).distinct()


def visible_figures(user) -> QuerySet[Figure]:
    """Figures this user may see in the admin, drafts included."""
    if is_admin(user) or can_review(user):
        return Figure.objects.all()
    return Figure.objects.filter(target__in=reportable_targets(user))


def reportable_target_ids(user) -> set[int] | None:
    """IDs of the targets this user may report on; None means all (an admin)."""
    if is_admin(user):
        return None
    return set(reportable_targets(user).values_list("pk", flat=True))


def edit_refusal(
    user, target: Target, figure: Figure | None, *, allowed_ids: set[int] | None = ...
) -> str | None:
    """Why this user may not create or change this figure, or None when they may.

    Pass `allowed_ids` from `reportable_target_ids` when checking many targets at once.
    """
    if allowed_ids is ...:
        allowed_ids = reportable_target_ids(user)
    if not user.is_active or (allowed_ids is not None and target.pk not in allowed_ids):
        return _("您所在单位不负责目标“%(target)s”,不能填报其数据。") % {"target": target}
    if figure is not None and not is_admin(user):
        if figure.status == Figure.Status.APPROVED:
            return _("%(figure)s 已审核通过,不能再修改。") % {"figure": figure}
        if figure.status == Figure.Status.SUBMITTED:
            return _("%(figure)s 已报送,正在等待审核;如需修改,请审核人退回。") % {"figure": figure}
    return None
