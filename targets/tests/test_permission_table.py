"""Role × URL table: every URL of the site, GET and POST, as every role, with the answer expected.

The URLs come from the resolver and from `admin.site._registry`, so a new URL, a new ModelAdmin or
a new admin action without a line in the table below fails `test_every_url_has_*`.

Each cell is one request in a savepoint of its own, against one world shared by the module
(`world.build_world`; the objects under test belong to unit A). A cell reads:

    L       302 to a login page (the site's, or the admin's for non-staff)
    200 …   that status, and the database exactly as before (every row of every table)
    302+ …  that status, and the database changed (the write was accepted)

so every refusal is also checked to have left the data alone.
"""

import dataclasses
import datetime as dt
import io
import tempfile
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from openpyxl import load_workbook
from simple_history.admin import SimpleHistoryAdmin

from entry.xlsx import sheetcells
from notices.tests import table as notices_table
from public.tests import table as public_table
from supervision.tests import table as supervision_table

from .world import ROLES, World, admin_form_data, build_world, db_fingerprint

# --- the table ---------------------------------------------------------------------------------

#                   anonymous viewer rep_a rep_b reviewer admin
READ_ALL_STAFF = "L L 200 200 200 200"
ADMIN_ONLY_PAGE = "L L 403 403 403 200"
ADMIN_ONLY_WRITE = "L L 403 403 403 302+"
NOBODY_WRITES = "L L 403 403 403 403"
REDIRECT_STAFF = "L L 302 302 302 302"
SITE_PAGE = "L 200 200 200 200 200"
# A read-only page refuses a form with our 405 page; anonymous users still go to the login page.
SITE_PAGE_POST = "L 405 405 405 405 405"
# The plan's set-up (plans, units, key tasks, targets, project groups): every staff role reads it,
# only an admin changes it. Django's admin answers an action the user is not offered with the list
# page (200: the user has no action at all) or a redirect with "no action selected" (302: the user
# has other actions); either way nothing is written.
PLAN_DATA = {
    "changelist GET": READ_ALL_STAFF,
    "add GET": ADMIN_ONLY_PAGE,
    "add POST": ADMIN_ONLY_WRITE,
    "change GET": READ_ALL_STAFF,
    "change POST": ADMIN_ONLY_WRITE,
    "delete GET": ADMIN_ONLY_PAGE,
    "delete POST": ADMIN_ONLY_WRITE,
    "history GET": READ_ALL_STAFF,
    "history POST": READ_ALL_STAFF,
    "object GET": REDIRECT_STAFF,
    "object POST": REDIRECT_STAFF,
    "version GET": READ_ALL_STAFF,
    "revert POST": ADMIN_ONLY_WRITE,
    "action delete_selected": "L L 200 200 200 302+",
}
# A plan, key task or target carries review records (审核记录) through its figures; nobody may
# delete those (FigureEventAdmin), so nobody may delete what holds them either.
PLAN_WITH_REVIEWS = PLAN_DATA | {
    "delete POST": NOBODY_WRITES,
    "action delete_selected": "L L 200 200 200 403",
}

# The bulletin's narrative: the 督查室 (reviewers) and admins write and approve it; units do not.
BULLETIN_NOTE = {
    "changelist GET": "L L 403 403 200 200",
    "add GET": "L L 403 403 200 200",
    "add POST": "L L 403 403 302+ 302+",
    "change GET": "L L 403 403 200 200",
    "change POST": "L L 403 403 302+ 302+",
    "delete GET": ADMIN_ONLY_PAGE,
    "delete POST": ADMIN_ONLY_WRITE,
    "history GET": "L L 403 403 200 200",
    "history POST": "L L 403 403 200 200",
    "object GET": REDIRECT_STAFF,
    "object POST": REDIRECT_STAFF,
    "version GET": "L L 403 403 200 200",
    # Never reverted: a revert could bring back an approval past review.
    "revert POST": "L L 403 403 403 403",
    "action approve_selected": "L L 403 403 302+ 302+",
    "action delete_selected": "L L 403 403 302 302+",
}

EXPECTED = {
    **{f"reports.bulletinnote {k}": v for k, v in BULLETIN_NOTE.items()},
    # --- plan set-up: everyone in the admin reads it, only an admin changes it --------------------
    **{f"targets.plan {k}": v for k, v in PLAN_WITH_REVIEWS.items()},
    **{f"targets.unit {k}": v for k, v in PLAN_DATA.items()},
    **{f"targets.keytask {k}": v for k, v in PLAN_WITH_REVIEWS.items()},
    # The 督查室 (reviewer) assigns units and lead officials to targets; it has those actions only.
    **{
        f"targets.target {k}": v
        for k, v in (PLAN_WITH_REVIEWS | {"action delete_selected": "L L 200 200 302 403"}).items()
    },
    # Without the confirmation: the intermediate page (reporters: the list, no action for them).
    "targets.target action assign_units": READ_ALL_STAFF,
    "targets.target action assign_leader": READ_ALL_STAFF,
    "targets.target action assign_units confirm": "L L 200 200 302+ 302+",
    "targets.target action assign_leader confirm": "L L 200 200 302+ 302+",
    # A unit of another district: refused with the reason, nothing written.
    "targets.target action assign_units other district": "L L 200 200 400 400",
    **{f"projects.projectgroup {k}": v for k, v in PLAN_DATA.items()},
    # --- monthly figures: unit A's reporter enters its own; the reviewer reviews; nobody reverts --
    "targets.figure changelist GET": READ_ALL_STAFF,
    "targets.figure add GET": "L L 200 200 403 200",
    # rep_b: unit A's target is not among its choices, the form is shown again with the error.
    "targets.figure add POST": "L L 302+ 200 403 302+",
    # rep_b: not in its list, so "does not exist" (a redirect to the admin index).
    "targets.figure change GET": "L L 200 302 200 200",
    "targets.figure change POST": "L L 302+ 302 403 302+",
    "targets.figure delete GET": ADMIN_ONLY_PAGE,
    "targets.figure delete POST": ADMIN_ONLY_WRITE,
    "targets.figure history GET": "L L 200 404 200 200",
    "targets.figure history POST": "L L 200 404 200 200",
    "targets.figure object GET": REDIRECT_STAFF,
    "targets.figure object POST": REDIRECT_STAFF,
    "targets.figure version GET": "L L 200 404 200 200",
    "targets.figure revert POST": "L L 403 404 403 403",
    "targets.figure action delete_selected": "L L 302 302 302 302+",
    "targets.figure action submit_selected": "L L 302+ 302 302 302+",
    "targets.figure action approve_selected": "L L 302 302 302+ 302+",
    "targets.figure action return_selected": "L L 302 302 302+ 302+",
    "targets.figure action flag_measure": "L L 302 302 302+ 302+",
    "targets.figure action confirm_measure": "L L 302 302 302+ 302+",
    "targets.figure month GET": "L L 200 403 403 200",
    "targets.figure month POST": "L L 303+ 403 403 303+",
    "targets.figure xlsx template form GET": "L L 200 200 200 200",
    "targets.figure xlsx template form POST": "L L 200 200 200 200",
    "targets.figure xlsx template GET": "L L 200 403 403 200",
    "targets.figure xlsx import GET": "L L 200 200 403 200",
    "targets.figure xlsx upload POST": "L L 200 403 403 200",
    # Upload then confirm, each as the role; rep_b never gets a token to confirm.
    "targets.figure xlsx confirm POST": "L L 302+ 400 403 302+",
    "targets.figure compliance GET": "L L 403 403 200 200",
    "targets.figure compliance POST": "L L 403 403 200 200",
    # --- review records: read by reviewers and admins, written by nobody through the admin --------
    "targets.figureevent changelist GET": "L L 403 403 200 200",
    "targets.figureevent add GET": NOBODY_WRITES,
    "targets.figureevent add POST": NOBODY_WRITES,
    "targets.figureevent change GET": "L L 403 403 200 200",
    "targets.figureevent change POST": NOBODY_WRITES,
    "targets.figureevent delete GET": NOBODY_WRITES,
    "targets.figureevent delete POST": NOBODY_WRITES,
    "targets.figureevent history GET": "L L 403 403 200 200",
    "targets.figureevent history POST": "L L 403 403 200 200",
    "targets.figureevent object GET": REDIRECT_STAFF,
    "targets.figureevent object POST": REDIRECT_STAFF,
    "targets.figureevent action delete_selected": "L L 403 403 200 200",
    # --- the project ledger: unit A's reporter keeps its own projects ------------------------------
    "projects.project changelist GET": READ_ALL_STAFF,
    "projects.project add GET": "L L 200 200 403 200",
    "projects.project add POST": "L L 302+ 200 403 302+",
    "projects.project change GET": "L L 200 302 200 200",
    "projects.project change POST": "L L 302+ 302 403 302+",
    "projects.project delete GET": ADMIN_ONLY_PAGE,
    # Project A carries a stage change under review (its trace): nobody deletes it, as for figures.
    "projects.project delete POST": NOBODY_WRITES,
    "projects.project history GET": "L L 200 404 200 200",
    "projects.project history POST": "L L 200 404 200 200",
    "projects.project object GET": REDIRECT_STAFF,
    "projects.project object POST": REDIRECT_STAFF,
    "projects.project version GET": "L L 200 404 200 200",
    "projects.project revert POST": "L L 302+ 404 403 302+",
    "projects.project action delete_selected": "L L 200 200 200 403",
    # --- stage changes of projects: unit A's reporter follows its own, the reviewer decides -------
    "projects.stagechange changelist GET": READ_ALL_STAFF,
    "projects.stagechange add GET": NOBODY_WRITES,
    "projects.stagechange add POST": NOBODY_WRITES,
    "projects.stagechange change GET": "L L 200 302 200 200",
    "projects.stagechange change POST": NOBODY_WRITES,
    "projects.stagechange delete GET": NOBODY_WRITES,
    "projects.stagechange delete POST": NOBODY_WRITES,
    "projects.stagechange history GET": "L L 200 404 200 200",
    "projects.stagechange history POST": "L L 200 404 200 200",
    "projects.stagechange object GET": REDIRECT_STAFF,
    "projects.stagechange object POST": REDIRECT_STAFF,
    "projects.stagechange version GET": "L L 200 404 200 200",
    # Never reverted: a revert would undo a decision past review.
    "projects.stagechange revert POST": "L L 403 404 403 403",
    "projects.stagechange action delete_selected": "L L 200 200 302 302",
    "projects.stagechange action approve_selected": "L L 200 200 302+ 302+",
    "projects.stagechange action return_selected": "L L 200 200 302+ 302+",
    # --- accounts: admins manage users; the role groups are set by code (read-only) --------------
    "auth.user changelist GET": ADMIN_ONLY_PAGE,
    "auth.user add GET": ADMIN_ONLY_PAGE,
    "auth.user add POST": ADMIN_ONLY_WRITE,
    "auth.user change GET": ADMIN_ONLY_PAGE,
    "auth.user change POST": ADMIN_ONLY_WRITE,
    # Accounts are deactivated, not deleted: figures keep who entered and reviewed them.
    "auth.user delete GET": NOBODY_WRITES,
    "auth.user delete POST": NOBODY_WRITES,
    "auth.user history GET": ADMIN_ONLY_PAGE,
    "auth.user history POST": ADMIN_ONLY_PAGE,
    "auth.user object GET": REDIRECT_STAFF,
    "auth.user object POST": REDIRECT_STAFF,
    "auth.user password GET": ADMIN_ONLY_PAGE,
    "auth.user password POST": ADMIN_ONLY_WRITE,
    "auth.user action delete_selected": "L L 403 403 403 200",
    "auth.group changelist GET": ADMIN_ONLY_PAGE,
    "auth.group add GET": NOBODY_WRITES,
    "auth.group add POST": NOBODY_WRITES,
    "auth.group change GET": ADMIN_ONLY_PAGE,
    "auth.group change POST": NOBODY_WRITES,
    "auth.group delete GET": NOBODY_WRITES,
    "auth.group delete POST": NOBODY_WRITES,
    "auth.group history GET": ADMIN_ONLY_PAGE,
    "auth.group history POST": ADMIN_ONLY_PAGE,
    "auth.group object GET": REDIRECT_STAFF,
    "auth.group object POST": REDIRECT_STAFF,
    "auth.group action delete_selected": "L L 403 403 403 200",
    # --- login throttling: admins see lockouts and lift them (delete the attempt) ----------------
    "axes.accessattempt changelist GET": ADMIN_ONLY_PAGE,
    "axes.accessattempt add GET": NOBODY_WRITES,
    "axes.accessattempt add POST": NOBODY_WRITES,
    "axes.accessattempt change GET": ADMIN_ONLY_PAGE,
    "axes.accessattempt change POST": NOBODY_WRITES,
    "axes.accessattempt delete GET": ADMIN_ONLY_PAGE,
    "axes.accessattempt delete POST": ADMIN_ONLY_WRITE,
    "axes.accessattempt history GET": ADMIN_ONLY_PAGE,
    "axes.accessattempt history POST": ADMIN_ONLY_PAGE,
    "axes.accessattempt object GET": REDIRECT_STAFF,
    "axes.accessattempt object POST": REDIRECT_STAFF,
    "axes.accessattempt action delete_selected": "L L 403 403 403 302+",
    # Removes the attempts older than the cool-off time (the world's one, made so).
    "axes.accessattempt action cleanup_expired_attempts": "L L 403 403 403 302+",
    **{
        f"axes.{model} {k}": v
        for model in ("accesslog", "accessfailurelog")
        for k, v in {
            "changelist GET": ADMIN_ONLY_PAGE,
            "add GET": NOBODY_WRITES,
            "add POST": NOBODY_WRITES,
            "change GET": ADMIN_ONLY_PAGE,
            "change POST": NOBODY_WRITES,
            "delete GET": NOBODY_WRITES,
            "delete POST": NOBODY_WRITES,
            "history GET": ADMIN_ONLY_PAGE,
            "history POST": ADMIN_ONLY_PAGE,
            "object GET": REDIRECT_STAFF,
            "object POST": REDIRECT_STAFF,
            "action delete_selected": "L L 403 403 403 200",
        }.items()
    },
    # --- the admin site's own pages ----------------------------------------------------------------
    "admin index GET": READ_ALL_STAFF,
    "admin index POST": READ_ALL_STAFF,
    "admin login GET": "200 200 302 302 302 302",
    # A wrong password: the form again, and django-axes counts the failure.
    "admin login POST": "200+ 200+ 200+ 200+ 200+ 200+",
    # Not staff: sent to the admin index (and from there to the login page).
    "admin logout GET": "302 302 405 405 405 405",
    # Logged out, to the login page; django-axes notes the time in its access log.
    "admin logout POST": "302 302 L+ L+ L+ L+",
    "admin password_change GET": READ_ALL_STAFF,
    # The old password is wrong: the form again, nothing changed.
    "admin password_change POST": READ_ALL_STAFF,
    "admin password_change_done GET": READ_ALL_STAFF,
    "admin password_change_done POST": "L L 405 405 405 405",
    # Searching units (figure → target → units): who may view units may search them.
    "admin autocomplete units GET": READ_ALL_STAFF,
    # Searching accounts (figure → entered by): admins only.
    "admin autocomplete users GET": ADMIN_ONLY_PAGE,
    "admin autocomplete POST": "L L 405 405 405 405",
    "admin jsi18n GET": READ_ALL_STAFF,
    "admin jsi18n POST": "L L 405 405 405 405",
    "admin view_on_site GET": REDIRECT_STAFF,
    "admin view_on_site POST": REDIRECT_STAFF,
    "admin app targets GET": READ_ALL_STAFF,
    "admin app projects GET": READ_ALL_STAFF,
    "admin app auth GET": "L L 404 404 404 200",
    "admin app axes GET": "L L 404 404 404 200",
    "admin app targets POST": READ_ALL_STAFF,
    "admin catch-all GET": "L L 404 404 404 404",
    "admin catch-all POST": "L L 404 404 404 404",
    # --- the site ----------------------------------------------------------------------------------
    # Where a log-in lands: the to-do page for reporters, reviewers and leaders; else, with one plan
    # in the database, straight to its overview.
    "site root GET": "L 302 302 302 302 302",
    "site root POST": "L 405 405 405 405 405",
    "site login GET": "200 200 200 200 200 200",
    "site login POST": "200+ 200+ 200+ 200+ 200+ 200+",
    "site logout GET": "405 405 405 405 405 405",
    # django-axes notes the time of the log-out in its access log.
    "site logout POST": "L L+ L+ L+ L+ L+",
    # Password recovery: the same answers whoever asks; an unknown address or a bad link changes nothing.
    "site password_reset GET": "200 200 200 200 200 200",
    "site password_reset POST": "302 302 302 302 302 302",
    "site password_reset_done GET": "200 200 200 200 200 200",
    "site password_reset_done POST": "405 405 405 405 405 405",
    "site password_reset_confirm GET": "200 200 200 200 200 200",
    "site password_reset_confirm POST": "200 200 200 200 200 200",
    "site password_reset_complete GET": "200 200 200 200 200 200",
    "site password_reset_complete POST": "405 405 405 405 405 405",
    # Only a POST sets the language; a GET just goes back.
    "site set_language GET": "302 302 302 302 302 302",
    "site set_language POST": "302 302 302 302 302 302",
    # --- plan set-up (planning): the admin role drafts, imports, copies and moves plans ------------
    "site planning:draft-start GET": "L 403 403 403 403 200",
    # A plan's text read and kept in the session (not data) for review.
    "site planning:draft-start POST": "L 403 403 403 403 302",
    "site planning:draft-review GET": "L 403 403 403 403 404",
    "site planning:draft-review POST": "L 403 403 403 403 404",
    "site planning:plan-setup GET": "L 403 403 403 403 200",
    "site planning:plan-setup POST": "L 403 403 403 403 405",
    "site planning:plan-status GET": "L 403 403 403 403 405",
    "site planning:plan-status POST": "L 403 403 403 403 302+",
    "site planning:plan-copy GET": "L 403 403 403 403 405",
    "site planning:plan-copy POST": "L 403 403 403 403 302+",
    "site planning:table-export GET": "L 403 403 403 403 200",
    "site planning:table-export POST": "L 403 403 403 403 405",
    "site planning:table-template GET": "L 403 403 403 403 200",
    "site planning:table-template POST": "L 403 403 403 403 405",
    "site planning:table-import GET": "L 403 403 403 403 200",
    # Checked and previewed; nothing is written before the confirmation.
    "site planning:table-import POST": "L 403 403 403 403 200",
    "site planning:document GET": SITE_PAGE,
    "site planning:document POST": SITE_PAGE_POST,
    **{
        f"site {name} {method}": SITE_PAGE if method == "GET" else SITE_PAGE_POST
        for name in (
            "targets:plan-list",
            "targets:plan-detail",
            "targets:target-list",
            "targets:indicator-list",
            "targets:keytask-detail",
            "targets:target-detail",
            "projects:project-list",
            "projects:group-list",
            "projects:project-detail",
            "projects:group-detail",
            "reports:bulletin",
            "reports:bulletin-pdf",
            "reports:bulletin-xlsx",
        )
        for method in ("GET", "POST")
    },
}

# 督查督办 (supervision/tests/table.py).
EXPECTED |= supervision_table.EXPECTED
# 政务公开 (public/tests/table.py).
EXPECTED |= public_table.EXPECTED
# Notices and the to-do page (notices/tests/table.py).
EXPECTED |= notices_table.EXPECTED


# --- the cases ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Case:
    key: str
    method: str
    url: Callable[[World], str]
    data: Callable[[World], dict] | None = None
    # Instead of one request: send(client, world) -> response.
    send: Callable | None = None

    def __str__(self):
        return self.key


# The object each ModelAdmin's per-object pages are tried on (world attribute).
OBJECT = {
    "targets.plan": "plan",
    "targets.unit": "unit_a",
    "targets.keytask": "task",
    "targets.target": "target_a",
    "targets.figure": "figure_a",
    "targets.figureevent": "event_a",
    "projects.projectgroup": "group",
    "projects.project": "project_a",
    "projects.stagechange": "stage_change_a",
    "auth.user": "user",
    "auth.group": "role_group",
    "axes.accessattempt": "attempt",
    "axes.accesslog": "access_log",
    "axes.accessfailurelog": "failure_log",
    "reports.bulletinnote": "bulletin_note",
    **public_table.OBJECT,
    **notices_table.OBJECT,
    **supervision_table.OBJECT,
}
# Objects an action is tried on when not the one above (approval needs a submitted figure).
ACTION_OBJECT = {
    ("targets.figure", "approve_selected"): "submitted_a",
    ("targets.figure", "return_selected"): "submitted_a",
    ("targets.figure", "confirm_measure"): "doubtful_a",
}


def _label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _admin_user(world):
    return world.users["admin"]


def _changes(label: str, world: World) -> dict:
    """The values an attacker wants in the object under test (its change and revert forms)."""
    users = world.users
    return {
        "targets.plan": {"on_track_threshold": "-99", "behind_threshold": "-100"},
        "targets.unit": {"members": [str(users["rep_a"].pk), str(users["rep_b"].pk)]},
        "targets.keytask": {"title": "改过的重点工作"},
        "targets.target": {"goal": "1"},
        "targets.figure": {"value": "12", "base_version": str(world.figure_a.version)},
        "targets.figureevent": {"reason": "改过"},
        "projects.projectgroup": {"name": "改过的分组"},
        "projects.project": {"progress_note": "改过"},
        "auth.user": {"first_name": "改过"},
        "auth.group": {"name": "renamed"},
        "reports.bulletinnote": {"highlights": "改过的亮点"},
        **public_table.CHANGES,
        **notices_table.CHANGES,
        **supervision_table.CHANGES,
    }.get(label, {})


def _change_data(label: str, world: World) -> dict:
    """A valid change of the object under test, as an admin's form shows it, with `_changes`."""
    model_admin = admin.site._registry[_model(label)]
    obj = getattr(world, OBJECT[label])
    return admin_form_data(model_admin, obj, _admin_user(world), **_changes(label, world))


def _revert_data(label: str, world: World) -> dict:
    """The revert form of the object's first version as shown to an admin, with `_changes`."""
    model_admin = admin.site._registry[_model(label)]
    version = getattr(world, OBJECT[label]).history.earliest().instance
    return admin_form_data(model_admin, version, _admin_user(world), inlines=False, **_changes(label, world))


def _add_data(label: str, world: World) -> dict:
    """A valid new object (the object under test's values, its unique fields changed)."""
    if label == "auth.user":
        password = "x-New-pass-4711"
        return {"username": "newbie", "usable_password": "true", "password1": password, "password2": password}
    if label == "targets.figure":
        return {"target": str(world.target_a.pk), "month": "2020-07-01", "value": "30", "_save": "1"}
    model_admin = admin.site._registry[_model(label)]
    obj = getattr(world, OBJECT[label])
    changes = {
        "targets.plan": {"year": "2021", "period_start": "2021-01-01", "period_end": "2021-12-31"},
        "targets.unit": {"name": "丙单位", "members": []},
        "targets.keytask": {"number": "2"},
        "targets.target": {"code": "1-09"},
        "projects.projectgroup": {"name": "新分组"},
        "projects.project": {"name": "新项目"},
        "auth.group": {"name": "newgroup"},
        "reports.bulletinnote": {"month": "2020-07-01"},
        **supervision_table.ADD_CHANGES,
    }.get(label, {}) | notices_table.add_changes(label, world)
    data = admin_form_data(model_admin, obj, _admin_user(world), inlines=False, **changes)
    # The inlines of a new object start empty.
    request = RequestFactory().get("/")
    request.user = _admin_user(world)
    formsets, _ = model_admin._create_formsets(request, model_admin.model(), change=False)
    for formset in formsets:
        data |= {f"{formset.prefix}-{k}": "0" for k in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS")}
        data[f"{formset.prefix}-MAX_NUM_FORMS"] = "1000"
    return data


def _model(label):
    return next(m for m in admin.site._registry if _label(m) == label)


def _url(name, *args):
    return lambda world: reverse(name, args=[a(world) if callable(a) else a for a in args])


def _pk(attr):
    return lambda world: getattr(world, attr).pk


def _cleanup_expired(client, world):
    """The clean-up of expired login attempts, with the world's attempt made older than the cool-off.

    Its age is put back afterwards if it is still there, so the cell shows a change only when the
    attempt was removed.
    """
    attempts = AccessAttempt.objects.filter(pk=world.attempt.pk)
    attempts.update(attempt_time=timezone.now() - dt.timedelta(hours=2))
    data = {"action": "cleanup_expired_attempts", ACTION_CHECKBOX_NAME: [str(world.attempt.pk)], "index": "0"}
    response = client.post(reverse("admin:axes_accessattempt_changelist"), data)
    attempts.update(attempt_time=world.attempt.attempt_time)
    return response


def model_admin_cases() -> list[Case]:
    cases = []
    for model, model_admin in admin.site._registry.items():
        label = _label(model)
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pk = _pk(OBJECT[label])

        def change_data(world, label=label):
            return _change_data(label, world)

        def add_data(world, label=label):
            return _add_data(label, world)

        def revert_data(world, label=label):
            return _revert_data(label, world)

        def object_url(world, pk=pk, info=info):
            return reverse(f"{info}_change", args=[pk(world)]).removesuffix("change/")

        cases += [
            Case(f"{label} changelist GET", "GET", _url(f"{info}_changelist")),
            Case(f"{label} add GET", "GET", _url(f"{info}_add")),
            Case(f"{label} add POST", "POST", _url(f"{info}_add"), add_data),
            Case(f"{label} change GET", "GET", _url(f"{info}_change", pk)),
            Case(f"{label} change POST", "POST", _url(f"{info}_change", pk), change_data),
            Case(f"{label} delete GET", "GET", _url(f"{info}_delete", pk)),
            Case(f"{label} delete POST", "POST", _url(f"{info}_delete", pk), lambda w: {"post": "yes"}),
            Case(f"{label} history GET", "GET", _url(f"{info}_history", pk)),
            Case(f"{label} history POST", "POST", _url(f"{info}_history", pk), lambda w: {}),
            Case(f"{label} object GET", "GET", object_url),
            Case(f"{label} object POST", "POST", object_url, lambda w: {}),
        ]
        if isinstance(model_admin, SimpleHistoryAdmin):

            def version_url(world, label=label, info=info):
                obj = getattr(world, OBJECT[label])
                return reverse(f"{info}_simple_history", args=[obj.pk, obj.history.earliest().history_id])

            cases += [
                Case(f"{label} version GET", "GET", version_url),
                Case(f"{label} revert POST", "POST", version_url, revert_data),
            ]
        for _func, name, _description in model_admin._get_base_actions():
            target = _pk(ACTION_OBJECT.get((label, name), OBJECT[label]))

            def action_data(world, name=name, target=target):
                return {
                    "action": name,
                    ACTION_CHECKBOX_NAME: [str(target(world))],
                    "index": "0",
                    "post": "yes",  # delete_selected: the confirmation
                    "reason": "数据口径有误",  # return_selected: the reason; flag_measure: the note
                }

            send = (
                _cleanup_expired
                if (label, name) == ("axes.accessattempt", "cleanup_expired_attempts")
                else None
            )
            cases.append(
                Case(f"{label} action {name}", "POST", _url(f"{info}_changelist"), action_data, send)
            )
    if "auth.user" in {_label(m) for m in admin.site._registry}:
        password = "x-Other-pass-815"
        cases += [
            Case("auth.user password GET", "GET", _url("admin:auth_user_password_change", _pk("user"))),
            Case(
                "auth.user password POST",
                "POST",
                _url("admin:auth_user_password_change", _pk("user")),
                lambda w: {"password1": password, "password2": password, "usable_password": "true"},
            ),
        ]
    return cases


# The month page, the Excel round trip and the compliance page of the figure admin.


def _month_url(world):
    return reverse("admin:targets_figure_month") + f"?unit={world.unit_a.pk}&month=2020-05"


def _month_data(client) -> dict:
    """What a browser posts from unit A's May page (as `client` saw it), with target 1-01 at 12."""
    formset = client.get(_month_url(client.world)).context["formset"]
    data = {f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()}
    for form in formset.forms:
        for name in form.fields:
            value = form.initial.get(name)
            data[form.add_prefix(name)] = "" if value is None else str(value)
        data[form.add_prefix("value")] = "12"
    data["_save"] = "1"
    return data


def _template_url(world):
    return reverse("admin:targets_figure_xlsx_template") + f"?unit={world.unit_a.pk}&month=2020-05"


def _filled_workbook(client) -> bytes:
    """Unit A's May template (as `client` downloads it) with target 1-01 at 12."""
    workbook = load_workbook(io.BytesIO(client.get(_template_url(client.world)).content))
    sheet = workbook[sheetcells.SHEET_TITLE]
    columns = {title: index + 1 for index, title in enumerate(sheetcells.COLUMNS)}
    for row in range(sheetcells.HEADER_ROW + 1, sheet.max_row + 1):
        if sheet.cell(row=row, column=columns["编号"]).value == "1-01":
            sheet.cell(row=row, column=columns["本月数值"], value=12)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, world):
    upload = SimpleUploadedFile("填报.xlsx", world.workbook)
    data = {"unit": world.unit_a.pk, "month": "2020-05", "file": upload}
    return client.post(reverse("admin:targets_figure_xlsx_import"), data)


def _upload_and_confirm(client, world):
    preview = _upload(client, world)
    token = (preview.context or {}).get("token") if preview.status_code == 200 else None
    return client.post(reverse("admin:targets_figure_xlsx_import"), {"confirm": token or "no-token"})


FIGURE_PAGES = [
    Case("targets.figure month GET", "GET", _month_url),
    Case("targets.figure month POST", "POST", _month_url, lambda w: w.month_data),
    Case("targets.figure xlsx template form GET", "GET", _url("admin:targets_figure_xlsx_template")),
    Case(
        "targets.figure xlsx template form POST",
        "POST",
        _url("admin:targets_figure_xlsx_template"),
        lambda w: {},
    ),
    Case("targets.figure xlsx template GET", "GET", _template_url),
    Case("targets.figure xlsx import GET", "GET", _url("admin:targets_figure_xlsx_import")),
    Case("targets.figure xlsx upload POST", "POST", _url("admin:targets_figure_xlsx_import"), send=_upload),
    Case(
        "targets.figure xlsx confirm POST",
        "POST",
        _url("admin:targets_figure_xlsx_import"),
        send=_upload_and_confirm,
    ),
    Case("targets.figure compliance GET", "GET", _url("admin:targets_figure_compliance")),
    Case("targets.figure compliance POST", "POST", _url("admin:targets_figure_compliance"), lambda w: {}),
]


def _assign_action(name, data):
    def build(world):
        return {
            "action": name,
            ACTION_CHECKBOX_NAME: [str(world.target_a.pk), str(world.target_none.pk)],
            "index": "0",
            "_assign": "1",
        } | data(world)

    return build


ASSIGN_CASES = [
    Case(
        "targets.target action assign_units confirm",
        "POST",
        _url("admin:targets_target_changelist"),
        _assign_action("assign_units", lambda w: {"mode": "add", "units": [str(w.unit_b.pk)]}),
    ),
    Case(
        "targets.target action assign_leader confirm",
        "POST",
        _url("admin:targets_target_changelist"),
        _assign_action("assign_leader", lambda w: {"lead_official": "王副区长"}),
    ),
    Case(
        "targets.target action assign_units other district",
        "POST",
        _url("admin:targets_target_changelist"),
        _assign_action("assign_units", lambda w: {"mode": "add", "units": [str(w.unit_c.pk)]}),
    ),
]


def _view_on_site(world):
    content_type = ContentType.objects.get_for_model(world.plan)
    return reverse("admin:view_on_site", args=[content_type.pk, world.plan.pk])


def _wrong_login(world):
    return {"username": "rep_a", "password": "wrong-password"}


ADMIN_PAGES = [
    Case("admin index GET", "GET", _url("admin:index")),
    Case("admin index POST", "POST", _url("admin:index"), lambda w: {}),
    Case("admin login GET", "GET", _url("admin:login")),
    Case("admin login POST", "POST", _url("admin:login"), _wrong_login),
    Case("admin logout GET", "GET", _url("admin:logout")),
    Case("admin logout POST", "POST", _url("admin:logout"), lambda w: {}),
    Case("admin password_change GET", "GET", _url("admin:password_change")),
    Case(
        "admin password_change POST",
        "POST",
        _url("admin:password_change"),
        lambda w: {
            "old_password": "wrong",
            "new_password1": "x-New-pass-4711",
            "new_password2": "x-New-pass-4711",
        },
    ),
    Case("admin password_change_done GET", "GET", _url("admin:password_change_done")),
    Case("admin password_change_done POST", "POST", _url("admin:password_change_done"), lambda w: {}),
    Case(
        "admin autocomplete units GET",
        "GET",
        lambda w: (
            reverse("admin:autocomplete")
            + "?app_label=targets&model_name=target&field_name=responsible_units&term=甲"
        ),
    ),
    Case(
        "admin autocomplete users GET",
        "GET",
        lambda w: (
            reverse("admin:autocomplete")
            + "?app_label=targets&model_name=figure&field_name=entered_by&term=rep"
        ),
    ),
    Case("admin autocomplete POST", "POST", _url("admin:autocomplete"), lambda w: {}),
    Case("admin jsi18n GET", "GET", _url("admin:jsi18n")),
    Case("admin jsi18n POST", "POST", _url("admin:jsi18n"), lambda w: {}),
    Case("admin view_on_site GET", "GET", _view_on_site),
    Case("admin view_on_site POST", "POST", _view_on_site, lambda w: {}),
    *[
        Case(f"admin app {app} GET", "GET", _url("admin:app_list", app))
        for app in ("targets", "projects", "auth", "axes")
    ],
    Case("admin app targets POST", "POST", _url("admin:app_list", "targets"), lambda w: {}),
    Case("admin catch-all GET", "GET", lambda w: "/admin/no-such-page/"),
    Case("admin catch-all POST", "POST", lambda w: "/admin/no-such-page/", lambda w: {}),
]

_SITE_ARGS = {
    "targets:plan-detail": "plan",
    "targets:target-list": "plan",
    "targets:indicator-list": "plan",
    "targets:keytask-detail": "task",
    "targets:target-detail": "target_a",
    "projects:project-list": "plan",
    "projects:group-list": "plan",
    "projects:project-detail": "project_a",
    "projects:group-detail": "group",
    "reports:bulletin": "plan",
    "reports:bulletin-pdf": "plan",
    "reports:bulletin-xlsx": "plan",
}

SITE_PAGES = [
    Case("site root GET", "GET", lambda w: "/"),
    Case("site root POST", "POST", lambda w: "/", lambda w: {}),
    Case("site login GET", "GET", _url("login")),
    Case("site login POST", "POST", _url("login"), _wrong_login),
    Case("site logout GET", "GET", _url("logout")),
    Case("site logout POST", "POST", _url("logout"), lambda w: {}),
    Case("site password_reset GET", "GET", _url("password_reset")),
    Case(
        "site password_reset POST", "POST", _url("password_reset"), lambda w: {"email": "nobody@example.org"}
    ),
    Case("site password_reset_done GET", "GET", _url("password_reset_done")),
    Case("site password_reset_done POST", "POST", _url("password_reset_done"), lambda w: {}),
    Case("site password_reset_confirm GET", "GET", lambda w: "/accounts/reset/MQ/bad-token/"),
    Case(
        "site password_reset_confirm POST",
        "POST",
        lambda w: "/accounts/reset/MQ/bad-token/",
        lambda w: {"new_password1": "x-New-pass-815", "new_password2": "x-New-pass-815"},
    ),
    Case("site password_reset_complete GET", "GET", _url("password_reset_complete")),
    Case("site password_reset_complete POST", "POST", _url("password_reset_complete"), lambda w: {}),
    Case("site set_language GET", "GET", _url("set_language")),
    Case(
        "site set_language POST",
        "POST",
        _url("set_language"),
        lambda w: {"language": "en", "next": "/plans/"},
    ),
    Case("site planning:draft-start GET", "GET", _url("planning:draft-start")),
    Case(
        "site planning:draft-start POST",
        "POST",
        _url("planning:draft-start"),
        lambda w: {"district": "新区", "year": "2021", "text": "重点工作 1\n\n稳增长\n\n新建公厕20座。\n"},
    ),
    Case("site planning:draft-review GET", "GET", _url("planning:draft-review", "no-such-draft")),
    Case(
        "site planning:draft-review POST",
        "POST",
        _url("planning:draft-review", "no-such-draft"),
        lambda w: {},
    ),
    *[
        Case(f"site planning:{name} {method}", method, _url(f"planning:{name}", _pk("plan")), data)
        for name, data in (
            ("plan-setup", lambda w: {}),
            ("plan-status", lambda w: {"status": "archived"}),
            ("plan-copy", lambda w: {"year": "2022", "title": "复制的计划"}),
            ("table-export", lambda w: {}),
        )
        for method in ("GET", "POST")
    ],
    Case("site planning:table-template GET", "GET", _url("planning:table-template")),
    Case("site planning:table-template POST", "POST", _url("planning:table-template"), lambda w: {}),
    Case("site planning:table-import GET", "GET", _url("planning:table-import")),
    Case(
        "site planning:table-import POST",
        "POST",
        _url("planning:table-import"),
        lambda w: {
            "plan": str(w.plan.pk),
            "file": SimpleUploadedFile(
                "table.csv",
                "序号,重点工作,具体任务,完成时限\n1-09,1 加快推进项目建设,新任务,2020-12-31\n".encode(),
            ),
        },
    ),
    Case("site planning:document GET", "GET", _url("planning:document", _pk("document"))),
    Case("site planning:document POST", "POST", _url("planning:document", _pk("document")), lambda w: {}),
    *[
        Case(
            f"site {name} {method}",
            method,
            _url(name, *([_pk(_SITE_ARGS[name])] if name in _SITE_ARGS else [])),
            (lambda w: {}) if method == "POST" else None,
        )
        for name in (
            "targets:plan-list",
            *_SITE_ARGS,
        )
        for method in ("GET", "POST")
    ],
]

CASES = [
    *model_admin_cases(),
    *FIGURE_PAGES,
    *ASSIGN_CASES,
    *ADMIN_PAGES,
    *SITE_PAGES,
    *supervision_table.cases(Case, _url, _pk),
    *public_table.cases(Case, _url, _pk),
    *notices_table.cases(Case, _url, _pk),
]


# --- running a cell ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    # Evidence files of the supervision rows are written to a directory of their own.
    with django_db_blocker.unblock(), transaction.atomic(), tempfile.TemporaryDirectory() as media:
        settings_override = override_settings(MEDIA_ROOT=media)
        settings_override.enable()
        world = build_world()
        sessions = {}
        for role, user in world.users.items():
            client = Client()
            client.force_login(user)
            sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        world.objects["sessions"] = sessions
        # The browser's forms, as the admin sees them (read before the fingerprint: GETs log no one in).
        admin_client = Client()
        admin_client.cookies[settings.SESSION_COOKIE_NAME] = sessions["admin"]
        admin_client.world = world
        world.objects["month_data"] = _month_data(admin_client)
        world.objects["workbook"] = _filled_workbook(admin_client)
        world.objects["fingerprint"] = db_fingerprint()
        with pytest.MonkeyPatch.context() as patch:
            # The PDF's rendering (Chromium) is not what this table is about.
            patch.setattr("reports.documents.pdf_bytes", lambda bulletin: b"%PDF-1.4 test")
            yield world
        transaction.set_rollback(True)
        settings_override.disable()


LOGIN_PATHS = {reverse(settings.LOGIN_URL), reverse("admin:login")}


def cell(case: Case, world: World, role: str) -> str:
    """The outcome of one request, in the table's notation; the database is left as it was."""
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    with transaction.atomic():
        if case.send is not None:
            response = case.send(client, world)
        elif case.method == "GET":
            response = client.get(case.url(world))
        else:
            response = client.post(case.url(world), case.data(world) if case.data else {})
        changed = db_fingerprint() != world.fingerprint
        transaction.set_rollback(True)
    status = response.status_code
    if status == 302 and urlsplit(response["Location"]).path in LOGIN_PATHS:
        return "L+" if changed else "L"
    return f"{status}+" if changed else str(status)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=str)
def test_role_url_table(world, case):
    expected = EXPECTED.get(case.key)
    assert expected is not None, f"no expectation for {case.key!r}: add a line to EXPECTED"
    got = " ".join(cell(case, world, role) for role in ROLES)
    assert got == expected, f"{case.key}: roles {' '.join(ROLES)}"


# --- completeness -------------------------------------------------------------------------------------


def _routes(resolver=None, prefix="") -> set[str]:
    """Every URL pattern of the site, as ResolverMatch.route spells it."""
    resolver = resolver or get_resolver()
    routes = set()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern).removeprefix("^") if prefix else str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes |= _routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            routes.add(route)
    return routes


def test_every_case_has_an_expectation_and_every_expectation_a_case():
    keys = [case.key for case in CASES]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(EXPECTED)


def test_every_expectation_is_written_in_the_tables_notation():
    tokens = {tok for row in EXPECTED.values() for tok in row.split()}
    assert {len(row.split()) for row in EXPECTED.values()} == {len(ROLES)}
    assert all(tok.rstrip("+").isdigit() or tok.rstrip("+") == "L" for tok in tokens), tokens


@pytest.mark.django_db
def test_every_url_has_a_get_and_a_post_in_the_table(world):
    covered = {"GET": set(), "POST": set()}
    for case in CASES:
        covered[case.method].add(resolve(urlsplit(case.url(world)).path).route)
    routes = _routes()
    assert routes - covered["GET"] == set(), "URLs without a GET line"
    assert routes - covered["POST"] == set(), "URLs without a POST line"
    assert covered["GET"] | covered["POST"] <= routes


def test_every_admin_view_and_action_of_every_model_admin_is_in_the_table():
    keys = {case.key for case in CASES}
    for model, model_admin in admin.site._registry.items():
        label = _label(model)
        views = ["changelist GET", "add GET", "add POST", "change GET", "change POST", "delete GET"]
        views += ["delete POST", "history GET"]
        if isinstance(model_admin, SimpleHistoryAdmin):
            views += ["version GET", "revert POST"]
        views += [f"action {name}" for _f, name, _d in model_admin._get_base_actions()]
        assert {f"{label} {view}" for view in views} <= keys, label


# --- districts ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["viewer", "reviewer", "reporter"])
def test_a_user_of_another_district_finds_none_of_the_worlds_plan_pages(world, role):
    """Every role above sees the world's pages (its users belong to its district); one of 别区 does not."""
    from entry.roles import REPORTER, REVIEWER, VIEWER, assign_role

    from .factories import make_user

    with transaction.atomic():
        outsider = make_user(f"outsider_{role}", districts=["别区"])
        assign_role(outsider, {"viewer": VIEWER, "reviewer": REVIEWER, "reporter": REPORTER}[role])
        client = Client()
        client.force_login(outsider)
        names = [*_SITE_ARGS, "supervision:item-list"]
        args = {**_SITE_ARGS, "supervision:item-list": "plan"}
        got = {
            name: client.get(reverse(name, args=[getattr(world, args[name]).pk])).status_code
            for name in names
        }
        plans = list(client.get(reverse("targets:plan-list")).context["plans"])
        transaction.set_rollback(True)
    assert got == dict.fromkeys(names, 404)
    assert plans == []
