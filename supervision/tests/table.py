"""The supervision rows of the role × URL table (targets/tests/test_permission_table.py).

`build` adds to the table's world one item of unit A at each step of the loop, and an evidence
file; `EXPECTED` and `cases` are merged into the table there. Roles, in order: anonymous, viewer,
reporter of unit A, reporter of unit B, reviewer (督查室), admin.
"""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from supervision.models import Evidence, ItemEvent, State, SupervisedItem
from targets.models import Unit

from .conftest import png_bytes

A = ItemEvent.Action
OFFICE_STEP = "L 403 403 404 302+ 302+"
UNIT_STEP = "L 403 302+ 404 403 302+"
READ_ONLY_POST = "L 405 405 405 405 405"
OFFICE_READS = "L L 403 403 200 200"
ADMIN_ONLY = "L L 403 403 403 200"

EXPECTED = {
    "supervision item-list GET": "L 200 200 200 200 200",
    "supervision item-list POST": READ_ONLY_POST,
    # Unit B's reporter does not see unit A's item, nor its evidence.
    "supervision item-detail GET": "L 200 200 404 200 200",
    "supervision item-detail POST": READ_ONLY_POST,
    "supervision evidence GET": "L 200 200 404 200 200",
    "supervision evidence POST": READ_ONLY_POST,
    "supervision evidence thumbnail GET": "L 200 200 404 200 200",
    "supervision evidence thumbnail POST": READ_ONLY_POST,
    "supervision step GET": READ_ONLY_POST,
    # Not yet assigned: no unit sees it.
    "supervision step assign POST": "L 403 404 404 302+ 302+",
    "supervision step acknowledge POST": UNIT_STEP,
    "supervision step feedback POST": UNIT_STEP,
    "supervision step accept POST": OFFICE_STEP,
    "supervision step return POST": OFFICE_STEP,
    "supervision step close_request POST": UNIT_STEP,
    "supervision step close POST": OFFICE_STEP,
    "supervision step remind POST": OFFICE_STEP,
    # A leader's instruction is recorded by the 督查室; the unit answers it.
    "supervision step instruct POST": OFFICE_STEP,
    "supervision step answer POST": UNIT_STEP,
    # The task × unit matrix: the 督查室 and admins change it, viewers read it, reporters do not.
    "supervision matrix GET": "L 200 403 403 200 200",
    "supervision matrix POST": "L 403 403 403 302+ 302+",
    # A unit's page: everyone of its district; the items on it only as each may see them.
    "supervision unit-detail GET": "L 200 200 200 200 200",
    "supervision unit-detail POST": READ_ONLY_POST,
    # The items in the admin: the 督查室 reads and assigns, admins also change the facts.
    "supervision.superviseditem changelist GET": OFFICE_READS,
    "supervision.superviseditem add GET": ADMIN_ONLY,
    "supervision.superviseditem add POST": "L L 403 403 403 302+",
    "supervision.superviseditem change GET": OFFICE_READS,
    "supervision.superviseditem change POST": "L L 403 403 403 302+",
    "supervision.superviseditem delete GET": ADMIN_ONLY,
    "supervision.superviseditem delete POST": "L L 403 403 403 302+",
    "supervision.superviseditem history GET": OFFICE_READS,
    "supervision.superviseditem history POST": OFFICE_READS,
    "supervision.superviseditem object GET": "L L 302 302 302 302",
    "supervision.superviseditem object POST": "L L 302 302 302 302",
    "supervision.superviseditem version GET": OFFICE_READS,
    # Never reverted: a past version would bring back a state past the loop.
    "supervision.superviseditem revert POST": "L L 403 403 403 403",
    # No bulk delete (an item is deleted alone, before 交办): "no action selected", nothing deleted.
    "supervision.superviseditem action delete_selected": "L L 403 403 302 302",
    # Without the confirmation: the intermediate page.
    "supervision.superviseditem action assign_lead_unit": OFFICE_READS,
    "supervision.superviseditem action assign_co_units": OFFICE_READS,
    "supervision.superviseditem action assign_leader": OFFICE_READS,
    # Confirmed.
    "supervision.superviseditem action assign_lead_unit confirm": "L L 403 403 302+ 302+",
    "supervision.superviseditem action assign_co_units confirm": "L L 403 403 302+ 302+",
    "supervision.superviseditem action assign_leader confirm": "L L 403 403 302+ 302+",
    # Unit B is in the plan's district, unit C in another: refused with the reason, nothing written.
    "supervision.superviseditem action assign_co_units other district": "L L 403 403 400 400",
}

# The item the admin's per-object pages are tried on: a draft (an admin may delete it).
OBJECT = {"supervision.superviseditem": "item_draft"}
CHANGES = {"supervision.superviseditem": {"title": "改过的举措"}}
ADD_CHANGES = {"supervision.superviseditem": {"code": "1.9"}}


def build(world) -> None:
    plan, task, unit_a = world.plan, world.task, world.unit_a
    office, rep_a = world.users["reviewer"], world.users["rep_a"]
    items = {}
    for n, state in enumerate(
        ["draft", "assigned", "acknowledged", "review", "progress", "closing"], start=1
    ):
        item = SupervisedItem.objects.create(
            plan=plan,
            key_task=task,
            code=f"1.{n}",
            title=f"举措{n}",
            source_text=f"举措{n}。原文。",
            lead_unit=None if state == "draft" else unit_a,
            due_date=dt.date(2020, 12, 31),
            state={
                "draft": State.DRAFT,
                "assigned": State.ASSIGNED,
                "acknowledged": State.ACKNOWLEDGED,
                "review": State.IN_PROGRESS,
                "progress": State.IN_PROGRESS,
                "closing": State.CLOSE_REQUESTED,
            }[state],
        )
        if state != "draft":
            ItemEvent.objects.create(item=item, action=A.ASSIGN, actor=office, requirement="按月反馈")
        if state not in ("draft", "assigned"):
            ItemEvent.objects.create(item=item, action=A.ACKNOWLEDGE, actor=rep_a)
        if state in ("review", "progress", "closing"):
            feedback = ItemEvent.objects.create(
                item=item, action=A.FEEDBACK, actor=rep_a, month=dt.date(2020, 5, 1), progress="进展"
            )
            if state != "review":
                ItemEvent.objects.create(item=item, action=A.ACCEPT, actor=office, answers=feedback)
        if state == "closing":
            ItemEvent.objects.create(item=item, action=A.CLOSE_REQUEST, actor=rep_a, progress="完成")
        if state == "progress":
            ItemEvent.objects.create(
                item=item,
                action=A.INSTRUCT,
                actor=office,
                reason="张副区长",
                requirement="加快推进",
                due_date=dt.date(2020, 7, 10),
            )
        items[state] = item
    waiting = items["review"].events.get(action=A.FEEDBACK)
    record = Evidence(
        event=waiting, token="0" * 32, original_name="现场.png", kind="png", size=len(png_bytes())
    )
    record.sha256 = "-"
    record.file.save(record.token, ContentFile(png_bytes()), save=False)
    record.thumbnail.save(record.token, ContentFile(png_bytes()), save=True)
    world.objects.update({f"item_{state}": item for state, item in items.items()} | {"evidence_a": record})
    # A unit of another district: never assigned the world's work.
    world.objects["unit_c"] = Unit.objects.create(name="别区单位", district="别区")


def _version(item):
    return {"version": str(item.version)}


def _step_data(world, action):
    unit_a = world.unit_a
    return {
        A.ASSIGN: (
            "draft",
            {
                "assign-lead_unit": str(unit_a.pk),
                "assign-requirement": "按月反馈",
                "assign-due_date": "2020-11-30",
                "assign-ack_days": "3",
            },
        ),
        A.ACKNOWLEDGE: ("assigned", {}),
        A.FEEDBACK: (
            "acknowledged",
            {
                "feedback-month": "2020-06",
                "feedback-progress": "进展",
                "feedback-self_assessment": "on_track",
            },
        ),
        A.ACCEPT: ("review", {"accept-reason": ""}),
        A.RETURN: ("review", {"return-reason": "请补充"}),
        A.CLOSE_REQUEST: (
            "progress",
            {
                "close_request-progress": "已完成",
                "close_request-files": SimpleUploadedFile("完成.png", png_bytes()),
            },
        ),
        A.CLOSE: ("closing", {"close-reason": ""}),
        A.REMIND: ("assigned", {"remind-reason": "请尽快签收"}),
        A.INSTRUCT: (
            "assigned",
            {
                "instruct-leader": "张副区长",
                "instruct-text": "月底前完成",
                "instruct-answer_by": "2020-07-31",
            },
        ),
        A.ANSWER: ("progress", {"answer-answer": "已落实"}),
    }[action]


def cases(Case, url, pk):
    """The table's cases for the supervision URLs (Case, _url and _pk from the table)."""

    def step_url(action):
        def build_url(world):
            state, _data = _step_data(world, action)
            return url("supervision:item-step", pk(f"item_{state}"), action)(world)

        return build_url

    def step_data(action):
        def build_data(world):
            state, data = _step_data(world, action)
            return _version(getattr(world, f"item_{state}")) | data

        return build_data

    result = [
        Case("supervision item-list GET", "GET", url("supervision:item-list", pk("plan"))),
        Case("supervision item-list POST", "POST", url("supervision:item-list", pk("plan")), lambda w: {}),
        Case("supervision item-detail GET", "GET", url("supervision:item-detail", pk("item_assigned"))),
        Case(
            "supervision item-detail POST",
            "POST",
            url("supervision:item-detail", pk("item_assigned")),
            lambda w: {},
        ),
        Case("supervision evidence GET", "GET", url("supervision:evidence", pk("evidence_a"))),
        Case(
            "supervision evidence POST", "POST", url("supervision:evidence", pk("evidence_a")), lambda w: {}
        ),
        Case(
            "supervision evidence thumbnail GET",
            "GET",
            url("supervision:evidence-thumbnail", pk("evidence_a")),
        ),
        Case(
            "supervision evidence thumbnail POST",
            "POST",
            url("supervision:evidence-thumbnail", pk("evidence_a")),
            lambda w: {},
        ),
        Case("supervision step GET", "GET", step_url(A.ACKNOWLEDGE)),
    ]
    for action in A.values:
        result.append(Case(f"supervision step {action} POST", "POST", step_url(action), step_data(action)))
    result += [
        Case("supervision matrix GET", "GET", url("supervision:matrix", pk("plan"))),
        Case("supervision matrix POST", "POST", url("supervision:matrix", pk("plan")), _matrix_data),
        Case("supervision unit-detail GET", "GET", url("supervision:unit-detail", pk("unit_a"))),
        Case(
            "supervision unit-detail POST", "POST", url("supervision:unit-detail", pk("unit_a")), lambda w: {}
        ),
    ]
    changelist = url("admin:supervision_superviseditem_changelist")
    for name, data in {
        "assign_lead_unit": lambda w: {"unit": str(w.unit_b.pk)},
        "assign_co_units": lambda w: {"mode": "add", "units": [str(w.unit_b.pk)]},
        "assign_leader": lambda w: {"lead_official": "王副区长"},
    }.items():
        result.append(
            Case(
                f"supervision.superviseditem action {name} confirm",
                "POST",
                changelist,
                lambda w, name=name, data=data: _action(w, name) | data(w),
            )
        )
    result.append(
        Case(
            "supervision.superviseditem action assign_co_units other district",
            "POST",
            changelist,
            lambda w: _action(w, "assign_co_units") | {"mode": "add", "units": [str(w.unit_c.pk)]},
        )
    )
    return result


def _action(world, name) -> dict:
    return {
        "action": name,
        "_selected_action": [str(world.item_assigned.pk)],
        "index": "0",
        "_assign": "1",
    }


def _matrix_data(world) -> dict:
    """The matrix as shown, with unit B ticked for target 1-01 (unit A's)."""
    from supervision import matrix

    targets, items = matrix._targets(world.plan), matrix._items(world.plan)
    target = world.target_a
    return {
        "stamp": matrix._stamp(matrix._state(targets, items)),
        "col": [str(world.unit_a.pk), str(world.unit_b.pk)],
        "row": [f"t-{target.pk}"],
        f"t-{target.pk}": [str(world.unit_a.pk), str(world.unit_b.pk)],
    }
