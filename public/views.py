"""The public page (政务公开): anonymous, read-only, only what a Publication names.

Everything not published is not there: an unknown or unpublished plan, a target or supervised
item the publication does not name, answers our public 404 page. The pages show approved
figures up to the end of the published month, verdicts by the same rules as the internal
pages (`progress.assess_targets`), the source sentences, and no person's name: no entered_by,
reviewed_by or lead official, no notes typed by staff, no evidence files (supervision's
evidence has no "public" mark, so none is shown).

Cached whole in Django's cache, keyed on the publication's version and its plan's data version
(every change of either moves them), the language and the day; served with
`Cache-Control: public, max-age=300` (zhongyuan/middleware.py).
"""

import hashlib
from collections import defaultdict

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from supervision.models import SupervisedItem
from targets import progress
from targets.models import Target

from .models import Publication, Robots

CACHE_SECONDS = 300


def not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "public/404.html", {"robots": Robots.NOINDEX}, status=404)


@require_safe
def unknown(request: HttpRequest, rest: str) -> HttpResponse:
    return not_found(request)


def _published(pk) -> Publication | None:
    return Publication.objects.select_related("plan").filter(plan_id=pk, is_published=True).first()


def _cached(request: HttpRequest, publication: Publication | None, build) -> HttpResponse:
    """The page from the cache while neither the publication nor its plan's data has changed."""
    versions = (
        f"{publication.pk}:{publication.version}:{publication.plan.data_version}" if publication else "-"
    )
    raw = f"{versions}|{timezone.localdate()}|{translation.get_language()}|{request.path}"
    key = "public:" + hashlib.sha256(raw.encode()).hexdigest()
    body = cache.get(key)
    if body is None:
        body = build()
        if body is None:
            return not_found(request)
        cache.set(key, body, CACHE_SECONDS)
    return HttpResponse(body, content_type="text/html; charset=utf-8")


def _rows(publication: Publication, targets=None, *, detail: bool = False):
    """The published targets (or `targets` of them), assessed at the end of the published month.

    With `detail` the figures come whole (the target's page quotes each figure's source sentence).
    """
    plan = publication.plan
    queryset = Target.objects.for_plan(plan).filter(publications=publication)
    if targets is not None:
        queryset = queryset.filter(pk__in=targets)
    return progress.assess_targets(
        queryset.for_dashboard(publication.as_of, detail=detail),
        as_of=publication.as_of,
        thresholds=progress.thresholds_for(plan),
    )


def _items(publication: Publication):
    return list(
        SupervisedItem.objects.filter(publications=publication)
        .select_related("key_task", "lead_unit")
        .prefetch_related("co_units")
        .order_by("key_task__number", "id")
    )


def _base(publication: Publication) -> dict:
    plan = publication.plan
    return {
        "publication": publication,
        "plan": plan,
        "as_of": publication.as_of,
        "robots": publication.robots,
        # The verdict thresholds, as points behind the expected progress (for the explanation).
        "on_track_points": -plan.on_track_threshold,
        "behind_points": -plan.behind_threshold,
    }


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    publications = list(Publication.objects.select_related("plan").filter(is_published=True))
    robots = Robots.INDEX if any(p.robots == Robots.INDEX for p in publications) else Robots.NOINDEX
    versions = ",".join(f"{p.pk}:{p.version}:{p.plan.data_version}" for p in publications)
    raw = f"index|{versions}|{translation.get_language()}"
    key = "public:" + hashlib.sha256(raw.encode()).hexdigest()
    body = cache.get(key)
    if body is None:
        body = render_to_string(
            "public/index.html", {"publications": publications, "robots": robots}, request=request
        )
        cache.set(key, body, CACHE_SECONDS)
    return HttpResponse(body, content_type="text/html; charset=utf-8")


@require_safe
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _published(pk)
    if publication is None:
        return not_found(request)

    def build():
        rows = _rows(publication)
        overall = progress.LightSummary()
        for row in rows:
            overall.add(row)
        items = _items(publication)
        by_task = defaultdict(lambda: {"rows": [], "indicators": [], "items": []})
        for row in rows:
            # Monitored indicators (figures without a goal) get no verdict: a plain list of figures.
            part = "indicators" if row.target.kind == Target.Kind.MONITORED else "rows"
            by_task[row.target.key_task][part].append(row)
        for item in items:
            by_task[item.key_task]["items"].append(item)
        context = _base(publication) | {
            "overall": overall,
            "headline": overall.headline(publication.as_of),
            "counts": overall.shown(),
            "tasks": sorted(by_task.items(), key=lambda kv: kv[0].number),
            "item_count": len(items),
            "today": timezone.localdate(),
        }
        return render_to_string("public/plan.html", context, request=request)

    return _cached(request, publication, build)


@require_safe
def target_page(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    publication = _published(pk)
    if publication is None:
        return not_found(request)

    def build():
        rows = _rows(publication, targets=[target_pk], detail=True)
        if not rows:
            return None
        (row,) = rows
        target = row.target
        goal = target.goal
        figures = []
        for figure in target.approved_figures:
            share = None
            if goal and figure.value is not None and target.kind == Target.Kind.CUMULATIVE:
                share = min(figure.value / goal * 100, 100)
            figures.append((figure, share))
        context = _base(publication) | {
            "target": target,
            "row": row,
            "assessment": row.assessment,
            "figures": figures,
        }
        return render_to_string("public/target.html", context, request=request)

    return _cached(request, publication, build)


@require_safe
def item_page(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    publication = _published(pk)
    if publication is None:
        return not_found(request)

    def build():
        item = (
            SupervisedItem.objects.filter(publications=publication, pk=item_pk)
            .select_related("key_task", "lead_unit")
            .prefetch_related("co_units")
            .first()
        )
        if item is None:
            return None
        targets = item.targets.filter(publications=publication).order_by("key_task__number", "code")
        context = _base(publication) | {"item": item, "targets": list(targets), "today": timezone.localdate()}
        return render_to_string("public/item.html", context, request=request)

    return _cached(request, publication, build)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read only the public pages an admin set to be indexed; nothing else."""
    indexed = Publication.objects.filter(is_published=True, robots=Robots.INDEX).order_by("plan_id")
    lines = ["User-agent: *"]
    plan_ids = list(indexed.values_list("plan_id", flat=True))
    if plan_ids:
        lines.append("Allow: /public/$")
        lines += [f"Allow: /public/{plan_id}/" for plan_id in plan_ids]
    lines.append("Disallow: /")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
