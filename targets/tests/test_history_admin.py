"""The admin's object history pages (simple-history): who may read them, and who may revert."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from projects.models import Project
from targets.models import Figure, Plan, Target, Unit

from .world import admin_form_data, build_world, db_fingerprint

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


def login(client, world, role):
    client.force_login(world.users[role])
    return client


def history_url(obj, version=None, pk=None) -> str:
    info = f"{obj._meta.app_label}_{obj._meta.model_name}"
    pk = obj.pk if pk is None else pk
    if version is None:
        return reverse(f"admin:{info}_history", args=[pk])
    return reverse(f"admin:{info}_simple_history", args=[pk, version.history_id])


def revert(client, world, obj, **changes):
    """POST the revert form of `obj`'s first version as the page shows it, with `changes`."""
    model_admin = admin.site._registry[type(obj)]
    version = obj.history.earliest()
    data = admin_form_data(model_admin, version.instance, world.users["admin"], inlines=False, **changes)
    return client.post(history_url(obj, version), data)


# --- writes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["rep_a", "reviewer"])
def test_view_permission_cannot_revert_plan_thresholds(client, world, role):
    login(client, world, role)
    before = db_fingerprint()
    response = revert(client, world, world.plan, on_track_threshold="-99", behind_threshold="-100")
    assert response.status_code == 403
    assert db_fingerprint() == before
    plan = Plan.objects.get()
    assert (plan.on_track_threshold, plan.behind_threshold) == (Decimal("-10.0"), Decimal("-30.0"))


@pytest.mark.parametrize("role", ["rep_a", "reviewer"])
def test_view_permission_cannot_revert_a_target_goal(client, world, role):
    login(client, world, role)
    before = db_fingerprint()
    response = revert(client, world, world.target_a, goal="1")
    assert response.status_code == 403
    assert db_fingerprint() == before
    assert Target.objects.get(code="1-01").goal == Decimal("120")


def test_reporter_cannot_add_itself_to_another_unit_through_its_history(client, world):
    rep_a = world.users["rep_a"]
    members = [world.users["rep_b"].pk, rep_a.pk]
    login(client, world, "rep_a")
    before = db_fingerprint()
    response = revert(client, world, world.unit_b, members=[str(pk) for pk in members])
    assert response.status_code == 403
    assert db_fingerprint() == before
    assert list(Unit.objects.get(name="乙单位").members.values_list("username", flat=True)) == ["rep_b"]
    # …so the other unit's figures stay out of reach.
    month_page = client.get(reverse("admin:targets_figure_month") + f"?unit={world.unit_b.pk}&month=2020-05")
    assert month_page.status_code == 403


def test_reporter_cannot_revert_another_units_project(client, world):
    login(client, world, "rep_b")
    before = db_fingerprint()
    response = revert(client, world, world.project_a, name="乙的项目")
    assert response.status_code == 404
    assert db_fingerprint() == before


def test_reporter_revert_of_own_project_still_only_names_own_units(client, world):
    login(client, world, "rep_a")
    before = db_fingerprint()
    response = revert(client, world, world.project_a, responsible_unit=str(world.unit_b.pk))
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["responsible_unit"]
    assert db_fingerprint() == before


def test_reporter_revert_of_own_project_saves_and_keeps_the_investment_target_in_line(client, world):
    response = revert(login(client, world, "rep_a"), world, world.project_a, annual_planned_investment="3.5")
    assert response.status_code == 302
    project = Project.objects.get(name="甲项目")
    assert project.annual_planned_investment == Decimal("3.50")
    target = project.investment_target
    assert (target.goal, list(target.responsible_units.all())) == (Decimal("3.50"), [world.unit_a])


def test_admin_may_still_revert_plan_data(client, world):
    response = revert(
        login(client, world, "admin"), world, world.plan, on_track_threshold="-5", behind_threshold="-25"
    )
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert (plan.title, plan.on_track_threshold, plan.behind_threshold) == (
        "测试计划",  # the first version's title, as the revert form showed it
        Decimal("-5.0"),
        Decimal("-25.0"),
    )


@pytest.mark.parametrize("role", ["rep_a", "reviewer", "admin"])
def test_figures_are_never_reverted(client, world, role):
    """Reverting a figure would bypass the review workflow and the version check: nobody may."""
    figure = world.figure_a
    login(client, world, role)
    before = db_fingerprint()
    response = revert(client, world, figure, value="99", base_version=str(figure.version))
    assert response.status_code == 403
    assert db_fingerprint() == before
    assert Figure.objects.get(pk=figure.pk).value == Decimal("11")


def test_a_past_figure_version_is_shown_read_only(client, world):
    figure = world.figure_a
    response = login(client, world, "rep_a").get(history_url(figure, figure.history.earliest()))
    assert response.status_code == 200
    assert response.context["revert_disabled"] is True
    assert list(response.context["adminform"].form.fields) == ["base_version"]
    html = response.content.decode()
    assert 'name="value"' not in html
    assert 'name="_save"' not in html
    # The version shown is the old one: 10, later changed to 11.
    values = {
        line.field["name"]: line.contents()
        for fieldset in response.context["adminform"]
        for row in fieldset
        for line in row
        if hasattr(line, "contents")
    }
    assert values["value"] == "10.00"


@pytest.mark.parametrize(
    ("settings_name", "role", "expected"),
    [
        ("SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS", "rep_a", 403),
        ("SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS", "admin", 302),
        ("SIMPLE_HISTORY_REVERT_DISABLED", "admin", 403),
    ],
)
def test_simple_history_settings_do_not_loosen_the_rules(
    client, world, settings, settings_name, role, expected
):
    setattr(settings, settings_name, True)
    login(client, world, role)
    before = db_fingerprint()
    response = revert(client, world, world.plan, on_track_threshold="-5")
    assert response.status_code == expected
    assert (db_fingerprint() == before) is (expected != 302)


# --- reads ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"), [("rep_a", 200), ("rep_b", 404), ("reviewer", 200), ("admin", 200)]
)
def test_figure_history_is_shown_only_to_who_may_see_the_figure(client, world, role, expected):
    figure = world.figure_a
    login(client, world, role)
    listing = client.get(history_url(figure))
    version = client.get(history_url(figure, figure.history.earliest()))
    assert (listing.status_code, version.status_code) == (expected, expected)
    if expected == 200:
        records = list(listing.context["page_obj"])
        assert [(r.history_type, r.value) for r in records] == [("~", Decimal("11")), ("+", Decimal("10"))]
    else:
        assert "11.00" not in listing.content.decode()


@pytest.mark.parametrize(("role", "expected"), [("rep_a", 200), ("rep_b", 404), ("reviewer", 200)])
def test_project_history_follows_the_project_list(client, world, role, expected):
    project = world.project_a
    login(client, world, role)
    assert client.get(history_url(project)).status_code == expected
    assert client.get(history_url(project, project.history.earliest())).status_code == expected


@pytest.mark.parametrize(("role", "expected"), [("rep_b", 404), ("reviewer", 404), ("admin", 200)])
def test_a_deleted_figures_history_is_for_admins_only(client, world, role, expected):
    figure = world.figure_b
    version, pk = figure.history.earliest(), figure.pk
    figure.delete()
    login(client, world, role)
    assert client.get(history_url(figure, pk=pk)).status_code == expected
    assert client.get(history_url(figure, version, pk=pk)).status_code == expected


def test_a_deleted_object_is_not_restored_by_a_revert(client, world):
    figure = world.figure_b
    version, pk = figure.history.earliest(), figure.pk
    figure.delete()
    login(client, world, "admin")
    before = db_fingerprint()
    data = {"target": str(world.target_b.pk), "month": "2020-05-01", "value": "20", "_save": "1"}
    response = client.post(history_url(figure, version, pk=pk), data)
    assert response.status_code == 403
    assert db_fingerprint() == before


@pytest.mark.parametrize(
    "path",
    [
        "/admin/targets/plan/abc/history/",
        "/admin/targets/plan/{plan}/history/abc/",
        "/admin/targets/plan/{plan}/history/999999/",
        "/admin/targets/figure/{figure}/history/{other_version}/",
    ],
)
def test_malformed_or_mismatched_history_ids_are_404(client, world, path):
    other_version = world.figure_b.history.earliest().history_id
    url = path.format(plan=world.plan.pk, figure=world.figure_a.pk, other_version=other_version)
    assert login(client, world, "admin").get(url).status_code == 404
