"""Write a consistent copy of the database to a file.

    python manage.py backup_db [FILE]

PostgreSQL: `pg_dump --format=custom` (restore with restore_db or pg_restore). SQLite: SQLite's
online backup API, which copies a consistent snapshot even while the server is writing.
Without FILE the copy goes to backups/<database>-<YYYYmmdd-HHMMSS>.<dump|sqlite3>.
"""

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def pg_env_and_args() -> tuple[dict, list[str]]:
    """Environment and connection arguments for pg_dump / pg_restore from Django's settings."""
    db = settings.DATABASES["default"]
    env = os.environ.copy()
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    return env, args


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise CommandError(
            f"{tool} not found: install the PostgreSQL client (apt-get install -y postgresql-client)"
        )
    return path


class Command(BaseCommand):
    help = "Back up the database to a file (pg_dump on PostgreSQL, the backup API on SQLite)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")

    def handle(self, *args, file=None, **options):
        vendor = connection.vendor
        if file is None:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            name = Path(str(settings.DATABASES["default"]["NAME"])).stem
            suffix = "dump" if vendor == "postgresql" else "sqlite3"
            file = settings.BASE_DIR / "backups" / f"{name}-{stamp}.{suffix}"
        target = Path(file)
        target.parent.mkdir(parents=True, exist_ok=True)
        if vendor == "postgresql":
            env, conn_args = pg_env_and_args()
            subprocess.run(
                [require("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *conn_args],
                check=True,
                env=env,
            )
        elif vendor == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(target) as destination:
                connection.connection.backup(destination)
            destination.close()
        else:
            raise CommandError(f"backups of {vendor} databases are not supported")
        self.stdout.write(f"backup written: {target} ({target.stat().st_size} bytes)")
