"""The bulletin's narrative in the admin: drafted from the data, edited, approved by the 督查室."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from entry.compliance import MonthError, parse_month
from targets.admin import GuardedHistoryAdmin
from targets.models import Plan

from . import narrative
from .bulletin import build_bulletin
from .models import BulletinNote


@admin.register(BulletinNote)
class BulletinNoteAdmin(GuardedHistoryAdmin):
    # Past versions are shown, never restored: a revert could bring back an approval past review.
    history_revert = False
    list_display = ["plan", "month_display", "status", "approved_by", "approved_at", "updated_at"]
    list_filter = [("plan", admin.RelatedOnlyFieldListFilter), "status"]
    plan_path = "plan"
    fields = ["plan", "month", "highlights", "problems", "next_steps", "status", "approved_by", "approved_at"]
    readonly_fields = ["status", "approved_by", "approved_at"]
    actions = ["approve_selected"]

    @admin.display(description=_("通报月份"), ordering="month")
    def month_display(self, obj):
        return obj.month.strftime("%Y-%m")

    def get_changeform_initial_data(self, request):
        """A new note opened with ?plan=<id>&month=YYYY-MM starts from the data's draft."""
        initial = super().get_changeform_initial_data(request)
        try:
            month = parse_month(request.GET.get("month", ""))
            plan = Plan.objects.get(pk=int(request.GET.get("plan", "")))
        except (MonthError, ValueError, Plan.DoesNotExist):
            return initial
        text = narrative.draft(build_bulletin(plan=plan, month=month))
        return initial | {
            "plan": plan.pk,
            "month": month,
            "highlights": text.highlights,
            "problems": text.problems,
            "next_steps": text.next_steps,
        }

    def save_model(self, request, obj, form, change):
        # An edit after approval is a new draft: it must be approved again before it is printed.
        if change and form.changed_data:
            obj.status = BulletinNote.Status.DRAFT
            obj.approved_by = None
            obj.approved_at = None
        if obj.month:
            obj.month = obj.month.replace(day=1)
        super().save_model(request, obj, form, change)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("reports.approve_bulletinnote"):
            actions.pop("approve_selected", None)
        return actions

    @admin.action(description=_("审定所选通报文字(通报将印发审定后的文字)"))
    def approve_selected(self, request, queryset):
        if not request.user.has_perm("reports.approve_bulletinnote"):
            raise PermissionDenied
        now = timezone.now()
        approved = 0
        for note in queryset.filter(status=BulletinNote.Status.DRAFT):
            note.status = BulletinNote.Status.APPROVED
            note.approved_by = request.user
            note.approved_at = now
            note._history_user = request.user
            note.save()
            approved += 1
        self.message_user(
            request,
            ngettext("已审定 %(n)s 份通报文字", "已审定 %(n)s 份通报文字", approved) % {"n": approved},
            messages.SUCCESS if approved else messages.WARNING,
        )
