"""Reporting compliance: the per-unit computation, the admin page and the reminder command."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from entry import compliance
from entry.roles import ADMIN, REPORTER, REVIEWER, VIEWER, assign_role
from targets.models import Figure, Target, Unit
from targets.tests.factories import make_figure, make_plan, make_target, make_task, make_unit, make_user

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
MAY = dt.date(2020, 5, 1)
JUNE = dt.date(2020, 6, 1)
# June's figures are due by 2020-07-05 (report_due_day 5, the default).
ON_TIME = dt.datetime(2020, 7, 3, 10, 0, tzinfo=SH)
LATE = dt.datetime(2020, 7, 8, 9, 30, tzinfo=SH)
NOW = dt.datetime(2020, 7, 20, 12, 0, tzinfo=SH)
URL = reverse("admin:targets_figure_compliance")


def codes(lines):
    return [line.target.code for line in lines]


@pytest.fixture
def world(task):
    """Two units; 甲 has one target of each kind of outcome, 乙 reported everything on time."""
    a, b = make_unit("甲单位"), make_unit("乙单位")
    shared = make_target(task, "1-01", name="共同目标", units=[a, b])
    make_figure(shared, JUNE, 10, status=Figure.Status.APPROVED, submitted_at=ON_TIME)
    late = make_target(task, "1-02", name="迟报目标", units=[a])
    make_figure(late, JUNE, 10, status=Figure.Status.SUBMITTED, submitted_at=LATE)
    returned = make_target(task, "1-03", name="退回目标", units=[a])
    make_figure(
        returned, JUNE, 10, status=Figure.Status.RETURNED, submitted_at=ON_TIME, return_reason="数值有误"
    )
    missing = make_target(task, "1-04", name="未报目标", units=[a])
    make_figure(missing, MAY, 5)  # another month's figure does not count
    draft = make_target(task, "1-05", name="草稿目标", units=[a])
    make_figure(draft, JUNE, 10, status=Figure.Status.DRAFT)
    # Approved before the review workflow existed: no submission time, counts as on time.
    seeded = make_target(task, "1-06", name="乙目标", units=[b])
    make_figure(seeded, JUNE, 10, status=Figure.Status.APPROVED)
    make_target(task, "1-07", name="无人负责目标")
    # Left out: a monitored indicator, and a target that starts after June.
    make_target(task, "1-08", kind=Target.Kind.MONITORED, goal=None, deadline=None, units=[a])
    make_target(task, "1-09", start=dt.date(2020, 7, 1), units=[a])
    return {"a": a, "b": b}


def test_units_sorted_worst_first_with_their_targets(plan, world):
    report = compliance.unit_compliance(plan=plan, month=JUNE, now=NOW)

    assert [s.unit.name for s in report.units] == ["甲单位", "乙单位"]
    a, b = report.units
    assert codes(a.on_time) == ["1-01"]
    assert codes(a.late) == ["1-02"]
    assert codes(a.returned) == ["1-03"]
    assert [line.reason for line in a.returned] == ["数值有误"]
    assert codes(a.missing) == ["1-04", "1-05"]
    assert [line.is_draft for line in a.missing] == [False, True]
    assert (a.total, a.complete, a.needs_reminder) == (5, False, True)

    assert codes(b.on_time) == ["1-01", "1-06"]
    assert (b.missing, b.late, b.returned) == ([], [], [])
    assert (b.complete, b.needs_reminder) == (True, False)

    assert [t.code for t in report.unassigned] == ["1-07"]
    assert report.due_date == dt.date(2020, 7, 5)
    assert report.late_from == dt.datetime(2020, 7, 6, tzinfo=SH)
    assert report.overdue is True
    assert report.complete_count == 1


def _shape(report):
    return (
        [
            (s.unit.pk, codes(s.missing), codes(s.late), codes(s.returned), codes(s.on_time))
            for s in report.units
        ],
        [line.reason for s in report.units for line in s.returned],
        [line.is_draft for s in report.units for line in s.missing],
        [t.code for t in report.unassigned],
        (report.due_date, report.late_from, report.overdue),
    )


def test_targets_the_caller_has_loaded_give_the_same_report_with_one_query(plan, world):
    fetched = compliance.unit_compliance(plan=plan, month=JUNE, now=NOW)
    loaded = list(Target.objects.for_plan(plan).for_dashboard(dt.date(2020, 6, 30)))
    with CaptureQueriesContext(connection) as ctx:
        given = compliance.unit_compliance(plan=plan, month=JUNE, now=NOW, targets=loaded)
        _shape(given)

    assert _shape(given) == _shape(fetched)
    assert codes(given.units[0].missing) == ["1-04", "1-05"]  # 1-08 (monitored) and 1-09 left out
    assert len(ctx.captured_queries) == 1  # the month's figures


def test_not_overdue_before_the_deadline(plan, world):
    report = compliance.unit_compliance(plan=plan, month=JUNE, now=dt.datetime(2020, 7, 5, 23, 0, tzinfo=SH))
    assert report.overdue is False
    assert codes(report.units[0].missing) == ["1-04", "1-05"]


@pytest.mark.parametrize(
    ("submitted_at", "group"),
    [
        (dt.datetime(2020, 7, 5, 23, 59, tzinfo=SH), "on_time"),
        (dt.datetime(2020, 7, 5, 15, 59, tzinfo=dt.UTC), "on_time"),  # 23:59 in Beijing
        (dt.datetime(2020, 7, 6, 0, 1, tzinfo=SH), "late"),
        (dt.datetime(2020, 7, 5, 16, 1, tzinfo=dt.UTC), "late"),  # 00:01 on 6 July in Beijing
    ],
)
def test_due_date_edge(plan, task, submitted_at, group):
    unit = make_unit()
    target = make_target(task, "1-01", units=[unit])
    make_figure(target, JUNE, 10, status=Figure.Status.SUBMITTED, submitted_at=submitted_at)

    (status,) = compliance.unit_compliance(plan=plan, month=JUNE, now=NOW).units

    assert codes(getattr(status, group)) == ["1-01"]
    assert status.complete is (group == "on_time")


def test_due_day_follows_the_plan(task, plan):
    plan.report_due_day = 10
    plan.save()
    assert compliance.due_date(plan, JUNE) == dt.date(2020, 7, 10)
    assert compliance.due_date(plan, dt.date(2020, 12, 1)) == dt.date(2021, 1, 10)


def _units_with_targets(task, n_units: int):
    for i in range(n_units):
        unit = make_unit(f"{task.plan.district}单位{i}")
        for j in range(3):
            target = make_target(task, f"{i}-{j}", units=[unit])
            if j:
                make_figure(target, JUNE, 1, status=Figure.Status.SUBMITTED, submitted_at=ON_TIME)
    make_target(task, "x-1")


def _queries(plan) -> int:
    with CaptureQueriesContext(connection) as ctx:
        report = compliance.unit_compliance(plan=plan, month=JUNE, now=NOW)
        # Everything the page and the command read is already loaded.
        for status in report.units:
            str(status.unit), status.unit.pk
            for line in [*status.missing, *status.late, *status.returned, *status.on_time]:
                str(line.target), line.target.pk, line.reason, line.submitted_at, line.is_draft
        [(str(target), target.pk) for target in report.unassigned]
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_units():
    one = make_plan(district="甲区")
    _units_with_targets(make_task(one), 1)
    three = make_plan(district="乙区")
    _units_with_targets(make_task(three), 3)

    assert _queries(one) == _queries(three) == 3


@pytest.mark.parametrize(
    ("today", "month"),
    [
        (dt.date(2020, 7, 3), JUNE),
        (dt.date(2020, 6, 30), MAY),
        (dt.date(2021, 1, 1), dt.date(2020, 12, 1)),
    ],
)
def test_last_closed_month(today, month):
    assert compliance.last_closed_month(today) == month


def test_default_month_is_clamped_into_the_plan(plan):
    assert compliance.default_month(plan, dt.date(2025, 3, 9)) == dt.date(2020, 12, 1)
    assert compliance.default_month(plan, dt.date(2020, 1, 15)) == dt.date(2020, 1, 1)
    assert compliance.default_month(plan, dt.date(2020, 8, 15)) == dt.date(2020, 7, 1)


# The admin page.


def _client_for(client, role, *, staff=None):
    user = make_user(role)
    assign_role(user, role)
    if staff is not None:
        user.is_staff = staff
        user.save()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("role", "staff"), [(REPORTER, None), (VIEWER, True)])
def test_page_refused_to_non_reviewers(client, plan, world, role, staff):
    response = _client_for(client, role, staff=staff).get(URL, {"plan": plan.pk, "month": "2020-06"})
    assert response.status_code == 403


def test_page_sends_a_plain_viewer_to_the_admin_login(client, plan):
    response = _client_for(client, VIEWER).get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("role", [REVIEWER, ADMIN])
def test_page_for_reviewers(client, plan, world, role):
    response = _client_for(client, role).get(URL, {"plan": plan.pk, "month": "2020-06"})

    assert response.status_code == 200
    report = response.context["report"]
    assert [s.unit.name for s in report.units] == ["甲单位", "乙单位"]
    assert report.month == JUNE
    assert [t.code for t in report.unassigned] == ["1-07"]
    html = response.content.decode()
    assert "2020-07-05" in html
    assert "数值有误" in html
    assert "1-07 无人负责目标" in html


def test_page_defaults_to_latest_plan_and_clamped_month(client, plan, world):
    make_plan(
        district="测试区", year=2019, period_start=dt.date(2019, 1, 1), period_end=dt.date(2019, 12, 31)
    )

    response = _client_for(client, REVIEWER).get(URL)

    assert response.status_code == 200
    assert response.context["plan"] == plan
    assert response.context["report"].month == compliance.default_month(plan, timezone.localdate())


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"month": "2020-13"}, "月份“2020-13”不存在"),
        ({"month": "xyz"}, "月份“xyz”格式不对"),
        ({"month": "2021-01"}, "不在计划"),
        ({"plan": "abc"}, "找不到编号为“abc”的年度计划"),
        ({"plan": "999999"}, "找不到编号为“999999”的年度计划"),
    ],
)
def test_page_bad_parameters(client, plan, params, message):
    response = _client_for(client, REVIEWER).get(URL, params)
    assert response.status_code == 400
    assert message in response.context["error"]
    assert message in response.content.decode()


# The reminder command.


@pytest.fixture
def members(world, task):
    """甲 has a member with email, one without and an inactive one; 丙 only a missing target."""
    a, b = world["a"], world["b"]
    c = make_unit("丙单位")
    make_target(task, "1-10", name="丙目标", units=[c])
    a.members.add(
        make_user("a1", email="a1@example.com"),
        make_user("a2"),
        make_user("a3", email="a3@example.com", is_active=False),
    )
    b.members.add(make_user("b1", email="b1@example.com"))
    c.members.add(make_user("c1", email="c1@example.com"), make_user("c2", email="c2@example.com"))
    return world


def _remind(*args) -> str:
    out = StringIO()
    call_command("remind_units", *args, stdout=out)
    return out.getvalue()


def test_remind_units_sends_one_email_per_unit(plan, members):
    output = _remind("--month", "2020-06", "--plan", str(plan.pk))

    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("【报送提醒】甲单位 2020-06 月度数据", ["a1@example.com"]),
        ("【报送提醒】丙单位 2020-06 月度数据", ["c1@example.com", "c2@example.com"]),
    ]
    body_a = mail.outbox[0].body
    for text in ["1-04 未报目标", "1-05 草稿目标", "1-03 退回目标", "退回原因:数值有误", "2020-07-05"]:
        assert text in body_a
    assert "1-02" not in body_a  # late but submitted: nothing to do
    assert "1-01" not in body_a
    assert "1-10 丙目标" in mail.outbox[1].body
    assert "乙单位" not in output
    assert "以下填报人员未设邮箱,未发送:a2" in output
    assert output.rstrip().endswith("reminders: 2 units, 2 emails sent")


def test_remind_units_dry_run_sends_nothing(plan, members):
    output = _remind("--month", "2020-06", "--dry-run")

    assert mail.outbox == []
    assert "1-04 未报目标" in output
    assert "收件人:c1@example.com, c2@example.com" in output
    assert output.rstrip().endswith("reminders: 2 units, 0 emails sent")


@pytest.mark.parametrize(
    ("month", "message"),
    [("2020-13", "不存在"), ("xyz", "格式不对"), ("2020-6", "格式不对"), ("2021-01", "不在计划")],
)
def test_remind_units_bad_month(plan, month, message):
    with pytest.raises(CommandError, match=message):
        _remind("--month", month)
    assert mail.outbox == []


def test_remind_units_unknown_plan(plan):
    with pytest.raises(CommandError, match="找不到编号为 999999 的年度计划"):
        _remind("--month", "2020-06", "--plan", "999999")


@pytest.fixture
def back_to_chinese(settings):
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.parametrize(
    ("args", "subjects", "body"),
    [
        (
            (),
            ["【报送提醒】甲单位 2020-06 月度数据", "【报送提醒】丙单位 2020-06 月度数据"],
            "丙单位:2020年6月 月度数据报送提醒\n"
            "计划:测试区2020年 测试计划\n"
            "报送截止日期:2020-07-05(含当日)\n"
            "未报送(1 项):\n"
            "  - 1-10 丙目标",
        ),
        (
            ("--language", "zh-hans"),
            ["【报送提醒】甲单位 2020-06 月度数据", "【报送提醒】丙单位 2020-06 月度数据"],
            "丙单位:2020年6月 月度数据报送提醒\n"
            "计划:测试区2020年 测试计划\n"
            "报送截止日期:2020-07-05(含当日)\n"
            "未报送(1 项):\n"
            "  - 1-10 丙目标",
        ),
        (
            ("--language", "en"),
            [
                "[Reporting reminder] 甲单位: monthly figures for 2020-06",
                "[Reporting reminder] 丙单位: monthly figures for 2020-06",
            ],
            "丙单位: reminder to report the monthly figures for June 2020\n"
            "Plan: 测试区 2020: 测试计划\n"
            "Reporting deadline: 2020-07-05 (inclusive)\n"
            "Not reported (1):\n"
            "  - 1-10 丙目标",
        ),
    ],
)
def test_remind_units_language(back_to_chinese, plan, members, args, subjects, body):
    _remind("--month", "2020-06", *args)

    assert [m.subject for m in mail.outbox] == subjects
    assert mail.outbox[1].body == body


def test_remind_units_in_english_lists_returned_figures_with_their_reason(back_to_chinese, plan, members):
    _remind("--month", "2020-06", "--language", "en")

    lines = mail.outbox[0].body.splitlines()
    assert lines[3:] == [
        "Not reported (2):",
        "  - 1-04 未报目标",
        "  - 1-05 草稿目标 (draft not yet submitted)",
        "Returned; please correct and submit again (1):",
        "  - 1-03 退回目标",
        "    Reason for return: 数值有误",
    ]


@pytest.mark.parametrize(
    ("language", "without_email", "expected"),
    [
        ("en", [], "(Dry run, no email sent; 2 emails would be sent)"),
        ("en", ["a1"], "(Dry run, no email sent; 1 email would be sent)"),
        ("zh-hans", ["a1"], "(试运行,未发送邮件;实际将发送 1 封)"),
    ],
)
def test_remind_units_dry_run_counts_emails(
    back_to_chinese, plan, members, language, without_email, expected
):
    get_user_model().objects.filter(username__in=without_email).update(email="")

    output = _remind("--month", "2020-06", "--dry-run", "--language", language)

    assert output.splitlines()[-2] == expected
    assert mail.outbox == []


def test_remind_units_bad_month_in_english(back_to_chinese, plan):
    with pytest.raises(CommandError) as raised:
        _remind("--month", "2020-13", "--language", "en")
    assert str(raised.value) == "The month “2020-13” does not exist; the month must be between 1 and 12."


def test_remind_units_refuses_an_unknown_language(plan):
    with pytest.raises(CommandError, match="invalid choice: 'fr'"):
        _remind("--month", "2020-06", "--language", "fr")


def test_remind_units_leaves_each_reporter_a_notice_linked_to_the_monthly_page(plan, members):
    from notices.models import Notice

    _remind("--month", "2020-06", "--plan", str(plan.pk))
    a, c = members["a"], Unit.objects.get(name="丙单位")
    notices = sorted(
        (n.recipient.username, n.kind, n.link) for n in Notice.objects.select_related("recipient")
    )
    page = reverse("admin:targets_figure_month")
    assert notices == [
        ("a1", "reminded", f"{page}?unit={a.pk}&month=2020-06"),
        ("a2", "reminded", f"{page}?unit={a.pk}&month=2020-06"),
        ("c1", "reminded", f"{page}?unit={c.pk}&month=2020-06"),
        ("c2", "reminded", f"{page}?unit={c.pk}&month=2020-06"),
    ]
    text = Notice.objects.get(recipient__username="a2").text
    assert "1-04 未报目标" in text and "退回原因:数值有误" in text
    # The command mails once per unit; the notices add no mail of their own.
    assert len(mail.outbox) == 2


def test_remind_units_dry_run_leaves_no_notice(plan, members):
    from notices.models import Notice

    _remind("--month", "2020-06", "--dry-run")
    assert Notice.objects.count() == 0
