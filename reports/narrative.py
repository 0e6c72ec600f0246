"""The bulletin's narrative: 工作亮点, 存在问题, 下步工作.

`draft` writes them from the data, one numbered line per fact, for the 督查室 to edit and approve
(admin → 通报文字). `for_bulletin` gives the bulletin what it prints: the approved note for its
month, or else the draft, marked as not yet approved. A section with nothing to say is left out.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.formatting import fmt_number, fmt_points
from targets import progress, rules
from targets.models import Target

from .bulletin import Bulletin
from .models import BulletinNote

L = rules.Light
DONE = {L.ACHIEVED, L.ACHIEVED_LATE}
HORIZON_DAYS = 60
MOST_MOVED = 3


@dataclass(frozen=True)
class Narrative:
    highlights: str
    problems: str
    next_steps: str
    approved: bool  # False: drafted from the data, not yet approved by the 督查室
    note: BulletinNote | None = None

    @property
    def sections(self) -> list[tuple[str, str]]:
        """(key, text) of the sections with something to say, in the bulletin's order."""
        candidates = [
            ("highlights", self.highlights),
            ("problems", self.problems),
            ("next_steps", self.next_steps),
        ]
        return [(key, text) for key, text in candidates if text.strip()]


def _numbered(lines: list[str]) -> str:
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))


def _name(target: Target) -> str:
    return f"{target.code} {target.name}"


def _previous(bulletin: Bulletin) -> dict[int, rules.Assessment]:
    """Each quantified target's verdict at the end of the month before, by target id."""
    previous = bulletin.month - dt.timedelta(days=1)
    if previous < bulletin.plan.period_start:
        return {}
    if previous <= bulletin.as_of:
        # From the bulletin's own rows (every quantified target, fetched for its later as-of date).
        return progress.assess_earlier(
            [line.row for line in bulletin.lines], as_of=previous, thresholds=bulletin.thresholds
        )
    # A month after the plan's end: the bulletin stops at the end, the month before does not.
    targets = (
        Target.objects.for_plan(bulletin.plan).exclude(kind=Target.Kind.MONITORED).for_dashboard(previous)
    )
    rows = progress.assess_targets(targets, as_of=previous, thresholds=bulletin.thresholds)
    return {row.target.pk: row.assessment for row in rows}


def draft(bulletin: Bulletin) -> Narrative:
    """The three sections written from the bulletin's data and the month before."""
    before = _previous(bulletin)
    highlights, moved = [], []
    for line in bulletin.lines:
        row = line.row
        achieved_on = row.assessment.achieved_on
        if row.light in DONE and achieved_on and achieved_on.replace(day=1) == bulletin.month:
            highlights.append(_("%(name)s:本月完成目标。") % {"name": _name(row.target)})
            continue
        old = before.get(row.target.pk)
        if old is not None and row.completion is not None and old.completion is not None:
            rise = row.completion - old.completion
            if rise > 0:
                moved.append((rise, row, old))
    for rise, row, old in sorted(moved, key=lambda m: (-m[0], m[1].target.code))[:MOST_MOVED]:
        highlights.append(
            _("%(name)s:完成率由 %(old)s%% 升至 %(new)s%%(上升 %(rise)s 个百分点)。")
            % {
                "name": _name(row.target),
                "old": fmt_points(old.completion),
                "new": fmt_points(row.completion),
                "rise": fmt_points(rise),
            }
        )

    problems = []
    for line in bulletin.attention:
        row = line.row
        problems.append(
            _("%(name)s(%(units)s):%(reason)s。")
            % {"name": _name(row.target), "units": line.units_text, "reason": progress.attention_reason(row)}
        )
    if bulletin.unassigned_count:
        problems.append(_("%(n)s 项量化目标尚未明确责任单位,无人报送。") % {"n": bulletin.unassigned_count})

    next_steps = []
    horizon = bulletin.as_of + dt.timedelta(days=HORIZON_DAYS)
    for line in bulletin.lines:
        target = line.target
        if target.deadline is None or target.standard or line.light in DONE:
            continue
        if bulletin.as_of < target.deadline <= horizon:
            needed = line.row.assessment.required_monthly_rate
            text = _("%(name)s:%(deadline)s 到期") % {
                "name": _name(target),
                "deadline": f"{target.deadline:%m-%d}",
            }
            if needed is not None and target.kind != Target.Kind.MILESTONE:
                text += _(",每月尚需完成 %(needed)s %(unit)s") % {
                    "needed": fmt_number(needed),
                    "unit": target.unit_of_measure,
                }
            next_steps.append(text + _(",督促责任单位按期完成。"))
    behind_units = sorted({name for line in bulletin.attention for name in line.unit_names})
    if behind_units:
        next_steps.append(
            _("对 %(units)s 的落后目标督办催办,下月通报其进展。") % {"units": "、".join(behind_units)}
        )
    return Narrative(
        highlights=_numbered(highlights),
        problems=_numbered(problems),
        next_steps=_numbered(next_steps),
        approved=False,
    )


def for_bulletin(bulletin: Bulletin) -> Narrative:
    """The approved note of the bulletin's month, else the data's draft (marked as such)."""
    note = BulletinNote.objects.filter(
        plan=bulletin.plan, month=bulletin.month, status=BulletinNote.Status.APPROVED
    ).first()
    if note is not None:
        return Narrative(note.highlights, note.problems, note.next_steps, approved=True, note=note)
    return draft(bulletin)


CHINESE_NUMERALS = "一二三四五六七八九十"


def _numeral(i: int) -> str:
    """Section numbers: 一、二、… on Chinese pages, 1, 2, … on English ones."""
    return CHINESE_NUMERALS[i] if translation.get_language().startswith("zh") else str(i + 1)


def outline(bulletin: Bulletin, text: Narrative) -> dict[str, str]:
    """The numbered heading of each section the bulletin prints; a section with nothing is left out.

    一、总体情况 always; 工作亮点, 存在问题, 下步工作 when they say something; 红黄榜 when a unit answers
    for a target. The appendices (附表) follow: targets with data, the ledger when it has anything,
    the monitored indicators reported for the bulletin's month.
    """
    keys = ["overview"]
    keys += [
        key
        for key, value in (
            ("highlights", text.highlights),
            ("problems", text.problems),
            ("next_steps", text.next_steps),
        )
        if value.strip()
    ]
    if bulletin.ranking:
        keys.append("ranking")
    if instructions(bulletin):
        keys.append("instructions")
    names = {
        "overview": _("总体情况"),
        "highlights": _("工作亮点"),
        "problems": _("存在问题"),
        "next_steps": _("下步工作"),
        "ranking": _("红黄榜"),
        "instructions": _("领导批示及落实"),
    }
    headings = {
        key: _("%(n)s、%(name)s") % {"n": _numeral(i), "name": names[key]} for i, key in enumerate(keys)
    }
    appendices = []
    if any(line.latest for line in bulletin.lines):
        appendices.append(("tasks", _("各项重点工作目标进展(有数据的目标)")))
    if bulletin.problem_groups or printed_groups(bulletin):
        appendices.append(("ledger", _("项目台账")))
    if new_indicators(bulletin):
        appendices.append(("indicators", _("本月新报监测指标")))
    for i, (key, name) in enumerate(appendices, 1):
        headings[key] = _("附表%(n)s:%(name)s") % {"n": _numeral(i - 1), "name": name}
    return headings


def new_indicators(bulletin: Bulletin) -> list:
    """(task, lines) of the monitored indicators whose latest figure is of the bulletin's month."""
    result = []
    for task, lines in bulletin.indicators:
        fresh = [line for line in lines if line.figure is not None and line.figure.month == bulletin.month]
        if fresh:
            result.append((task, fresh))
    return result


def printed_groups(bulletin: Bulletin) -> list:
    """Project groups with at least one rate that rests on something: the ledger or a document.

    A group whose every rate reads 台账未录入 says nothing a reader can act on in print; the
    bulletin counts such groups in one line instead (the page lists them all).
    """
    from projects import ledger

    return [
        summary
        for summary in bulletin.project_groups
        if any(rate is not None and rate.basis != ledger.UNREGISTERED for _label, rate in summary.rate_cells)
    ]


def instructions(bulletin: Bulletin) -> list:
    """Leaders' instructions (领导批示) given by the bulletin's as-of date, with where each stands then.

    (item, instruction, answer or None, status), oldest first; an answer after the as-of date does
    not count yet.
    """
    from django.apps import apps

    if not apps.is_installed("supervision"):
        return []
    from supervision import rules as supervision_rules
    from supervision.models import ItemEvent

    events = list(
        ItemEvent.objects.filter(
            item__plan=bulletin.plan, action__in=[ItemEvent.Action.INSTRUCT, ItemEvent.Action.ANSWER]
        )
        .select_related("item")
        .order_by("at", "id")
    )
    day = lambda moment: timezone.localtime(moment).date()  # noqa: E731
    answers = {
        e.answers_id: e for e in events if e.action == ItemEvent.Action.ANSWER and day(e.at) <= bulletin.as_of
    }
    rows = []
    for event in events:
        if event.action != ItemEvent.Action.INSTRUCT or day(event.at) > bulletin.as_of:
            continue
        answer = answers.get(event.pk)
        status = supervision_rules.instruction_status(
            answer_by=event.due_date, answered_on=day(answer.at) if answer else None, today=bulletin.as_of
        )
        rows.append((event.item, event, answer, status))
    return rows
