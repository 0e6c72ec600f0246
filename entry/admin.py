"""The data-entry pipeline's admin: monthly figures (with the monthly page, the Excel round trip and
the compliance page mounted under /admin/targets/figure/), their review events, and the accounts
with their roles and districts.

The models are the kernel's (`targets`); Django lets another app register them.
"""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from common.formatting import fmt_number
from targets.access import can_report, can_review, is_admin
from targets.admin import GuardedHistoryAdmin, InVisiblePlansAdmin, ReturnForm
from targets.models import DistrictMembership, Figure, FigureEvent

from . import access, review, roles, write
from .forms import FigureAdminForm


class MeasureForm(forms.Form):
    reason = forms.CharField(
        label=_("口径说明"),
        help_text=_("写明数据口径与目标有何不同,如“只计新建,目标含续建”"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


@admin.register(Figure)
class FigureAdmin(GuardedHistoryAdmin):
    """Monthly figures: reporters see and edit only their units' targets; reviewers approve."""

    # A figure's past versions are shown but never restored: a revert would write the values
    # and status of an old version past the review workflow (a submitted or approved figure
    # back to draft, or an approved value replaced without review) and past the version check
    # of `write.save_entries`. A figure is corrected through its change form or the monthly page.
    history_revert = False
    form = FigureAdminForm
    list_display = [
        "target",
        "month_display",
        "value_display",
        "previous_display",
        "change_display",
        "progress_note_display",
        "problems_display",
        "status_display",
        "measure_doubtful",
        "updated_by",
        "updated_at",
        "reviewed_by",
    ]
    list_filter = [
        "status",
        "month",
        ("target__key_task__plan", admin.RelatedOnlyFieldListFilter),
        ("target__key_task", admin.RelatedOnlyFieldListFilter),
        ("target__responsible_units", admin.RelatedOnlyFieldListFilter),
    ]
    plan_path = "target__key_task__plan"
    search_fields = ["target__code", "target__name", "progress_note", "problems"]
    list_select_related = ["target__key_task__plan", "updated_by", "reviewed_by"]
    date_hierarchy = "month"
    actions = ["submit_selected", "approve_selected", "return_selected", "flag_measure", "confirm_measure"]
    readonly_fields = [
        "status",
        "return_reason",
        "source_text",
        "entered_by",
        "entered_at",
        "updated_by",
        "updated_at",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "version",
    ]

    NOTE_SHOWN = 24  # characters of a note shown in the list; the whole note is its title

    def get_queryset(self, request):
        queryset = (
            super().get_queryset(request).filter(pk__in=access.visible_figures(request.user).values("pk"))
        )
        match = request.resolver_match
        if match is not None and match.url_name == "targets_figure_changelist":
            queryset = self.with_previous(queryset)
        return queryset

    @staticmethod
    def with_previous(queryset):
        """Each figure with its target's latest earlier figure (month, value, reached), in the same
        query: the list's query count does not grow with its rows."""
        earlier = Figure.objects.filter(target=OuterRef("target"), month__lt=OuterRef("month")).order_by(
            "-month"
        )
        return queryset.annotate(
            previous_month=Subquery(earlier.values("month")[:1]),
            previous_value=Subquery(earlier.values("value")[:1]),
            previous_reached=Subquery(earlier.values("reached")[:1]),
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class BoundUserForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=user, **kw)

        return BoundUserForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "target":
            kwargs["queryset"] = access.reportable_targets(request.user).select_related("key_task__plan")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and can_report(request.user)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        return access.edit_refusal(request.user, obj.target, obj) is None

    def has_delete_permission(self, request, obj=None):
        return is_admin(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_review(request.user):
            for name in ("approve_selected", "return_selected", "flag_measure", "confirm_measure"):
                actions.pop(name, None)
        if not can_report(request.user):
            actions.pop("submit_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        try:
            (saved,) = write.save_entries([form.entry], user=request.user, submit="_submit" in request.POST)
        except write.EntriesRejected as rejected:
            request._figure_rejected = "; ".join(
                message
                for check in rejected.checks
                for message in [*check.errors.values(), *check.warnings.values()]
            )
            return
        obj.pk = saved.pk
        obj.refresh_from_db()

    def _rejected_response(self, request, obj):
        message = getattr(request, "_figure_rejected", None)
        if message is None:
            return None
        self.message_user(request, message, messages.ERROR)
        if obj.pk:
            return HttpResponseRedirect(reverse("admin:targets_figure_change", args=[obj.pk]))
        return HttpResponseRedirect(reverse("admin:targets_figure_add"))

    def response_add(self, request, obj, post_url_continue=None):
        return self._rejected_response(request, obj) or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        return self._rejected_response(request, obj) or super().response_change(request, obj)

    def log_addition(self, request, obj, message):
        if obj.pk:
            return super().log_addition(request, obj, message)
        return None

    def log_change(self, request, obj, message):
        if not getattr(request, "_figure_rejected", None):
            return super().log_change(request, obj, message)
        return None

    @admin.display(description=_("月份"), ordering="month")
    def month_display(self, obj):
        return obj.month.strftime("%Y-%m")

    @admin.display(description=_("数值"))
    def value_display(self, obj):
        if obj.value is None:
            return _("已完成") if obj.reached else _("未完成")
        return f"{fmt_number(obj.value)} {obj.target.unit_of_measure}"

    @staticmethod
    def _previous(obj):
        """The figure's previous month's (value, reached), or None when that month has none."""
        month = getattr(obj, "previous_month", None)
        if month is None or month != (obj.month.replace(day=1) - dt.timedelta(days=1)).replace(day=1):
            return None
        return obj.previous_value, obj.previous_reached

    @admin.display(description=_("上月数值"))
    def previous_display(self, obj):
        previous = self._previous(obj)
        if previous is None:
            return "—"
        value, reached = previous
        if value is None:
            return _("已完成") if reached else _("未完成")
        return f"{fmt_number(value)} {obj.target.unit_of_measure}".strip()

    @admin.display(description=_("较上月"))
    def change_display(self, obj):
        previous = self._previous(obj)
        if previous is None or previous[0] is None or obj.value is None:
            return "—"
        change = obj.value - previous[0]
        sign = "+" if change > 0 else ""
        return f"{sign}{fmt_number(change)}"

    def _note(self, text: str):
        if not text:
            return "—"
        if len(text) <= self.NOTE_SHOWN:
            return text
        return format_html('<span title="{}">{}…</span>', text, text[: self.NOTE_SHOWN])

    @admin.display(description=_("进展情况"))
    def progress_note_display(self, obj):
        return self._note(obj.progress_note)

    @admin.display(description=_("存在问题"))
    def problems_display(self, obj):
        return self._note(obj.problems)

    @admin.display(description=_("审核状态"), ordering="status")
    def status_display(self, obj):
        text = obj.get_status_display()
        if obj.status == Figure.Status.RETURNED:
            return format_html('<span style="color:#cf222e">{}</span>:{}', text, obj.return_reason)
        return text

    @admin.action(description=_("报送所选数据(提交审核)"))
    def submit_selected(self, request, queryset):
        moved = review.submit(queryset.select_related("target"), user=request.user)
        self._report(request, queryset, moved, lambda n: ngettext("已报送 %(n)s 条", "已报送 %(n)s 条", n))

    @admin.action(description=_("审核通过所选数据"))
    def approve_selected(self, request, queryset):
        moved = review.approve(queryset, user=request.user)
        self._report(
            request, queryset, moved, lambda n: ngettext("已审核通过 %(n)s 条", "已审核通过 %(n)s 条", n)
        )

    @admin.action(description=_("退回所选数据(需填写原因)"))
    def return_selected(self, request, queryset):
        form = ReturnForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            moved = review.send_back(queryset, user=request.user, reason=form.cleaned_data["reason"])
            self._report(
                request, queryset, moved, lambda n: ngettext("已退回 %(n)s 条", "已退回 %(n)s 条", n)
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("退回月度数据"),
            "figures": queryset.select_related("target"),
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/targets/figure/return_form.html", context)

    @admin.action(description=_("标记口径待核(不计入判定,需写明口径说明)"))
    def flag_measure(self, request, queryset):
        form = MeasureForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            changed = review.flag_measure(queryset, user=request.user, note=form.cleaned_data["reason"])
            self._report(
                request,
                queryset,
                changed,
                lambda n: ngettext("已标记口径待核 %(n)s 条", "已标记口径待核 %(n)s 条", n),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("标记口径待核"),
            "figures": queryset.select_related("target"),
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/targets/figure/measure_form.html", context)

    @admin.action(description=_("确认口径(重新计入判定)"))
    def confirm_measure(self, request, queryset):
        changed = review.confirm_measure(queryset, user=request.user)
        self._report(
            request, queryset, changed, lambda n: ngettext("已确认口径 %(n)s 条", "已确认口径 %(n)s 条", n)
        )

    def _report(self, request, queryset, moved, template):
        """`template(n)` is the message for n figures moved, in the form for n."""
        skipped = queryset.count() - len(moved)
        self.message_user(
            request, template(len(moved)) % {"n": len(moved)}, messages.SUCCESS if moved else messages.WARNING
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)s 条因状态不符或无权操作而未处理。",
                    "%(n)s 条因状态不符或无权操作而未处理。",
                    skipped,
                )
                % {"n": skipped},
                messages.WARNING,
            )

    def get_urls(self):
        from .views import compliance, month, xlsx

        wrap = self.admin_site.admin_view
        return [
            path("month/", wrap(month.month_entry_view), name="targets_figure_month"),
            path("xlsx/template/", wrap(xlsx.template_view), name="targets_figure_xlsx_template"),
            path("xlsx/import/", wrap(xlsx.import_view), name="targets_figure_xlsx_import"),
            path("compliance/", wrap(compliance.compliance_view), name="targets_figure_compliance"),
            *super().get_urls(),
        ]


@admin.register(FigureEvent)
class FigureEventAdmin(InVisiblePlansAdmin):
    list_display = ["figure", "action", "reason", "actor", "at"]
    plan_path = "figure__target__key_task__plan"
    list_filter = ["action", "at"]
    list_select_related = ["figure__target", "actor"]
    search_fields = ["figure__target__code", "figure__target__name", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The role groups as users read them; the group names stay as they are (code looks them up).
ROLE_LABELS = {
    roles.VIEWER: pgettext_lazy("role", "浏览"),
    roles.REPORTER: pgettext_lazy("role", "填报"),
    roles.REVIEWER: pgettext_lazy("role", "审核"),
    roles.ADMIN: pgettext_lazy("role", "管理"),
}


class RoleChoiceField(forms.ModelMultipleChoiceField):
    """The groups of the user form, each shown as its role's label with the group's name."""

    def label_from_instance(self, obj):
        label = ROLE_LABELS.get(obj.name)
        if label is None:
            return obj.name
        return pgettext("role label, name", "%(label)s(%(name)s)") % {"label": label, "name": obj.name}


class DistrictMembershipInline(admin.TabularInline):
    """The districts an account belongs to: it sees those districts' plans (admins see all)."""

    model = DistrictMembership
    extra = 1
    verbose_name = _("所属区县")
    verbose_name_plural = _("所属区县(非管理员只能看到所属区县的计划)")


class AccountAdmin(UserAdmin):
    """User accounts, managed by the admin role without letting anyone raise their own powers.

    Only a superuser may grant or see superuser status and per-user permissions, or change a
    superuser's account: an admin-role user gives people roles (groups), nothing more. Otherwise
    an admin could make any account, their own included, a superuser with every permission.
    """

    GUARDED_FIELDS = ("is_superuser", "user_permissions")
    inlines = [DistrictMembershipInline]

    def get_inline_instances(self, request, obj=None):
        # Districts are given on the account's change page, once it exists.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["form_class"] = RoleChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in self.GUARDED_FIELDS]})
            for name, options in fieldsets
        ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(is_superuser=False)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


if admin.site.is_registered(User):
    admin.site.unregister(User)
    admin.site.register(User, AccountAdmin)


class RoleGroupAdmin(GroupAdmin):
    """The groups, each with its role's label (the name stays as the code looks it up)."""

    list_display = ["name", "role_label"]

    @admin.display(description=_("角色"))
    def role_label(self, obj):
        return ROLE_LABELS.get(obj.name, "—")


if admin.site.is_registered(Group):
    admin.site.unregister(Group)
    admin.site.register(Group, RoleGroupAdmin)
