"""The admin role manages accounts and roles but cannot make anyone (itself included) a superuser."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from entry.roles import ADMIN, REPORTER, assign_role
from targets.tests.factories import make_user
from targets.tests.world import admin_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def chief(client):
    user = make_user("chief", is_staff=True)
    assign_role(user, ADMIN)
    client.force_login(user)
    return user


def test_an_admin_cannot_grant_superuser_or_permissions(client, chief):
    from django.contrib import admin

    clerk = make_user("clerk", is_staff=True)
    assign_role(clerk, REPORTER)
    model_admin = admin.site._registry[User]
    url = reverse("admin:auth_user_change", args=[clerk.pk])
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    for target in (clerk, chief):
        data = admin_form_data(model_admin, target, chief, is_superuser="on", user_permissions=["1", "2"])
        client.post(reverse("admin:auth_user_change", args=[target.pk]), data)
        target.refresh_from_db()
        assert (target.is_superuser, target.user_permissions.count()) == (False, 0)


def test_an_admin_cannot_see_or_change_a_superuser(client, chief):
    root = User.objects.create_superuser("root", password="x-Root-pass-123")
    changelist = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "root" not in changelist
    response = client.post(reverse("admin:auth_user_change", args=[root.pk]), {"username": "hijacked"})
    assert response.status_code in (302, 403, 404)
    root.refresh_from_db()
    assert (root.username, root.is_superuser) == ("root", True)
