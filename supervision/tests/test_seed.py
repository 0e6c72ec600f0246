"""The supervision seed: every measure of the plan, quoted verbatim, units only where named."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from supervision.models import State, SupervisedItem
from targets.models import Unit

pytestmark = pytest.mark.django_db

PLAN_TEXT = (Path(settings.BASE_DIR) / "fixtures" / "sources" / "zhongyuan_2020_plan.txt").read_text(
    encoding="utf-8"
)
# The PDF broke paragraphs at page ends with blank lines (“强化中高风险地区\n\n来返郑人员”); joined
# again where the line before ends no sentence. Task 8 breaks off mid-sentence before task 4's
# heading, which stays apart.
JOINED = re.sub(r"(?<=[^。\n])\n\n+(?!重点工作 \d)", "", PLAN_TEXT)


@pytest.fixture
def items():
    call_command("load_seed")
    return list(SupervisedItem.objects.select_related("key_task", "lead_unit").order_by("id"))


def test_every_measure_is_an_item(items):
    # Lead phrases at the start of a paragraph, ending in 。 (task 5's two end in ,).
    leads = re.findall(r"(?:^|\n\n)([^\n。,]{2,20})[。,]", JOINED)
    assert len(items) == 27
    per_task = {}
    for item in items:
        per_task[item.key_task.number] = per_task.get(item.key_task.number, 0) + 1
    assert per_task == {1: 3, 2: 3, 3: 3, 4: 4, 5: 2, 6: 4, 7: 5, 8: 3}
    assert [i.code for i in items if i.key_task.number == 7] == ["7.1", "7.2", "7.3", "7.4", "7.5"]
    assert {i.title for i in items} <= set(leads)


def test_source_text_is_verbatim(items):
    for item in items:
        assert item.source_text in JOINED, item.code
        assert item.source_text.startswith(item.title), item.code
    design = SupervisedItem.objects.get(code="5.1")
    assert design.source_text.endswith("确保10月底前二砂文化创意园首开区开园。")
    cut = SupervisedItem.objects.get(code="8.3")
    assert cut.source_text == "密切党群干群关系。引导基层党组织加强自身建设、走好群众路线、执行民主制度、"
    assert cut.source_note == "原文(PDF转出)在此句中截断,其后内容缺失。"


def test_units_only_where_the_text_names_them(items):
    named = {
        i.code: (i.lead_unit and i.lead_unit.name, sorted(u.name for u in i.co_units.all())) for i in items
    }
    assert {code: units for code, units in named.items() if units != (None, [])} == {
        "2.1": (None, ["人社", "发改", "财政", "金融"]),
        "4.3": ("拟落地街道", ["市场监管", "税务", "财政"]),
        "5.2": ("各街道", []),
        "6.1": ("各街道", []),
    }
    for item in items:
        for sentence in filter(None, item.units_source.split("\n")):
            assert sentence in JOINED, item.code
            assert item.lead_unit is None or item.lead_unit.name.removeprefix("各") in item.units_source
    landing = Unit.objects.get(name="拟落地街道")
    assert landing.kind == Unit.Kind.STREET
    assert landing.source_text in JOINED
    assert all(not i.lead_official for i in items)
    assert {i.state for i in items} == {State.DRAFT}


def test_due_dates(items):
    stated = {i.code: (i.due_stated, i.due_date) for i in items if i.due_stated}
    assert stated == {
        "3.1": ("9月底前", dt.date(2020, 9, 30)),
        "5.1": ("年底前", dt.date(2020, 12, 31)),
        "6.2": ("年底前", dt.date(2020, 12, 31)),
        "7.4": ("年底前", dt.date(2020, 12, 31)),
    }
    for item in items:
        assert not item.due_stated or item.due_stated in item.source_text
    # The rest: the plan's end, marked as not stated.
    assert {i.due_date for i in items if not i.due_stated} == {dt.date(2020, 12, 31)}


def test_linked_targets_are_quoted_in_the_item(items):
    linked = {i.code: sorted(t.code for t in i.targets.all()) for i in items if i.targets.exists()}
    assert linked == {
        "3.1": ["3-01"],
        "5.1": ["5-01", "5-02"],
        "6.2": [f"6-{n:02d}" for n in range(1, 12)],
        "7.3": ["7-01", "7-02", "7-03", "7-04"],
        "7.4": [f"7-{n:02d}" for n in range(5, 12)],
    }
    for item in items:
        for target in item.targets.all():
            assert target.key_task_id == item.key_task_id
            quoted = re.sub(r"\n\n+", "", target.source_text)
            assert quoted in re.sub(r"\n\n+", "", item.source_text), (item.code, target.code)


def test_loading_twice_adds_nothing(items):
    call_command("load_seed")
    assert SupervisedItem.objects.count() == 27
