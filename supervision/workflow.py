"""The loop of a supervised item: which step may follow which, done all-or-nothing.

    交办前 --交办--> 已交办 --签收--> 已签收 --反馈--> 推进中 (反馈 待审核)
    推进中: 审核通过 / 退回 answer the waiting 反馈; another 反馈 once it is answered
    推进中 --办结申请--> 申请办结 --办结--> 已办结;  申请办结 --退回--> 推进中
    催办 at any open step after 交办.

`perform` is the one write path: it locks the item, refuses a form shown before the item's last
change (its version) or a step its state does not allow, with a message for the user, and
otherwise writes the event, its evidence files and the item's new state in one transaction.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from notices import service as notices
from notices.models import Kind
from targets.models import DataVersion, Plan

from . import access, evidence, rules
from .models import Evidence, ItemEvent, State, SupervisedItem

Action = ItemEvent.Action
OPEN_STATES = {State.ASSIGNED, State.ACKNOWLEDGED, State.IN_PROGRESS, State.CLOSE_REQUESTED}
WAITING = (Action.FEEDBACK, Action.CLOSE_REQUEST)


class StepRefused(Exception):
    """A step that may not be done now; the message is for the user."""


@dataclass
class Outcome:
    event: ItemEvent
    notes: list[str] = field(default_factory=list)


def waiting_event(events: list[ItemEvent]) -> ItemEvent | None:
    """The feedback or close request waiting for the 督查室 (the last unanswered one)."""
    answered = {e.answers_id for e in events if e.answers_id}
    waiting = [e for e in events if e.action in WAITING and e.pk not in answered]
    return waiting[-1] if waiting else None


def open_instruction(events: list[ItemEvent]) -> ItemEvent | None:
    """The earliest leader's instruction (领导批示) the unit has not answered yet."""
    answered = {e.answers_id for e in events if e.action == Action.ANSWER}
    waiting = [e for e in events if e.action == Action.INSTRUCT and e.pk not in answered]
    return waiting[0] if waiting else None


def instructions(
    events: list[ItemEvent], today: dt.date
) -> list[tuple[ItemEvent, ItemEvent | None, rules.InstructionStatus]]:
    """Each leader's instruction given by `today`, with its answer (or None) and where it stands then.

    As in the bulletin: an instruction or an answer recorded after `today` does not count yet.
    """
    events = events_by(events, today)
    answers = {e.answers_id: e for e in events if e.action == Action.ANSWER}
    result = []
    for event in events:
        if event.action != Action.INSTRUCT:
            continue
        answer = answers.get(event.pk)
        status = rules.instruction_status(
            answer_by=event.due_date,
            answered_on=_local_day(answer.at) if answer else None,
            today=today,
        )
        result.append((event, answer, status))
    return result


def allowed_actions(item: SupervisedItem, events: list[ItemEvent]) -> list[str]:
    """The steps the item's state allows now, whoever does them.

    A leader's instruction can come at any step once the item is assigned and until it is closed,
    and the unit answers the open one; both run beside the loop and leave its state as it is.
    """
    beside = []
    if item.state not in (State.DRAFT, State.CLOSED):
        beside.append(Action.INSTRUCT)
    if open_instruction(events) is not None and item.state != State.DRAFT:
        beside.append(Action.ANSWER)
    return _loop_actions(item, events) + beside


def _loop_actions(item: SupervisedItem, events: list[ItemEvent]) -> list[str]:
    waiting = waiting_event(events)
    state = item.state
    if state == State.DRAFT:
        return [Action.ASSIGN]
    if state == State.ASSIGNED:
        return [Action.ACKNOWLEDGE, Action.REMIND]
    if state == State.ACKNOWLEDGED:
        return [Action.FEEDBACK, Action.REMIND]
    if state == State.IN_PROGRESS:
        if waiting is not None:
            return [Action.ACCEPT, Action.RETURN, Action.REMIND]
        return [Action.FEEDBACK, Action.CLOSE_REQUEST, Action.REMIND]
    if state == State.CLOSE_REQUESTED:
        return [Action.CLOSE, Action.RETURN]
    return []


def _local_day(moment) -> dt.date:
    return timezone.localtime(moment).date()


# The state each step of the loop leaves the item in (the others leave it as it was).
STATE_AFTER = {
    Action.ASSIGN: State.ASSIGNED,
    Action.ACKNOWLEDGE: State.ACKNOWLEDGED,
    Action.FEEDBACK: State.IN_PROGRESS,
    Action.RETURN: State.IN_PROGRESS,
    Action.CLOSE_REQUEST: State.CLOSE_REQUESTED,
    Action.CLOSE: State.CLOSED,
}


def events_by(events: list[ItemEvent], day: dt.date) -> list[ItemEvent]:
    """The events recorded on or before `day` (local time)."""
    return [e for e in events if _local_day(e.at) <= day]


def state_on(item: SupervisedItem, events: list[ItemEvent], day: dt.date) -> str:
    """The item's state at the end of `day`: its state now when nothing happened after that day,
    else the state its steps up to that day left it in."""
    earlier = events_by(events, day)
    if len(earlier) == len(events):
        return item.state
    state = State.DRAFT
    for event in earlier:
        state = STATE_AFTER.get(event.action, state)
    return state


def flags(item: SupervisedItem, events: list[ItemEvent], today: dt.date) -> rules.Flags:
    """The item's overdue flags as of `today` (see rules.py), from what had happened by then.

    `today` is the page's as-of date: a step taken after it does not count (an item acknowledged
    on 8 June is still late to acknowledge as of 6 June).
    """
    state = state_on(item, events, today)
    events = events_by(events, today)
    assigned = next((e for e in events if e.action == Action.ASSIGN), None)
    assigned_on = _local_day(assigned.at) if assigned else None
    waiting = waiting_event(events)
    return rules.Flags(
        ack_days_late=rules.ack_overdue_days(
            assigned_on=assigned_on, ack_days=item.ack_days, acknowledged_on=None, today=today
        )
        if state == State.ASSIGNED
        else 0,
        feedback_missing=rules.missing_feedback_month(
            today=today,
            report_due_day=item.plan.report_due_day,
            assigned_on=assigned_on,
            feedback_months={e.month for e in events if e.action == Action.FEEDBACK and e.month},
            open_for_feedback=state in (State.ACKNOWLEDGED, State.IN_PROGRESS),
        ),
        review_days_late=rules.review_overdue_days(
            submitted_on=_local_day(waiting.at) if waiting else None, today=today
        )
        if state in (State.IN_PROGRESS, State.CLOSE_REQUESTED)
        else 0,
        due_days_late=rules.past_due_days(due_date=item.due_date, closed=state == State.CLOSED, today=today)
        if state != State.DRAFT
        else 0,
    )


def late_steps(item: SupervisedItem, events: list[ItemEvent]) -> dict[int, int]:
    """Days late of each 签收 and 反馈 that came after its time (event id → days), for the timeline.

    A month's feedback is judged by its first sending: one sent again after a 退回 answers the
    return and is not late in itself.
    """
    assigned = next((e for e in events if e.action == Action.ASSIGN), None)
    late = {}
    months_sent = set()
    for event in events:
        day = _local_day(event.at)
        if event.action == Action.ACKNOWLEDGE and assigned is not None:
            days = rules.ack_overdue_days(
                assigned_on=_local_day(assigned.at), ack_days=item.ack_days, acknowledged_on=day, today=day
            )
        elif event.action == Action.FEEDBACK and event.month and event.month not in months_sent:
            months_sent.add(event.month)
            days = rules.feedback_late_days(
                month=event.month, report_due_day=item.plan.report_due_day, sent_on=day
            )
        else:
            continue
        if days:
            late[event.pk] = days
    return late


def _store_files(event: ItemEvent, files: list[UploadedFile], stored: list[str]) -> None:
    for upload in files:
        kind = evidence.check(upload)
        record = Evidence(
            event=event,
            token=evidence.new_token(),
            original_name=evidence.clean_name(upload.name),
            kind=kind,
            size=upload.size,
            sha256=evidence.digest(upload),
        )
        record.file.save(record.token, upload, save=False)
        stored.append(record.file.name)
        if kind in evidence.IMAGE_KINDS:
            record.thumbnail.save(record.token, ContentFile(evidence.thumbnail(upload)), save=False)
            stored.append(record.thumbnail.name)
        record.save()


def _who(user) -> str:
    return user.get_full_name() or user.get_username()


def _notes(delivery: notices.Delivery, nobody: str) -> list[str]:
    """What the page says about who was told."""
    if not delivery.notices:
        return [nobody]
    notes = [_("已在站内通知:%(who)s。") % {"who": "、".join(_who(u) for u in delivery.recipients)}]
    if delivery.mailed:
        notes.append(_("已发送邮件至:%(to)s") % {"to": ", ".join(delivery.mailed)})
    elif getattr(settings, "NOTICE_EMAIL", True):
        notes.append(_("责任单位没有留有邮箱的填报人员,未发送邮件。"))
    return notes


def _tell_units(item: SupervisedItem, event: ItemEvent, kind: str, subject: str, body: str) -> list[str]:
    """Notify the reporters of the item's units (and their group robots); returns notes for the page."""
    units = item.units()
    delivery = notices.notify(
        notices.reporters(units),
        kind=kind,
        subject=subject,
        text=body,
        link=item.get_absolute_url(),
        actor=event.actor,
        units=units,
    )
    event.mailed_to = ", ".join(delivery.mailed)
    return _notes(delivery, _("责任单位没有填报人员账号,未能通知。"))


def _remind(item: SupervisedItem, events: list[ItemEvent], event: ItemEvent, today: dt.date) -> list[str]:
    """Fill in a 催办: the escalation, the notices to the units (and the leader); notes for the page."""
    reminders = [e for e in events if e.action == Action.REMIND]
    last = reminders[-1] if reminders else None
    answered = last is not None and any(e.at > last.at and e.action in access.UNIT_ACTIONS for e in events)
    event.escalated = rules.should_escalate(
        last_reminder_on=_local_day(last.at) if last else None, answered_since=answered, today=today
    )
    subject = _("督办提醒:%(item)s") % {"item": item}
    body = _("请尽快办理督办事项“%(item)s”(当前状态:%(state)s,完成时限:%(due)s)。%(note)s") % {
        "item": item,
        "state": item.get_state_display(),
        "due": item.due_date.isoformat(),
        "note": event.reason,
    }
    if event.escalated:
        body += "\n" + _("该事项催办后 %(days)s 天未见回应,已升级至分包领导督办。") % {
            "days": rules.ESCALATE_AFTER_DAYS
        }
    notes = _tell_units(item, event, Kind.REMINDED, subject, body)
    if event.escalated:
        leader = item.lead_official_account
        if leader is None or not leader.is_active:
            notes.append(_("已升级督办,但分包领导没有留有邮箱的账号,未发送邮件,请另行报告分包领导。"))
        else:
            delivery = notices.notify(
                [leader],
                kind=Kind.ESCALATED,
                subject=_("升级督办:%(item)s") % {"item": item},
                text=body,
                link=item.get_absolute_url(),
                actor=event.actor,
            )
            mailed = [a for a in delivery.mailed if a not in event.mailed_to.split(", ")]
            event.mailed_to = ", ".join(a for a in [event.mailed_to, *mailed] if a)
            if delivery.notices:  # not when the leader reminds the unit themselves
                notes.append(_("已升级督办,已通知分包领导 %(who)s。") % {"who": _who(leader)})
            if delivery.notices and not leader.email:
                notes.append(_("分包领导的账号没有留有邮箱,未发送邮件。"))
    return notes


def _tell(item: SupervisedItem, event: ItemEvent) -> list[str]:
    """The notices of a step other than 交办, 退回 and 催办 (those say more, above)."""
    action, link = event.action, item.get_absolute_url()
    if action in (Action.FEEDBACK, Action.CLOSE_REQUEST):
        if action == Action.FEEDBACK:
            text = _("%(who)s 报送了“%(item)s”%(month)s 的反馈,待审核。") % {
                "who": _who(event.actor),
                "item": item,
                "month": f"{event.month:%Y-%m}",
            }
        else:
            text = _("%(who)s 提出了“%(item)s”的办结申请,待审核。") % {"who": _who(event.actor), "item": item}
        notices.notify(
            notices.reviewers(item.plan.district),
            kind=Kind.TO_REVIEW,
            subject=_("督办事项待审核:%(item)s") % {"item": item},
            text=text,
            link=link,
            actor=event.actor,
        )
        return []
    if action == Action.INSTRUCT:
        body = _("%(leader)s 对“%(item)s”批示:%(text)s 请于 %(by)s 前答复落实情况。") % {
            "leader": event.reason,
            "item": item,
            "text": event.requirement,
            "by": event.due_date.isoformat(),
        }
        return _tell_units(item, event, Kind.INSTRUCTED, _("领导批示:%(item)s") % {"item": item}, body)
    if action == Action.ANSWER:
        instruction = event.answers
        # The leader answerable for the item, and the 督查室 officer who recorded the instruction.
        people = [item.lead_official_account, instruction.actor if instruction else None]
        notices.notify(
            people,
            kind=Kind.ANSWERED,
            subject=_("批示答复:%(item)s") % {"item": item},
            text=_("%(who)s 答复了%(leader)s对“%(item)s”的批示:%(answer)s")
            % {
                "who": _who(event.actor),
                "leader": instruction.reason if instruction else "",
                "item": item,
                "answer": event.progress,
            },
            link=link,
            actor=event.actor,
        )
        return []
    if action == Action.CLOSE:
        body = _("督查室已办结督办事项“%(item)s”。%(reason)s") % {"item": item, "reason": event.reason}
        return _tell_units(item, event, Kind.CLOSED, _("督办事项办结:%(item)s") % {"item": item}, body)
    return []


def perform(
    item_pk: int,
    action: str,
    user,
    *,
    version: int,
    data: dict,
    files: list[UploadedFile] = (),
    today: dt.date | None = None,
) -> Outcome:
    """Do one step, or raise StepRefused leaving everything as it was."""
    today = today or timezone.localdate()
    stored: list[str] = []
    try:
        with transaction.atomic():
            # Compare-and-swap first: of two forms shown at the same version only one gets through,
            # on SQLite (whose write lock this takes) as on PostgreSQL (a row lock).
            claimed = SupervisedItem.objects.filter(pk=item_pk, version=version).update(
                version=F("version") + 1
            )
            item = SupervisedItem.objects.select_related("plan").get(pk=item_pk)
            events = list(item.events.select_related("actor"))
            label = dict(Action.choices)[action]
            if not access.may_act(user, item, action):
                raise StepRefused(_("您没有权限对此事项进行“%(step)s”。") % {"step": label})
            if not claimed:
                last = events[-1] if events else None
                if last is not None:
                    raise StepRefused(
                        _(
                            "此事项在您打开页面后已有新的办理:%(who)s 于 %(at)s %(step)s。"
                            "请查看最新情况后再办理。"
                        )
                        % {
                            "who": last.actor.get_full_name() or last.actor.get_username(),
                            "at": timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M"),
                            "step": last.get_action_display(),
                        }
                    )
                raise StepRefused(_("此事项在您打开页面后已被修改,请查看最新情况后再办理。"))
            if action not in allowed_actions(item, events):
                raise StepRefused(
                    _("此事项当前为“%(state)s”,不能进行“%(step)s”。")
                    % {"state": item.get_state_display(), "step": label}
                )
            event = ItemEvent(item=item, action=action, actor=user)
            notes: list[str] = []
            waiting = waiting_event(events)
            if action == Action.ASSIGN:
                if data.get("lead_unit") is None and not data.get("co_units"):
                    raise StepRefused(_("交办须指定牵头单位或责任单位。"))
                item.lead_unit = data.get("lead_unit")
                item.lead_official = data.get("lead_official", "")
                item.lead_official_account = data.get("lead_official_account")
                item.due_date = data["due_date"]
                item.ack_days = data["ack_days"]
                event.requirement = data.get("requirement", "")
                event.due_date = data["due_date"]
                item.state = State.ASSIGNED
            elif action == Action.ACKNOWLEDGE:
                item.state = State.ACKNOWLEDGED
            elif action == Action.FEEDBACK:
                month = data["month"]
                taken = [
                    e
                    for e in events
                    if e.action == Action.FEEDBACK
                    and e.month == month
                    and not any(a.answers_id == e.pk and a.action == Action.RETURN for a in events)
                ]
                if taken:
                    raise StepRefused(
                        _("%(month)s 的反馈已报送(未被退回),不能重复报送。")
                        % {"month": f"{month.year}-{month.month:02d}"}
                    )
                event.month = month
                event.progress = data["progress"]
                event.problems = data.get("problems", "")
                event.next_steps = data.get("next_steps", "")
                event.self_assessment = data.get("self_assessment", "")
                item.state = State.IN_PROGRESS
            elif action in (Action.ACCEPT, Action.RETURN):
                event.answers = waiting
                event.reason = data.get("reason", "")
                if action == Action.RETURN:
                    if not event.reason.strip():
                        raise StepRefused(_("退回须写明理由。"))
                    item.state = State.IN_PROGRESS
            elif action == Action.CLOSE_REQUEST:
                if not files:
                    raise StepRefused(_("办结申请须附佐证材料。"))
                event.progress = data["progress"]
                item.state = State.CLOSE_REQUESTED
            elif action == Action.CLOSE:
                event.answers = waiting
                event.reason = data.get("reason", "")
                item.state = State.CLOSED
            elif action == Action.REMIND:
                event.reason = data.get("reason", "")
                notes = _remind(item, events, event, today)
            elif action == Action.INSTRUCT:
                event.requirement = data["text"]
                event.reason = data["leader"]
                event.due_date = data["answer_by"]
            elif action == Action.ANSWER:
                event.answers = open_instruction(events)
                event.progress = data["answer"]
            event.save()
            if action == Action.ASSIGN:
                item.co_units.set(data.get("co_units", []))
                notes = _tell_units(
                    item,
                    event,
                    Kind.ASSIGNED,
                    _("督办事项交办:%(item)s") % {"item": item},
                    _(
                        "督查室交办督办事项“%(item)s”,完成时限 %(due)s,请在 %(days)s 天内签收。"
                        "交办要求:%(requirement)s"
                    )
                    % {
                        "item": item,
                        "due": item.due_date.isoformat(),
                        "days": item.ack_days,
                        "requirement": event.requirement,
                    },
                )
                event.save(update_fields=["mailed_to"])
            elif action == Action.RETURN:
                notes = _tell_units(
                    item,
                    event,
                    Kind.RETURNED,
                    _("督办事项退回:%(item)s") % {"item": item},
                    _("督查室退回了“%(item)s”的%(step)s,理由:%(reason)s")
                    % {"item": item, "step": waiting.get_action_display(), "reason": event.reason},
                )
                event.save(update_fields=["mailed_to"])
            elif action != Action.REMIND:
                notes = _tell(item, event)
                if event.mailed_to:
                    event.save(update_fields=["mailed_to"])
            _store_files(event, list(files), stored)
            item.version = version + 1
            item.save()
            DataVersion.bump(Plan.objects.filter(pk=item.plan_id))
            return Outcome(event=event, notes=notes)
    except Exception as exc:
        for name in stored:
            Evidence._meta.get_field("file").storage.delete(name)
        if isinstance(exc, evidence.ValidationError):
            raise StepRefused(" ".join(exc.messages)) from exc
        raise
