"""Login throttling."""

import pytest
from django.urls import reverse

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
    assert (response.status_code, response["Location"]) == (302, "/")


# The page × role table is targets/tests/test_permission_table.py.
