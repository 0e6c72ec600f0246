"""The list page's query count, the key task page kept fresh after a step, and the English pages."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from supervision.models import ItemEvent, SupervisedItem

from .test_loop import assign_data, client_for, post

pytestmark = pytest.mark.django_db
A = ItemEvent.Action


def _more_items(item, n):
    for number in range(2, n + 1):
        extra = SupervisedItem.objects.create(
            plan=item.plan,
            key_task=item.key_task,
            code=f"2.{number}",
            title=f"举措{number}",
            source_text=f"举措{number}。",
            lead_unit=item.lead_unit,
            due_date=dt.date(2020, 12, 31),
        )
        extra.co_units.set(item.co_units.all())
        ItemEvent.objects.create(item=extra, action=A.ASSIGN, actor=item.events.first().actor)


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_runs_a_fixed_number_of_queries(item, people):
    office = client_for(people["reviewer"])
    post(office, item, A.ASSIGN, assign_data())
    url = reverse("supervision:item-list", args=[item.plan_id])
    one = _queries(office, url)
    _more_items(item, 3)
    three = _queries(office, url)
    assert three == one


def test_the_key_task_page_shows_a_step_at_once(item, people, settings):
    settings.PAGE_CACHE_SECONDS = 600
    viewer, office = client_for(people["viewer"]), client_for(people["reviewer"])
    url = reverse("targets:keytask-detail", args=[item.key_task_id])
    assert "<td>交办前</td>" in viewer.get(url).content.decode()
    assert "<td>交办前</td>" in viewer.get(url).content.decode()  # from the page cache
    post(office, item, A.ASSIGN, assign_data())
    # The page is as of a day of 2020 (its last month end): the step is dated into the plan's year.
    item.events.update(at=timezone.make_aware(dt.datetime(2020, 6, 1, 10)))
    page = viewer.get(url).content.decode()
    assert "<td>已交办</td>" in page and "<td>交办前</td>" not in page


def test_the_item_page_in_english(item, people):
    office = client_for(people["reviewer"])
    office.cookies["django_language"] = "en"
    # Before 交办 the text names no unit: said so. After it, the lead unit alone is no gap.
    assert "Not yet assigned" in office.get(item.get_absolute_url()).content.decode()
    post(office, item, A.ASSIGN, assign_data())
    page = office.get(item.get_absolute_url()).content.decode()
    for text in ("Lead unit", "Responsible unit", "Steps taken", "Remind", "Assigned"):
        assert text in page, text
    assert "交办要求" not in page
    # The data keeps its language.
    assert "突出稳企业" in page


def test_date_and_month_inputs_hold_iso_values_in_both_languages(item, people):
    office, unit = client_for(people["reviewer"]), client_for(people["rep_a"])
    page = office.get(item.get_absolute_url()).content.decode()
    assert 'type="date" name="assign-due_date" value="2020-12-31"' in page
    office.cookies["django_language"] = "en"
    assert post(office, item, A.ASSIGN, assign_data()).status_code == 302
    post(unit, item, A.ACKNOWLEDGE)
    page = unit.get(item.get_absolute_url()).content.decode()
    # Last month is long after the plan's year: the feedback form offers the plan's last month.
    assert 'type="month" name="feedback-month" value="2020-12"' in page


def test_a_target_page_links_the_items_it_measures(item, people):
    from targets.tests.factories import make_target

    target = make_target(item.key_task, "2-01")
    other = make_target(item.key_task, "2-02")
    item.targets.add(target)
    viewer = client_for(people["viewer"])
    page = viewer.get(reverse("targets:target-detail", args=[target.pk])).content.decode()
    assert f'<a href="{item.get_absolute_url()}">2.1 <span>突出稳企业</span></a> · 交办前' in page
    assert (
        item.get_absolute_url()
        not in viewer.get(reverse("targets:target-detail", args=[other.pk])).content.decode()
    )
    item_page = viewer.get(item.get_absolute_url()).content.decode()
    assert f'href="{target.get_absolute_url()}"' in item_page


def test_a_step_without_the_csrf_token_is_refused(item, people):
    from django.test import Client

    from targets.tests.world import db_fingerprint

    office = Client(enforce_csrf_checks=True)
    office.force_login(people["reviewer"])
    before = db_fingerprint()
    data = {"version": "0"} | {f"assign-{k}": v for k, v in assign_data().items()}
    response = office.post(reverse("supervision:item-step", args=[item.pk, A.ASSIGN]), data)
    assert response.status_code == 403
    assert db_fingerprint() == before


def test_pages_flag_items_as_of_the_date_they_show(item, people):
    """Assigned 1 June with 3 days, acknowledged 8 June: late to acknowledge as of 6 June only."""
    from .test_workflow import _event

    office, unit = people["reviewer"], people["rep_a"]
    item.state = "acknowledged"
    item.save()
    _event(item, A.ASSIGN, dt.date(2020, 6, 1), office)
    _event(item, A.ACKNOWLEDGE, dt.date(2020, 6, 8), unit)
    client = client_for(people["viewer"])
    detail, task = item.get_absolute_url(), reverse("targets:keytask-detail", args=[item.key_task_id])
    listing = reverse("supervision:item-list", args=[item.plan_id])
    for url in (detail, task, listing):
        then = client.get(url, {"as_of": "2020-06-06"}).content.decode()
        assert "签收逾期 2 天" in then, url
        later = client.get(url, {"as_of": "2020-06-08"}).content.decode()
        assert "签收逾期" not in later, url
    page = client.get(detail, {"as_of": "2020-06-06"}).content.decode()
    assert "(截至 2020-06-06)" in page and "2020-06-06 时为“已交办”" in page
    assert "时为" not in client.get(detail, {"as_of": "2020-06-08"}).content.decode()
    # The list shows and filters the state as of its date.
    then = client.get(listing, {"as_of": "2020-06-06", "state": "assigned"}).content.decode()
    assert "共 1 项" in then and "<td>已交办</td>" in then
    assert "共 0 项" in client.get(listing, {"as_of": "2020-06-06", "state": "acknowledged"}).content.decode()
    # Without a date, the item pages are as of today (the 30 Nov due date has long passed).
    today = timezone.localdate()
    page = client.get(listing).content.decode()
    assert f"逾期情况截至 {today:%Y-%m-%d}" in page
    assert f"超过完成时限 {(today - item.due_date).days} 天" in page
    # The task page links to the list and to each item at its own date.
    task_page = client.get(task, {"as_of": "2020-06-06"}).content.decode()
    assert f'href="{detail}?as_of=2020-06-06"' in task_page
    assert f"?task={item.key_task_id}&amp;as_of=2020-06-06" in task_page
    filtered = client.get(listing, {"as_of": "2020-06-06", "overdue": "on"}).content.decode()
    assert "签收逾期 2 天" in filtered and 'name="as_of" value="2020-06-06"' in filtered


@pytest.mark.parametrize("bad", ["2020-13", "not-a-date", "2019-12-31", "2099-01-01"])
def test_a_bad_as_of_date_is_a_clear_400(item, people, bad):
    post(client_for(people["reviewer"]), item, A.ASSIGN, assign_data())
    client = client_for(people["viewer"])
    for url in (item.get_absolute_url(), reverse("supervision:item-list", args=[item.plan_id])):
        response = client.get(url, {"as_of": bad})
        assert response.status_code == 400, (url, bad)
        assert "日期" in response.content.decode()
