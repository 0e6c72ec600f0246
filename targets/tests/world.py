"""One small but complete world for the admin security tests: two units, every role, every kind
of object the admin shows, each with a history; and the helpers those tests share.

Everything "under test" belongs to unit A (甲单位): its reporter `rep_a` may touch it, the
reporter of unit B (`rep_b`) may not.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.contrib.auth.models import Group
from django.db import connection
from django.forms import CheckboxInput, MultiWidget, SelectMultiple
from django.test import RequestFactory

from entry.roles import ADMIN, REPORTER, REVIEWER, VIEWER, assign_role
from notices.tests import table as notices_table
from projects.models import Problem, Project, ProjectGroup, StageChange
from public.tests import table as public_table
from reports.models import BulletinNote
from supervision.tests import table as supervision_table
from targets.models import Figure, FigureEvent

from .factories import make_figure, make_plan, make_target, make_task, make_unit, make_user

ROLES = ("anonymous", "viewer", "rep_a", "rep_b", "reviewer", "admin")
ROLE_GROUPS = {"viewer": VIEWER, "rep_a": REPORTER, "rep_b": REPORTER, "reviewer": REVIEWER, "admin": ADMIN}

# Every user of the world belongs to the world plan's district (the admin would see it anyway).
WORLD_DISTRICT = "测试区"

MAY, JUNE, APRIL = dt.date(2020, 5, 1), dt.date(2020, 6, 1), dt.date(2020, 4, 1)


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    world = World()
    for role, group in ROLE_GROUPS.items():
        user = make_user(role, districts=[WORLD_DISTRICT])
        assign_role(user, group)
        world.users[role] = user
    users = world.users
    plan = make_plan(district=WORLD_DISTRICT)
    plan.title = "测试计划(修订)"
    plan.save()  # a second version in the plan's history
    task = make_task(plan, 1, title="加快推进项目建设")
    unit_a, unit_b = make_unit("甲单位"), make_unit("乙单位")
    unit_a.members.add(users["rep_a"])
    unit_b.members.add(users["rep_b"])
    target_a = make_target(task, "1-01", units=[unit_a])
    target_b = make_target(task, "1-02", units=[unit_b])
    target_none = make_target(task, "1-03")
    target_a.goal = Decimal("120")
    target_a.save()
    figure_a = make_figure(target_a, MAY, 10, status=Figure.Status.DRAFT, entered_by=users["rep_a"])
    figure_a.value = Decimal("11")
    figure_a.save()
    submitted_a = make_figure(target_a, JUNE, 15, status=Figure.Status.SUBMITTED, entered_by=users["rep_a"])
    FigureEvent.objects.create(figure=submitted_a, action=FigureEvent.Action.SUBMITTED, actor=users["rep_a"])
    doubtful_a = make_figure(
        target_a, dt.date(2020, 2, 1), 4, measure_doubtful=True, measure_note="只计新建,目标含续建"
    )
    approved_a = make_figure(target_a, APRIL, 8, entered_by=users["rep_a"], reviewed_by=users["reviewer"])
    figure_b = make_figure(target_b, MAY, 20, status=Figure.Status.DRAFT, entered_by=users["rep_b"])
    group = ProjectGroup.objects.create(plan=plan, name="计划开工项目", key_task=task)
    project_a = Project.objects.create(
        plan=plan, name="甲项目", key_task=task, responsible_unit=unit_a, stage="started"
    )
    project_a.groups.set([group])
    project_a.progress_note = "进展顺利"
    project_a.save()
    problem_a = Problem.objects.create(
        project=project_a, description="征地未完成", responsible_unit=unit_a, raised_on=dt.date(2020, 3, 1)
    )
    project_b = Project.objects.create(plan=plan, name="乙项目", key_task=task, responsible_unit=unit_b)
    # Unit A's reporter says its project is completed; the change waits for review.
    stage_change_a = StageChange.objects.create(
        project=project_a,
        stage="completed",
        reached_on=dt.date(2020, 6, 30),
        previous_stage="started",
        submitted_by=users["rep_a"],
    )
    stage_change_a.note = "已完成竣工验收"
    stage_change_a.save()  # a second version in its history
    axes = {"user_agent": "test", "ip_address": "10.0.0.9", "username": "ghost", "http_accept": "*/*"}
    attempt = AccessAttempt.objects.create(
        **axes, path_info="/accounts/login/", get_data="", post_data="", failures_since_start=2
    )
    access_log = AccessLog.objects.create(**axes, path_info="/accounts/login/")
    failure_log = AccessFailureLog.objects.create(**axes, path_info="/accounts/login/")
    world.objects.update(
        plan=plan,
        task=task,
        unit_a=unit_a,
        unit_b=unit_b,
        target_a=target_a,
        target_b=target_b,
        target_none=target_none,
        figure_a=figure_a,
        submitted_a=submitted_a,
        bulletin_note=BulletinNote.objects.create(plan=plan, month=JUNE, highlights="1. 原有亮点。"),
        doubtful_a=doubtful_a,
        approved_a=approved_a,
        figure_b=figure_b,
        event_a=submitted_a.events.get(),
        group=group,
        project_a=project_a,
        problem_a=problem_a,
        project_b=project_b,
        stage_change_a=stage_change_a,
        attempt=attempt,
        access_log=access_log,
        failure_log=failure_log,
        role_group=Group.objects.get(name=VIEWER),
        user=users["viewer"],
    )
    # A source document (planning app) with target_a's sentence tracked in it.
    from planning.models import SourceDocument, TrackedSentence

    document = SourceDocument.objects.create(plan=plan, title="测试原文", text="前言。确保完成。结尾。")
    TrackedSentence.objects.create(target=target_a, document=document, start=3, end=8)
    world.objects["document"] = document
    supervision_table.build(world)
    public_table.build(world)
    notices_table.build(world)
    return world


# --- what a database holds ------------------------------------------------------------------------

# Sessions change with every log-in and log-out; they are not data.
_SKIPPED_TABLES = {"django_session"}


def db_fingerprint() -> str:
    """A hash of every row of every table of the project's models (sessions aside)."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for model in sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.db_table):
            table = model._meta.db_table
            if table in _SKIPPED_TABLES or not model._meta.managed or model._meta.proxy:
                continue
            columns = ", ".join(
                connection.ops.quote_name(f.column) for f in model._meta.local_concrete_fields
            )
            cursor.execute(
                f"SELECT {columns} FROM {connection.ops.quote_name(table)} "
                f"ORDER BY {connection.ops.quote_name(model._meta.pk.column)}"
            )
            digest.update(table.encode())
            digest.update(repr(cursor.fetchall()).encode())
    return digest.hexdigest()


# --- what a browser would post ---------------------------------------------------------------------


def _put(data: dict, name: str, widget, value) -> None:
    if isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    if isinstance(widget, CheckboxInput):
        if value:
            data[name] = "on"
        return
    if isinstance(widget, MultiWidget):
        parts = value if isinstance(value, list | tuple) else widget.decompress(value)
        for suffix, sub, part in zip(widget.widgets_names, widget.widgets, parts, strict=False):
            _put(data, name + suffix, sub, part)
        return
    if isinstance(widget, SelectMultiple):
        data[name] = [str(v) for v in (value or [])]
        return
    shown = widget.format_value(value)
    if isinstance(shown, list):  # a single <select> formats its value as a list of one
        shown = shown[0] if shown else None
    data[name] = "" if shown is None else str(shown)


def admin_form_data(model_admin, obj, user, *, inlines: bool = True, **changes) -> dict:
    """The POST of the admin's add (obj None) or change form as the page shows it, plus `changes`."""
    request = RequestFactory().get("/")
    request.user = user
    form = model_admin.get_form(request, obj, change=obj is not None)(instance=obj)
    data = {}
    for bound in form:
        _put(data, bound.html_name, bound.field.widget, bound.value())
    if inlines:
        formsets, _inlines = model_admin._create_formsets(
            request, obj if obj is not None else model_admin.model(), change=obj is not None
        )
        for formset in formsets:
            for bound in formset.management_form:
                data[bound.html_name] = str(bound.value())
            for inline_form in formset.forms:
                for bound in inline_form:
                    _put(data, bound.html_name, bound.field.widget, bound.value())
    data.update(changes)
    data.setdefault("_save", "1")
    return data
