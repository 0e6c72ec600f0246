"""The reviewer's list of figures: last month's value, the change and the notes beside each figure."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entry import roles
from targets.models import Figure, Target
from targets.tests.factories import make_figure, make_target, make_user

pytestmark = pytest.mark.django_db

URL = reverse("admin:targets_figure_changelist")
LONG_NOTE = "完成年度投资的百分之六十,其中新开工项目八个,续建项目四个,另有两个项目正在办理用地手续。"


@pytest.fixture
def reviewer_client(client):
    user = make_user("reviewer", is_staff=True)
    roles.assign_role(user, roles.REVIEWER)
    client.force_login(user)
    return client


def rows(html: str) -> dict[str, list[str]]:
    """Target code and month → the cells of its row, as text with the title attributes kept."""
    found = {}
    for row in re.findall(r"<tr>.*?</tr>", html, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        if len(cells) < 8:
            continue
        code = re.search(r">(\d-\d\d)", cells[1])
        if code:
            found[f"{code[1]} {re.sub(r'<[^>]+>', '', cells[2]).strip()}"] = [c.strip() for c in cells]
    return found


def test_previous_value_change_and_notes(reviewer_client, task):
    target = make_target(task, "1-01")
    milestone = make_target(task, "1-02", kind=Target.Kind.MILESTONE, goal=None, unit_of_measure="")
    make_figure(target, dt.date(2020, 5, 1), 30)
    make_figure(target, dt.date(2020, 6, 1), 42.5, status=Figure.Status.SUBMITTED, progress_note=LONG_NOTE)
    make_figure(target, dt.date(2020, 8, 1), 50, status=Figure.Status.SUBMITTED, problems="用地未批")
    make_figure(milestone, dt.date(2020, 5, 1), reached=False)
    make_figure(milestone, dt.date(2020, 6, 1), reached=True, reached_on=dt.date(2020, 6, 3))
    html = reviewer_client.get(URL).content.decode()
    table = rows(html)
    june = table["1-01 2020-06"]
    # columns: checkbox, target, month, value, previous, change, progress, problems, status, ...
    assert june[3:6] == ["42.5 个", "30 个", "+12.5"]
    assert june[6] == f'<span title="{LONG_NOTE}">{LONG_NOTE[:24]}…</span>'
    assert june[7] == "—"
    # July has no figure: August's previous month is empty, so no change either.
    assert table["1-01 2020-08"][3:8] == ["50 个", "—", "—", "—", "用地未批"]
    assert table["1-01 2020-05"][4:6] == ["—", "—"]
    assert table["1-02 2020-06"][3:6] == ["已完成", "未完成", "—"]


def test_query_count_does_not_grow_with_rows(reviewer_client, task):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = reviewer_client.get(URL)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    target = make_target(task, "1-01")
    make_figure(target, dt.date(2020, 1, 1), 1, progress_note="一")
    one = count()
    for month in range(2, 9):
        make_figure(target, dt.date(2020, month, 1), month, progress_note="进展")
    other = make_target(task, "1-02")
    for month in range(1, 5):
        make_figure(other, dt.date(2020, month, 1), month)
    assert count() == one
