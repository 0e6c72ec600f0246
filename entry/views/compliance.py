"""The reporting-compliance page in the admin: which units have reported a month, and how.

Only reviewers and admins see it. GET parameters: `plan` (id; the latest plan by default) and
`month` (YYYY-MM; by default the month now being reported, clamped into the plan's period).
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from targets.access import can_review, visible_plans
from targets.models import Figure, Plan

from .. import compliance


class _BadRequest(Exception):
    pass


def _resolve_plan(raw: str | None, plans) -> Plan | None:
    """The plan asked for among `plans` (those of the user's districts), else the latest of them."""
    if raw in (None, ""):
        return plans.order_by("-year", "district", "pk").first()
    try:
        return plans.get(pk=int(raw))
    except (ValueError, Plan.DoesNotExist):
        raise _BadRequest(_("找不到编号为“%(raw)s”的年度计划。") % {"raw": raw}) from None


def _resolve_month(raw: str | None, plan: Plan):
    if raw in (None, ""):
        return compliance.default_month(plan, timezone.localdate())
    try:
        month = compliance.parse_month(raw)
        compliance.check_month_in_plan(plan, month)
    except compliance.MonthError as exc:
        raise _BadRequest(str(exc)) from None
    return month


def compliance_view(request: HttpRequest) -> HttpResponse:
    if not can_review(request.user):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": _("月度数据报送情况"),
        "opts": Figure._meta,
        "plans": visible_plans(request.user),
        "plan": None,
        "error": None,
        "report": None,
    }
    status = 200
    try:
        context["plan"] = plan = _resolve_plan(request.GET.get("plan"), context["plans"])
        if plan is not None:
            month = _resolve_month(request.GET.get("month"), plan)
            context["report"] = compliance.unit_compliance(plan=plan, month=month, now=timezone.now())
    except _BadRequest as exc:
        context["error"] = str(exc)
        status = 400
    return TemplateResponse(request, "admin/targets/figure/compliance.html", context, status=status)
