"""Import a 任务分解表: upload → row-by-row check → preview → confirm, all or nothing.

The checked rows wait in the session under a random token; the confirmation checks them again
against the plan as it is then and applies them in one transaction. The blank template and a
plan's filled table are downloads.
"""

import secrets
import time

from django import forms
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from entry.xlsx import sheetcells
from targets.models import DataVersion, Plan

from . import tableio
from .access import plan_admin_required
from .pending import pending

SESSION_KEY = "planning_table_imports"
TOKEN_TTL_SECONDS = 60 * 60
MAX_PENDING = 3


class UploadForm(forms.Form):
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.exclude(status=Plan.Status.ARCHIVED),
        label=gettext_lazy("年度计划"),
        error_messages={
            "required": gettext_lazy("请选择年度计划。"),
            "invalid_choice": gettext_lazy("所选计划不存在或已归档。"),
        },
    )
    file = forms.FileField(
        label=gettext_lazy("任务分解表(.xlsx 或 .csv)"),
        error_messages={
            "required": gettext_lazy("请选择要上传的文件。"),
            "empty": gettext_lazy("上传的文件是空的。"),
        },
    )


def _page(request, *, form=None, errors=(), rows=(), token=None, plan=None, status=200):
    rows = list(rows)
    return TemplateResponse(
        request,
        "planning/table_import.html",
        {
            "form": form or UploadForm(initial={"plan": request.GET.get("plan")}),
            "errors": list(errors),
            "rows": rows,
            "token": token,
            "import_plan": plan,
            "has_errors": any(r.errors for r in rows),
            "counts": {
                a: sum(1 for r in rows if r.action == a and not r.errors)
                for a in ("create", "change", "same")
            },
        },
        status=status,
    )


def _pending(request) -> dict:
    return pending(request, SESSION_KEY, TOKEN_TTL_SECONDS)


@plan_admin_required
def table_import(request):
    """GET: the upload form. POST file: check and preview. POST confirm=token: apply."""
    if request.method != "POST":
        return _page(request)
    if "confirm" in request.POST:
        return _confirm(request)
    upload = request.FILES.get("file")
    if upload is not None and upload.size > tableio.MAX_UPLOAD_BYTES:
        # Refused by its size before the form (or anything else) reads it.
        return _page(request, errors=[_too_big(upload.size)], status=413)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = [m for field_errors in form.errors.values() for m in field_errors]
        return _page(request, form=form, errors=errors, status=400)
    plan, upload = form.cleaned_data["plan"], form.cleaned_data["file"]
    try:
        kind = tableio.check_name(upload.name, upload.size)
        upload.seek(0)
        keys, raw_rows = tableio.read_table(upload.read(tableio.MAX_UPLOAD_BYTES + 1), kind)
    except tableio.TableRejected as exc:
        return _page(request, form=form, errors=[exc.message], status=exc.status)
    rows = tableio.check_rows(keys, raw_rows, plan)
    tableio.compare(rows, plan)
    if not rows:
        return _page(request, form=form, errors=[_("表中没有数据行。")], status=400)
    if any(r.errors for r in rows):
        return _page(
            request,
            form=form,
            rows=rows,
            plan=plan,
            status=400,
            errors=[_("有行存在错误,未导入任何数据。请修改后重新上传。")],
        )
    token = secrets.token_urlsafe(18)
    pending = _pending(request)
    pending[token] = {
        "user": request.user.pk,
        "created": time.time(),
        "plan": plan.pk,
        "rows": [r.to_dict() for r in rows],
    }
    request.session[SESSION_KEY] = dict(sorted(pending.items(), key=lambda i: i[1]["created"])[-MAX_PENDING:])
    return _page(request, form=form, rows=rows, token=token, plan=plan)


def _too_big(size: int) -> str:
    return _("文件过大(%(size)s MB),上传的文件不能超过 %(limit)s MB。") % {
        "size": f"{size / 1024 / 1024:.1f}",
        "limit": tableio.MAX_UPLOAD_BYTES // 1024 // 1024,
    }


def _confirm(request):
    token = request.POST.get("confirm", "")
    pending = _pending(request)
    payload = pending.get(token)
    if payload is None:
        return _page(request, errors=[_("导入已失效(保留一小时)或已完成,请重新上传。")], status=400)
    plan = Plan.objects.filter(pk=payload["plan"]).first()
    if plan is None or plan.status == Plan.Status.ARCHIVED:
        return _page(request, errors=[_("所选计划不存在或已归档。")], status=400)
    rows = [tableio.RowPlan.from_dict(r) for r in payload["rows"]]
    try:
        with transaction.atomic():
            plan = Plan.objects.select_for_update().get(pk=plan.pk)
            tableio.compare(rows, plan)
            if any(r.errors for r in rows):
                raise _Stale
            counts = tableio.apply(rows, plan)
            DataVersion.bump(Plan.objects.filter(pk=plan.pk))
    except (_Stale, IntegrityError):
        return _page(
            request,
            rows=rows,
            plan=plan,
            status=409,
            errors=[_("计划在预览后已被修改,未导入任何数据。请重新上传。")],
        )
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    return TemplateResponse(request, "planning/table_done.html", {"plan": plan, "counts": counts})


class _Stale(Exception):
    pass


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=sheetcells.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


@plan_admin_required
@require_safe
def table_template(request):
    return _xlsx(tableio.build_table(None), _("任务分解表模板.xlsx"))


@plan_admin_required
@require_safe
def table_export(request, pk):
    """The plan's table filled in: the seed plan's is the filled example."""
    plan = get_object_or_404(Plan, pk=pk)
    return _xlsx(
        tableio.build_table(plan),
        _("%(district)s%(year)s年任务分解表.xlsx") % {"district": plan.district, "year": plan.year},
    )
