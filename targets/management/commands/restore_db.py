"""Replace the database's contents with a backup made by backup_db.

    python manage.py restore_db FILE [--yes]

Everything in the database is replaced. Without --yes it asks first.
"""

import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from .backup_db import pg_env_and_args, require


class Command(BaseCommand):
    help = "Restore the database from a backup_db file (replaces all data)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, file, yes=False, **options):
        source = Path(file)
        if not source.is_file():
            raise CommandError(f"backup file not found: {source}")
        if not yes:
            answer = input(f"Replace every row of the database with {source}? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("restore cancelled")
        vendor = connection.vendor
        if vendor == "postgresql":
            env, conn_args = pg_env_and_args()
            connection.close()
            subprocess.run(
                [
                    require("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    *conn_args,
                    str(source),
                ],
                check=True,
                env=env,
            )
        elif vendor == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(source) as backup:
                backup.backup(connection.connection)
            backup.close()
        else:
            raise CommandError(f"restoring {vendor} databases is not supported")
        self.stdout.write(f"restored from {source}")
