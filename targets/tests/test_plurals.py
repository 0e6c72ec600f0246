"""Counts in English take the singular or the plural ("1 figure", "2 figures"); Chinese has one form.

Each message is checked where it is shown: pages, admin messages, the bulletin's headline. The
Chinese text must stay exactly what it was before the messages became plural forms.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from entry import roles
from entry.tests.test_month_entry import form_data
from reports.bulletin import build_bulletin
from targets.models import Figure

from .factories import make_figure, make_target, make_unit, make_user
from .test_i18n import CATALOGUE, parse_po

pytestmark = pytest.mark.django_db

JUNE = dt.date(2020, 6, 1)
CHANGELIST = reverse("admin:targets_figure_changelist")


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def in_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def flashed(response) -> list[str]:
    return [str(m.message) for m in get_messages(response.wsgi_request)]


def on_track_targets(task, n, **kwargs):
    """`n` cumulative targets, each with an approved June figure at half its goal (on track)."""
    targets = []
    for i in range(1, n + 1):
        target = make_target(task, f"1-{i:02d}", goal=Decimal("100"), **kwargs)
        make_figure(target, JUNE, 50)
        targets.append(target)
    return targets


# --- the catalogue ---------------------------------------------------------------------------------


def plural_entries():
    return [m for m in parse_po(CATALOGUE)[1:] if "msgid_plural" in m]


def test_plural_entries_have_an_english_singular_and_one_chinese_form():
    entries = plural_entries()
    assert len(entries) >= 20
    for message in entries:
        # Chinese has one form: the source's singular and plural are the same text.
        assert message["msgid"] == message["msgid_plural"], message["msgid"]
        singular, plural = message["msgstr"][0], message["msgstr"][1]
        assert singular != plural, message["msgid"]
        with translation.override("en"):
            assert ngettext(message["msgid"], message["msgid_plural"], 1) == singular
            assert ngettext(message["msgid"], message["msgid_plural"], 2) == plural
        with translation.override("zh-hans"):
            for n in (1, 2):
                assert ngettext(message["msgid"], message["msgid_plural"], n) == message["msgid"]


# --- pages -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        (
            "en",
            1,
            '<p class="sub headline-sentence" id="headline">As of the end of June 2020, 1 of the '
            "district’s 1 quantified target has data (coverage 1/1): On track 1.</p>",
        ),
        (
            "en",
            2,
            '<p class="sub headline-sentence" id="headline">As of the end of June 2020, 2 of the '
            "district’s 2 quantified targets have data (coverage 2/2): On track 2.</p>",
        ),
        (
            "zh-hans",
            1,
            '<p class="sub headline-sentence" id="headline">截至2020年6月底,全区1项量化目标中有数据的1项'
            "(数据覆盖1/1):正常推进1项。</p>",
        ),
        (
            "zh-hans",
            2,
            '<p class="sub headline-sentence" id="headline">截至2020年6月底,全区2项量化目标中有数据的2项'
            "(数据覆盖2/2):正常推进2项。</p>",
        ),
    ],
)
def test_overview_counts_quantified_targets(viewer_client, plan, task, language, n, expected):
    on_track_targets(task, n)
    response = in_language(viewer_client, language).get(reverse("targets:plan-detail", args=[plan.pk]))
    assert response.status_code == 200
    assert expected in response.content.decode()


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        (
            "en",
            1,
            "As of the end of June 2020, 1 of the district’s 1 quantified target has data "
            "(coverage 1/1): On track 1.",
        ),
        (
            "en",
            2,
            "As of the end of June 2020, 2 of the district’s 2 quantified targets have data "
            "(coverage 2/2): On track 2.",
        ),
        ("zh-hans", 1, "截至2020年6月底,全区1项量化目标中有数据的1项(数据覆盖1/1):正常推进1项。"),
        ("zh-hans", 2, "截至2020年6月底,全区2项量化目标中有数据的2项(数据覆盖2/2):正常推进2项。"),
    ],
)
def test_bulletin_headline(plan, task, language, n, expected):
    on_track_targets(task, n)
    with translation.override(language):
        assert build_bulletin(plan=plan, month=JUNE).headline.sentence == expected


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        ("en", 1, "This task also has 1 monitored indicator (without a goal)"),
        ("en", 2, "This task also has 2 monitored indicators (without goals)"),
        ("zh-hans", 1, "本项工作另有 1 项监测指标(无目标值)"),
    ],
)
def test_key_task_page_counts_its_monitored_indicators(viewer_client, task, language, n, expected):
    for i in range(n):
        make_target(task, f"1-9{i}", kind="monitored", goal=None, deadline=None)
    response = in_language(viewer_client, language).get(reverse("targets:keytask-detail", args=[task.pk]))
    assert response.status_code == 200
    assert f"{expected}</a>" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "units", "expected"),
    [
        ("en", 1, "0 of 1 responsible unit has reported all its targets on time."),
        ("en", 2, "0 of 2 responsible units have reported all their targets on time."),
        ("zh-hans", 2, "共 2 个责任单位,其中 0 个已按时报送全部目标。"),
    ],
)
def test_compliance_page_counts_units(client, plan, task, language, units, expected):
    for i in range(units):
        make_target(task, f"1-{i:02d}", units=[make_unit(f"单位{i}")])
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    response = in_language(client, language).get(
        reverse("admin:targets_figure_compliance"), {"plan": plan.pk, "month": "2020-06"}
    )
    assert response.status_code == 200
    assert expected in response.content.decode()


# --- admin messages ---------------------------------------------------------------------------------


@pytest.fixture
def reviewer_client(client):
    user = make_user("rev", is_staff=True)
    roles.assign_role(user, roles.REVIEWER)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        (
            "en",
            1,
            ["Approved 1 figure", "1 figure was not processed because of its status or your permissions."],
        ),
        (
            "en",
            2,
            ["Approved 2 figures", "1 figure was not processed because of its status or your permissions."],
        ),
        ("zh-hans", 2, ["已审核通过 2 条", "1 条因状态不符或无权操作而未处理。"]),
    ],
)
def test_approve_action_message(reviewer_client, task, language, n, expected):
    submitted = [
        make_figure(make_target(task, f"1-{i:02d}"), JUNE, 10, status=Figure.Status.SUBMITTED)
        for i in range(n)
    ]
    draft = make_figure(make_target(task, "1-99"), JUNE, 10, status=Figure.Status.DRAFT)
    response = in_language(reviewer_client, language).post(
        CHANGELIST, {"action": "approve_selected", "_selected_action": [f.pk for f in [*submitted, draft]]}
    )
    assert response.status_code == 302
    assert flashed(response) == expected


@pytest.mark.parametrize(
    ("language", "action", "extra", "expected"),
    [
        ("en", "submit_selected", {}, "Submitted 2 figures"),
        ("en", "return_selected", {"reason": "数据有误"}, "Returned 2 figures"),
        ("zh-hans", "return_selected", {"reason": "数据有误"}, "已退回 2 条"),
    ],
)
def test_submit_and_return_action_messages(client, task, language, action, extra, expected):
    unit = make_unit()
    user = make_user("boss", is_staff=True, is_superuser=True)
    unit.members.add(user)
    status = Figure.Status.DRAFT if action == "submit_selected" else Figure.Status.SUBMITTED
    figures = [
        make_figure(make_target(task, f"1-{i:02d}", units=[unit]), JUNE, 10, status=status) for i in range(2)
    ]
    client.force_login(user)
    response = in_language(client, language).post(
        CHANGELIST, {"action": action, "_selected_action": [f.pk for f in figures], **extra}
    )
    assert response.status_code == 302
    assert flashed(response) == [expected]


@pytest.fixture
def month_page(client, task):
    """The June page of a unit with two targets, its reporter logged in."""
    unit = make_unit()
    user = make_user("reporter")
    roles.assign_role(user, roles.REPORTER)
    unit.members.add(user)
    for i in range(2):
        make_target(task, f"1-{i:02d}", units=[unit])
    client.force_login(user)
    return f"{reverse('admin:targets_figure_month')}?unit={unit.pk}&month=2020-06"


@pytest.mark.parametrize(
    ("language", "n", "submit", "expected"),
    [
        ("en", 1, False, "Saved 1 figure as a draft."),
        ("en", 2, False, "Saved 2 figures as drafts."),
        ("en", 1, True, "Saved and submitted 1 figure for review."),
        ("en", 2, True, "Saved and submitted 2 figures for review."),
        ("zh-hans", 1, False, "已保存草稿 1 条数据。"),
        ("zh-hans", 2, True, "已保存并报送审核 2 条数据。"),
    ],
)
def test_month_page_save_message(client, month_page, language, n, submit, expected):
    url = month_page
    response = in_language(client, language).get(url)
    changes = {f"1-{i:02d}": {"value": "10"} for i in range(n)}
    response = client.post(url, form_data(response, changes, submit=submit))
    assert response.status_code == 303
    assert flashed(response) == [expected]


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        ("en", 1, "Nothing was saved: 1 row needs changes."),
        ("en", 2, "Nothing was saved: 2 rows need changes."),
        ("zh-hans", 2, "未保存任何数据:有 2 行需要修改。"),
    ],
)
def test_month_page_rejection_counts_rows(client, month_page, language, n, expected):
    url = month_page
    response = in_language(client, language).get(url)
    changes = {f"1-{i:02d}": {"value": "-1"} for i in range(n)}
    response = client.post(url, form_data(response, changes))
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert Figure.objects.count() == 0


# --- project ledger and bulletin ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "stated", "problems", "expected"),
    [
        (
            "en",
            1,
            0,
            [
                "None of this group's projects is in the ledger yet (stated in the document: 1).",
                "Not entered in the ledger (the document names 1)",
            ],
        ),
        (
            "en",
            2,
            1,
            [
                "The ledger is not yet complete (entered: 1; stated in the document: 2).",
                "Stage unknown (ledger: 1 entered / document: 2)",
                "1 open problem, of which 0 overdue.",
            ],
        ),
        ("en", 3, 2, ["2 open problems, of which 0 overdue."]),
        (
            "zh-hans",
            2,
            1,
            ["台账尚未录全(已录入 1 项,文件所述 2 项)", "未解决问题 1 个,其中逾期 0 个。"],
        ),
    ],
)
def test_group_page_counts(viewer_client, plan, task, language, stated, problems, expected):
    from projects.tests.factories import make_group, make_problem, make_project

    on_track_targets(task, 1)
    group = make_group(plan, "计划开工项目", key_task=task, stated_count=stated)
    if problems:
        project = make_project(plan, "甲项目", groups=[group], key_task=task)
        for i in range(problems):
            make_problem(project, f"问题{i}")
    response = in_language(viewer_client, language).get(reverse("projects:group-detail", args=[group.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in expected:
        assert text in html


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        ("en", 1, "1 more target without data: 1-90."),
        ("en", 2, "2 more targets without data: 1-90, 1-91."),
        ("zh-hans", 2, "另有 2 项暂无数据:1-90、1-91。"),
    ],
)
def test_bulletin_names_the_targets_left_out_of_its_appendix(
    viewer_client, plan, task, language, n, expected
):
    on_track_targets(task, 1)
    for i in range(n):
        make_target(task, f"1-9{i}")  # no figure: not printed, named in one line
    url = reverse("reports:bulletin", args=[plan.pk]) + "?month=2020-06"
    response = in_language(viewer_client, language).get(url)
    assert response.status_code == 200
    assert expected in response.content.decode()
