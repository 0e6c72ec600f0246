"""Supervised items in the admin: the 督查室's list, with filters, search and assignment at scale.

Who sees it follows `access.py`: the 督查室 (reviewers) and admins, each within the plans of their
districts. Only admins change an item's text and dates here; its state moves only through the
loop (`workflow.perform`), never through this form or a revert of its history. The 督查室 assigns
lead units, co-units and lead officials to many items at once with the actions below.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from common.formatting import join_list
from targets import access as target_access
from targets.admin import (
    AssignLeaderForm,
    AssignLeadUnitForm,
    AssignUnitsForm,
    GuardedHistoryAdmin,
    assignment_action,
)
from targets.models import Unit

from . import access, assignment
from .models import State, SupervisedItem


class AssignItemLeaderForm(AssignLeaderForm):
    account = forms.ModelChoiceField(
        get_user_model().objects.none(),
        label=_("分包领导账号"),
        required=False,
        help_text=_("可选;有账号且填写了邮箱时,督办升级会邮件告知分包领导"),
    )

    def __init__(self, *args, district: str, **kwargs):
        super().__init__(*args, district=district, **kwargs)
        self.fields["account"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, district_memberships__district=district)
            .distinct()
            .order_by("username")
        )


class SupervisedItemForm(forms.ModelForm):
    """The item's facts; its units are its plan's district's (checked, not only offered)."""

    class Meta:
        model = SupervisedItem
        fields = [
            "plan",
            "key_task",
            "code",
            "title",
            "source_text",
            "source_note",
            "lead_unit",
            "co_units",
            "units_source",
            "lead_official",
            "lead_official_account",
            "due_date",
            "due_stated",
            "targets",
            "ack_days",
        ]

    def clean(self):
        cleaned = super().clean()
        plan, task = cleaned.get("plan"), cleaned.get("key_task")
        if plan is not None and task is not None and task.plan_id != plan.pk:
            self.add_error("key_task", _("所选重点工作不属于所选年度计划。"))
        if plan is not None:
            before = set()
            if self.instance.pk:
                before = {self.instance.lead_unit_id, *self.instance.co_units.values_list("pk", flat=True)}
            lead = cleaned.get("lead_unit")
            for name, units in (
                ("lead_unit", [lead] if lead else []),
                ("co_units", cleaned.get("co_units") or []),
            ):
                for problem in target_access.unit_refusals(plan, [u for u in units if u.pk not in before]):
                    self.add_error(name, problem)
            foreign = [t for t in cleaned.get("targets") or [] if t.key_task.plan_id != plan.pk]
            if foreign:
                self.add_error(
                    "targets",
                    _("以下目标不属于所选计划:%(names)s") % {"names": join_list(str(t) for t in foreign)},
                )
        return cleaned


class UnitFilter(admin.SimpleListFilter):
    """Items a unit answers for, as lead or co-unit; the units offered are those in the list."""

    title = _("单位")
    parameter_name = "unit"

    def lookups(self, request, model_admin):
        items = model_admin.get_queryset(request)
        units = Unit.objects.filter(pk__in=items.values("lead_unit")) | Unit.objects.filter(
            pk__in=items.values("co_units")
        )
        return [(str(u.pk), u.name) for u in units.distinct().order_by("name")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        try:
            pk = int(value)
        except ValueError:
            return queryset.none()
        answering = SupervisedItem.objects.filter(co_units=pk).values("pk")
        return queryset.filter(pk__in=answering) | queryset.filter(lead_unit=pk)


@admin.register(SupervisedItem)
class SupervisedItemAdmin(GuardedHistoryAdmin):
    form = SupervisedItemForm
    # Never reverted: a past version would bring back a state past the loop.
    history_revert = False
    plan_path = "plan"
    list_display = [
        "code",
        "title",
        "key_task",
        "state",
        "lead_unit",
        "co_units_display",
        "lead_official",
        "due_date",
    ]
    list_display_links = ["code", "title"]
    list_filter = [
        ("plan", admin.RelatedOnlyFieldListFilter),
        ("key_task", admin.RelatedOnlyFieldListFilter),
        "state",
        UnitFilter,
        "due_date",
    ]
    search_fields = ["code", "title", "source_text", "lead_official", "lead_unit__name", "co_units__name"]
    list_select_related = ["plan", "key_task", "lead_unit"]
    filter_horizontal = ["co_units", "targets"]
    readonly_fields = ["state"]
    actions = ["assign_lead_unit", "assign_co_units", "assign_leader"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("co_units")

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1  # a step's form shown before this edit is refused afterwards
        super().save_model(request, obj, form, change)

    # The 督查室 and admins see the list; admins change the items' facts.
    def has_module_permission(self, request):
        return access.is_office(request.user)

    def has_view_permission(self, request, obj=None):
        return access.is_office(request.user)

    def has_add_permission(self, request):
        return target_access.is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return target_access.is_admin(request.user) and (obj is None or obj.state != State.CLOSED)

    def has_delete_permission(self, request, obj=None):
        return target_access.is_admin(request.user) and (obj is None or obj.state == State.DRAFT)

    def get_actions(self, request):
        # Deleted one by one, and only before 交办 (has_delete_permission): a bulk delete would not
        # ask each item's state and would take assigned items with their trace.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_assign_permission(self, request):
        return target_access.can_assign(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lead_unit":
            kwargs["queryset"] = target_access.visible_units(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "co_units":
            kwargs["queryset"] = target_access.visible_units(request.user)
        elif db_field.name == "targets":
            kwargs["queryset"] = target_access.in_visible_plans(
                request.user, SupervisedItem.targets.field.related_model.objects.all(), "key_task__plan"
            ).select_related("key_task__plan")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("责任单位"))
    def co_units_display(self, obj):
        return join_list(u.name for u in obj.co_units.all()) or "—"

    def _assign(self, request, queryset, action, title, form_class, apply):
        return assignment_action(
            self,
            request,
            queryset.select_related("plan"),
            action=action,
            title=title,
            form_class=form_class,
            apply=apply,
            plan_path="plan",
        )

    @admin.action(description=_("分派牵头单位"), permissions=["assign"])
    def assign_lead_unit(self, request, queryset):
        def apply(form):
            return assignment.assign_lead_unit(
                queryset.select_related("plan"), form.cleaned_data["unit"], user=request.user
            )

        return self._assign(
            request, queryset, "assign_lead_unit", _("分派牵头单位"), AssignLeadUnitForm, apply
        )

    @admin.action(description=_("分派责任单位"), permissions=["assign"])
    def assign_co_units(self, request, queryset):
        def apply(form):
            return assignment.assign_co_units(
                queryset.select_related("plan"),
                form.cleaned_data["units"],
                mode=form.cleaned_data["mode"],
                user=request.user,
            )

        return self._assign(request, queryset, "assign_co_units", _("分派责任单位"), AssignUnitsForm, apply)

    @admin.action(description=_("分派分包领导"), permissions=["assign"])
    def assign_leader(self, request, queryset):
        def apply(form):
            return assignment.assign_leader(
                queryset.select_related("plan"),
                form.cleaned_data["lead_official"],
                form.cleaned_data["account"],
                user=request.user,
            )

        return self._assign(
            request, queryset, "assign_leader", _("分派分包领导"), AssignItemLeaderForm, apply
        )
