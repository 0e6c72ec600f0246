"""The seed plan's two source documents, and each seed target's sentence found in them."""

import datetime as dt
import re

from django.conf import settings

from targets.models import Plan, Target

from .models import SourceDocument, TrackedSentence

# (file under fixtures/sources, title, issuer, date, the targets' source) — in this order, so the
# plan's text is the first document and the mid-year report the second.
SEED_DOCUMENTS = [
    ("zhongyuan_2020_plan.txt", "围绕高质量发展 中原区部署八大重点工作", "中原区", None, Target.Source.PLAN),
    (
        "zhongyuan_2020_h1_report.txt",
        "务实重干 克难攻坚 抓“六稳”促“六保” 凝心聚力建设“四个中原”",
        "中原区委十一届十次全体(扩大)会议",
        dt.date(2020, 7, 31),
        Target.Source.H1_REPORT,
    ),
]


def find_sentence(text: str, sentence: str) -> tuple[int, int] | None:
    """Offsets of `sentence` in `text`: exactly, or else ignoring white space and emphasis marks."""
    if not sentence.strip():
        return None
    start = text.find(sentence)
    if start >= 0:
        return start, start + len(sentence)
    # Line breaks anywhere, and Markdown emphasis (**317.8亿元**) in a report converted to text.
    pattern = r"[\s*]*".join(re.escape(ch) for ch in re.sub(r"\s+", "", sentence))
    m = re.search(pattern, text)
    return (m.start(), m.end()) if m else None


def seed_documents() -> tuple[int, int]:
    """Add the seed plan's documents and link its targets' sentences; (documents, sentences) added.

    Run again, it adds nothing: a document is matched by plan and title, a target keeps its link.
    """
    plan = Plan.objects.filter(district="中原区", year=2020).first()
    if plan is None:
        return 0, 0
    documents = sentences = 0
    for filename, title, issuer, date, source in SEED_DOCUMENTS:
        path = settings.BASE_DIR / "fixtures" / "sources" / filename
        document = SourceDocument.objects.filter(plan=plan, title=title).first()
        if document is None:
            document = SourceDocument.objects.create(
                plan=plan, title=title, issuer=issuer, date=date, text=path.read_text(encoding="utf-8")
            )
            documents += 1
        for target in Target.objects.filter(
            key_task__plan=plan, source=source, tracked_sentence__isnull=True
        ):
            found = find_sentence(document.text, target.source_text)
            if found:
                TrackedSentence.objects.create(target=target, document=document, start=found[0], end=found[1])
                sentences += 1
    return documents, sentences
