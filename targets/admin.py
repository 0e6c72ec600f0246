from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from . import access, entry, review
from .formatting import fmt_number, join_list
from .forms import FigureAdminForm
from .models import Figure, FigureEvent, KeyTask, Plan, PlannedValue, Target, Unit

admin.site.site_header = _("重点工作目标跟踪 · 数据填报")
admin.site.site_title = _("重点工作目标跟踪")
admin.site.index_title = _("数据管理")


class KeyTaskInline(admin.TabularInline):
    model = KeyTask
    fields = ["number", "title", "headline"]
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = [
        "district",
        "year",
        "title",
        "period_start",
        "period_end",
        "on_track_threshold",
        "behind_threshold",
    ]
    list_filter = ["year", "district"]
    search_fields = ["district", "title"]
    inlines = [KeyTaskInline]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    filter_horizontal = ["members"]


class TargetInline(admin.TabularInline):
    model = Target
    fields = ["code", "name", "kind", "goal", "unit_of_measure", "deadline"]
    extra = 0
    show_change_link = True


@admin.register(KeyTask)
class KeyTaskAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "headline", "plan"]
    list_filter = ["plan"]
    search_fields = ["title", "headline", "text"]
    list_select_related = ["plan"]
    inlines = [TargetInline]


class PlannedValueInline(admin.TabularInline):
    model = PlannedValue
    extra = 0


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "direction",
        "goal",
        "unit_of_measure",
        "deadline",
        "key_task",
        "units_display",
    ]
    list_filter = [
        "key_task__plan",
        "key_task",
        "kind",
        "source",
        "deadline",
        ("responsible_units", admin.EmptyFieldListFilter),
    ]
    search_fields = ["code", "name", "source_text", "lead_official"]
    list_select_related = ["key_task__plan"]
    filter_horizontal = ["responsible_units"]
    inlines = [PlannedValueInline]
    fieldsets = [
        (None, {"fields": ["key_task", "code", "name", "name_en", "kind", "sort_order"]}),
        (
            _("目标值"),
            {
                "fields": [
                    "direction",
                    "goal",
                    "unit_of_measure",
                    "baseline",
                    "start",
                    "deadline",
                    "deadline_stated",
                    "goal_derivation",
                ]
            },
        ),
        (_("责任"), {"fields": ["responsible_units", "lead_official"]}),
        (_("出处"), {"fields": ["source", "source_text", "note"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("responsible_units")

    @admin.display(description=_("责任单位"))
    def units_display(self, obj):
        return join_list(u.name for u in obj.responsible_units.all()) or _("未明确")


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


@admin.register(Figure)
class FigureAdmin(SimpleHistoryAdmin):
    """Monthly figures: reporters see and edit only their units' targets; reviewers approve."""

    form = FigureAdminForm
    list_display = [
        "target",
        "month_display",
        "value_display",
        "status_display",
        "updated_by",
        "updated_at",
        "reviewed_by",
    ]
    list_filter = [
        "status",
        "month",
        "target__key_task__plan",
        "target__key_task",
        "target__responsible_units",
    ]
    search_fields = ["target__code", "target__name", "progress_note", "problems"]
    list_select_related = ["target__key_task__plan", "updated_by", "reviewed_by"]
    date_hierarchy = "month"
    actions = ["submit_selected", "approve_selected", "return_selected"]
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

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=access.visible_figures(request.user).values("pk"))

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
        return super().has_add_permission(request) and access.can_report(request.user)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        return access.edit_refusal(request.user, obj.target, obj) is None

    def has_delete_permission(self, request, obj=None):
        return access.is_admin(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not access.can_review(request.user):
            actions.pop("approve_selected", None)
            actions.pop("return_selected", None)
        if not access.can_report(request.user):
            actions.pop("submit_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        try:
            (saved,) = entry.save_entries([form.entry], user=request.user, submit="_submit" in request.POST)
        except entry.EntriesRejected as rejected:
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
        from .admin_views import compliance, month, xlsx

        wrap = self.admin_site.admin_view
        return [
            path("month/", wrap(month.month_entry_view), name="targets_figure_month"),
            path("xlsx/template/", wrap(xlsx.template_view), name="targets_figure_xlsx_template"),
            path("xlsx/import/", wrap(xlsx.import_view), name="targets_figure_xlsx_import"),
            path("compliance/", wrap(compliance.compliance_view), name="targets_figure_compliance"),
            *super().get_urls(),
        ]


@admin.register(FigureEvent)
class FigureEventAdmin(admin.ModelAdmin):
    list_display = ["figure", "action", "reason", "actor", "at"]
    list_filter = ["action", "at"]
    list_select_related = ["figure__target", "actor"]
    search_fields = ["figure__target__code", "figure__target__name", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
