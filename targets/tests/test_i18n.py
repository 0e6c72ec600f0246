"""Chinese first, English on request: the switcher, the catalogue, dates, amounts and English names.

The page language comes only from the cookie Django's set_language view sets (the header's
switcher); a browser that asks for English in Accept-Language still gets Chinese.
"""

import ast
import datetime as dt
import gettext
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from common.formatting import fmt_qualified, fmt_yi_yuan, fmt_yi_yuan_pair, join_list, month_label

from .factories import make_figure, make_target, make_user

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
JUNE = dt.date(2020, 6, 1)


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    # A request in English leaves English active in this thread; later tests expect the default.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def target(task):
    target = make_target(task, "1-01", name="新建公园", goal=Decimal("20"), unit_of_measure="座")
    make_figure(target, JUNE, 8)
    return target


def choose(client, language: str, next_url: str = "/"):
    """Press the switcher's button for `language`, as the header form does."""
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url
    return response


def page(client, url: str, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


# --- choosing the language ----------------------------------------------------------------------


def test_default_is_chinese_even_when_the_browser_asks_for_english(viewer_client, plan, target):
    response = viewer_client.get(
        reverse("targets:plan-detail", args=[plan.pk]), HTTP_ACCEPT_LANGUAGE="en-US,en"
    )
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "各项重点工作" in html and "Key tasks" not in html
    assert response["Content-Language"] == "zh-hans"
    # No choice was made, so no language cookie is set.
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_switching_to_english_shows_the_overview_and_target_page_in_english(viewer_client, plan, target):
    overview = reverse("targets:plan-detail", args=[plan.pk])
    response = choose(viewer_client, "en", overview)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    html = page(viewer_client, overview, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert '<html lang="en">' in html
    assert "<h2>Key tasks</h2>" in html
    assert "Needs attention" in html
    assert "各项重点工作" not in html
    # Dates in the as-of menu are English, not 2020年6月30日.
    assert ">30 June 2020</option>" in html
    assert "年6月30日" not in html

    html = page(viewer_client, target.get_absolute_url())
    for text in ("Expected progress", "Completion rate", "Responsible unit", "Monthly figures (reviewed)"):
        assert text in html
    # The data keeps its language: the Chinese name and unit are shown as they are, marked as Chinese.
    assert '1-01 <span lang="zh-hans">新建公园</span>' in html
    assert '≥ 20 <span lang="zh-hans">座</span>' in html


def test_bulletin_in_english(viewer_client, plan, target):
    url = reverse("reports:bulletin", args=[plan.pk]) + "?month=2020-06"
    assert "截至2020年6月底,全区1项量化目标中" in page(viewer_client, url)
    choose(viewer_client, "en", url)
    html = page(viewer_client, url)
    assert "<h2>1. Overview</h2>" in html
    assert (
        "As of the end of June 2020, 1 of the district’s 1 quantified target has data "
        "(coverage 1/1): On track 1." in html
    )
    assert '<option value="2020-06" selected>June 2020</option>' in html
    assert "年6月" not in html


def test_switching_back_to_chinese(viewer_client, plan, target):
    overview = reverse("targets:plan-detail", args=[plan.pk])
    choose(viewer_client, "en", overview)
    choose(viewer_client, "zh-hans", overview)
    html = page(viewer_client, overview)
    assert '<html lang="zh-hans">' in html and "各项重点工作" in html
    assert ">2020年6月30日</option>" in html


def test_an_unknown_language_cookie_falls_back_to_chinese(viewer_client, plan):
    viewer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = page(viewer_client, reverse("targets:plan-detail", args=[plan.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="zh-hans">' in html


def test_every_page_has_a_labelled_switcher_for_both_languages(client, viewer_client, plan):
    for html in (
        page(client, reverse("login")),
        page(viewer_client, reverse("targets:plan-detail", args=[plan.pk])),
    ):
        form = re.search(
            r'<form class="lang-switch" action="/i18n/setlang/" method="post">.*?</form>', html, re.S
        )
        assert form, "no language switcher"
        form = form.group(0)
        assert 'name="csrfmiddlewaretoken"' in form
        assert '<span class="lang-label" id="lang-label">语言</span>' in form
        assert 'role="group" aria-labelledby="lang-label"' in form
        assert re.search(
            r'<button type="submit" name="language" value="zh-hans" lang="zh-hans" aria-current="true"', form
        )
        assert '<button type="submit" name="language" value="en" lang="en">English</button>' in form


def test_admin_in_english(client, plan):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    html = page(client, reverse("admin:index"))
    assert "数据管理" in html and 'action="/i18n/setlang/"' in html

    choose(client, "en", reverse("admin:index"))
    html = page(client, reverse("admin:index"))
    assert "Key Task Target Tracker · Data reporting" in html
    assert "Data management" in html
    assert "Quantified targets" in html
    assert "数据管理" not in html
    assert 'value="en" lang="en" aria-current="true"' in html


def test_admin_login_page_has_the_switcher(client):
    html = page(client, reverse("admin:login"))
    assert 'action="/i18n/setlang/"' in html
    choose(client, "en", reverse("admin:login"))
    assert "Log in" in page(client, reverse("admin:login"))


def test_cached_pages_are_kept_apart_by_language(viewer_client, plan, target, settings):
    settings.PAGE_CACHE_SECONDS = 600
    url = reverse("targets:plan-detail", args=[plan.pk])
    assert "各项重点工作" in page(viewer_client, url)
    choose(viewer_client, "en", url)
    assert "Key tasks" in page(viewer_client, url)
    choose(viewer_client, "zh-hans", url)
    assert "各项重点工作" in page(viewer_client, url)


# --- the data's own language ----------------------------------------------------------------------


def test_english_name_is_shown_on_english_pages_only(viewer_client, plan, task, target):
    target.name_en = "Build new parks"
    target.save()
    untranslated = make_target(task, "1-02", name="改造公厕")
    overview_list = reverse("targets:target-list", args=[plan.pk])

    html = page(viewer_client, target.get_absolute_url())
    assert "<h1>1-01 新建公园</h1>" in html
    assert "<title>1-01 新建公园</title>" in html

    choose(viewer_client, "en")
    html = page(viewer_client, target.get_absolute_url())
    assert "<h1>1-01 Build new parks</h1>" in html
    assert "<title>1-01 Build new parks</title>" in html
    html = page(viewer_client, overview_list)
    assert ">Build new parks</a>" in html
    # Without an English name the Chinese one is shown.
    assert '><span lang="zh-hans">改造公厕</span></a>' in html
    assert untranslated.display_name == "改造公厕"


def test_saving_a_project_in_english_keeps_its_investment_target_chinese(task):
    from projects.investment import sync_investment_target
    from projects.models import Project

    with translation.override("en"):
        project = Project.objects.create(
            plan=task.plan, name="甲项目", key_task=task, annual_planned_investment=10
        )
        target = sync_investment_target(project)
    assert target.name == "甲项目 年度投资"
    assert target.source_text == "项目台账:甲项目 年度计划投资"
    assert target.name_en == ""


# --- numbers, months and lists per language --------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", ["12.5 亿元", "0.35 亿元", "10 / 40 亿元", "100余", "近100", "甲、乙", "2020年9月"]),
        (
            "en",
            [
                "RMB 1.25 billion",
                "RMB 35 million",
                "RMB 1 / 4 billion",
                "more than 100",
                "nearly 100",
                "甲, 乙",
                "September 2020",
            ],
        ),
    ],
)
def test_formatting_follows_the_language(language, expected):
    with translation.override(language):
        got = [
            fmt_yi_yuan(Decimal("12.5")),
            fmt_yi_yuan(Decimal("0.35")),
            fmt_yi_yuan_pair(Decimal("10"), Decimal("40")),
            fmt_qualified(Decimal("100"), "more_than"),
            fmt_qualified(Decimal("100"), "nearly"),
            join_list(["甲", "乙"]),
            month_label(dt.date(2020, 9, 1)),
        ]
    assert got == expected


# --- the catalogue ------------------------------------------------------------------------------------


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr[n] and flags. Enough for our own file."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(field, int):
                entry["msgstr"][field] += text
            else:
                entry[field] += text
        else:
            keyword, _space, value = line.partition(" ")
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            field = int(match.group(1)) if match else (0 if keyword == "msgstr" else keyword)
            if isinstance(field, int):
                entry["msgstr"][field] = ast.literal_eval(value)
            else:
                entry[field] = ast.literal_eval(value)
    finish()
    return entries


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%|%[sd]")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text) + ["%%"] * text.count("%%"))


def test_every_english_message_is_translated_with_its_placeholders():
    entries = parse_po(CATALOGUE)
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == ""
    assert "Language: en\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]
    assert len(messages) > 500
    problems = []
    for message in messages:
        name = (message.get("msgctxt"), message["msgid"])
        if "fuzzy" in message["flags"]:
            problems.append(("fuzzy", name))
        forms = [message["msgstr"][n] for n in sorted(message["msgstr"])]
        expected_forms = 2 if "msgid_plural" in message else 1
        if len(forms) != expected_forms or not all(form.strip() for form in forms):
            problems.append(("untranslated", name))
            continue
        for form in forms:
            if placeholders(form) != placeholders(message["msgid"]):
                problems.append(("placeholders", name, form))
        if re.search(r"[\u4e00-\u9fff]", "".join(forms)) and not re.search(
            r"“[^”]*[\u4e00-\u9fff]", "".join(forms)
        ):
            # Chinese may appear only where the English cites the Chinese text of the Excel template.
            problems.append(("chinese left in the English", name, forms))
    assert problems == []


def test_compiled_catalogue_matches_the_po_file():
    """The .mo in git is what Django reads; it must say what the .po says (run compilemessages)."""
    with COMPILED.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for message in parse_po(CATALOGUE)[1:]:
        msgid = message["msgid"]
        if "msgctxt" in message:
            got = compiled.pgettext(message["msgctxt"], msgid)
        elif "msgid_plural" in message:
            got = compiled.ngettext(msgid, message["msgid_plural"], 2)
            assert got == message["msgstr"][1], msgid
            got = compiled.ngettext(msgid, message["msgid_plural"], 1)
        else:
            got = compiled.gettext(msgid)
        assert got == message["msgstr"][0], msgid
