"""Any text drafts without an error, and a confirmed draft of it never answers 500."""

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning.textdraft import draft_plan

PIECES = [
    "重点工作 1\n\n",
    "重点工作 1\n\n",
    "重点工作 0\n\n",
    "重点工作 99999\n\n",
    "重点工作 十\n\n",
    "标题 要点\n\n",
    "确保",
    "力争",
    "年底前",
    "13月底前",
    "十三月底前",
    "上半年",
    "三季度",
    "9月31日前",
    "新建",
    "完成",
    "开工建设",
    "建成开放",
    "12个",
    "999999999999999999条",
    "一个",
    "十十个",
    "不低于",
    "不超过",
    "98%",
    "彻底消除",
    "66人以上",
    "以上",
    "剩余",
    "大头落地",
    "基本完成",
    "、",
    ",",
    "。",
    ";",
    "“",
    "”",
    "\n\n",
    "公园",
]
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=5), max_size=40).map("".join)


@given(texts)
@settings(max_examples=300, deadline=None)
def test_any_text_drafts(text):
    draft = draft_plan(text, 2021)
    numbers = [t.number for t in draft.tasks]
    assert len(numbers) == len(set(numbers))
    assert all(1 <= n <= 99 for n in numbers)
    for p in draft.proposals:
        assert text.replace("\r\n", "\n").replace("\r", "\n")[p.start : p.end] == p.sentence
        assert p.deadline.year == 2021


@pytest.mark.django_db
@given(texts)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_confirming_any_draft_never_answers_500(chief_client, text):
    response = chief_client.post(
        reverse("planning:draft-start"),
        {"district": f"区{dt.datetime.now().timestamp()}", "year": "2021", "text": text},
    )
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        review = chief_client.get(response["Location"])
        data = {}
        for task in review.context["tasks"]:
            for row in task["rows"]:
                form = row["form"]
                for name in form.fields:
                    value = form.initial.get(name)
                    if name == "standard":
                        if value:
                            data[f"{form.prefix}-{name}"] = "on"
                        continue
                    data[f"{form.prefix}-{name}"] = "" if value is None else str(value)
        assert chief_client.post(response["Location"], data).status_code in (302, 400)
