"""The public rows of the role × URL table (targets/tests/test_permission_table.py).

`build` adds to the table's world a publication of its plan (target 1-01 of unit A and the item
in progress, as of May 2020); `EXPECTED`, `OBJECT`, `CHANGES` and `cases` are merged into the
table there. Roles, in order: anonymous, viewer, reporter of unit A, reporter of unit B,
reviewer (督查室), admin.
"""

import datetime as dt

from django.utils import timezone

from public.models import Publication

EVERYONE_READS = "200 200 200 200 200 200"
NOBODY_POSTS = "405 405 405 405 405 405"
# Admins and the 督查室 hold public.publish_plan; the viewer is sent to the admin's login page.
PUBLISHERS_READ = "L L 403 403 200 200"
PUBLISHERS_WRITE = "L L 403 403 302+ 302+"
NOBODY_DELETES = "L L 403 403 403 403"

EXPECTED = {
    **{f"site public:{name} GET": EVERYONE_READS for name in ("index", "plan", "target", "item", "robots")},
    **{f"site public:{name} POST": NOBODY_POSTS for name in ("index", "plan", "target", "item", "robots")},
    # Any other address under /public/: our public 404 page.
    "site public:unknown GET": "404 404 404 404 404 404",
    "site public:unknown POST": NOBODY_POSTS,
    # The publish page (admin → 政务公开).
    "public.publication changelist GET": PUBLISHERS_READ,
    "public.publication add GET": PUBLISHERS_READ,
    # The world's plan is published already: the form comes back with the error, nothing written.
    "public.publication add POST": PUBLISHERS_READ,
    "public.publication change GET": PUBLISHERS_READ,
    "public.publication change POST": PUBLISHERS_WRITE,
    # Withdrawn (已公开 off), never deleted: the record stays.
    "public.publication delete GET": NOBODY_DELETES,
    "public.publication delete POST": NOBODY_DELETES,
    "public.publication history GET": PUBLISHERS_READ,
    "public.publication history POST": PUBLISHERS_READ,
    "public.publication object GET": "L L 302 302 302 302",
    "public.publication object POST": "L L 302 302 302 302",
    "public.publication version GET": PUBLISHERS_READ,
    "public.publication revert POST": PUBLISHERS_WRITE,
    "public.publication action delete_selected": "L L 403 403 302 302",
    "public.publication action unpublish_selected": PUBLISHERS_WRITE,
}

OBJECT = {"public.publication": "publication"}
CHANGES = {"public.publication": {"robots": "index"}}


def build(world) -> None:
    publication = Publication.objects.create(
        plan=world.plan,
        as_of_month=dt.date(2020, 5, 1),
        published_by=world.users["admin"],
        published_at=timezone.now(),
    )
    publication.targets.set([world.target_a])
    publication.items.set([world.item_progress])
    publication.robots = "noindex"
    publication.save()  # a second version in its history
    world.objects["publication"] = publication


def cases(Case, url, pk):
    """The table's cases for the public URLs (Case, _url and _pk from the table)."""
    args = {
        "index": (),
        "plan": (pk("plan"),),
        "target": (pk("plan"), pk("target_a")),
        "item": (pk("plan"), pk("item_progress")),
        "robots": (),
        "unknown": ("no-such/page",),
    }
    return [
        Case(
            f"site public:{name} {method}",
            method,
            url(f"public:{name}", *parts),
            (lambda w: {}) if method == "POST" else None,
        )
        for name, parts in args.items()
        for method in ("GET", "POST")
    ]
