"""Login throttling by client address, behind our reverse proxy and without one (zhongyuan/clientip.py).

django-axes locks a (user name, address) pair after AXES_FAILURE_LIMIT wrong passwords. Behind
the proxy every connection comes from the proxy's address, so the client's own address must come
from the X-Forwarded-For entry our proxy appended; without a proxy that header is the client's
own text and must be ignored.
"""

import pytest
from django.urls import reverse

from zhongyuan.clientip import client_ip

from .factories import make_user

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
ALICE, MALLORY = "203.0.113.5", "198.51.100.7"
RIGHT_PASSWORD = "x-Test-pass-123"


@pytest.fixture
def clerk(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return make_user("clerk")


def log_in(client, password: str, *, remote: str, forwarded: str | None = None) -> int:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    response = client.post(reverse("login"), {"username": "clerk", "password": password}, **headers)
    return response.status_code


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def test_behind_the_proxy_one_clients_failures_lock_only_that_client(client, clerk, behind_proxy):
    # Mallory guesses Alice's colleague's password; our proxy appends Mallory's address.
    statuses = [log_in(client, "wrong", remote=PROXY, forwarded=MALLORY) for _ in range(4)]
    assert statuses == [200, 200, 429, 429]
    # The clerk, at another address behind the same proxy, still logs in.
    assert log_in(client, RIGHT_PASSWORD, remote=PROXY, forwarded=ALICE) == 302


def test_behind_the_proxy_a_forged_left_entry_does_not_dodge_the_lock(client, clerk, behind_proxy):
    # Mallory writes a new address into X-Forwarded-For each time; the proxy appends the real one.
    statuses = [log_in(client, "wrong", remote=PROXY, forwarded=f"192.0.2.{i}, {MALLORY}") for i in range(4)]
    assert statuses == [200, 200, 429, 429]
    # Forging Alice's address on the left neither unlocks Mallory nor locks Alice.
    assert log_in(client, RIGHT_PASSWORD, remote=PROXY, forwarded=f"{ALICE}, {MALLORY}") == 429
    assert log_in(client, RIGHT_PASSWORD, remote=PROXY, forwarded=ALICE) == 302


def test_with_two_proxies_the_address_is_the_second_entry_from_the_right(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {ALICE}, 10.0.0.1")
    assert client_ip(request) == ALICE


def test_behind_the_proxy_a_missing_or_bad_header_falls_back_to_the_connection(rf, behind_proxy):
    assert client_ip(rf.get("/", REMOTE_ADDR=PROXY)) == PROXY
    assert client_ip(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-address")) == PROXY


def test_without_the_proxy_a_forged_header_does_not_dodge_the_lock(client, clerk):
    statuses = [log_in(client, "wrong", remote=MALLORY, forwarded=f"192.0.2.{i}") for i in range(4)]
    assert statuses == [200, 200, 429, 429]


def test_without_the_proxy_a_forged_header_does_not_lock_someone_else(client, clerk):
    for _ in range(4):
        log_in(client, "wrong", remote=MALLORY, forwarded=ALICE)
    assert log_in(client, RIGHT_PASSWORD, remote=ALICE) == 302


def test_the_proxy_count_follows_behind_tls_proxy(monkeypatch):
    import importlib

    from zhongyuan import settings as project_settings

    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "2")
    monkeypatch.delenv("BEHIND_TLS_PROXY", raising=False)
    assert importlib.reload(project_settings).TRUSTED_PROXY_COUNT == 0
    monkeypatch.setenv("BEHIND_TLS_PROXY", "1")
    assert importlib.reload(project_settings).TRUSTED_PROXY_COUNT == 2
    monkeypatch.delenv("TRUSTED_PROXY_COUNT")
    assert importlib.reload(project_settings).TRUSTED_PROXY_COUNT == 1
    monkeypatch.delenv("BEHIND_TLS_PROXY")
    importlib.reload(project_settings)
