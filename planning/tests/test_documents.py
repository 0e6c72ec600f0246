"""The seed's two source documents, every seed target's sentence tracked, and the 原文 page."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from planning.models import SourceDocument, TrackedSentence
from planning.seed import find_sentence
from targets.models import Target


@pytest.fixture
def seeded(db):
    out = io.StringIO()
    call_command("load_seed", stdout=out)
    return out.getvalue()


def test_the_seed_documents_come_first_and_every_target_is_tracked(seeded):
    assert seeded.splitlines()[1] == "source documents: 2 added, 81 sentences linked"
    plan_doc, report = SourceDocument.objects.order_by("pk")
    assert plan_doc.title == "围绕高质量发展 中原区部署八大重点工作"
    assert report.title == "务实重干 克难攻坚 抓“六稳”促“六保” 凝心聚力建设“四个中原”"
    assert Target.objects.count() == TrackedSentence.objects.count() == 81
    for s in TrackedSentence.objects.select_related("target", "document"):
        expected = plan_doc if s.target.source == "plan" else report
        assert s.document == expected
        found = s.document.text[s.start : s.end]
        # The document keeps the PDF's line breaks and the report's emphasis (**317.8亿元**).
        assert "".join(found.replace("*", "").split()) == "".join(s.target.source_text.split())
    # Run again: nothing is added twice.
    out = io.StringIO()
    call_command("load_seed", stdout=out)
    assert out.getvalue().splitlines()[1] == "source documents: 0 added, 0 sentences linked"
    assert (SourceDocument.objects.count(), TrackedSentence.objects.count()) == (2, 81)


def test_find_sentence_across_pdf_line_breaks():
    text = "前文。年底前\n\n须水河项目开工建设。后文"
    assert find_sentence(text, "年底前须水河项目开工建设。") == (3, 18)
    assert find_sentence(text, "不在文中。") is None
    assert find_sentence("增加值完成**36亿元**,", "增加值完成36亿元,") == (0, 14)


def test_the_document_page_marks_every_tracked_sentence_and_highlights_one(seeded, viewer_client):
    plan_doc = SourceDocument.objects.order_by("pk").first()
    target = Target.objects.get(code="6-10")
    url = reverse("planning:document", args=[plan_doc.pk])
    page = viewer_client.get(url, {"highlight": target.pk})
    assert page.status_code == 200
    html = page.content.decode()
    # 25 targets from the plan's text in 14 sentences (several targets share one).
    marked = [p for p in page.context["pieces"] if "targets" in p]
    assert sum(len(p["targets"]) for p in marked) == 25
    assert len(marked) == 14
    lit = [p for p in marked if p["highlight"]]
    assert [p["text"] for p in lit] == ["力争年底前37条道路建成通车,确保中央文化区北部片区管廊环廊建成投用。"]
    assert [t.code for t in lit[0]["targets"]] == ["6-10", "6-11"]
    assert html.count('id="highlight"') == 1
    assert f'href="{reverse("targets:target-detail", args=[target.pk])}"' in html
    # The whole text is there, in order.
    assert "".join(p["text"] for p in page.context["pieces"]) == plan_doc.text
    # A highlight that is not a number is ignored, never a 500.
    assert viewer_client.get(url, {"highlight": "x" * 50}).status_code == 200
    assert viewer_client.get(reverse("planning:document", args=[9999])).status_code == 404


def test_the_target_page_links_to_its_sentence_in_the_document(seeded, viewer_client):
    target = Target.objects.get(code="6-10")
    document = target.tracked_sentence.document
    html = viewer_client.get(reverse("targets:target-detail", args=[target.pk])).content.decode()
    link = f"{reverse('planning:document', args=[document.pk])}?highlight={target.pk}#highlight"
    assert f'href="{link}"' in html
    untracked = Target.objects.create(
        key_task=target.key_task,
        code="6-99",
        name="无原文",
        kind="milestone",
        start=target.start,
        deadline=target.deadline,
        source_text="手工录入。",
    )
    html = viewer_client.get(reverse("targets:target-detail", args=[untracked.pk])).content.decode()
    assert "?highlight=" not in html
