"""Who may see and touch which figures, through the admin, with crafted requests too."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from entry import access
from entry.roles import ADMIN, REPORTER, REVIEWER, VIEWER, assign_role
from targets.models import Figure, FigureEvent
from targets.tests.factories import make_figure, make_target, make_unit, make_user

pytestmark = pytest.mark.django_db

MAY = dt.date(2020, 5, 1)
JUNE = dt.date(2020, 6, 1)


@pytest.fixture
def world(task):
    unit_a, unit_b = make_unit("甲单位"), make_unit("乙单位")
    target_a = make_target(task, "1-01", units=[unit_a])
    target_b = make_target(task, "1-02", units=[unit_b])
    users = {}
    for name, role in [
        ("viewer", VIEWER),
        ("rep_a", REPORTER),
        ("rep_b", REPORTER),
        ("rev", REVIEWER),
        ("adm", ADMIN),
    ]:
        users[name] = make_user(name)
        assign_role(users[name], role)
    unit_a.members.add(users["rep_a"])
    unit_b.members.add(users["rep_b"])
    draft_a = make_figure(target_a, MAY, 10, status=Figure.Status.DRAFT, entered_by=users["rep_a"])
    submitted_b = make_figure(target_b, MAY, 20, status=Figure.Status.SUBMITTED, entered_by=users["rep_b"])
    return {"users": users, "a": target_a, "b": target_b, "draft_a": draft_a, "submitted_b": submitted_b}


def snapshot():
    return sorted(Figure.objects.values_list("pk", "target_id", "month", "value", "status", "version"))


def login(client, world, name):
    if name != "anonymous":
        client.force_login(world["users"][name])
    return client


CHANGELIST = reverse("admin:targets_figure_changelist")


@pytest.mark.parametrize(
    ("who", "status", "visible"),
    [
        ("anonymous", 302, None),
        ("viewer", 302, None),  # not staff: sent to the admin login
        ("rep_a", 200, ["1-01"]),
        ("rep_b", 200, ["1-02"]),
        ("rev", 200, ["1-01", "1-02"]),
        ("adm", 200, ["1-01", "1-02"]),
    ],
)
def test_figure_list_by_role(client, world, who, status, visible):
    response = login(client, world, who).get(CHANGELIST)
    assert response.status_code == status
    if visible is not None:
        codes = sorted(f.target.code for f in response.context["cl"].result_list)
        assert codes == visible


@pytest.mark.parametrize(
    ("who", "expected"),
    [("rep_a", 200), ("rep_b", 302), ("rev", 200), ("adm", 200), ("viewer", 302)],
)
def test_open_a_units_draft(client, world, who, expected):
    url = reverse("admin:targets_figure_change", args=[world["draft_a"].pk])
    response = login(client, world, who).get(url)
    assert response.status_code == expected
    if who == "rev":
        # A reviewer sees the figure but cannot edit it (no save button).
        assert response.context["has_change_permission"] is False


def _post_data(target, month="2020-05-01", value="15", version=None):
    data = {
        "target": target.pk,
        "month": month,
        "value": value,
        "progress_note": "",
        "problems": "",
        "correction_reason": "",
        "anomaly_note": "",
        "_save": "1",
    }
    if version is not None:
        data["base_version"] = version
    return data


def test_reporter_edits_own_draft(client, world):
    figure = world["draft_a"]
    url = reverse("admin:targets_figure_change", args=[figure.pk])
    response = login(client, world, "rep_a").post(url, _post_data(world["a"], value="12", version=1))
    assert response.status_code == 302
    figure.refresh_from_db()
    assert (figure.value, figure.version, figure.updated_by.username) == (Decimal("12"), 2, "rep_a")
    assert figure.history.count() == 2


def test_crafted_post_for_other_units_target_saves_nothing(client, world):
    before = snapshot()
    client = login(client, world, "rep_b")
    add = client.post(reverse("admin:targets_figure_add"), _post_data(world["a"], month="2020-06-01"))
    assert add.status_code == 200
    assert "target" in add.context["adminform"].form.errors
    change = client.post(
        reverse("admin:targets_figure_change", args=[world["draft_a"].pk]), _post_data(world["a"], version=1)
    )
    assert change.status_code == 302  # the figure does not exist for this user
    assert snapshot() == before


def test_reporter_cannot_change_submitted_or_approved(client, world):
    figure = world["submitted_b"]
    url = reverse("admin:targets_figure_change", args=[figure.pk])
    before = snapshot()
    response = login(client, world, "rep_b").post(url, _post_data(world["b"], value="99", version=1))
    assert response.status_code == 403
    assert snapshot() == before


def test_stale_edit_is_refused_naming_who_changed_it(client, world):
    figure = world["draft_a"]
    url = reverse("admin:targets_figure_change", args=[figure.pk])
    adm = login(client, world, "adm")
    assert adm.post(url, _post_data(world["a"], value="11", version=1)).status_code == 302
    client.logout()
    response = login(client, world, "rep_a").post(url, _post_data(world["a"], value="13", version=1))
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert len(errors) == 1
    assert "被 adm 修改" in errors[0]
    figure.refresh_from_db()
    assert figure.value == Decimal("11")


def _action(client, action, figures, **extra):
    data = {"action": action, "_selected_action": [f.pk for f in figures], **extra}
    return client.post(CHANGELIST, data)


def test_reporter_cannot_approve_by_crafted_action(client, world):
    before = snapshot()
    response = _action(login(client, world, "rep_b"), "approve_selected", [world["submitted_b"]])
    assert response.status_code in (200, 302)
    assert snapshot() == before
    assert FigureEvent.objects.count() == 0


def test_reviewer_approves_in_bulk(client, world, task):
    other = make_figure(world["a"], JUNE, 30, status=Figure.Status.SUBMITTED)
    response = _action(
        login(client, world, "rev"), "approve_selected", [world["submitted_b"], other, world["draft_a"]]
    )
    assert response.status_code == 302
    statuses = dict(Figure.objects.values_list("pk", "status"))
    assert statuses == {
        world["draft_a"].pk: "draft",
        world["submitted_b"].pk: "approved",
        other.pk: "approved",
    }
    events = sorted(FigureEvent.objects.values_list("figure_id", "action", "actor__username"))
    assert events == sorted([(world["submitted_b"].pk, "approved", "rev"), (other.pk, "approved", "rev")])


def test_reviewer_return_needs_a_reason(client, world):
    client = login(client, world, "rev")
    figure = world["submitted_b"]
    form_page = _action(client, "return_selected", [figure])
    assert form_page.status_code == 200
    assert Figure.objects.get(pk=figure.pk).status == "submitted"
    empty = _action(client, "return_selected", [figure], reason="  ")
    assert empty.status_code == 200
    assert Figure.objects.get(pk=figure.pk).status == "submitted"
    done = _action(client, "return_selected", [figure], reason="数据与台账不符")
    assert done.status_code == 302
    figure.refresh_from_db()
    assert (figure.status, figure.return_reason, figure.reviewed_by.username) == (
        "returned",
        "数据与台账不符",
        "rev",
    )
    assert list(FigureEvent.objects.values_list("action", "reason")) == [("returned", "数据与台账不符")]


def test_returned_figure_can_be_corrected_and_resubmitted(client, world):
    figure = world["submitted_b"]
    from entry import review

    review.send_back([figure], user=world["users"]["rev"], reason="请核实")
    figure.refresh_from_db()
    url = reverse("admin:targets_figure_change", args=[figure.pk])
    data = _post_data(world["b"], value="21", version=figure.version) | {"_submit": "1"}
    del data["_save"]
    response = login(client, world, "rep_b").post(url, data)
    assert response.status_code == 302
    figure.refresh_from_db()
    assert (figure.status, figure.value, figure.return_reason) == ("submitted", Decimal("21"), "")


def test_delete_is_for_admins_only(client, world):
    url = reverse("admin:targets_figure_delete", args=[world["draft_a"].pk])
    assert login(client, world, "rep_a").post(url, {"post": "yes"}).status_code == 403
    assert Figure.objects.filter(pk=world["draft_a"].pk).exists()


def test_access_rules_directly(world):
    users = world["users"]
    assert access.edit_refusal(users["rep_a"], world["a"], world["draft_a"]) is None
    assert "不负责" in access.edit_refusal(users["rep_b"], world["a"], world["draft_a"])
    assert "等待审核" in access.edit_refusal(users["rep_b"], world["b"], world["submitted_b"])
    assert access.edit_refusal(users["adm"], world["b"], world["submitted_b"]) is None
    assert "不负责" in access.edit_refusal(users["rev"], world["a"], None)
    assert access.reportable_target_ids(users["adm"]) is None
    assert access.reportable_target_ids(users["viewer"]) == set()
    assert access.reportable_target_ids(users["rep_a"]) == {world["a"].pk}
