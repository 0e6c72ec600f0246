from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from targets import access
from targets.access import can_review, is_admin
from targets.admin import GuardedHistoryAdmin, ReturnForm
from targets.models import Unit

from . import access as project_access
from . import stage_review
from .investment import sync_investment_target
from .models import STAGE_ORDER, Problem, Project, ProjectGroup, StageChange, StatedStageCount

# The stage and its dates: a reporter proposes a change of them, a reviewer approves it.
STAGE_FIELDS = ["stage", "started_on", "registered_on", "completed_on", "producing_on"]


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
        if is_admin(request.user):
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


class StageProposalForm(forms.ModelForm):
    """A reporter's project form: the stage is not edited but proposed, and goes to review."""

    new_stage = forms.ChoiceField(
        label=_("报送新阶段"),
        choices=[("", "---------"), *[(s.value, s.label) for s in STAGE_ORDER]],
        required=False,
        help_text=_("阶段变更经审核人审核通过后生效;审核前各进度页面仍按原阶段统计"),
    )
    new_stage_date = forms.DateField(label=_("到达该阶段的日期"), required=False)
    stage_note = forms.CharField(
        label=_("阶段变更说明"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
    )

    def clean(self):
        cleaned = super().clean()
        stage = cleaned.get("new_stage")
        if not stage:
            if cleaned.get("new_stage_date"):
                self.add_error("new_stage", _("填写了日期,请同时选择新阶段。"))
            return cleaned
        if (
            self.instance.pk
            and StageChange.objects.filter(
                project=self.instance, status=StageChange.Status.SUBMITTED
            ).exists()
        ):
            self.add_error("new_stage", _("该项目已有一项阶段变更正在等待审核,请等审核后再报送。"))
            return cleaned
        reached_on = cleaned.get("new_stage_date")
        project = Project.objects.get(pk=self.instance.pk) if self.instance.pk else Project()
        for problem in stage_review.check(project, stage, reached_on):
            self.add_error("new_stage", problem)
        return cleaned


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
                "fields": [*STAGE_FIELDS, "stage_review_display"],
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
        if is_admin(request.user) or can_review(request.user):
            return queryset
        return queryset.filter(pk__in=project_access.editable_projects(request.user).values("pk"))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if access.is_admin(request.user) or not request.user.has_perm("projects.change_project"):
            return fieldsets
        # A reporter: the stage is proposed (and reviewed), not edited.
        return [
            (
                name,
                {
                    **options,
                    "fields": [*options["fields"], "new_stage", "new_stage_date", "stage_note"],
                    "description": _(
                        "阶段及日期由审核人审核通过阶段变更后更新;如项目推进到新阶段,请在下方报送。"
                    ),
                }
                if "stage" in options["fields"]
                else options,
            )
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if "stage_review_display" not in fields:
            fields.append("stage_review_display")
        if not access.is_admin(request.user):
            fields += [f for f in STAGE_FIELDS if f not in fields]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if not access.is_admin(request.user):
            kwargs["form"] = StageProposalForm
        return super().get_form(request, obj, change=change, **kwargs)

    @admin.display(description=_("阶段变更审核"))
    def stage_review_display(self, obj):
        change = obj.stage_changes.first() if obj is not None and obj.pk else None
        if change is None:
            return "—"
        text = _("%(status)s:%(change)s(%(who)s 报送)") % {
            "status": change.get_status_display(),
            "change": f"{change.get_stage_display()} {change.reached_on or ''}".strip(),
            "who": change.submitted_by,
        }
        if change.status == StageChange.Status.RETURNED:
            text += _(";退回原因:%(reason)s") % {"reason": change.return_reason}
        return text

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or project_access.editable_projects(request.user).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj=None):
        return is_admin(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "responsible_unit" and not is_admin(request.user):
            kwargs["queryset"] = request.user.report_units.all()
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not access.is_admin(request.user):
            # The stage and its dates stay as approved, whatever the form or a past version says.
            current = Project.objects.filter(pk=obj.pk).first() if obj.pk else None
            for name in STAGE_FIELDS:
                setattr(
                    obj,
                    name,
                    getattr(current, name) if current else Project._meta.get_field(name).get_default(),
                )
        # Here rather than in save_related, so that a revert from the history saves it too.
        super().save_model(request, obj, form, change)
        sync_investment_target(obj)
        stage = getattr(form, "cleaned_data", {}).get("new_stage")
        if stage and not access.is_admin(request.user):
            try:
                stage_review.submit(
                    obj,
                    stage=stage,
                    reached_on=form.cleaned_data.get("new_stage_date"),
                    note=form.cleaned_data.get("stage_note") or "",
                    user=request.user,
                )
            except stage_review.StageRefused as refused:
                self.message_user(request, str(refused), messages.ERROR)
            else:
                self.message_user(request, _("阶段变更已报送,审核通过后生效。"), messages.SUCCESS)

    @admin.display(description=_("阶段"), ordering="stage")
    def stage_display(self, obj):
        if not obj.stage:
            return format_html('<span style="color:#6e7781">{}</span>', _("阶段未知"))
        return obj.get_stage_display()


class StageChangeStatusFilter(admin.SimpleListFilter):
    title = _("审核状态")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return StageChange.Status.choices

    def queryset(self, request, queryset):
        if self.value() in StageChange.Status.values:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(StageChange)
class StageChangeAdmin(GuardedHistoryAdmin):
    """Stage changes of projects: reporters follow their own, reviewers approve or return them.

    Written only through the project form (a reporter's proposal) and the review actions; never
    edited, deleted or reverted here, so the trace of who proposed and who decided stays whole.
    """

    history_revert = False
    plan_path = "project__plan"
    list_display = [
        "project",
        "previous_stage_display",
        "stage",
        "reached_on",
        "status_display",
        "submitted_by",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
    ]
    list_filter = [
        StageChangeStatusFilter,
        "stage",
        ("project__plan", admin.RelatedOnlyFieldListFilter),
        ("project__responsible_unit", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["project__name", "note", "return_reason"]
    list_select_related = ["project", "submitted_by", "reviewed_by"]
    actions = ["approve_selected", "return_selected"]
    fields = [
        "project",
        "previous_stage",
        "stage",
        "reached_on",
        "note",
        "status",
        "return_reason",
        "submitted_by",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if access.can_review(request.user):
            return queryset
        return queryset.filter(project__in=project_access.editable_projects(request.user).values("pk"))

    def _may_view(self, request) -> bool:
        return access.can_review(request.user) or request.user.has_perm("projects.change_project")

    def has_module_permission(self, request):
        return request.user.is_active and self._may_view(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and self._may_view(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request):
        return access.can_review(request.user)

    @admin.display(description=_("原阶段"), ordering="previous_stage")
    def previous_stage_display(self, obj):
        return obj.get_previous_stage_display() or _("阶段未知")

    @admin.display(description=_("审核状态"), ordering="status")
    def status_display(self, obj):
        text = obj.get_status_display()
        if obj.status == StageChange.Status.RETURNED:
            return format_html('<span style="color:#cf222e">{}</span>:{}', text, obj.return_reason)
        return text

    @admin.action(description=_("审核通过所选阶段变更"), permissions=["review"])
    def approve_selected(self, request, queryset):
        approved, problems = stage_review.approve(queryset.select_related("project"), user=request.user)
        n = len(approved)
        self.message_user(
            request,
            ngettext("已审核通过 %(n)s 项阶段变更。", "已审核通过 %(n)s 项阶段变更。", n) % {"n": n},
            messages.SUCCESS if approved else messages.WARNING,
        )
        for problem in problems:
            self.message_user(request, problem, messages.ERROR)

    @admin.action(description=_("退回所选阶段变更(需填写原因)"), permissions=["review"])
    def return_selected(self, request, queryset):
        form = ReturnForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            returned = stage_review.send_back(
                queryset.select_related("project"), user=request.user, reason=form.cleaned_data["reason"]
            )
            n = len(returned)
            self.message_user(
                request,
                ngettext("已退回 %(n)s 项阶段变更。", "已退回 %(n)s 项阶段变更。", n) % {"n": n},
                messages.SUCCESS if returned else messages.WARNING,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("退回阶段变更"),
            "changes": queryset.select_related("project"),
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/projects/stagechange/return_form.html", context)
