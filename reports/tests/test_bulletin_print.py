"""The printed 通报 of a demo month (the seed plus a month of entered figures) fits three A4 pages,
with every section it prints holding something, numbered without gaps."""

import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from reports import documents, narrative
from reports.bulletin import build_bulletin
from targets.models import Figure, Plan, Target, Unit
from tests.tools import needs

pytestmark = [
    pytest.mark.django_db,
    needs(shutil.which("chromium") is not None, "Chromium"),
    needs(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)"),
]

NOW = dt.datetime(2020, 9, 20, tzinfo=ZoneInfo("Asia/Shanghai"))
# A month of entered figures: (code, month, value) — the demo, not the seed's facts.
DEMO = [
    ("3-02", 7, "201.5"),
    ("6-03", 7, "300"),
    ("6-10", 7, "9"),
    ("7-11", 7, "88"),
    ("3-02", 8, "230.2"),
    ("6-03", 8, "330"),
    ("6-10", 8, "12"),
    ("7-11", 8, "101.3"),
]


@pytest.fixture
def demo_plan():
    call_command("load_seed", stdout=None)
    plan = Plan.objects.get_by_natural_key("中原区", 2020)
    unit = Unit.objects.create(name="区城建局(演示)")
    for code, month, value in DEMO:
        target = Target.objects.get(key_task__plan=plan, code=code)
        target.responsible_units.add(unit)
        Figure.objects.create(
            target=target, month=dt.date(2020, month, 1), value=Decimal(value), status="approved"
        )
    return plan


def pages(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return [page for page in text.stdout.split("\f") if page.strip()]


@pytest.mark.parametrize("month", [dt.date(2020, 7, 1), dt.date(2020, 8, 1)])
def test_the_demo_bulletin_prints_on_at_most_three_pages(demo_plan, month, tmp_path):
    bulletin = build_bulletin(plan=demo_plan, month=month, now=NOW)
    headings = narrative.outline(bulletin, narrative.for_bulletin(bulletin))
    printed = pages(documents.pdf_bytes(bulletin), tmp_path)
    text = "\n".join(printed)
    assert len(printed) <= 3, [p[:200] for p in printed]
    main = [h for key, h in headings.items() if key not in ("tasks", "ledger", "indicators")]
    assert main[:5] == ["一、总体情况", "二、工作亮点", "三、存在问题", "四、下步工作", "五、红黄榜"]
    flat = re.sub(r"\s+", "", text)
    for heading in headings.values():
        assert re.sub(r"\s+", "", heading) in flat, heading
