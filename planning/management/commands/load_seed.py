"""Load the seed fixtures, adding only what is not there yet.

Objects are matched by natural key (plan = district + year, target = plan + code, figure =
target + month, project group and project = plan + name), so running this twice duplicates
nothing and never overwrites a record that staff have since edited.
"""

from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from planning.seed import seed_documents
from targets.models import DataVersion

DEFAULT_FIXTURES = ["zhongyuan_2020.json", "zhongyuan_2020_projects.json", "zhongyuan_2020_supervision.json"]


class Command(BaseCommand):
    help = "Load the seed data (fixtures/) without duplicating or overwriting existing records."

    def add_arguments(self, parser):
        parser.add_argument("fixtures", nargs="*", default=DEFAULT_FIXTURES)

    def handle(self, *args, fixtures, **options):
        created = existing = 0
        with transaction.atomic():
            for name in fixtures:
                path = Path(name)
                if not path.is_absolute() and not path.exists():
                    path = settings.BASE_DIR / "fixtures" / name
                if not path.is_file():
                    raise CommandError(f"fixture not found: {name}")
                with path.open(encoding="utf-8") as stream:
                    for deserialized in serializers.deserialize(
                        "json", stream, handle_forward_references=True
                    ):
                        obj = deserialized.object
                        model = type(obj)
                        if obj.pk is not None and model._default_manager.filter(pk=obj.pk).exists():
                            existing += 1
                            continue
                        deserialized.save()
                        created += 1
            # The seed plan's source documents, each target's sentence tracked in them.
            documents, sentences = seed_documents()
        if created:
            DataVersion.bump()
        self.stdout.write(f"seed data: {created} records added, {existing} already present")
        self.stdout.write(f"source documents: {documents} added, {sentences} sentences linked")
