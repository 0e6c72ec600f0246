"""Write a plan's monthly bulletin as PDF and/or Excel, without a web request (for a monthly job).

    python manage.py bulletin --plan 1 --month 2020-09 --pdf bulletin.pdf --xlsx bulletin.xlsx [--language en]

--month defaults to the latest month with an approved figure, as on the page. The PDF needs
headless Chromium and the Chinese fonts (`apt-get install -y chromium fonts-noto-cjk`).
The files are in Chinese unless --language says otherwise; the data keeps its own language.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from reports import documents
from reports import pdf as pdf_render
from reports.bulletin import BulletinError, build_bulletin, resolve_month
from targets.models import Plan


class Command(BaseCommand):
    help = "Write the monthly bulletin of a plan as PDF and/or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--plan", type=int, required=True, help="plan id")
        parser.add_argument("--month", help="YYYY-MM (default: the latest month with an approved figure)")
        parser.add_argument("--pdf", type=Path, help="write the PDF to this file")
        parser.add_argument("--xlsx", type=Path, help="write the workbook to this file")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help=f"language of the bulletin (default: {settings.LANGUAGE_CODE})",
        )

    def handle(self, *args, language=None, **options):
        with translation.override(language or settings.LANGUAGE_CODE):
            self._write(**options)

    def _write(self, *, plan, month, pdf: Path | None, xlsx: Path | None, **options):
        if pdf is None and xlsx is None:
            raise CommandError("nothing to write: give --pdf FILE and/or --xlsx FILE")
        try:
            plan_obj = Plan.objects.get(pk=plan)
        except Plan.DoesNotExist:
            raise CommandError(f"no plan with id {plan}") from None
        try:
            month_date = resolve_month(month, plan_obj, today=timezone.localdate())
        except BulletinError as exc:
            raise CommandError(str(exc)) from None
        bulletin = build_bulletin(plan=plan_obj, month=month_date)
        self.stdout.write(bulletin.headline.sentence)
        if xlsx is not None:
            xlsx.write_bytes(documents.xlsx_bytes(bulletin))
            self.stdout.write(f"xlsx: {xlsx}")
        if pdf is not None:
            pdf.write_bytes(self._pdf(bulletin))
            self.stdout.write(f"pdf: {pdf}")

    def _pdf(self, bulletin) -> bytes:
        try:
            return documents.pdf_bytes(bulletin)
        except (pdf_render.ChromiumMissing, pdf_render.PdfError) as exc:
            raise CommandError(str(exc)) from None
