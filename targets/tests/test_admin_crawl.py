"""Every filter of every admin list, as every role: each link the page offers answers, never a 500.

The crawl starts at each registered ModelAdmin's changelist, with and without the facet counts
(显示计数), and follows every link of the filter sidebar and of the date hierarchy found in the
page's HTML.
"""

from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import reverse

from .world import ROLES, build_world

ADMIN_LOGIN = reverse("admin:login")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


class _FilterLinks(HTMLParser):
    """The hrefs inside <nav id="changelist-filter"> and <nav class="toplinks"> (date hierarchy)."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav":
            inside = (
                self._depth or attrs.get("id") == "changelist-filter" or "toplinks" in attrs.get("class", "")
            )
            self._depth += 1 if inside else 0
        elif tag == "a" and self._depth and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "nav" and self._depth:
            self._depth -= 1


def filter_links(response) -> list[str]:
    parser = _FilterLinks()
    parser.feed(response.content.decode())
    return parser.links


def changelists():
    return [
        pytest.param(model, id=f"{model._meta.app_label}.{model._meta.model_name}")
        for model in admin.site._registry
    ]


def client_for(world, role) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("model", changelists())
def test_every_filter_link_of_every_changelist_answers(world, model):
    base = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    report = {}
    for role in ROLES:
        client = client_for(world, role)
        first = client.get(base)
        if role in ("anonymous", "viewer"):
            # Not staff: the admin sends them to its login page, whatever the list.
            assert (first.status_code, first["Location"].split("?")[0]) == (302, ADMIN_LOGIN), role
            report[role] = "login"
            continue
        if first.status_code == 403:
            report[role] = 403
            continue
        assert first.status_code == 200, (role, first.status_code)
        facets = client.get(base + "?_facets=True")
        assert facets.status_code == 200, (role, "facets")
        seen, failures = set(), []
        for page in (first, facets):
            for href in filter_links(page):
                url = urljoin(base, href)
                if url in seen:
                    continue
                seen.add(url)
                status = client.get(url).status_code
                if status != 200:
                    failures.append((url, status))
        assert failures == [], role
        report[role] = seen
    # Who may open the list at all; the link counts show the crawl followed something.
    assert {role: (r if r in ("login", 403) else "list") for role, r in report.items()} == EXPECTED_ACCESS[
        f"{model._meta.app_label}.{model._meta.model_name}"
    ]
    if model._meta.label == "targets.Target":
        crawled = [dict(parse_qsl(urlsplit(url).query)) for url in report["admin"]]
        assert {"responsible_units__isempty": "1"} in crawled
        assert {"responsible_units__isempty": "1", "_facets": "True"} in crawled


_L, _F = "list", 403
# Staff roles only; anonymous and viewer are always sent to the login page.
EXPECTED_ACCESS = {
    label: {"anonymous": "login", "viewer": "login"} | dict(zip(ROLES[2:], access, strict=True))
    for label, access in {
        #                            rep_a rep_b reviewer admin
        "auth.group": (_F, _F, _F, _L),
        "auth.user": (_F, _F, _F, _L),
        "axes.accessattempt": (_F, _F, _F, _L),
        "axes.accesslog": (_F, _F, _F, _L),
        "axes.accessfailurelog": (_F, _F, _F, _L),
        "targets.plan": (_L, _L, _L, _L),
        "targets.unit": (_L, _L, _L, _L),
        "targets.keytask": (_L, _L, _L, _L),
        "targets.target": (_L, _L, _L, _L),
        "targets.figure": (_L, _L, _L, _L),
        "targets.figureevent": (_F, _F, _L, _L),
        "projects.projectgroup": (_L, _L, _L, _L),
        "projects.project": (_L, _L, _L, _L),
        "projects.stagechange": (_L, _L, _L, _L),
        "reports.bulletinnote": (_F, _F, _L, _L),
        # 政务公开: holders of public.publish_plan (the 督查室 and admins).
        "public.publication": (_F, _F, _L, _L),
        # Notices: the units' group robots (群机器人) are set up by admins.
        "notices.unitwebhook": (_F, _F, _F, _L),
        # 督办事项: the 督查室 and admins.
        "supervision.superviseditem": (_F, _F, _L, _L),
    }.items()
}


def test_every_registered_changelist_has_an_expectation():
    labels = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    assert labels == set(EXPECTED_ACCESS)


# --- the unit filter of the target list (空 / 非空) -------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("?responsible_units__isempty=1", ["1-03"]),
        ("?responsible_units__isempty=0", ["1-01", "1-02"]),
        ("?responsible_units__isempty=0&_facets=True", ["1-01", "1-02"]),
        ("?_facets=True", ["1-01", "1-02", "1-03"]),
    ],
)
def test_target_list_filters_on_having_no_unit(world, query, codes):
    client = client_for(world, "admin")
    # A target with two units is still listed once.
    world.target_b.responsible_units.add(world.unit_a)
    response = client.get(reverse("admin:targets_target_changelist") + query)
    assert response.status_code == 200
    assert sorted(t.code for t in response.context["cl"].result_list) == codes
    if "_facets" in query:
        (unit_filter,) = [
            f for f in response.context["cl"].filter_specs if f.field_path == "responsible_units"
        ]
        titles = [c["display"] for c in unit_filter.choices(response.context["cl"])]
        # Counted over the list without this filter's own choice, each target once.
        assert titles == ["全部", "空 (1)", "非空 (2)"]
