"""A project's stage changes through review, as figures do: submitted → approved or returned.

A reporter submits the new stage and the date it was reached (`submit`); a reviewer approves it,
which writes the stage and its date into the project, or returns it with a reason (`approve`,
`send_back`). Until then the project keeps its approved stage, which is what the progress pages
count. A step applies only to changes in the state it starts from, claimed in the same UPDATE that
moves them, so two reviewers acting at once cannot both act on one change.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from targets import access

from . import access as project_access
from .models import STAGE_DATE_FIELDS, Project, Stage, StageChange


class StageRefused(Exception):
    """The change may not be submitted; the message is for the user."""


def apply_to(project: Project, stage: str, reached_on) -> Project:
    """The project with the new stage and its date set (in memory): what approval will write."""
    project.stage = stage
    field = STAGE_DATE_FIELDS.get(Stage(stage))
    if field is not None and reached_on is not None:
        setattr(project, field, reached_on)
    return project


def check(project: Project, stage: str, reached_on) -> list[str]:
    """Why this change cannot be submitted (or approved) for this project now; [] when it can."""
    problems = []
    if stage not in Stage.values:
        return [_("阶段“%(stage)s”无效。") % {"stage": stage}]
    if Stage(stage) != Stage.RESERVE and reached_on is None:
        problems.append(_("请填写到达该阶段的日期。"))
    if Stage(stage) == Stage.RESERVE and reached_on is not None:
        problems.append(_("储备阶段没有到达日期,请留空。"))
    if reached_on is not None and reached_on > timezone.localdate():
        problems.append(_("到达日期 %(date)s 尚未到来。") % {"date": reached_on})
    current = Project.objects.get(pk=project.pk) if project.pk else project
    field = STAGE_DATE_FIELDS.get(Stage(stage))
    if stage == current.stage and (field is None or getattr(current, field) == reached_on):
        problems.append(_("项目已处于该阶段,无需变更。"))
    if problems or not project.pk:
        return problems
    try:
        apply_to(current, stage, reached_on).validate_constraints()
    except ValidationError as exc:
        problems += [str(m) for m in exc.messages]
    return problems


def submit(project: Project, *, stage: str, reached_on, note: str = "", user) -> StageChange:
    """A reporter's stage change, waiting for review. Refused (StageRefused) when the reporter may
    not change the project, another change is waiting, or the stage and date do not fit."""
    if not project_access.editable_projects(user).filter(pk=project.pk).exists():
        raise StageRefused(_("您不能变更项目“%(project)s”的阶段。") % {"project": project})
    problems = check(project, stage, reached_on)
    if problems:
        raise StageRefused(" ".join(problems))
    with transaction.atomic():
        # Lock the project so two submissions cannot pass the check below together.
        Project.objects.select_for_update().filter(pk=project.pk).first()
        if StageChange.objects.filter(project=project, status=StageChange.Status.SUBMITTED).exists():
            raise StageRefused(
                _("项目“%(project)s”已有一项阶段变更正在等待审核,请等审核后再报送。") % {"project": project}
            )
        change = StageChange(
            project=project,
            stage=stage,
            reached_on=reached_on,
            previous_stage=project.stage,
            note=note.strip(),
            submitted_by=user,
        )
        change._history_user = user
        change.save()
    return change


def _claim(change: StageChange, *, user, to_status, **extra) -> bool:
    claimed = StageChange.objects.filter(pk=change.pk, status=StageChange.Status.SUBMITTED).update(
        status=to_status, reviewed_by=user, reviewed_at=timezone.now(), **extra
    )
    if claimed:
        change.refresh_from_db()
        change._history_user = user
        change.save(update_fields=["reviewed_at"])  # the history row of the step
    return bool(claimed)


def approve(changes: Iterable[StageChange], *, user) -> tuple[list[StageChange], list[str]]:
    """Write the approved stages into their projects; returns (approved, problems of the rest).

    A change that no longer fits its project (the project moved on meanwhile) stays submitted,
    with the reason among the problems: the reviewer returns it.
    """
    if not access.can_review(user):
        raise PermissionDenied(_("只有审核人可以审核阶段变更。"))
    approved, problems = [], []
    with transaction.atomic():
        for change in changes:
            if change.status != StageChange.Status.SUBMITTED:
                continue
            project = Project.objects.select_for_update().get(pk=change.project_id)
            found = check(project, change.stage, change.reached_on)
            if found:
                problems.append(f"{change}: {' '.join(found)}")
                continue
            if not _claim(change, user=user, to_status=StageChange.Status.APPROVED):
                continue
            apply_to(project, change.stage, change.reached_on)
            project._history_user = user
            project._change_reason = _("阶段变更审核通过:%(change)s") % {"change": change}
            project.save()
            approved.append(change)
    return approved, problems


def send_back(changes: Iterable[StageChange], *, user, reason: str) -> list[StageChange]:
    """Return submitted changes to their unit with a reason; the project's stage stays."""
    if not access.can_review(user):
        raise PermissionDenied(_("只有审核人可以退回阶段变更。"))
    reason = reason.strip()
    if not reason:
        raise ValueError(_("退回时必须填写原因。"))
    with transaction.atomic():
        return [
            c
            for c in changes
            if _claim(c, user=user, to_status=StageChange.Status.RETURNED, return_reason=reason)
        ]
