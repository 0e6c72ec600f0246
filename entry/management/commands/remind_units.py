"""Remind the units that have not reported a month's figures, or whose figures were returned.

    python manage.py remind_units --month 2020-06 [--plan ID] [--dry-run] [--language en]

Prints one block per unit with missing or returned figures and emails it to the unit's active
members (填报人员) that have an email address; members without one are named in the output. Each
reminder is also sent as `targets.signals.units_reminded`: with the notices app, every active
member finds it under 通知 (with a link to the unit's monthly page) and the unit's group robot gets
it. With --dry-run nothing is sent. Late but submitted figures need no reminder and are not listed.
Subject, body and messages are in Chinese, or in the language given with --language (users have
no language of their own stored); names of units and targets keep their own language.
"""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.formatting import month_label
from entry import compliance
from targets.models import Plan, Unit
from targets.signals import units_reminded


def reminder_text(report: compliance.Compliance, status: compliance.UnitStatus) -> str:
    """The reminder for one unit, as printed and as the email body."""
    lines = [
        _("%(unit)s:%(month)s 月度数据报送提醒")
        % {"unit": status.unit.name, "month": month_label(report.month)},
        _("计划:%(plan)s") % {"plan": report.plan},
        _("报送截止日期:%(due)s(含当日)") % {"due": f"{report.due_date:%Y-%m-%d}"},
    ]
    if status.missing:
        lines.append(_("未报送(%(n)s 项):") % {"n": len(status.missing)})
        for line in status.missing:
            suffix = _("(草稿尚未报送)") if line.is_draft else ""
            lines.append(f"  - {line.target}{suffix}")
    if status.returned:
        lines.append(_("已退回,请修改后重新报送(%(n)s 项):") % {"n": len(status.returned)})
        for line in status.returned:
            lines.append(f"  - {line.target}")
            lines.append("    " + _("退回原因:%(reason)s") % {"reason": line.reason})
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print and email reminders to units with missing or returned figures for a month."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--plan", type=int, help="plan id (default: the latest plan)")
        parser.add_argument("--dry-run", action="store_true", help="print only, send no email")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help=f"language of the reminders (default: {settings.LANGUAGE_CODE})",
        )

    def handle(self, *args, month, plan, dry_run, language=None, **options):
        with translation.override(language or settings.LANGUAGE_CODE):
            self._remind(month, plan, dry_run)

    def _remind(self, month, plan, dry_run):
        try:
            month_date = compliance.parse_month(month)
        except compliance.MonthError as exc:
            raise CommandError(str(exc)) from None
        plan_obj = self._plan(plan)
        try:
            compliance.check_month_in_plan(plan_obj, month_date)
        except compliance.MonthError as exc:
            raise CommandError(str(exc)) from None

        report = compliance.unit_compliance(plan=plan_obj, month=month_date, now=timezone.now())
        to_remind = [status for status in report.units if status.needs_reminder]
        members = {
            unit.pk: [user for user in unit.members.all() if user.is_active]
            for unit in Unit.objects.filter(pk__in=[s.unit.pk for s in to_remind]).prefetch_related("members")
        }

        messages = []
        for status in to_remind:
            body = reminder_text(report, status)
            subject = _("【报送提醒】%(unit)s %(month)s 月度数据") % {
                "unit": status.unit.name,
                "month": f"{report.month:%Y-%m}",
            }
            if not dry_run:
                units_reminded.send(Unit, unit=status.unit, month=report.month, subject=subject, text=body)
            unit_members = sorted(members[status.unit.pk], key=lambda user: user.username)
            recipients = [user.email for user in unit_members if user.email]
            without_email = [user.username for user in unit_members if not user.email]
            self.stdout.write(body)
            if recipients:
                self.stdout.write(_("收件人:%(to)s") % {"to": ", ".join(recipients)})
                messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, recipients))
            if without_email:
                self.stdout.write(
                    _("以下填报人员未设邮箱,未发送:%(users)s") % {"users": ", ".join(without_email)}
                )
            if not unit_members:
                self.stdout.write(_("本单位没有填报人员账号,无法发送邮件。"))
            self.stdout.write("")

        if dry_run:
            sent = 0
            self.stdout.write(
                ngettext(
                    "(试运行,未发送邮件;实际将发送 %(n)s 封)",
                    "(试运行,未发送邮件;实际将发送 %(n)s 封)",
                    len(messages),
                )
                % {"n": len(messages)}
            )
        else:
            sent = send_mass_mail(messages, fail_silently=False) if messages else 0
        self.stdout.write(f"reminders: {len(to_remind)} units, {sent} emails sent")

    def _plan(self, plan_id: int | None) -> Plan:
        if plan_id is None:
            plan = Plan.objects.order_by("-year", "district", "pk").first()
            if plan is None:
                raise CommandError(_("尚无年度计划。"))
            return plan
        try:
            return Plan.objects.get(pk=plan_id)
        except Plan.DoesNotExist:
            raise CommandError(_("找不到编号为 %(id)s 的年度计划。") % {"id": plan_id}) from None
