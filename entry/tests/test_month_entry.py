"""The unit's month page: one formset for all of a unit's targets, saved all together or not at all."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entry import roles
from entry import write as entry
from targets.models import Figure, FigureEvent, Target
from targets.tests.factories import make_figure, make_target, make_task, make_unit, make_user

pytestmark = pytest.mark.django_db

MAY = dt.date(2020, 5, 1)
JUNE = dt.date(2020, 6, 1)
URL = reverse("admin:targets_figure_month")


def page(unit, month="2020-06") -> str:
    return f"{URL}?unit={unit.pk}&month={month}"


@pytest.fixture
def unit_a(db):
    return make_unit("甲局")


@pytest.fixture
def unit_b(db):
    return make_unit("乙街道")


@pytest.fixture
def reporter(unit_a):
    user = make_user("reporter_a")
    roles.assign_role(user, roles.REPORTER)
    unit_a.members.add(user)
    return user


@pytest.fixture
def reporter_client(client, reporter):
    client.force_login(reporter)
    return client


@pytest.fixture
def targets(plan, task, unit_a, unit_b):
    """Unit A answers for four targets (one under key task 2, listed last); unit B for one."""
    later_task = make_task(plan, 2)
    return {
        "2-01": make_target(later_task, "2-01", units=[unit_a]),
        "1-02": make_target(
            task, "1-02", kind=Target.Kind.LEVEL, goal=Decimal("80"), unit_of_measure="%", units=[unit_a]
        ),
        "1-01": make_target(task, "1-01", units=[unit_a, unit_b]),
        "1-03": make_target(
            task, "1-03", kind=Target.Kind.MILESTONE, goal=None, unit_of_measure="", units=[unit_a]
        ),
        "1-04": make_target(
            task, "1-04", kind=Target.Kind.MONITORED, goal=None, deadline=None, units=[unit_a]
        ),
        "1-05": make_target(task, "1-05", units=[unit_b]),
    }


def form_data(response, changes=None, *, submit=False) -> dict:
    """The POST a browser would send for the page in `response`, with `changes` by target code."""
    formset = response.context["formset"]
    data = {f"{formset.prefix}-{key}": value for key, value in formset.management_form.initial.items()}
    changes = changes or {}
    for form in formset.forms:
        for name in form.fields:
            value = form.initial.get(name)
            data[form.add_prefix(name)] = "" if value is None else str(value)
        for name, value in changes.get(form.row.target.code, {}).items():
            data[form.add_prefix(name)] = value
    data["_submit" if submit else "_save"] = "1"
    return data


def codes(response) -> list[str]:
    return [row.target.code for row, _form in response.context["rows"]]


def test_reporter_sees_exactly_own_units_targets_in_order(reporter_client, unit_a, targets):
    response = reporter_client.get(page(unit_a))
    assert response.status_code == 200
    assert codes(response) == ["1-01", "1-02", "1-03", "1-04", "2-01"]
    assert response.context["unit"] == unit_a
    assert response.context["month"] == JUNE
    assert "1-05" not in response.content.decode()


def test_defaults_to_first_unit_and_last_closed_month_clamped_into_plan_year(
    reporter_client, unit_a, targets
):
    response = reporter_client.get(URL)
    assert response.status_code == 200
    assert response.context["unit"] == unit_a
    # Today is long after the 2020 plan: the last closed month is clamped to December 2020.
    assert response.context["month"] == dt.date(2020, 12, 1)
    assert [u.name for u in response.context["units"]] == ["甲局"]


def test_row_shows_goal_last_month_and_current_figure(reporter_client, unit_a, targets, reporter):
    make_figure(targets["1-01"], MAY, 30, status=Figure.Status.APPROVED)
    make_figure(targets["1-01"], JUNE, 42, status=Figure.Status.DRAFT, entered_by=reporter)
    response = reporter_client.get(page(unit_a))
    rows = {row.target.code: (row, form) for row, form in response.context["rows"]}
    row, form = rows["1-01"]
    assert row.goal_display == "≥ 100 个"
    assert rows["1-03"][0].goal_display == "按期完成"
    assert row.previous_display == "30 个"
    assert row.previous.status == Figure.Status.APPROVED
    assert row.current_display == "42 个"
    assert form.initial["base_version"] == 1
    assert form.initial["value"] == Decimal("42")
    assert rows["1-02"][1].initial["base_version"] is None
    html = response.content.decode()
    assert "已审核" in html
    assert "草稿" in html
    assert "保存草稿" in html
    assert "保存并报送审核" in html


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2020-13", "月份“2020-13”无效"),
        ("abc", "月份“abc”无效"),
        ("2031-01", "2031-01 尚未结束"),
        ("2019-06", "2019-06 不在本单位目标所属的计划年度"),
    ],
)
def test_bad_month_is_400_with_message(reporter_client, unit_a, targets, month, message):
    response = reporter_client.get(page(unit_a, month))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_bad_unit_is_400(reporter_client, targets):
    response = reporter_client.get(f"{URL}?unit=abc&month=2020-06")
    assert response.status_code == 400
    assert "责任单位参数“abc”无效" in response.content.decode()
    assert reporter_client.get(f"{URL}?unit=999999&month=2020-06").status_code == 400


def test_unit_the_user_is_not_member_of_is_403(reporter_client, unit_b, targets):
    response = reporter_client.get(page(unit_b))
    assert response.status_code == 403
    assert "您不是“乙街道”的填报人员" in response.content.decode()


def test_admin_may_pick_any_unit(client, unit_b, targets):
    admin_user = make_user("boss")
    roles.assign_role(admin_user, roles.ADMIN)
    client.force_login(admin_user)
    response = client.get(page(unit_b))
    assert response.status_code == 200
    assert codes(response) == ["1-01", "1-05"]


def test_reviewer_cannot_use_the_page(client, targets):
    reviewer = make_user("checker")
    roles.assign_role(reviewer, roles.REVIEWER)
    client.force_login(reviewer)
    response = client.get(URL)
    assert response.status_code == 403
    assert "没有填报权限" in response.content.decode()


FULL_MONTH = {
    "1-01": {"value": "40", "progress_note": "进展顺利"},
    "1-02": {"value": "75.5"},
    "1-03": {"reached": "1", "reached_on": "2020-06-15"},
    "1-04": {"value": "12"},
    "2-01": {"value": "20", "problems": "资金未到位"},
}


def test_saving_a_whole_month_in_one_post_creates_drafts(reporter_client, reporter, unit_a, targets):
    response = reporter_client.get(page(unit_a))
    posted = reporter_client.post(page(unit_a), form_data(response, FULL_MONTH))
    assert posted.status_code == 303
    assert posted["Location"] == page(unit_a)
    figures = Figure.objects.filter(month=JUNE).select_related("target").order_by("target__code")
    assert [(f.target.code, f.value, f.reached, f.status, f.entered_by) for f in figures] == [
        ("1-01", Decimal("40"), None, Figure.Status.DRAFT, reporter),
        ("1-02", Decimal("75.5"), None, Figure.Status.DRAFT, reporter),
        ("1-03", None, True, Figure.Status.DRAFT, reporter),
        ("1-04", Decimal("12"), None, Figure.Status.DRAFT, reporter),
        ("2-01", Decimal("20"), None, Figure.Status.DRAFT, reporter),
    ]
    assert figures.get(target__code="1-03").reached_on == dt.date(2020, 6, 15)
    assert figures.get(target__code="1-01").progress_note == "进展顺利"
    assert FigureEvent.objects.count() == 0
    followed = reporter_client.get(posted["Location"])
    assert [str(m) for m in followed.context["messages"]] == ["已保存草稿 5 条数据。"]


def test_blank_rows_are_skipped(reporter_client, unit_a, targets):
    response = reporter_client.get(page(unit_a))
    posted = reporter_client.post(page(unit_a), form_data(response, {"1-02": {"value": "60"}}))
    assert posted.status_code == 303
    assert list(Figure.objects.values_list("target__code", "value")) == [("1-02", Decimal("60"))]


def test_submit_creates_submitted_figures_and_events(reporter_client, reporter, unit_a, targets):
    response = reporter_client.get(page(unit_a))
    posted = reporter_client.post(page(unit_a), form_data(response, FULL_MONTH, submit=True))
    assert posted.status_code == 303
    assert set(Figure.objects.values_list("status", flat=True)) == {Figure.Status.SUBMITTED}
    assert Figure.objects.count() == 5
    assert FigureEvent.objects.filter(action=FigureEvent.Action.SUBMITTED, actor=reporter).count() == 5
    followed = reporter_client.get(posted["Location"])
    assert [str(m) for m in followed.context["messages"]] == ["已保存并报送审核 5 条数据。"]
    # Submitted figures are out of the reporter's hands now.
    assert all(row.readonly for row, _form in followed.context["rows"])


def test_submit_sends_an_unchanged_stored_draft_too(reporter_client, reporter, unit_a, targets):
    draft = make_figure(targets["1-01"], JUNE, 40, status=Figure.Status.DRAFT, entered_by=reporter)
    response = reporter_client.get(page(unit_a))
    posted = reporter_client.post(page(unit_a), form_data(response, submit=True))
    assert posted.status_code == 303
    draft.refresh_from_db()
    assert draft.status == Figure.Status.SUBMITTED
    assert draft.value == Decimal("40")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"1-01": {"value": "-5"}}, "数值不能为负数。"),
        ({"1-02": {"value": "120"}}, "百分比必须在 0 到 100 之间。"),
        ({"1-01": {"value": "20"}}, "累计值 20 低于 2020-05 的 30,请填写更正原因。"),
    ],
)
def test_rejected_post_saves_nothing_at_all(reporter_client, reporter, unit_a, targets, changes, message):
    make_figure(targets["1-01"], MAY, 30)
    kept = make_figure(targets["2-01"], JUNE, 10, status=Figure.Status.DRAFT, entered_by=reporter)
    before = Figure.objects.count()
    response = reporter_client.get(page(unit_a))
    month = {**FULL_MONTH, "1-01": {"value": "40"}, "2-01": {"value": "25"}} | changes
    posted = reporter_client.post(page(unit_a), form_data(response, month))
    assert posted.status_code == 400
    html = posted.content.decode()
    assert message in html
    assert "未保存任何数据" in html
    assert Figure.objects.count() == before
    kept.refresh_from_db()
    assert (kept.value, kept.version) == (Decimal("10"), 1)
    # The user's typed values are shown again for correction.
    (bad_code,) = changes
    rows = {row.target.code: form for row, form in posted.context["rows"]}
    assert rows[bad_code].data[rows[bad_code].add_prefix("value")] == changes[bad_code]["value"]
    assert rows[bad_code].errors


def test_a_100000_character_note_is_refused_and_nothing_saved(reporter_client, reporter, unit_a, targets):
    kept = make_figure(targets["2-01"], JUNE, 10, status=Figure.Status.DRAFT, entered_by=reporter)
    response = reporter_client.get(page(unit_a))
    month = {**FULL_MONTH, "2-01": {"value": "25"}, "1-01": {"value": "40", "progress_note": "进" * 100_000}}
    posted = reporter_client.post(page(unit_a), form_data(response, month))
    assert posted.status_code == 400
    rows = {row.target.code: form for row, form in posted.context["rows"]}
    assert rows["1-01"].errors == {"progress_note": ["最多 5000 字,现有 100000 字,请精简。"]}
    assert Figure.objects.count() == 1
    kept.refresh_from_db()
    assert (kept.value, kept.version) == (Decimal("10"), 1)


def test_value_box_takes_what_people_type(reporter_client, unit_a, targets):
    """Full-width digits, spaces and thousands separators are read; the box is text, not a number
    box that would silently send nothing for them."""
    response = reporter_client.get(page(unit_a))
    html = response.content.decode()
    assert 'name="rows-0-value"' in html
    assert 'type="number"' not in html
    changes = {"1-01": {"value": " １２ "}, "1-04": {"value": "1,234.5"}, "2-01": {"value": "１２．３"}}
    posted = reporter_client.post(page(unit_a), form_data(response, changes))
    assert posted.status_code == 303
    assert dict(Figure.objects.values_list("target__code", "value")) == {
        "1-01": Decimal("12"),
        "1-04": Decimal("1234.5"),
        "2-01": Decimal("12.3"),
    }


def test_cumulative_drop_with_correction_reason_is_saved(reporter_client, unit_a, targets):
    make_figure(targets["1-01"], MAY, 30)
    response = reporter_client.get(page(unit_a))
    changes = {"1-01": {"value": "20", "correction_reason": "5月多报,已核减"}}
    posted = reporter_client.post(page(unit_a), form_data(response, changes))
    assert posted.status_code == 303
    assert Figure.objects.get(month=JUNE).correction_reason == "5月多报,已核减"


def test_warning_blocks_until_anomaly_note_is_given(reporter_client, unit_a, targets):
    response = reporter_client.get(page(unit_a))
    posted = reporter_client.post(page(unit_a), form_data(response, {"1-01": {"value": "400"}}))
    assert posted.status_code == 400
    assert "超过目标值 100 的 3 倍,请确认无误并在“异常说明”中说明。" in posted.content.decode()
    assert Figure.objects.count() == 0
    rows = {row.target.code: form for row, form in posted.context["rows"]}
    assert list(rows["1-01"].warnings) == ["value"]

    confirmed = {"1-01": {"value": "400", "anomaly_note": "含新增片区,数值无误"}}
    posted = reporter_client.post(page(unit_a), form_data(response, confirmed))
    assert posted.status_code == 303
    figure = Figure.objects.get()
    assert (figure.value, figure.anomaly_note) == (Decimal("400"), "含新增片区,数值无误")


def test_crafted_row_for_another_units_target_saves_nothing(reporter_client, unit_a, targets):
    response = reporter_client.get(page(unit_a))
    data = form_data(response, FULL_MONTH)
    data["rows-TOTAL_FORMS"] = "6"
    data.update({"rows-5-target": str(targets["1-05"].pk), "rows-5-base_version": "", "rows-5-value": "50"})
    posted = reporter_client.post(page(unit_a), data)
    assert posted.status_code == 400
    assert Figure.objects.count() == 0


def test_tampered_target_id_saves_nothing(reporter_client, unit_a, targets):
    response = reporter_client.get(page(unit_a))
    data = form_data(response, FULL_MONTH)
    assert data["rows-0-target"] == str(targets["1-01"].pk)
    data["rows-0-target"] = str(targets["1-05"].pk)
    posted = reporter_client.post(page(unit_a), data)
    assert posted.status_code == 400
    assert "该行的目标与页面不一致" in posted.content.decode()
    assert Figure.objects.count() == 0


def test_stale_base_version_is_refused_naming_who_changed_it(reporter_client, reporter, unit_a, targets):
    colleague = make_user("colleague_a")
    roles.assign_role(colleague, roles.REPORTER)
    unit_a.members.add(colleague)
    (figure,) = entry.save_entries(
        [entry.Entry(target=targets["1-01"], month=JUNE, value=Decimal("40"))], user=colleague
    )
    response = reporter_client.get(page(unit_a))
    # The colleague saves again while the reporter has the page open.
    entry.save_entries(
        [entry.Entry(target=targets["1-01"], month=JUNE, value=Decimal("45"), base_version=1)], user=colleague
    )
    posted = reporter_client.post(
        page(unit_a), form_data(response, {"1-01": {"value": "50"}, "1-02": {"value": "60"}})
    )
    assert posted.status_code == 400
    assert "被 colleague_a 修改,您的修改未保存" in posted.content.decode()
    figure.refresh_from_db()
    assert (figure.value, figure.version, figure.updated_by) == (Decimal("45"), 2, colleague)
    assert Figure.objects.count() == 1


def test_approved_figures_are_read_only(reporter_client, unit_a, targets):
    approved = make_figure(targets["1-01"], JUNE, 40, status=Figure.Status.APPROVED)
    response = reporter_client.get(page(unit_a))
    rows = {row.target.code: row for row, _form in response.context["rows"]}
    assert rows["1-01"].readonly
    assert rows["1-01"].refusal == "1-01 2020-06 已审核通过,不能再修改。"
    assert not rows["1-02"].readonly
    html = response.content.decode()
    assert "已审核通过,不能再修改" in html
    assert 'name="rows-0-value"' not in html
    assert 'name="rows-1-value"' in html
    # A crafted value for the approved row is refused and nothing is saved.
    data = form_data(response, {"1-01": {"value": "99"}, "1-02": {"value": "60"}})
    posted = reporter_client.post(page(unit_a), data)
    assert posted.status_code == 400
    approved.refresh_from_db()
    assert (approved.value, approved.version) == (Decimal("40"), 1)
    assert Figure.objects.count() == 1


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_targets(reporter_client, reporter, task, unit_a):
    def add_target(code):
        target = make_target(task, code, units=[unit_a])
        make_figure(target, MAY, 10)
        make_figure(target, JUNE, 20, status=Figure.Status.DRAFT, entered_by=reporter, updated_by=reporter)

    add_target("1-01")
    one = count_queries(reporter_client, page(unit_a))
    add_target("1-02")
    add_target("1-03")
    three = count_queries(reporter_client, page(unit_a))
    assert one == three


def test_changelist_links_to_the_month_page(reporter_client, targets):
    response = reporter_client.get(reverse("admin:targets_figure_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    for name, text in [
        ("admin:targets_figure_month", "按月填报"),
        ("admin:targets_figure_xlsx_template", "下载Excel模板"),
        ("admin:targets_figure_xlsx_import", "上传Excel"),
        ("admin:targets_figure_compliance", "报送情况/催办"),
    ]:
        assert f'<a href="{reverse(name)}">{text}</a>' in html


class TestDefaultMonth:
    """The page opens on the latest month whose figures are due or late, for a fixed `today`."""

    @staticmethod
    def pick(unit, today):
        from entry.views.month import default_month
        from targets.models import Plan

        plans = list(Plan.objects.filter(key_tasks__targets__responsible_units=unit).distinct())
        return default_month(unit, sorted(plans, key=lambda p: p.period_start), today)

    def test_within_the_period_the_last_ended_month_when_it_is_missing(self, unit_a, targets):
        assert self.pick(unit_a, dt.date(2020, 11, 3)) == dt.date(2020, 10, 1)
        # The last day of a month does not end it.
        assert self.pick(unit_a, dt.date(2020, 11, 30)) == dt.date(2020, 10, 1)
        assert self.pick(unit_a, dt.date(2020, 12, 1)) == dt.date(2020, 11, 1)

    def test_a_month_fully_reported_gives_way_to_the_latest_late_one(self, unit_a, targets):
        for code in ("1-01", "1-02", "1-03", "2-01"):
            make_figure(targets[code], dt.date(2020, 10, 1), 1, status=Figure.Status.SUBMITTED)
        # October is in (the monitored 1-04 is never due); September is late.
        assert self.pick(unit_a, dt.date(2020, 11, 3)) == dt.date(2020, 9, 1)

    def test_a_draft_or_returned_figure_is_still_missing(self, unit_a, targets):
        for code in ("1-01", "1-02", "1-03"):
            make_figure(targets[code], dt.date(2020, 10, 1), 1, status=Figure.Status.APPROVED)
        make_figure(
            targets["2-01"], dt.date(2020, 10, 1), 1, status=Figure.Status.RETURNED, return_reason="核对"
        )
        assert self.pick(unit_a, dt.date(2020, 11, 3)) == dt.date(2020, 10, 1)

    def test_everything_in_opens_on_the_last_ended_month(self, unit_a, targets):
        for code in ("1-01", "1-02", "1-03", "2-01"):
            for month in range(1, 11):
                make_figure(targets[code], dt.date(2020, month, 1), 1, status=Figure.Status.APPROVED)
        assert self.pick(unit_a, dt.date(2020, 11, 3)) == dt.date(2020, 10, 1)

    def test_after_the_period_the_last_month_with_anything_missing(self, unit_a, targets):
        for code in ("1-01", "1-02", "1-03", "2-01"):
            for month in range(1, 13):
                if (code, month) != ("1-02", 8):
                    make_figure(targets[code], dt.date(2020, month, 1), 1, status=Figure.Status.APPROVED)
        # In the review month (January 2021) and years later, August is what is left.
        assert self.pick(unit_a, dt.date(2021, 1, 4)) == dt.date(2020, 8, 1)
        assert self.pick(unit_a, dt.date(2026, 11, 27)) == dt.date(2020, 8, 1)
        make_figure(targets["1-02"], dt.date(2020, 8, 1), 1, status=Figure.Status.SUBMITTED)
        assert self.pick(unit_a, dt.date(2026, 11, 27)) == dt.date(2020, 12, 1)

    def test_a_target_starting_later_is_not_due_before_it_starts(self, unit_a, targets):
        for code in ("1-01", "1-02", "1-03"):
            for month in range(1, 13):
                make_figure(targets[code], dt.date(2020, month, 1), 1, status=Figure.Status.APPROVED)
        Target.objects.filter(pk=targets["2-01"].pk).update(start=dt.date(2020, 12, 1))
        make_figure(targets["2-01"], dt.date(2020, 12, 1), 1, status=Figure.Status.APPROVED)
        assert self.pick(unit_a, dt.date(2026, 11, 27)) == dt.date(2020, 12, 1)

    def test_a_new_plan_without_an_ended_month_leaves_the_old_plan_in_its_review_month(self, unit_a, targets):
        from targets.tests.factories import make_plan

        plan_2021 = make_plan(year=2021, period_start=dt.date(2021, 1, 1), period_end=dt.date(2021, 12, 31))
        make_target(
            make_task(plan_2021, 1),
            "1-01",
            start=dt.date(2021, 1, 1),
            deadline=dt.date(2021, 12, 31),
            units=[unit_a],
        )
        assert self.pick(unit_a, dt.date(2021, 1, 4)) == dt.date(2020, 12, 1)
        assert self.pick(unit_a, dt.date(2021, 2, 4)) == dt.date(2021, 1, 1)
        assert self.pick(unit_a, dt.date(2026, 11, 27)) == dt.date(2021, 12, 1)

    def test_the_page_opens_on_it(self, reporter_client, unit_a, targets, monkeypatch):
        from entry.views import month as month_view

        for code in ("1-01", "1-02", "1-03", "2-01"):
            make_figure(targets[code], dt.date(2020, 10, 1), 1, status=Figure.Status.SUBMITTED)
        monkeypatch.setattr(month_view.timezone, "localdate", lambda: dt.date(2020, 11, 3))
        response = reporter_client.get(URL)
        assert response.context["month"] == dt.date(2020, 9, 1)


class TestExpectedProgress:
    """Each row shows the month-end 序时进度 and the gap of the stored value, computed on the server."""

    def test_straight_line_and_planned_nodes(self, reporter_client, unit_a, targets, reporter):
        from targets.models import PlannedValue

        PlannedValue.objects.create(target=targets["1-02"], month=dt.date(2020, 3, 1), value=Decimal("10"))
        PlannedValue.objects.create(target=targets["1-02"], month=JUNE, value=Decimal("30"))
        PlannedValue.objects.create(target=targets["1-02"], month=dt.date(2020, 9, 1), value=Decimal("60"))
        make_figure(targets["1-01"], JUNE, 60, status=Figure.Status.DRAFT, entered_by=reporter)
        make_figure(targets["1-02"], JUNE, 24, status=Figure.Status.SUBMITTED, entered_by=reporter)
        response = reporter_client.get(page(unit_a))
        rows = {row.target.code: row for row, _form in response.context["rows"]}
        # Goal 100 from 0 over 2020: on 30 June 181 of 365 days have passed.
        line = rows["1-01"]
        assert line.expected == Decimal(181) * 100 / Decimal(365)
        assert (line.expected_display, line.expected_share_display) == ("49.59 个", "49.6%")
        assert line.gap_display == "+10.4"
        assert line.gap_data == {
            "baseline": "0",
            "goal": "100",
            "direction": "gte",
            "expected": f"{line.expected:f}",
        }
        # The planned node of June wins over the straight line: 30 of 80 is 37.5 %.
        nodes = rows["1-02"]
        assert (nodes.expected_display, nodes.expected_share_display) == ("30 %", "37.5%")
        assert nodes.gap_display == "-7.5"
        # Nothing stored yet: no gap; milestones and monitored indicators have no expected value.
        assert rows["2-01"].gap_display == "—"
        assert rows["2-01"].expected_display == "49.59 个"
        for code in ("1-03", "1-04"):
            assert (rows[code].expected_display, rows[code].gap_data) == ("", None)
        html = response.content.decode()
        assert (
            'id="row-1-01" data-baseline="0" data-goal="100" data-direction="gte" '
            f'data-expected="{line.expected:f}"' in html
        )
        assert '<output class="gap-value" for="id_rows-0-value">+10.4</output>' in html
        # 1-02 is submitted, so read-only: its gap is shown without an input.
        assert '<output class="gap-value">-7.5</output>' in html
        assert 'src="/static/js/month-gap.js" defer' in html
        assert "<script>" not in html

    def test_english(self, reporter_client, unit_a, targets, reporter, settings):
        make_figure(targets["1-01"], JUNE, 60, status=Figure.Status.DRAFT, entered_by=reporter)
        reporter_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        html = reporter_client.get(page(unit_a)).content.decode()
        assert "Expected progress" in html
        assert 'Gap <output class="gap-value" for="id_rows-0-value">+10.4</output> points' in html


def test_an_admin_opens_on_the_first_unit_with_targets(client, unit_a, unit_b, targets):
    make_unit("一个没有目标的单位")
    boss = make_user("boss", is_staff=True)
    roles.assign_role(boss, roles.ADMIN)
    client.force_login(boss)
    response = client.get(URL)
    # Units come by name: the first has no targets, so the page opens on the next one.
    assert [u.name for u in response.context["units"]] == ["一个没有目标的单位", "乙街道", "甲局"]
    assert response.context["unit"] == unit_b
    assert codes(response) == ["1-01", "1-05"]


def test_due_date_and_overdue_note(reporter_client, unit_a, targets, monkeypatch):
    from entry.views import month as month_view

    monkeypatch.setattr(month_view.timezone, "localdate", lambda: dt.date(2020, 7, 5))
    html = reporter_client.get(page(unit_a)).content.decode()
    assert "报送截止日期:2020-07-05。" in html
    monkeypatch.setattr(month_view.timezone, "localdate", lambda: dt.date(2020, 7, 6))
    html = reporter_client.get(page(unit_a)).content.decode()
    assert "报送截止日期:2020-07-05,已过期,现在报送计为迟报。" in html
