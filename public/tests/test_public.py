"""The public page (政务公开): publishing, what is shown, what is not there, caching and robots."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from entry.roles import ADMIN, REPORTER, REVIEWER, assign_role
from public.models import Publication, Robots
from supervision.models import State, SupervisedItem
from targets.models import Figure, Target
from targets.tests.factories import make_figure, make_plan, make_target, make_task, make_unit, make_user

MAY = dt.date(2020, 5, 1)


@pytest.fixture
def world(db):
    """A plan with three targets and two items; people with names that must never be public."""
    admin_user = make_user("admin_zhang", first_name="伟", last_name="张")
    assign_role(admin_user, ADMIN)
    reporter = make_user("rep_li", first_name="娜", last_name="李")
    assign_role(reporter, REPORTER)
    reviewer = make_user("rev_wang", first_name="芳", last_name="王")
    assign_role(reviewer, REVIEWER)
    plan = make_plan()
    task = make_task(plan, 1, title="加快推进项目建设")
    unit = make_unit("区住建局")
    shown = make_target(
        task,
        "1-01",
        name="新建公厕",
        goal=Decimal("120"),
        units=[unit],
        source_text="新建公厕120座。",
        lead_official="赵副区长",
    )
    hidden = make_target(task, "1-02", name="改造老旧小区", goal=Decimal("50"))
    behind = make_target(task, "1-03", name="新增绿地", goal=Decimal("100"))
    make_figure(
        shown,
        dt.date(2020, 3, 1),
        30,
        entered_by=reporter,
        reviewed_by=reviewer,
        progress_note="李娜报送:进展顺利",
        source_text="一季度新建公厕30座。",
    )
    make_figure(shown, dt.date(2020, 4, 1), 48, entered_by=reporter, reviewed_by=reviewer)
    make_figure(shown, MAY, 77.5, status=Figure.Status.DRAFT, entered_by=reporter)
    make_figure(shown, dt.date(2020, 6, 1), 99, entered_by=reporter, reviewed_by=reviewer)
    make_figure(hidden, dt.date(2020, 4, 1), 20, entered_by=reporter, reviewed_by=reviewer)
    make_figure(behind, dt.date(2020, 4, 1), 5, entered_by=reporter, reviewed_by=reviewer)
    item = SupervisedItem.objects.create(
        plan=plan,
        key_task=task,
        code="1.1",
        title="公厕建设",
        source_text="加快公厕建设。",
        lead_unit=unit,
        due_date=dt.date(2020, 12, 31),
        state=State.ASSIGNED,
        lead_official="赵副区长",
    )
    item_hidden = SupervisedItem.objects.create(
        plan=plan,
        key_task=task,
        code="1.2",
        title="小区改造",
        source_text="推进小区改造。",
        due_date=dt.date(2020, 12, 31),
        state=State.ASSIGNED,
    )
    other_plan = make_plan(district="别区")
    other_target = make_target(make_task(other_plan, 1), "9-01")
    return {
        "admin": admin_user,
        "reporter": reporter,
        "reviewer": reviewer,
        "plan": plan,
        "task": task,
        "unit": unit,
        "shown": shown,
        "hidden": hidden,
        "behind": behind,
        "item": item,
        "item_hidden": item_hidden,
        "other_plan": other_plan,
        "other_target": other_target,
    }


def publish(world, targets=("shown", "behind"), items=("item",), **kwargs) -> Publication:
    publication = Publication.objects.create(
        plan=world["plan"],
        as_of_month=MAY,
        published_by=world["admin"],
        published_at=timezone.now(),
        **kwargs,
    )
    publication.targets.set([world[t] for t in targets])
    publication.items.set([world[i] for i in items])
    return publication


def _form(world, **changes):
    data = {
        "plan": str(world["plan"].pk),
        "is_published": "on",
        "as_of_month": "2020-05",
        "targets": [str(world["shown"].pk)],
        "items": [str(world["item"].pk)],
        "robots": "noindex",
        "_save": "1",
    }
    return data | changes


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- publishing ------------------------------------------------------------------------------------


def test_an_admin_publishes_and_withdraws_and_each_step_is_recorded(world):
    response = _client(world["admin"]).post(reverse("admin:public_publication_add"), _form(world))
    assert response.status_code == 302
    publication = Publication.objects.get()
    assert (publication.plan, publication.as_of_month, publication.is_published) == (world["plan"], MAY, True)
    assert list(publication.targets.all()) == [world["shown"]]
    assert list(publication.items.all()) == [world["item"]]
    assert publication.published_by == world["admin"]
    assert publication.published_at is not None
    first = publication.history.get()
    assert (first.history_type, first.history_user) == ("+", world["admin"])
    assert [t.target_id for t in first.targets.all()] == [world["shown"].pk]
    assert Client().get(f"/public/{world['plan'].pk}/").status_code == 200

    # Withdrawn by the 督查室 (a reviewer), with the list's action.
    response = _client(world["reviewer"]).post(
        reverse("admin:public_publication_changelist"),
        {"action": "unpublish_selected", ACTION_CHECKBOX_NAME: [str(publication.pk)], "index": "0"},
    )
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.is_published is False
    latest = publication.history.first()
    assert (latest.history_type, latest.history_user, latest.is_published) == ("~", world["reviewer"], False)
    assert publication.history.count() == 2
    assert Client().get(f"/public/{world['plan'].pk}/").status_code == 404
    assert Client().get(f"/public/{world['plan'].pk}/targets/{world['shown'].pk}/").status_code == 404


def test_a_revert_restores_targets_and_items_and_is_recorded_once(world):
    client = _client(world["admin"])
    client.post(reverse("admin:public_publication_add"), _form(world))
    publication = Publication.objects.get()
    first = publication.history.get()
    change = _form(world, targets=[str(world["shown"].pk), str(world["behind"].pk)], items=[], robots="index")
    response = client.post(reverse("admin:public_publication_change", args=[publication.pk]), change)
    assert response.status_code == 302
    assert publication.history.count() == 2
    assert sorted(publication.targets.values_list("code", flat=True)) == ["1-01", "1-03"]

    url = reverse("admin:public_publication_simple_history", args=[publication.pk, first.history_id])
    response = _client(world["reviewer"]).post(url, _form(world) | {"_save": "1"})
    assert response.status_code == 302
    publication.refresh_from_db()
    assert list(publication.targets.values_list("code", flat=True)) == ["1-01"]
    assert list(publication.items.all()) == [world["item"]]
    assert publication.robots == Robots.NOINDEX
    assert publication.history.count() == 3
    latest = publication.history.first()
    assert (latest.history_type, latest.history_user, latest.robots) == ("~", world["reviewer"], "noindex")
    assert [t.target_id for t in latest.targets.all()] == [world["shown"].pk]
    assert publication.published_by == world["reviewer"]


def test_a_reporter_cannot_publish_and_nothing_is_written(world):
    client = _client(world["reporter"])
    assert client.get(reverse("admin:public_publication_add")).status_code == 403
    assert client.post(reverse("admin:public_publication_add"), _form(world)).status_code == 403
    assert Publication.objects.count() == 0
    assert world["reporter"].has_perm("public.publish_plan") is False
    assert world["reviewer"].has_perm("public.publish_plan") is True
    assert world["admin"].has_perm("public.publish_plan") is True


def test_another_plans_target_and_an_unfinished_month_are_refused(world):
    client = _client(world["admin"])
    response = client.post(
        reverse("admin:public_publication_add"),
        _form(world, targets=[str(world["other_target"].pk)], as_of_month="2099-01"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["as_of_month"] == ["月份须在计划期 2020-01-01 至 2020-12-31 之内。"]
    assert errors["__all__"] == ["以下内容不属于所选计划:9-01 目标9-01"]
    assert Publication.objects.count() == 0
    # The month picker's value and a full date both mean the month.
    response = client.post(reverse("admin:public_publication_add"), _form(world, as_of_month="2020-05-17"))
    assert response.status_code == 302
    assert Publication.objects.get().as_of_month == MAY


def test_a_draft_item_cannot_be_chosen(world):
    world["item_hidden"].state = State.DRAFT
    world["item_hidden"].save()
    response = _client(world["admin"]).post(
        reverse("admin:public_publication_add"), _form(world, items=[str(world["item_hidden"].pk)])
    )
    assert response.status_code == 200
    assert Publication.objects.count() == 0


# --- what is there and what is not ---------------------------------------------------------------------


def test_every_unpublished_target_and_item_is_not_found(world):
    plan = world["plan"]
    publication = publish(world)
    anonymous = Client()
    published_targets = set(publication.targets.values_list("pk", flat=True))
    published_items = set(publication.items.values_list("pk", flat=True))
    for target in Target.objects.all():
        response = anonymous.get(f"/public/{plan.pk}/targets/{target.pk}/")
        assert response.status_code == (200 if target.pk in published_targets else 404), target
    for item in SupervisedItem.objects.all():
        response = anonymous.get(f"/public/{plan.pk}/items/{item.pk}/")
        assert response.status_code == (200 if item.pk in published_items else 404), item
    # The other plan is not published at all, nor is a plan that does not exist.
    other = world["other_plan"]
    assert anonymous.get(f"/public/{other.pk}/").status_code == 404
    assert anonymous.get(f"/public/{other.pk}/targets/{world['other_target'].pk}/").status_code == 404
    assert anonymous.get("/public/999999/").status_code == 404
    for path in (f"/public/{plan.pk}/targets/abc/", "/public/no-such/page", f"/public/{plan.pk}/x/"):
        response = anonymous.get(path)
        assert response.status_code == 404, path
        assert "该内容不存在或尚未公开。" in response.content.decode(), path
    # Our page: no link into the staff site.
    page = anonymous.get(f"/public/{plan.pk}/targets/{world['hidden'].pk}/").content.decode()
    assert "该内容不存在或尚未公开。" in page
    assert "/admin/" not in page and "/plans/" not in page


def _pages(world) -> dict[str, str]:
    plan = world["plan"]
    anonymous = Client()
    paths = [
        "/public/",
        f"/public/{plan.pk}/",
        f"/public/{plan.pk}/targets/{world['shown'].pk}/",
        f"/public/{plan.pk}/targets/{world['behind'].pk}/",
        f"/public/{plan.pk}/items/{world['item'].pk}/",
    ]
    pages = {}
    for path in paths:
        response = anonymous.get(path)
        assert response.status_code == 200, path
        pages[path] = response.content.decode()
    return pages


def test_no_staff_name_no_draft_no_later_figure_no_admin_link(world):
    publish(world)
    users = [world["admin"], world["reporter"], world["reviewer"]]
    forbidden = [u.username for u in users] + [u.get_full_name() for u in users]
    forbidden += [u.first_name for u in users] + ["张伟", "李娜", "王芳", "赵副区长", "进展顺利"]
    for path, html in _pages(world).items():
        for word in forbidden:
            assert word not in html, (path, word)
        assert "77.5" not in html, path  # May's draft
        assert "99" not in re.sub(r"<[^>]+>", " ", html), path  # June's approved figure: after the month
        assert "/admin/" not in html and 'href="/plans/' not in html, path
        assert "改造老旧小区" not in html and "小区改造" not in html, path  # unpublished


def test_the_target_page_shows_its_approved_figures_sentence_and_verdict(world):
    publish(world)
    response = Client().get(f"/public/{world['plan'].pk}/targets/{world['shown'].pk}/")
    html = response.content.decode()
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>\s*<td class="num">(.*?)</td>', html)
    assert rows == [("2020年3月", "30 个"), ("2020年4月", "48 个")]
    assert "新建公厕120座。" in html
    assert "一季度新建公厕30座。" in html
    assert response.context["assessment"].completion == Decimal("40.0")
    assert response.context["assessment"].light.value == "on_track"
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_the_verdict_counts_are_the_internal_overviews_for_the_same_targets(world, settings):
    settings.PAGE_CACHE_SECONDS = 0
    # Every quantified target published: the public counts are the overview's at the same month.
    publish(world, targets=("shown", "hidden", "behind"))
    plan = world["plan"]
    public = Client().get(f"/public/{plan.pk}/")
    internal = _client(world["admin"]).get(f"/plans/{plan.pk}/?as_of=2020-05")
    assert public.context["headline"] == internal.context["headline"]
    assert public.context["headline"].total == 3
    assert dict(public.context["counts"]) == dict(internal.context["overall"].shown())
    counts = re.findall(
        r'light-symbol" aria-hidden="true">.</span> (\S+)</span>\s*<strong class="pub-count">(\d+)',
        public.content.decode(),
    )
    assert counts == [(str(light.label), str(n)) for light, n in internal.context["overall"].shown()]


# --- headers, caching, robots --------------------------------------------------------------------------


def test_public_pages_may_be_cached_by_anyone_and_staff_pages_stay_private(world, viewer_client):
    publish(world)
    plan = world["plan"]
    for path in ("/public/", f"/public/{plan.pk}/", "/robots.txt"):
        assert Client().get(path)["Cache-Control"] == "public, max-age=300", path
    assert "private" in Client().get("/public/999999/")["Cache-Control"]
    assert "public" not in viewer_client.get(f"/plans/{plan.pk}/")["Cache-Control"]
    assert Client().post(f"/public/{plan.pk}/").status_code == 405


def test_a_cached_page_follows_a_new_approval_and_an_items_step(world, django_capture_on_commit_callbacks):
    publish(world)
    plan = world["plan"]
    path = f"/public/{plan.pk}/"
    assert "48 个" in Client().get(path).content.decode()
    Figure.objects.filter(target=world["shown"], month=MAY).update(status=Figure.Status.APPROVED)
    # An update() moves no version: the cached page is still served...
    assert "48 个" in Client().get(path).content.decode()
    figure = Figure.objects.get(target=world["shown"], month=MAY)
    with django_capture_on_commit_callbacks(execute=True):
        figure.save()  # ...a save does (at its commit), and the page shows May's figure.
    assert "77.5 个" in Client().get(path).content.decode()
    item = world["item"]
    item.state = State.ACKNOWLEDGED
    item.save()
    assert "已签收" in Client().get(path).content.decode()


def test_robots_follow_the_publication(world):
    publication = publish(world)
    plan = world["plan"]
    assert Client().get("/robots.txt").content.decode() == "User-agent: *\nDisallow: /\n"
    publication.robots = Robots.INDEX
    publication.save()
    publication.move_version()
    assert Client().get("/robots.txt").content.decode() == (
        f"User-agent: *\nAllow: /public/$\nAllow: /public/{plan.pk}/\nDisallow: /\n"
    )
    for path in ("/public/", f"/public/{plan.pk}/"):
        assert '<meta name="robots" content="index, follow">' in Client().get(path).content.decode()
    cache.clear()


def test_only_a_cookieless_successful_get_of_a_public_path_is_public():
    from django.http import HttpResponse
    from django.test import RequestFactory

    from zhongyuan.middleware import is_public_page

    factory = RequestFactory()
    ok = HttpResponse("x")
    assert is_public_page(factory.get("/public/1/"), ok) is True
    assert is_public_page(factory.get("/robots.txt"), ok) is True
    assert is_public_page(factory.get("/plans/1/"), ok) is False
    assert is_public_page(factory.get("/publications/"), ok) is False
    assert is_public_page(factory.post("/public/1/"), ok) is False
    assert is_public_page(factory.get("/public/1/"), HttpResponse("x", status=404)) is False
    with_cookie = HttpResponse("x")
    with_cookie.set_cookie("sessionid", "abc")
    assert is_public_page(factory.get("/public/1/"), with_cookie) is False


def test_a_logged_in_visitor_gets_the_same_public_page(world):
    publish(world)
    path = f"/public/{world['plan'].pk}/"
    anonymous = Client().get(path)
    staff = _client(world["admin"]).get(path)
    assert staff.content == anonymous.content
    assert staff["Cache-Control"] == "public, max-age=300"


# --- on the seed plan (中原区 2020: 81 targets and indicators, 27 supervised items) ---------------------


@pytest.fixture
def seed(db):
    import io

    from django.core.management import call_command

    from targets.models import Plan

    call_command("load_seed", stdout=io.StringIO())
    plan = Plan.objects.get(district="中原区", year=2020)
    # Names that must never be public: a lead official on every target and item, a reviewer account.
    Target.objects.filter(key_task__plan=plan).update(lead_official="钱分包")
    SupervisedItem.objects.filter(plan=plan).update(lead_official="孙分包")
    reviewer = make_user("seed_reviewer", first_name="审核", last_name="周")
    Figure.objects.filter(target__key_task__plan=plan).update(reviewed_by=reviewer, entered_by=reviewer)
    items = list(SupervisedItem.objects.filter(plan=plan).order_by("pk")[:3])
    for item in items:
        item.state = State.IN_PROGRESS
        item.save()
    return {"plan": plan, "items": items, "reviewer": reviewer}


def test_on_the_seed_every_unpublished_target_and_item_is_not_found_and_no_name_is_shown(seed):
    plan = seed["plan"]
    quantified = Target.objects.for_plan(plan).exclude(kind=Target.Kind.MONITORED).order_by("pk")
    indicators = Target.objects.for_plan(plan).filter(kind=Target.Kind.MONITORED).order_by("pk")
    published = [*quantified[:10], *indicators[:5]]
    publication = Publication.objects.create(plan=plan, as_of_month=dt.date(2020, 6, 1))
    publication.targets.set(published)
    publication.items.set(seed["items"][:2])
    anonymous = Client()
    all_targets = Target.objects.filter(key_task__plan=plan)
    all_items = SupervisedItem.objects.filter(plan=plan)
    assert (all_targets.count(), all_items.count()) == (81, 27)
    published_ids = {t.pk for t in published}
    item_ids = {i.pk for i in seed["items"][:2]}
    pages = [anonymous.get("/public/"), anonymous.get(f"/public/{plan.pk}/")]
    for target in all_targets:
        response = anonymous.get(f"/public/{plan.pk}/targets/{target.pk}/")
        assert response.status_code == (200 if target.pk in published_ids else 404), target
        pages.append(response)
    for item in all_items:
        response = anonymous.get(f"/public/{plan.pk}/items/{item.pk}/")
        assert response.status_code == (200 if item.pk in item_ids else 404), item
        pages.append(response)
    assert sum(r.status_code == 200 for r in pages) == 2 + 15 + 2
    for response in pages:
        html = response.content.decode()
        for word in ("钱分包", "孙分包", "seed_reviewer", "周审核", "审核周", "/admin/"):
            assert word not in html
    # The plan page names exactly the published targets and items, nothing else.
    html = pages[1].content.decode()
    linked = set(map(int, re.findall(rf'href="/public/{plan.pk}/targets/(\d+)/"', html)))
    assert linked == published_ids
    linked_items = set(map(int, re.findall(rf'href="/public/{plan.pk}/items/(\d+)/"', html)))
    assert linked_items == item_ids


def test_on_the_seed_the_counts_are_the_overviews(seed, settings):
    settings.PAGE_CACHE_SECONDS = 0
    plan = seed["plan"]
    publication = Publication.objects.create(plan=plan, as_of_month=dt.date(2020, 6, 1))
    publication.targets.set(Target.objects.for_plan(plan))
    public = Client().get(f"/public/{plan.pk}/")
    internal = _client(seed["reviewer"]).get(f"/plans/{plan.pk}/?as_of=2020-06")
    assert public.context["headline"] == internal.context["headline"]
    assert (public.context["headline"].total, public.context["headline"].with_data) == (25, 6)
    assert "本页公开 25 项量化目标,2 项督办事项。" not in public.content.decode()
    assert "本页公开 25 项量化目标。" in public.content.decode()
