"""Login throttling and the page × role permission table."""

import pytest
from django.urls import reverse

from targets.roles import ADMIN, REPORTER, REVIEWER, VIEWER, assign_role

from .factories import make_user

pytestmark = pytest.mark.django_db


def test_repeated_wrong_passwords_lock_the_login(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_user("clerk")
    url = reverse("login")
    for _ in range(2):
        response = client.post(url, {"username": "clerk", "password": "wrong"})
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()
    locked = client.post(url, {"username": "clerk", "password": "wrong"})
    assert locked.status_code == 429
    assert "已暂时锁定" in locked.content.decode()
    # Even the right password is refused while locked.
    again = client.post(url, {"username": "clerk", "password": "x-Test-pass-123"})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_other_user_on_the_same_address_is_not_locked(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    make_user("clerk")
    make_user("colleague")
    for _ in range(2):
        client.post(reverse("login"), {"username": "clerk", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "colleague", "password": "x-Test-pass-123"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_successful_login_redirects_to_the_plans(client):
    make_user("clerk")
    response = client.post(reverse("login"), {"username": "clerk", "password": "x-Test-pass-123"})
    assert (response.status_code, response["Location"]) == (302, "/plans/")


ROLES = ["anonymous", "viewer", "reporter", "reviewer", "admin"]

# url name → expected status per role (anonymous, viewer, reporter, reviewer, admin).
# 302 for anonymous is the redirect to the login page; admin pages send non-staff to the admin login.
PAGES = {
    "targets:plan-list": (302, 200, 200, 200, 200),
    "targets:plan-detail": (302, 200, 200, 200, 200),
    "targets:target-list": (302, 200, 200, 200, 200),
    "targets:indicator-list": (302, 200, 200, 200, 200),
    "targets:keytask-detail": (302, 200, 200, 200, 200),
    "targets:target-detail": (302, 200, 200, 200, 200),
    "projects:project-list": (302, 200, 200, 200, 200),
    "projects:group-list": (302, 200, 200, 200, 200),
    "admin:index": (302, 302, 200, 200, 200),
    "admin:targets_figure_changelist": (302, 302, 200, 200, 200),
    "admin:targets_figure_add": (302, 302, 200, 403, 200),
    "admin:targets_figure_month": (302, 302, 200, 403, 200),
    "admin:targets_figure_compliance": (302, 302, 403, 200, 200),
    "admin:targets_target_changelist": (302, 302, 200, 200, 200),
    "admin:targets_target_add": (302, 302, 403, 403, 200),
    "admin:targets_plan_add": (302, 302, 403, 403, 200),
    "admin:auth_user_changelist": (302, 302, 403, 403, 200),
    "admin:projects_project_changelist": (302, 302, 200, 200, 200),
}


@pytest.fixture
def world(plan, task):
    from .factories import make_figure, make_target, make_unit

    unit = make_unit("甲单位")
    target = make_target(task, "1-01", units=[unit])
    import datetime as dt

    make_figure(target, dt.date(2020, 6, 1), 10)
    users = {}
    for role in ROLES[1:]:
        user = make_user(role)
        assign_role(
            user, {"viewer": VIEWER, "reporter": REPORTER, "reviewer": REVIEWER, "admin": ADMIN}[role]
        )
        users[role] = user
    unit.members.add(users["reporter"])
    args = {
        "targets:plan-detail": [plan.pk],
        "targets:target-list": [plan.pk],
        "targets:indicator-list": [plan.pk],
        "targets:keytask-detail": [task.pk],
        "targets:target-detail": [target.pk],
        "projects:project-list": [plan.pk],
        "projects:group-list": [plan.pk],
    }
    return users, args


@pytest.mark.parametrize("name", PAGES)
def test_page_by_role(client, world, name):
    users, args = world
    seen = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(users[role])
        response = client.get(
            reverse(name, args=args.get(name, [])) + ("?month=2020-06" if "month" in name else "")
        )
        seen.append(response.status_code)
    assert tuple(seen) == PAGES[name]
