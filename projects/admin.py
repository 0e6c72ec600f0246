from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from targets import access

from .models import Problem, Project, ProjectGroup


@admin.register(ProjectGroup)
class ProjectGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "plan", "key_task", "stated_count", "stated_investment", "sort_order"]
    list_filter = ["plan", "key_task"]
    search_fields = ["name", "source_text"]
    list_select_related = ["plan", "key_task"]


class ProblemInline(admin.TabularInline):
    model = Problem
    fields = ["description", "responsible_unit", "raised_on", "due_by", "resolved_on", "resolution"]
    extra = 1


class OverdueProblemFilter(admin.SimpleListFilter):
    title = _("问题")
    parameter_name = "problems"

    def lookups(self, request, model_admin):
        return [("open", _("有未解决问题")), ("overdue", _("有逾期问题"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(problems__resolved_on__isnull=True).distinct()
        if self.value() == "overdue":
            today = timezone.localdate()
            return queryset.filter(problems__resolved_on__isnull=True, problems__due_by__lt=today).distinct()
        return queryset


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    """The ledger: reporters register and update their own units' projects; admins all."""

    list_display = [
        "name",
        "stage_display",
        "area",
        "responsible_unit",
        "lead_official",
        "planned_start",
        "key_task",
    ]
    list_filter = ["plan", "groups", "stage", "area", "responsible_unit", OverdueProblemFilter]
    search_fields = ["name", "lead_official", "service_commissioner", "progress_note", "source_text"]
    list_select_related = ["responsible_unit", "key_task"]
    filter_horizontal = ["groups"]
    inlines = [ProblemInline]
    fieldsets = [
        (None, {"fields": ["plan", "name", "groups", "key_task", "area"]}),
        (_("责任"), {"fields": ["responsible_unit", "lead_official", "service_commissioner"]}),
        (
            _("阶段"),
            {
                "fields": ["stage", "registered_on", "started_on", "completed_on", "producing_on"],
                "description": _("推进到新阶段时,选择阶段并填写到达该阶段的日期。"),
            },
        ),
        (
            _("计划与投资(亿元)"),
            {
                "fields": [
                    "planned_start",
                    "planned_completion",
                    "total_investment",
                    "annual_planned_investment",
                ],
                "description": _(
                    "填写年度计划投资后,系统为项目建立“年度投资”目标,每月在“月度数据”中填报累计完成投资。"
                ),
            },
        ),
        (_("进展与出处"), {"fields": ["progress_note", "source_text", "note"]}),
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if access.is_admin(request.user) or access.can_review(request.user):
            return queryset
        return queryset.filter(pk__in=access.editable_projects(request.user).values("pk"))

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or access.editable_projects(request.user).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj=None):
        return access.is_admin(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "responsible_unit" and not access.is_admin(request.user):
            kwargs["queryset"] = request.user.report_units.all()
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.sync_investment_target()

    @admin.display(description=_("阶段"), ordering="stage")
    def stage_display(self, obj):
        if not obj.stage:
            return format_html('<span style="color:#6e7781">{}</span>', _("阶段未知"))
        return obj.get_stage_display()
