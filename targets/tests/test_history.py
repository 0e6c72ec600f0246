import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from entry import review
from entry.roles import REPORTER, REVIEWER, assign_role
from entry.write import Entry, save_entries
from targets.history import change_log

from .factories import make_target, make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_figure(task):
    unit = make_unit("甲单位")
    target = make_target(task, "7-01", goal=Decimal(23), units=[unit])
    reporter, reviewer = make_user("rep"), make_user("rev")
    assign_role(reporter, REPORTER)
    assign_role(reviewer, REVIEWER)
    unit.members.add(reporter)
    june = dt.date(2020, 6, 1)
    save_entries([Entry(target=target, month=june, value=Decimal(9))], user=reporter)
    save_entries(
        [Entry(target=target, month=june, value=Decimal(10), base_version=1)], user=reporter, submit=True
    )
    (figure,) = review.approve(list(target.figures.all()), user=reviewer)
    return target, figure


def test_change_log_names_who_changed_what(approved_figure):
    target, figure = approved_figure
    log = change_log(target, figure_ids=[figure.pk])
    summary = [
        (e.who, e.subject, str(e.action), [(c.field, str(c.old), str(c.new)) for c in e.changes]) for e in log
    ]
    # Readers see the published value and who approved it; the draft 9 before approval is not shown.
    assert summary[0] == ("rev", "2020-06 数据", "审核通过并发布", [("数值", "—", "10")])
    assert summary[1][1:3] == ("目标设置", "新建")
    assert len(summary) == 2


def test_a_correction_after_approval_is_listed(approved_figure):
    target, figure = approved_figure
    reporter, reviewer = figure.entered_by, figure.reviewed_by
    admin_user = make_user("chief")
    from entry.roles import ADMIN

    assign_role(admin_user, ADMIN)
    review.send_back([figure], user=admin_user, reason="数据有误")
    figure.refresh_from_db()
    save_entries(
        [Entry(target=target, month=figure.month, value=Decimal(12), base_version=figure.version)],
        user=reporter,
        submit=True,
    )
    figure.refresh_from_db()
    review.approve([figure], user=reviewer)
    log = change_log(target, figure_ids=[figure.pk])
    summary = [(e.who, str(e.action), [(c.field, str(c.old), str(c.new)) for c in e.changes]) for e in log]
    assert summary[:2] == [
        ("rev", "更正后再次审核通过", [("数值", "10", "12")]),
        ("rev", "审核通过并发布", [("数值", "—", "10")]),
    ]


def test_target_page_shows_the_change_log(client, approved_figure):
    target, _figure = approved_figure
    client.force_login(make_user("viewer"))
    response = client.get(reverse("targets:target-detail", args=[target.pk]))
    html = response.content.decode()
    assert "修改记录" in html
    assert "审核通过" in html and "草稿" not in html
    assert len(response.context["change_log"]) == 2
