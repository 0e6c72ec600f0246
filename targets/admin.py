from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from common.formatting import join_list

from . import access, assignment, rules
from .models import KeyTask, Plan, PlannedValue, Target, Unit

# The group of the reporter role (entry.roles.REPORTER; the kernel does not import the entry room).
REPORTER_GROUP = "reporter"

admin.site.site_header = _("重点工作目标跟踪 · 数据填报")
admin.site.site_title = _("重点工作目标跟踪")
admin.site.index_title = _("数据管理")


class ReturnForm(forms.Form):
    """The reason asked for when a reviewer returns submitted work (figures, stage changes)."""

    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class InVisiblePlansAdmin(admin.ModelAdmin):
    """A list (and every page of an object) limited to the plans of the user's districts.

    `plan_path` names the way from a row to its plan ("" for the plan itself; None: not limited).
    A reviewer of district A neither lists nor opens district B's rows (404, as Django answers
    for an object not in `get_queryset`); admins see every district (`access.visible_plans`).
    """

    plan_path: str | None = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.plan_path is None:
            return queryset
        if self.plan_path == "":
            return queryset.filter(pk__in=access.visible_plans(request.user).values("pk"))
        return access.in_visible_plans(request.user, queryset, self.plan_path)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A plan or key task is chosen among those of the user's districts only.
        if self.plan_path is not None and "queryset" not in kwargs:
            if db_field.related_model is Plan:
                kwargs["queryset"] = access.visible_plans(request.user)
            elif db_field.related_model is KeyTask:
                kwargs["queryset"] = access.in_visible_plans(
                    request.user, KeyTask.objects.select_related("plan")
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class GuardedHistoryAdmin(InVisiblePlansAdmin, SimpleHistoryAdmin):
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
    plan_path = ""


class UnitAdminForm(forms.ModelForm):
    """A unit's reporters (填报人员): only accounts of the reporter role are offered and accepted,
    and, once the unit has a district, only that district's."""

    class Meta:
        model = Unit
        fields = ["name", "kind", "district", "source_text", "members"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("members")
        if field is not None:
            # Members already there stay in the list so the form shows them (and refuses them).
            current = Q(pk__in=self.instance.members.values("pk")) if self.instance.pk else Q(pk__in=[])
            offered = Q(pk__in=reporter_accounts(self.instance.district or None).values("pk"))
            field.queryset = User.objects.filter(offered | current).order_by("username")

    def clean(self):
        cleaned = super().clean()
        members = cleaned.get("members")
        if members is None:
            return cleaned
        allowed = set(reporter_accounts(cleaned.get("district") or None).values_list("pk", flat=True))
        refused = [str(user) for user in members if user.pk not in allowed]
        if refused:
            self.add_error(
                "members",
                _("以下账号不是本区县的填报人员,不能作为本单位的填报人员:%(names)s")
                % {"names": join_list(refused)},
            )
        return cleaned


def reporter_accounts(district: str | None):
    """Active accounts of the reporter role (填报), of `district` when given."""
    accounts = User.objects.filter(is_active=True, groups__name=REPORTER_GROUP)
    if district:
        accounts = accounts.filter(district_memberships__district=district)
    return accounts.distinct()


@admin.register(Unit)
class UnitAdmin(GuardedHistoryAdmin):
    form = UnitAdminForm
    list_display = ["name", "kind", "district", "unit_page"]
    list_filter = ["kind", "district"]
    search_fields = ["name"]
    filter_horizontal = ["members"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=access.visible_units(request.user).values("pk"))

    @admin.display(description=_("承担任务"))
    def unit_page(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("supervision:unit-detail", args=[obj.pk]), _("查看")
        )


class TargetInline(admin.TabularInline):
    model = Target
    fields = ["code", "name", "kind", "goal", "unit_of_measure", "deadline"]
    extra = 0
    show_change_link = True


@admin.register(KeyTask)
class KeyTaskAdmin(GuardedHistoryAdmin):
    list_display = ["number", "title", "headline", "plan"]
    list_filter = [("plan", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "headline", "text"]
    list_select_related = ["plan"]
    inlines = [TargetInline]
    plan_path = "plan"


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


class AssignUnitsForm(forms.Form):
    """The intermediate page of the "assign responsible units" actions."""

    MODES = [
        (assignment.ADD, _("添加所选单位(保留原有单位)")),
        (assignment.REPLACE, _("改为所选单位(替换原有单位)")),
        (assignment.REMOVE, _("移除所选单位")),
    ]
    mode = forms.ChoiceField(label=_("方式"), choices=MODES, initial=assignment.ADD, widget=forms.RadioSelect)
    units = forms.ModelMultipleChoiceField(
        Unit.objects.none(), label=_("责任单位"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, district: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(district=district)


class AssignLeadUnitForm(forms.Form):
    unit = forms.ModelChoiceField(
        Unit.objects.none(),
        label=_("牵头单位"),
        required=False,
        empty_label=_("(未明确)"),
        help_text=_("留空表示取消牵头单位"),
    )

    def __init__(self, *args, district: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(district=district)


class AssignLeaderForm(forms.Form):
    lead_official = forms.CharField(
        label=_("分包领导"), max_length=100, required=False, help_text=_("留空表示未明确")
    )

    def __init__(self, *args, district: str, **kwargs):
        super().__init__(*args, **kwargs)


def assignment_action(model_admin, request, queryset, *, action, title, form_class, apply, plan_path):
    """Django's action with an intermediate page: the form first, then, confirmed, `apply`.

    The selected rows must all be of one district (their units are that district's). `apply(form)`
    returns the rows it changed or raises `assignment.AssignmentRefused`: then the page comes back
    with the reasons (400) and nothing is written. An invalid form also comes back with 400.
    """
    district_path = f"{plan_path}__district" if plan_path else "district"
    districts = sorted(set(queryset.values_list(district_path, flat=True)))
    if len(districts) != 1:
        model_admin.message_user(
            request,
            _("所选条目属于多个区县(%(names)s),请按区县分别分派。") % {"names": join_list(districts)},
            messages.ERROR,
        )
        return None
    confirmed = "_assign" in request.POST
    form = form_class(request.POST if confirmed else None, district=districts[0])
    problems, status = [], 200
    if confirmed:
        if form.is_valid():
            try:
                changed = apply(form)
            except assignment.AssignmentRefused as refused:
                problems, status = refused.problems, 400
            else:
                total = queryset.count()
                model_admin.message_user(
                    request,
                    ngettext(
                        "已分派:%(changed)s 条有变化(共选 %(total)s 条)。",
                        "已分派:%(changed)s 条有变化(共选 %(total)s 条)。",
                        len(changed),
                    )
                    % {"changed": len(changed), "total": total},
                    messages.SUCCESS if changed else messages.WARNING,
                )
                return None
        else:
            status = 400
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "intro": _("以下 %(n)s 条属于%(district)s,只能分派本区县的单位。")
        % {"n": queryset.count(), "district": districts[0]},
        "objects": queryset,
        "form": form,
        "problems": problems,
        "action": action,
        "opts": model_admin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/assign_form.html", context, status=status)


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
        ("key_task__plan", admin.RelatedOnlyFieldListFilter),
        ("key_task", admin.RelatedOnlyFieldListFilter),
        "kind",
        "source",
        "deadline",
        ("responsible_units", EmptyRelationListFilter),
    ]
    search_fields = ["code", "name", "source_text", "lead_official"]
    list_select_related = ["key_task__plan"]
    filter_horizontal = ["responsible_units"]
    inlines = [PlannedValueInline]
    plan_path = "key_task__plan"
    actions = ["assign_units", "assign_leader"]
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

    def has_assign_permission(self, request):
        return access.can_assign(request.user)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "responsible_units":
            kwargs["queryset"] = access.visible_units(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class DistrictUnitsForm(form_class):
            def clean(self):
                cleaned = super().clean()
                task, units = cleaned.get("key_task"), cleaned.get("responsible_units")
                if task is not None and units is not None:
                    # The units brought in are checked; one already there may stay.
                    before = (
                        set(self.instance.responsible_units.values_list("pk", flat=True))
                        if self.instance.pk
                        else set()
                    )
                    added = [u for u in units if u.pk not in before]
                    for problem in access.unit_refusals(task.plan, added):
                        self.add_error("responsible_units", problem)
                return cleaned

        return DistrictUnitsForm

    @admin.action(description=_("分派责任单位"), permissions=["assign"])
    def assign_units(self, request, queryset):
        def apply(form):
            return assignment.assign_units(
                queryset.select_related("key_task__plan"),
                form.cleaned_data["units"],
                mode=form.cleaned_data["mode"],
                user=request.user,
            )

        return assignment_action(
            self,
            request,
            queryset,
            action="assign_units",
            title=_("分派责任单位"),
            form_class=AssignUnitsForm,
            apply=apply,
            plan_path=self.plan_path,
        )

    @admin.action(description=_("分派分包领导"), permissions=["assign"])
    def assign_leader(self, request, queryset):
        def apply(form):
            return assignment.assign_leader(queryset, form.cleaned_data["lead_official"], user=request.user)

        return assignment_action(
            self,
            request,
            queryset,
            action="assign_leader",
            title=_("分派分包领导"),
            form_class=AssignLeaderForm,
            apply=apply,
            plan_path=self.plan_path,
        )


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
