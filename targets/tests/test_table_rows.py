"""The table rows written by `{% table_rows %}` equal django-tables2's own template loop, tag for tag.

The progress tables (all targets, key task) and the project list render their rows with a tag
instead of the library's per-cell template loop. Rendered both ways from the same table (the
seed plan and a synthetic plan, first and second pages, sorted and filtered), the HTML is the
same once the whitespace between tags (which the template's indentation adds) is left out.
"""

import itertools
import re

import pytest
from django.core.management import call_command
from django.template import engines
from django.urls import reverse

from bench.management.commands.generate_scale_data import Command as GenerateScaleData
from targets.models import KeyTask, Plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0


def tbodies(html: str) -> list[str]:
    return [
        re.sub(r">\s+<", "><", body).strip()
        for body in re.findall(r"<tbody[^>]*>.*?</tbody>", html, flags=re.S)
    ]


def tbody(html: str) -> str:
    (body,) = tbodies(html)
    return body


def both_ways(response) -> tuple[str, str]:
    table = response.context["table"]
    request = response.wsgi_request
    django_engine = engines["django"]
    library = django_engine.from_string('{% extends "django_tables2/bootstrap5.html" %}')
    ours = django_engine.from_string('{% extends "django_tables2/scroll.html" %}')
    context = {"table": table, "request": request}
    rendered = []
    for template in (ours, library):
        table._counter = itertools.count()  # the even/odd row classes count from the first row
        rendered.append(tbody(template.render(context, request)))
    return tuple(rendered)


def pages(plan: Plan) -> list[str]:
    task = KeyTask.objects.filter(plan=plan).order_by("number").first()
    return [
        reverse("targets:target-list", args=[plan.pk]),
        reverse("targets:target-list", args=[plan.pk]) + "?sort=-light",
        reverse("targets:target-list", args=[plan.pk]) + "?light=behind&light=no_data",
        reverse("targets:target-list", args=[plan.pk]) + "?unit=-1",  # refused: no table
        reverse("targets:keytask-detail", args=[task.pk]),
        reverse("projects:project-list", args=[plan.pk]),
        reverse("projects:project-list", args=[plan.pk]) + "?page=2",
        reverse("projects:project-list", args=[plan.pk]) + "?sort=-stage",
        reverse("projects:project-list", args=[plan.pk]) + "?stage=nothing-matches",
    ]


def test_table_rows_equal_the_librarys_loop_on_the_seed_and_a_synthetic_plan(admin_client):
    call_command("load_seed", verbosity=0)
    call_command(GenerateScaleData(), districts=1, years=1, targets=60, projects=70, units=4, verbosity=0)
    compared = 0
    for plan in Plan.objects.all():
        for url in pages(plan):
            response = admin_client.get(url)
            assert response.status_code in (200, 400), url
            if response.context.get("table") is None:
                continue
            ours, library = both_ways(response)
            assert ours == library, url
            # The page carries the tag's rows.
            assert ours in tbodies(response.content.decode()), url
            compared += 1
    assert compared >= 12
