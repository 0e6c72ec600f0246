"""The notice centre: one's own notices, unread first; marking read; the header's unread count."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notices.models import Kind, Notice
from targets.tests.factories import make_figure, make_plan, make_target, make_task, make_user

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def header_count(html: str) -> str:
    """The notice link's accessible name in the header."""
    return re.search(r'id="notice-link" aria-label="([^"]*)"', html).group(1)


@pytest.fixture
def alice_and_bob():
    alice, bob = make_user("alice"), make_user("bob")
    old = Notice.objects.create(
        recipient=alice, kind=Kind.ASSIGNED, text="旧通知", link="/supervision/items/1/"
    )
    Notice.objects.filter(pk=old.pk).update(read_at=timezone.now())
    first = Notice.objects.create(recipient=alice, kind=Kind.REMINDED, text="第一条", link="/todo/")
    second = Notice.objects.create(recipient=alice, kind=Kind.RETURNED, text="第二条")
    theirs = Notice.objects.create(recipient=bob, kind=Kind.CLOSED, text="别人的通知")
    return alice, bob, {"old": old, "first": first, "second": second, "theirs": theirs}


def test_the_list_shows_only_ones_own_notices_unread_first(alice_and_bob):
    alice, _bob, _notices = alice_and_bob
    response = client_for(alice).get(reverse("notices:list"))
    assert [n.text for n in response.context["page"].object_list] == ["第二条", "第一条", "旧通知"]
    assert response.context["unread"] == 2
    html = response.content.decode()
    assert "别人的通知" not in html
    assert header_count(html) == "通知:2 条未读"
    assert '<span class="badge" aria-hidden="true">2</span>' in html


def test_marking_one_and_all_read_changes_the_count(alice_and_bob):
    alice, _bob, notices = alice_and_bob
    client = client_for(alice)
    response = client.post(reverse("notices:read", args=[notices["second"].pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("notices:list"))
    assert header_count(client.get(reverse("notices:list")).content.decode()) == "通知:1 条未读"
    # "查看": marked read and on to the page it is about.
    response = client.post(reverse("notices:read", args=[notices["first"].pk]), {"open": "1"})
    assert response["Location"] == "/todo/"
    html = client.get(reverse("notices:list")).content.decode()
    assert header_count(html) == "通知:0 条未读"
    assert 'class="badge"' not in html
    Notice.objects.create(recipient=alice, kind=Kind.CLOSED, text="又一条")
    Notice.objects.create(recipient=alice, kind=Kind.CLOSED, text="再一条")
    response = client.post(reverse("notices:read-all"), follow=True)
    assert "已将 2 条通知标为已读。" in response.content.decode()
    assert Notice.objects.filter(recipient=alice, read_at__isnull=True).count() == 0
    # The time a notice was first read is kept.
    read_at = Notice.objects.get(pk=notices["second"].pk).read_at
    client.post(reverse("notices:read", args=[notices["second"].pk]))
    assert Notice.objects.get(pk=notices["second"].pk).read_at == read_at


def test_another_users_notice_is_not_there(alice_and_bob):
    alice, _bob, notices = alice_and_bob
    response = client_for(alice).post(reverse("notices:read", args=[notices["theirs"].pk]), {"open": "1"})
    assert response.status_code == 404
    assert Notice.objects.get(pk=notices["theirs"].pk).read_at is None
    # Marking all read marks only one's own.
    client_for(alice).post(reverse("notices:read-all"))
    assert Notice.objects.get(pk=notices["theirs"].pk).read_at is None


def test_marking_read_needs_a_post_with_the_csrf_token(alice_and_bob):
    alice, _bob, notices = alice_and_bob
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get(reverse("notices:read", args=[notices["first"].pk])).status_code == 405
    assert client.post(reverse("notices:read", args=[notices["first"].pk])).status_code == 403
    assert client.post(reverse("notices:read-all")).status_code == 403
    assert Notice.objects.filter(recipient=alice, read_at__isnull=True).count() == 2


def test_an_empty_centre_says_so():
    html = client_for(make_user("carol")).get(reverse("notices:list")).content.decode()
    assert 'id="no-notices"' in html and "暂无通知。" in html
    assert "全部标为已读" not in html


@pytest.mark.django_db(transaction=True)
def test_the_count_on_a_cached_page_is_live(settings):
    """The overview comes from the page cache the second time; its header's count is the user's own, now."""
    settings.PAGE_CACHE_SECONDS = 300
    plan = make_plan()
    make_figure(make_target(make_task(plan), "1-01"), plan.period_start, 5)
    alice = make_user("alice")
    client = client_for(alice)
    url = reverse("targets:plan-detail", args=[plan.pk])
    assert header_count(client.get(url).content.decode()) == "通知:0 条未读"
    Notice.objects.create(recipient=alice, kind=Kind.ASSIGNED, text="新通知")
    cached = client.get(url)
    assert cached.context is None or "overall" not in cached.context  # served from the cache
    assert header_count(cached.content.decode()) == "通知:1 条未读"


def test_the_header_in_english_names_the_count(alice_and_bob):
    alice, _bob, _notices = alice_and_bob
    client = client_for(alice)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("notices:list")).content.decode()
    assert header_count(html) == "Notices: 2 unread notices"


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("notices:list")).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_reads_a_fixed_number_of_queries():
    alice = make_user("alice")
    client = client_for(alice)
    Notice.objects.create(recipient=alice, kind=Kind.ASSIGNED, text="一")
    one = _list_queries(client)
    for i in range(5):
        Notice.objects.create(recipient=alice, kind=Kind.REMINDED, text=f"更多{i}", link="/todo/")
    assert _list_queries(client) == one
