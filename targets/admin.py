from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from common.formatting import join_list

from . import access, rules
from .models import KeyTask, Plan, PlannedValue, Target, Unit

admin.site.site_header = _("重点工作目标跟踪 · 数据填报")
admin.site.site_title = _("重点工作目标跟踪")
admin.site.index_title = _("数据管理")


class GuardedHistoryAdmin(SimpleHistoryAdmin):
    """simple-history's admin, held to our access rules on its history pages.

    simple-history 3.13 opens an object's history list and every past version (the revert form)
    to anyone with view *or* change permission, finds the object outside `get_queryset()` (so a
    reporter's unit rule does not apply) and, on POST, saves the revert form without asking for
    change permission at all. Its settings do not close that: SIMPLE_HISTORY_REVERT_DISABLED only
    hides the Revert button, and SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS only swaps the
    model-wide check for one on the historical model (still no per-object rule, still saving on
    POST). Here, whatever those settings say:

    - the history pages exist for an object only if `get_queryset()` gives it to this user (else
      404, as for the change page) and the user may view it; a deleted object's history is for
      admins only;
    - a past version is shown read-only unless the user may revert it;
    - a revert POST needs `history_revert` on the admin and `has_change_permission` on the object
      as it is *now* (not as it was in that version), else 403.
    """

    # False: past versions can be looked at but never restored (see FigureAdmin).
    history_revert = True

    def _history_subject(self, request, object_id):
        """The live object whose history the user asks for; None when it was deleted.

        Raises Http404 for an id that is malformed, unknown or out of this user's sight, and
        PermissionDenied when the user may not view the object.
        """
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            if not self.has_view_or_change_permission(request, obj):
                raise PermissionDenied
            return obj
        try:
            pk = self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404 from None
        deleted = not self.model._default_manager.filter(pk=pk).exists()
        if deleted and access.is_admin(request.user) and self.has_view_or_change_permission(request):
            return None
        raise Http404

    def _live_object(self, request, obj):
        if obj is None or obj.pk is None:
            return None
        return self.get_queryset(request).filter(pk=obj.pk).first()

    def revert_disabled(self, request, obj=None):
        if getattr(settings, "SIMPLE_HISTORY_REVERT_DISABLED", False) or not self.history_revert:
            return True
        live = self._live_object(request, obj)
        return live is None or not self.has_change_permission(request, live)

    def has_view_history_permission(self, request, obj=None):
        return self.has_view_or_change_permission(request, obj)

    def has_change_history_permission(self, request, obj=None):
        return not self.revert_disabled(request, obj)

    def has_view_history_or_change_history_permission(self, request, obj=None):
        return self.has_view_history_permission(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        self._history_subject(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        live = self._history_subject(request, object_id)
        history_model = getattr(self.model, self.model._meta.simple_history_manager_attribute).model
        try:
            history_model._meta.pk.to_python(version_id)
        except ValidationError:
            raise Http404 from None
        if self.revert_disabled(request, live):
            if request.method == "POST":
                raise PermissionDenied
            # Shown, not offered: every field read-only (the form keeps no input to type into).
            fields = flatten_fieldsets(self.get_fieldsets(request, live))
            declared = self.get_form(request, live).declared_fields
            request._history_readonly_fields = [name for name in fields if name not in declared]
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        fields = getattr(request, "_history_readonly_fields", None)
        if fields is not None:
            return fields
        return super().get_readonly_fields(request, obj)


class EmptyRelationListFilter(admin.EmptyFieldListFilter):
    """空 / 非空 for a many-to-many relation: empty means no related row at all.

    Django's EmptyFieldListFilter compares the relation with '' (an id), which fails on every
    database; counting for the facets also has to count each object once, not once per row.
    """

    def get_lookup_condition(self):
        return Q(**{f"{self.field_path}__isnull": True})

    def get_facet_counts(self, pk_attname, filtered_qs):
        return {
            "empty__c": Count(pk_attname, filter=self.get_lookup_condition(), distinct=True),
            "not_empty__c": Count(
                pk_attname, filter=Q(**{f"{self.field_path}__isnull": False}), distinct=True
            ),
        }


class KeyTaskInline(admin.TabularInline):
    model = KeyTask
    fields = ["number", "title", "headline"]
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(GuardedHistoryAdmin):
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
class UnitAdmin(GuardedHistoryAdmin):
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
class KeyTaskAdmin(GuardedHistoryAdmin):
    list_display = ["number", "title", "headline", "plan"]
    list_filter = ["plan"]
    search_fields = ["title", "headline", "text"]
    list_select_related = ["plan"]
    inlines = [TargetInline]


class PlannedPathFormSet(forms.BaseInlineFormSet):
    """The target's planned nodes (计划节点), checked together by `rules.planned_path_problems`."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        nodes = [
            (form.cleaned_data["month"], form.cleaned_data["value"])
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        target = self.instance
        if not nodes or target.start is None:
            return
        spec = rules.TargetSpec(
            kind=rules.Kind(target.kind),
            direction=rules.Direction(target.direction),
            goal=target.goal,
            baseline=target.baseline,
            start=target.start,
            deadline=target.deadline,
        )
        problems = rules.planned_path_problems(spec, nodes)
        if problems:
            raise forms.ValidationError(problems)


class PlannedValueInline(admin.TabularInline):
    """One small grid per target: month and planned cumulative value (or level) at that month's end."""

    model = PlannedValue
    formset = PlannedPathFormSet
    extra = 0
    verbose_name_plural = _("计划节点(月度或季度计划值;有节点时序时进度按节点计算)")


@admin.register(Target)
class TargetAdmin(GuardedHistoryAdmin):
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
        ("responsible_units", EmptyRelationListFilter),
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
                    "goal_wording",
                    "standard",
                    "commitment",
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


class LockoutAdmin(AccessAttemptAdmin):
    """django-axes' admin of failed logins, with its clean-up action working."""

    @admin.action(description=AccessAttemptAdmin.cleanup_expired_attempts.short_description)
    def cleanup_expired_attempts(self, request, queryset):
        # django-axes 8.3 reads the cool-off threshold from `request.axes_attempt_time`, which only
        # its login handlers set: from the admin the action raised AttributeError (a 500).
        request.axes_attempt_time = timezone.now()
        return super().cleanup_expired_attempts(request, queryset)


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, LockoutAdmin)
