"""The plan drafter against the seed: recall and precision of its proposals, and its small rules."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from planning.textdraft import chinese_number, compact, draft_plan, find_deadline

ROOT = Path(__file__).resolve().parents[2]
PLAN_TEXT = (ROOT / "fixtures/sources/zhongyuan_2020_plan.txt").read_text(encoding="utf-8")
FIXTURE = json.loads((ROOT / "fixtures/zhongyuan_2020.json").read_text(encoding="utf-8"))


def _lcs(a: str, b: str) -> int:
    """Length of the longest common substring (names of targets in one sentence)."""
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, start=1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def _fixture_targets():
    """The seed's targets taken from the plan's text (not monitored, not from the H1 report)."""
    kept, derived = [], []
    for row in FIXTURE:
        if row["model"] != "targets.target":
            continue
        f = row["fields"]
        if f["kind"] == "monitored" or f.get("source", "plan") != "plan":
            continue
        target = {
            "task": f["key_task"][2],
            "code": f["code"],
            "name": f["name"],
            "goal": None if f.get("goal") is None else Decimal(str(f["goal"])),
            "unit": f.get("unit_of_measure", ""),
            "deadline": dt.date.fromisoformat(f["deadline"]),
            "sentence": compact(f["source_text"]),
        }
        # A derived goal is not in the plan's text: 6-03's 378 is the bulk of the remaining 220
        # (from the H1 report's 267 done of 487); no drafter can read it from this text alone.
        (derived if f.get("goal_derivation") else kept).append(target)
    return kept, derived


def _matches(p, f) -> bool:
    return (
        p.task_number == f["task"]
        and p.goal == f["goal"]
        and p.unit == f["unit"]
        and p.deadline == f["deadline"]
        and compact(p.sentence) == f["sentence"]
    )


def _score():
    draft = draft_plan(PLAN_TEXT, 2020)
    proposals = draft.proposals
    fixture, derived = _fixture_targets()
    # One proposal per fixture target: pairs that agree on goal, unit, deadline and sentence, the
    # closest names first (several milestones share one sentence).
    pairs = sorted(
        (
            (_lcs(p.name, f["name"]), i, j)
            for i, p in enumerate(proposals)
            for j, f in enumerate(fixture)
            if _matches(p, f)
        ),
        reverse=True,
    )
    used_p, used_f, matched = set(), set(), {}
    for score, i, j in pairs:
        if i in used_p or j in used_f or score < 2:
            continue
        used_p.add(i)
        used_f.add(j)
        matched[fixture[j]["code"]] = proposals[i]
    # A proposal drawn from a derived target's sentence is left out of precision too: the seed's
    # goal there is not the text's (6-03: the drafter proposes the stated 220, the seed keeps 378).
    derived_sentences = {f["sentence"] for f in derived}
    judged = [
        i for i, p in enumerate(proposals) if i in used_p or compact(p.sentence) not in derived_sentences
    ]
    recall = len(matched) / len(fixture)
    precision = len([i for i in judged if i in used_p]) / len(judged)
    return draft, fixture, matched, recall, precision


def test_recall_and_precision_on_the_seed_plan():
    draft, fixture, matched, recall, precision = _score()
    missed = [f["code"] for f in fixture if f["code"] not in matched]
    print(
        f"\ntextdraft on the seed plan: {len(fixture)} targets, {len(draft.proposals)} proposals, "
        f"recall {recall:.1%}, precision {precision:.1%}, missed {missed}"
    )
    assert len(fixture) == 23
    assert recall >= 0.90
    assert precision >= 0.80
    # Today's exact result, so a change of rules shows.
    assert (len(matched), len(draft.proposals)) == (23, 24)
    assert recall == 1.0
    assert precision == 1.0


def test_tasks_measures_and_sentences():
    draft = draft_plan(PLAN_TEXT, 2020)
    assert draft.title == "围绕高质量发展 中原区部署八大重点工作"
    assert [t.number for t in draft.tasks] == [1, 2, 3, 4, 5, 6, 7, 8]
    first = draft.tasks[0]
    assert (first.title, first.headline) == ("抓牢常态化疫情防控", "科学预防 及时发现 快速处置")
    assert first.measures == ["强化防控责任落实", "突出重点人员、重点场所管理", "加强公共卫生体系建设"]
    assert draft.tasks[5].measures == ["强化理念提升", "坚持统筹推进", "走好群众路线", "用好“一线工作法”"]
    # Task 8 is cut off mid-sentence; its last sentence is kept as it is.
    assert (
        compact(draft.tasks[7].sentences[-1].text)
        == "引导基层党组织加强自身建设、走好群众路线、执行民主制度、"
    )
    # Every sentence's offsets point at it in the text, across the PDF's paragraph breaks.
    for task in draft.tasks:
        for s in task.sentences:
            assert PLAN_TEXT[s.start : s.end] == s.text
    by_code = {p.code: p for p in draft.proposals}
    assert by_code["5-01"].sentence == "年底前\n\n须水河核心片区欢乐海岸项目开工建设。"
    assert by_code["6-07"].measure == "坚持统筹推进"


def test_each_proposal_field():
    by_code = {p.code: p for p in draft_plan(PLAN_TEXT, 2020).proposals}
    got = {
        code: (
            p.kind,
            p.direction,
            p.goal,
            p.unit,
            p.deadline,
            p.deadline_stated,
            p.commitment,
            p.standard,
            p.goal_wording,
        )
        for code, p in by_code.items()
    }
    end = dt.date(2020, 12, 31)
    assert got["3-01"] == (
        "cumulative",
        "gte",
        Decimal(12),
        "个",
        dt.date(2020, 9, 30),
        True,
        "firm",
        False,
        "",
    )
    assert got["5-02"] == ("milestone", "gte", None, "", dt.date(2020, 10, 31), True, "firm", False, "")
    assert got["6-03"] == ("cumulative", "gte", Decimal(220), "个", end, True, "", False, "大头落地")
    assert by_code["6-03"].remaining is True
    assert got["6-04"] == ("milestone", "gte", None, "", end, True, "", False, "基本完成")
    assert got["6-05"] == ("level", "gte", Decimal(98), "%", end, False, "", True, "")
    assert got["6-10"] == ("cumulative", "gte", Decimal(37), "条", end, True, "stretch", False, "")
    assert got["6-11"] == ("milestone", "gte", None, "", end, False, "firm", False, "")
    assert got["7-02"] == ("level", "lte", Decimal(0), "个", end, False, "", True, "")
    assert got["7-03"] == ("level", "lte", Decimal(10), "%", end, False, "", True, "")
    assert got["7-10"] == ("cumulative", "gte", Decimal("175.5"), "万平方米", end, False, "", False, "")
    assert [by_code[c].name for c in ("7-02", "7-03", "7-08", "7-09")] == [
        "66人以上超大班额",
        "56人以上大班额占比",
        "孙坡遗址生态文化公园开工建设",
        "三十里铺遗址生态文化公园开工建设",
    ]


@pytest.mark.parametrize(
    "text,value", [("三十", 30), ("二十三", 23), ("一百零五", 105), ("十二", 12), ("两千", 2000), ("x", None)]
)
def test_chinese_numbers(text, value):
    assert chinese_number(text) == value


@pytest.mark.parametrize(
    "clause,date",
    [
        ("确保9月底前完工", dt.date(2021, 9, 30)),
        ("10月底前开园", dt.date(2021, 10, 31)),
        ("年底前完成", dt.date(2021, 12, 31)),
        ("上半年建成", dt.date(2021, 6, 30)),
        ("三季度开工", dt.date(2021, 9, 30)),
        ("6月15日前签约", dt.date(2021, 6, 15)),
        ("二月底前完成", dt.date(2021, 2, 28)),
        ("加快推进", None),
    ],
)
def test_deadlines(clause, date):
    assert find_deadline(clause, 2021)[0] == date


def test_other_plans_wording():
    text = (
        "某区2021年重点工作\n\n重点工作 1\n\n稳增长 促发展\n\n抓好项目。确保三季度前新开工项目达到十五个以上,"
        "力争上半年引进500强企业3家。全年招商引资到位资金不低于120亿元。紧盯20个重点项目。"
        "一个项目一套方案。\n"
    )
    proposals = draft_plan(text, 2021).proposals
    got = [(p.kind, p.direction, p.goal, p.unit, p.deadline, p.commitment, p.standard) for p in proposals]
    assert got == [
        ("level", "gte", Decimal(15), "个", dt.date(2021, 9, 30), "firm", False),
        ("cumulative", "gte", Decimal(3), "家", dt.date(2021, 6, 30), "stretch", False),
        ("level", "gte", Decimal(120), "亿元", dt.date(2021, 12, 31), "", True),
    ]
