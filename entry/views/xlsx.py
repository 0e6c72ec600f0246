"""Excel round trip in the admin: download a unit's monthly template, upload it filled in.

The upload is checked completely before anything is stored and shown as a preview (stored →
new value, errors and warnings per row). Only a clean preview can be confirmed; its rows wait
in the session under a random token and are saved all or nothing by `write.save_entries`.
The file handling itself lives in `entry.xlsx` (writer, reader, validation, importer).
"""

import secrets
import time

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from targets.access import can_report, is_admin
from targets.models import Figure, Unit

from .. import write
from ..xlsx import importer, reader, sheetcells, validation, writer

SESSION_KEY = "targets_xlsx_imports"
TOKEN_TTL_SECONDS = 60 * 60
MAX_PENDING = 5


class UnitMonthForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.all(),
        label=gettext_lazy("责任单位"),
        error_messages={
            "required": gettext_lazy("请选择责任单位。"),
            "invalid_choice": gettext_lazy("所选责任单位不存在。"),
        },
    )
    month = forms.CharField(
        label=gettext_lazy("月份"),
        max_length=20,
        error_messages={"required": gettext_lazy("请选择月份。")},
    )

    def clean_month(self):
        month = sheetcells.parse_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError(_("月份格式应为 YYYY-MM,如 2020-06。"))
        return month


class ImportForm(forms.Form):
    """The upload: only the file, which names its unit and month itself."""

    file = forms.FileField(
        label=gettext_lazy("文件"),
        error_messages={
            "required": gettext_lazy("请选择要上传的 .xlsx 文件。"),
            "empty": gettext_lazy("上传的文件是空的,请选择填好的模板文件。"),
            "invalid": gettext_lazy("没有收到文件,请重新选择要上传的 .xlsx 文件。"),
        },
    )


def _form_errors(form) -> list[str]:
    return [message for errors in form.errors.values() for message in errors]


def _may_use(user, unit: Unit) -> bool:
    return is_admin(user) or unit.members.filter(pk=user.pk).exists()


def _context(request, title, **extra):
    return {
        **admin.site.each_context(request),
        "title": title,
        "opts": Figure._meta,
        "units": writer.units_for(request.user),
        **extra,
    }


def _template_form(request, *, errors=(), notice="", status=200):
    context = _context(
        request,
        _("下载填报模板"),
        errors=list(errors),
        notice=notice,
        unit_value=request.GET.get("unit", ""),
        month_value=request.GET.get("month", ""),
    )
    return TemplateResponse(request, "admin/targets/figure/xlsx_template.html", context, status=status)


def template_view(request):
    """GET ?unit=&month=YYYY-MM: the unit's fill-in workbook; without them, a form to choose."""
    if "unit" not in request.GET and "month" not in request.GET:
        return _template_form(request)
    form = UnitMonthForm(request.GET)
    if not form.is_valid():
        return _template_form(request, errors=_form_errors(form), status=400)
    unit, month = form.cleaned_data["unit"], form.cleaned_data["month"]
    if not _may_use(request.user, unit):
        raise PermissionDenied
    data, count = writer.build_template(unit, month, user=request.user)
    if count == 0:
        return _template_form(
            request,
            notice=_("%(unit)s 在 %(month)s 没有需要填报的目标。")
            % {"unit": unit.name, "month": month.strftime("%Y-%m")},
        )
    response = HttpResponse(data, content_type=sheetcells.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, writer.template_filename(unit, month))
    response["Cache-Control"] = "no-store"
    return response


def _import_page(
    request, *, errors=(), rows=(), token=None, prepared=None, unit=None, month=None, status=200
):
    context = _context(
        request,
        _("导入预览") if rows else _("上传填报表"),
        errors=list(errors),
        rows=list(rows),
        token=token,
        unchanged=prepared.unchanged if prepared else 0,
        empty=prepared.empty if prepared else 0,
        has_problems=bool(errors) or any(r["errors"] or r["warnings"] for r in rows),
        file_unit=unit,
        file_month=month,
    )
    return TemplateResponse(request, "admin/targets/figure/xlsx_preview.html", context, status=status)


def _pending(request) -> dict:
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict):
        return {}
    now = time.time()
    return {
        token: payload
        for token, payload in pending.items()
        if isinstance(payload, dict) and now - payload.get("created", 0) < TOKEN_TTL_SECONDS
    }


def _keep(request, unit, month, items) -> str:
    token = secrets.token_urlsafe(24)
    pending = _pending(request)
    pending[token] = {
        "user": request.user.pk,
        "unit": unit.pk,
        "month": month.isoformat(),
        "created": time.time(),
        "rows": importer.serialize(items),
    }
    newest = sorted(pending.items(), key=lambda item: item[1]["created"])[-MAX_PENDING:]
    request.session[SESSION_KEY] = dict(newest)
    return token


def import_view(request):
    """GET: the upload form. POST file: check and preview. POST confirm=token: save."""
    user = request.user
    if not can_report(user):
        raise PermissionDenied
    if request.method != "POST":
        return _import_page(request)
    if "confirm" in request.POST:
        return _confirm(request)

    upload = request.FILES.get("file")
    if upload is not None and upload.size > sheetcells.MAX_UPLOAD_BYTES:
        try:
            validation.check_upload_name(upload.name, upload.size)
        except sheetcells.WorkbookRejected as exc:
            return _import_page(request, errors=exc.messages, status=exc.status)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, errors=_form_errors(form), status=400)
    upload = form.cleaned_data["file"]
    try:
        validation.check_upload_name(upload.name, upload.size)
        upload.seek(0)
        parsed = reader.read_upload(upload.read(sheetcells.MAX_UPLOAD_BYTES + 1))
        unit, month = reader.unit_and_month(parsed)
    except sheetcells.WorkbookRejected as exc:
        return _import_page(request, errors=exc.messages, status=exc.status)
    if not _may_use(user, unit):
        raise PermissionDenied

    prepared = importer.prepare(parsed, unit=unit, month=month, user=user)
    errors = parsed.errors + prepared.errors
    entries = [e for _row, e in prepared.items]
    checks = write.check_entries(entries, user=user) if entries else []
    rows = importer.preview_rows(prepared.items, checks)
    if not entries and not errors:
        errors.append(
            _("文件中没有新填或修改的数据(未变化 %(same)s 行,留空 %(empty)s 行)。")
            % {"same": prepared.unchanged, "empty": prepared.empty}
        )
    if errors or not all(c.ok for c in checks):
        return _import_page(
            request, errors=errors, rows=rows, prepared=prepared, unit=unit, month=month, status=400
        )
    token = _keep(request, unit, month, prepared.items)
    return _import_page(request, rows=rows, token=token, prepared=prepared, unit=unit, month=month)


def _confirm(request):
    token = request.POST.get("confirm", "")
    pending = _pending(request)
    payload = pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    if payload is None or payload.get("user") != request.user.pk:
        return _import_page(request, errors=[_("导入预览已过期或已经确认过,请重新上传文件。")], status=400)
    try:
        items = importer.deserialize(payload.get("rows"))
    except sheetcells.WorkbookRejected as exc:
        return _import_page(request, errors=exc.messages, status=400)
    submit = "_submit" in request.POST
    try:
        saved = write.save_entries([e for _row, e in items], user=request.user, submit=submit)
    except write.EntriesRejected as rejected:
        rows = importer.preview_rows(items, rejected.checks)
        return _import_page(
            request,
            errors=[
                _("没有保存任何数据:预览之后数据发生了变化或不再符合要求。请重新下载模板,核对后再上传。")
            ],
            rows=rows,
            status=409,
        )
    if submit:
        message = ngettext(
            "已导入并报送审核 %(n)s 条月度数据。", "已导入并报送审核 %(n)s 条月度数据。", len(saved)
        )
    else:
        message = ngettext(
            "已导入 %(n)s 条月度数据,保存为草稿;请核对后报送审核。",
            "已导入 %(n)s 条月度数据,保存为草稿;请核对后报送审核。",
            len(saved),
        )
    messages.success(request, message % {"n": len(saved)})
    return redirect("admin:targets_figure_changelist")
