"""Draft a plan from its text on the site: paste or upload, review, confirm all or nothing."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from planning.models import SourceDocument, TrackedSentence
from targets.models import KeyTask, Plan, Target
from targets.tests.world import db_fingerprint

ROOT = Path(__file__).resolve().parents[2]
PLAN_TEXT = (ROOT / "fixtures/sources/zhongyuan_2020_plan.txt").read_text(encoding="utf-8")
START = reverse("planning:draft-start")


def _start(client, **extra):
    data = {"district": "样例区", "city": "郑州市", "year": "2020", "title": "", "text": PLAN_TEXT} | extra
    return client.post(START, data)


def _review_data(response, **changes):
    """The review form as shown, every proposal accepted, with `changes` ({"p3-goal": "40"})."""
    data = {}
    for form_rows in response.context["tasks"]:
        for row in form_rows["rows"]:
            form = row["form"]
            for name in form.fields:
                value = form.initial.get(name)
                key = f"{form.prefix}-{name}"
                if name == "standard":
                    if value:
                        data[key] = "on"
                    continue
                data[key] = "" if value is None else str(value)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_paste_review_confirm_creates_plan_tasks_and_accepted_targets(chief_client):
    before = db_fingerprint()
    response = _start(chief_client)
    assert response.status_code == 302
    assert db_fingerprint() == before  # nothing is created before the confirmation
    review = chief_client.get(response["Location"])
    assert review.status_code == 200
    assert review.context["count"] == 24
    # Reject 6-03 (the drafter's 220, the seed's derived goal differs), edit 6-10's goal.
    codes = [row["proposal"].code for t in review.context["tasks"] for row in t["rows"]]
    i_603, i_610 = codes.index("6-03"), codes.index("6-10")
    data = _review_data(review, **{f"p{i_603}-decision": "reject", f"p{i_610}-goal": "40"})
    done = chief_client.post(response["Location"], data)
    assert done.status_code == 302
    plan = Plan.objects.get(district="样例区", year=2020)
    assert done["Location"] == reverse("planning:plan-setup", args=[plan.pk])
    assert (plan.status, plan.title, plan.city) == (
        "draft",
        "围绕高质量发展 中原区部署八大重点工作",
        "郑州市",
    )
    assert (plan.period_start, plan.period_end) == (dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert list(plan.key_tasks.values_list("number", "title")) == [
        (1, "抓牢常态化疫情防控"),
        (2, "全力以赴稳增长"),
        (3, "加快推进项目建设"),
        (4, "大力开展招商引资"),
        (5, "高品质推进三大核心板块建设"),
        (6, "高标准做好“双改”工作"),
        (7, "保障改善民生"),
        (8, "切实加强党的建设"),
    ]
    targets = Target.objects.filter(key_task__plan=plan)
    assert targets.count() == 23
    assert not targets.filter(code="6-03").exists()
    t610 = targets.get(code="6-10")
    assert (t610.goal, t610.unit_of_measure, t610.deadline, t610.commitment, t610.kind) == (
        Decimal("40.00"),
        "条",
        dt.date(2020, 12, 31),
        "stretch",
        "cumulative",
    )
    assert t610.source_text == "力争年底前37条道路建成通车,确保中央文化区北部片区管廊环廊建成投用。"
    t705 = targets.get(code="7-02")
    assert (t705.kind, t705.direction, t705.goal, t705.standard) == ("level", "lte", Decimal("0.00"), True)
    # The text is the plan's first source document; each target's sentence is tracked in it.
    document = SourceDocument.objects.get(plan=plan)
    assert document.text == PLAN_TEXT
    tracked = TrackedSentence.objects.filter(document=document)
    assert tracked.count() == 23
    for s in tracked.select_related("target"):
        assert document.text[s.start : s.end] == s.target.source_text
    # The draft is gone: confirming again changes nothing.
    before = db_fingerprint()
    again = chief_client.post(response["Location"], data)
    assert again.status_code == 404
    assert db_fingerprint() == before


def test_an_invalid_proposal_creates_nothing(chief_client):
    response = _start(chief_client)
    review = chief_client.get(response["Location"])
    data = _review_data(review, **{"p0-goal": "", "p1-deadline": "2021-03-31", "p2-goal": "5"})
    before = db_fingerprint()
    page = chief_client.post(response["Location"], data)
    assert page.status_code == 400
    assert db_fingerprint() == before
    forms = [row["form"] for t in page.context["tasks"] for row in t["rows"]]
    assert forms[0].errors["goal"] == ["累计量和水平类目标须填写目标值。"]
    assert forms[1].errors["deadline"] == ["完成期限须在计划年度(2020年)内。"]
    assert forms[2].errors["goal"] == ["里程碑没有目标值,请清空。"]
    assert "有提议需要修改,尚未创建任何数据。" in page.content.decode()


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_upload_utf8_or_gbk_text(chief_client, encoding):
    upload = SimpleUploadedFile("plan.txt", PLAN_TEXT.encode(encoding, errors="strict"), "text/plain")
    response = chief_client.post(START, {"district": "样例区", "year": "2020", "file": upload})
    assert response.status_code == 302
    review = chief_client.get(response["Location"])
    assert review.context["count"] == 24


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("plan.txt", b"\x00\x01binary", "文件不是文本文件(.txt)。"),
        ("plan.pdf", b"%PDF-1.4", "请上传 .txt 文本文件。"),
        ("plan.txt", b"x" * (1024 * 1024 + 1), "文件过大(1048577 字节),原文文件不能超过 1048576 字节。"),
        (
            "plan.txt",
            "没有标题的一段话。".encode(),
            "原文中没有找到“重点工作 1”这样的标题,无法拆分重点工作。",
        ),
    ],
)
def test_bad_uploads_get_a_message_and_change_nothing(chief_client, name, content, message):
    before = db_fingerprint()
    upload = SimpleUploadedFile(name, content, "application/octet-stream")
    response = chief_client.post(START, {"district": "样例区", "year": "2020", "file": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert db_fingerprint() == before
    assert chief_client.session.get("planning_drafts") in (None, {})


def test_an_existing_plan_year_is_refused(chief_client):
    Plan.objects.create(
        district="样例区",
        year=2020,
        title="已有",
        period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2020, 12, 31),
    )
    response = _start(chief_client)
    assert response.status_code == 400
    assert "样例区 2020 年的计划已存在。" in response.content.decode()


def test_only_plan_admins_draft(reviewer_client):
    assert reviewer_client.get(START).status_code == 403
    assert _start(reviewer_client).status_code == 403
    assert KeyTask.objects.count() == 0


def test_the_draft_page_in_english(chief_client):
    chief_client.cookies["django_language"] = "en"
    page = chief_client.get(START)
    assert "Draft a plan from its text" in page.content.decode()
