"""The publish page: admin → 政务公开, for holders of `public.publish_plan` (admins, the 督查室)."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.formatting import join_list
from supervision.models import State, SupervisedItem
from targets.admin import GuardedHistoryAdmin
from targets.models import Target

from .models import Publication

PERMISSION = "public.publish_plan"


class PublicationForm(forms.ModelForm):
    class Meta:
        model = Publication
        fields = ["plan", "is_published", "as_of_month", "targets", "items", "robots"]
        widgets = {"as_of_month": forms.DateInput(attrs={"type": "month"}, format="%Y-%m")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A month picker: "2020-06" (a full date is accepted too and kept as its month).
        self.fields["as_of_month"].input_formats = ["%Y-%m", "%Y-%m-%d"]
        plan = self.instance.plan if self.instance.plan_id else None
        targets = Target.objects.filter(project__isnull=True).select_related("key_task")
        items = SupervisedItem.objects.exclude(state=State.DRAFT)
        if plan is not None:
            targets, items = targets.filter(key_task__plan=plan), items.filter(plan=plan)
        self.fields["targets"].queryset = targets
        self.fields["items"].queryset = items
        self.fields["targets"].help_text = _("只公开已审核的数据;未勾选的目标在公开页面上不存在")
        self.fields["items"].help_text = _("尚未交办的事项不能公开")

    def clean(self):
        data = super().clean()
        plan = data.get("plan")
        if plan is None:
            return data
        foreign = [t for t in data.get("targets") or () if t.key_task.plan_id != plan.pk]
        foreign += [i for i in data.get("items") or () if i.plan_id != plan.pk]
        if foreign:
            raise forms.ValidationError(
                _("以下内容不属于所选计划:%(names)s") % {"names": join_list([str(o) for o in foreign])}
            )
        return data


@admin.register(Publication)
class PublicationAdmin(GuardedHistoryAdmin):
    form = PublicationForm
    list_display = ["plan", "is_published", "as_of_month", "robots", "published_by", "published_at"]
    list_filter = ["is_published", "robots"]
    plan_path = "plan"
    readonly_fields = ["published_by", "published_at"]
    filter_horizontal = ["targets", "items"]
    actions = ["unpublish_selected"]

    def _may_publish(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(PERMISSION)

    def has_module_permission(self, request):
        return self._may_publish(request)

    def has_view_permission(self, request, obj=None):
        return self._may_publish(request)

    def has_add_permission(self, request):
        return self._may_publish(request)

    def has_change_permission(self, request, obj=None):
        return self._may_publish(request)

    def has_delete_permission(self, request, obj=None):
        # Unpublished, never deleted: the record of what was public stays.
        return False

    def save_model(self, request, obj, form, change):
        if obj.is_published:
            obj.published_by, obj.published_at = request.user, timezone.now()
        obj.version += 1
        # One history row for the save, written once the targets and items are saved too.
        obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        try:
            super().save_related(request, form, formsets, change)
        finally:
            del obj.skip_history_when_saving
        obj.record(created=not change)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A revert saves through `save_model` and the form's many-to-many fields, not `save_related`:
        # its one history row is written here, once the targets and items are back too.
        response = super().history_form_view(request, object_id, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            Publication.objects.get(pk=object_id).record(created=False)
        return response

    @admin.action(description=_("撤回所选公开"), permissions=["change"])
    def unpublish_selected(self, request, queryset):
        count = 0
        for publication in queryset.filter(is_published=True):
            publication.is_published = False
            publication.version += 1
            publication.save()
            count += 1
        self.message_user(
            request,
            ngettext("已撤回 %(n)d 项公开。", "已撤回 %(n)d 项公开。", count) % {"n": count},
            messages.SUCCESS,
        )
