from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .forms import FigureAdminForm
from .models import Figure, KeyTask, Plan, PlannedValue, Target, Unit

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
        (None, {"fields": ["key_task", "code", "name", "kind", "sort_order"]}),
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
        return "、".join(u.name for u in obj.responsible_units.all()) or _("未明确")


@admin.register(Figure)
class FigureAdmin(SimpleHistoryAdmin):
    form = FigureAdminForm
    list_display = [
        "target",
        "month",
        "value",
        "reached",
        "status",
        "entered_by",
        "updated_at",
        "reviewed_by",
    ]
    list_filter = ["status", "month", "target__key_task__plan", "target__key_task"]
    search_fields = ["target__code", "target__name", "progress_note", "problems"]
    list_select_related = ["target__key_task__plan", "entered_by", "reviewed_by"]
    autocomplete_fields = ["target"]
    date_hierarchy = "month"
    readonly_fields = [
        "status",
        "return_reason",
        "entered_by",
        "entered_at",
        "updated_at",
        "reviewed_by",
        "reviewed_at",
    ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.entered_by = request.user
            obj.entered_at = timezone.now()
        super().save_model(request, obj, form, change)
