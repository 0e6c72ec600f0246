from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from targets import access
from targets.admin import GuardedHistoryAdmin
from targets.models import Unit

from .models import Problem, Project, ProjectGroup, StatedStageCount


class StatedStageCountInline(admin.TabularInline):
    """Counts a source document states for the group's stages (487个老旧小区改造已全部开工)."""

    model = StatedStageCount
    fields = ["stage", "count", "as_of", "source_text"]
    extra = 0


@admin.register(ProjectGroup)
class ProjectGroupAdmin(GuardedHistoryAdmin):
    list_display = ["name", "plan", "key_task", "stated_count", "stated_investment", "sort_order"]
    list_filter = [("plan", admin.RelatedOnlyFieldListFilter), ("key_task", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "source_text"]
    list_select_related = ["plan", "key_task"]
    inlines = [StatedStageCountInline]
    plan_path = "plan"


class ProblemInline(admin.TabularInline):
    model = Problem
    fields = ["description", "responsible_unit", "raised_on", "due_by", "resolved_on", "resolution"]
    extra = 1

    def get_formset(self, request, obj=None, **kwargs):
        """A reporter names only its own units as responsible (offered and accepted).

        A problem already assigned to another unit (by an admin) keeps that unit as its one
        other acceptable choice, so the reporter can still save the project without moving it.
        """
        formset = super().get_formset(request, obj, **kwargs)
        if access.is_admin(request.user):
            return formset
        user = request.user

        class OwnUnitsProblemForm(formset.form):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                field = self.fields.get("responsible_unit")
                if field is not None:
                    allowed = Q(members=user)
                    if self.instance.responsible_unit_id is not None:
                        allowed |= Q(pk=self.instance.responsible_unit_id)
                    field.queryset = Unit.objects.filter(allowed).distinct()

        formset.form = OwnUnitsProblemForm
        return formset


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
class ProjectAdmin(GuardedHistoryAdmin):
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
    list_filter = [
        ("plan", admin.RelatedOnlyFieldListFilter),
        ("groups", admin.RelatedOnlyFieldListFilter),
        "stage",
        "area",
        ("responsible_unit", admin.RelatedOnlyFieldListFilter),
        OverdueProblemFilter,
    ]
    plan_path = "plan"
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
                "fields": ["stage", "started_on", "registered_on", "completed_on", "producing_on"],
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

    def save_model(self, request, obj, form, change):
        # Here rather than in save_related, so that a revert from the history saves it too.
        super().save_model(request, obj, form, change)
        obj.sync_investment_target()

    @admin.display(description=_("阶段"), ordering="stage")
    def stage_display(self, obj):
        if not obj.stage:
            return format_html('<span style="color:#6e7781">{}</span>', _("阶段未知"))
        return obj.get_stage_display()
