"""Moving figures through review: draft/returned → submitted → approved or returned.

Each step is recorded as a FigureEvent and in the figure's history. A step applies only to
figures in the state it starts from, checked in the same UPDATE that changes them, so two
reviewers acting at once cannot both act on the same figure.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from targets.access import can_review, is_admin
from targets.models import Figure, FigureEvent
from targets.signals import figures_moved

from . import access


def _move(
    figures: Iterable[Figure], *, user, from_states, to_state, action, reason="", **extra
) -> list[Figure]:
    moved = []
    now = timezone.now()
    with transaction.atomic():
        for figure in figures:
            claimed = Figure.objects.filter(pk=figure.pk, status__in=from_states).update(
                status=to_state, version=F("version") + 1, updated_by=user, updated_at=now, **extra
            )
            if not claimed:
                continue
            figure.refresh_from_db()
            # Write the history row for the step (update() bypasses save()).
            figure._history_user = user
            figure.save(update_fields=["updated_at"])
            FigureEvent.objects.create(figure=figure, action=action, actor=user, reason=reason)
            moved.append(figure)
        if moved:
            figures_moved.send(Figure, action=action, figures=moved, user=user, reason=reason)
    return moved


def submit(figures: Iterable[Figure], *, user) -> list[Figure]:
    """Send drafts and returned figures to the reviewers; only the reporter's own ones."""
    allowed_ids = access.reportable_target_ids(user)
    mine = [f for f in figures if access.edit_refusal(user, f.target, f, allowed_ids=allowed_ids) is None]
    return _move(
        mine,
        user=user,
        from_states=[Figure.Status.DRAFT, Figure.Status.RETURNED],
        to_state=Figure.Status.SUBMITTED,
        action=FigureEvent.Action.SUBMITTED,
        submitted_at=timezone.now(),
        return_reason="",
    )


def approve(figures: Iterable[Figure], *, user) -> list[Figure]:
    if not can_review(user):
        raise PermissionDenied(_("只有审核人可以审核数据。"))
    return _move(
        figures,
        user=user,
        from_states=[Figure.Status.SUBMITTED],
        to_state=Figure.Status.APPROVED,
        action=FigureEvent.Action.APPROVED,
        reviewed_by=user,
        reviewed_at=timezone.now(),
    )


def send_back(figures: Iterable[Figure], *, user, reason: str) -> list[Figure]:
    """Return submitted (or, by an admin, approved) figures to their unit with a reason."""
    if not can_review(user):
        raise PermissionDenied(_("只有审核人可以退回数据。"))
    reason = reason.strip()
    if not reason:
        raise ValueError(_("退回时必须填写原因。"))
    states = [Figure.Status.SUBMITTED]
    if is_admin(user):
        states.append(Figure.Status.APPROVED)
    return _move(
        figures,
        user=user,
        from_states=states,
        to_state=Figure.Status.RETURNED,
        action=FigureEvent.Action.RETURNED,
        reason=reason,
        return_reason=reason,
        reviewed_by=user,
        reviewed_at=timezone.now(),
    )


def flag_measure(figures: Iterable[Figure], *, user, note: str) -> list[Figure]:
    """Mark figures 口径待核: they stay on the page with the note but leave the verdict."""
    if not can_review(user):
        raise PermissionDenied(_("只有审核人可以标记口径待核。"))
    note = note.strip()
    if not note:
        raise ValueError(_("标记口径待核时必须写明口径说明。"))
    return _set_measure(figures, user=user, doubtful=True, note=note)


def confirm_measure(figures: Iterable[Figure], *, user) -> list[Figure]:
    """A reviewer confirms the measure of flagged figures: they count in the verdict again.

    The note stays, so the page still says what was checked; the history keeps who and when.
    """
    if not can_review(user):
        raise PermissionDenied(_("只有审核人可以确认口径。"))
    return _set_measure([f for f in figures if f.measure_doubtful], user=user, doubtful=False)


def _set_measure(figures: Iterable[Figure], *, user, doubtful: bool, note: str | None = None) -> list[Figure]:
    changed = []
    with transaction.atomic():
        for figure in figures:
            figure.measure_doubtful = doubtful
            if note is not None:
                figure.measure_note = note
            figure.updated_by = user
            figure._history_user = user
            figure.save(update_fields=["measure_doubtful", "measure_note", "updated_by", "updated_at"])
            changed.append(figure)
    return changed
