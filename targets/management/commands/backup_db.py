"""Write a consistent copy of the database to a file.

    python manage.py backup_db [FILE]

PostgreSQL: `pg_dump --format=custom` (restore with restore_db or pg_restore). SQLite: SQLite's
online backup API, which copies a consistent snapshot even while the server is writing.
Without FILE the copy goes to backups/<database>-<YYYYmmdd-HHMMSS>.<dump|sqlite3>.
"""

import contextlib
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
        if vendor not in {"postgresql", "sqlite"}:
            raise CommandError(f"backups of {vendor} databases are not supported")
        target = Path(file)
        # Written beside the target under a temporary name and renamed when complete, so a failed
        # backup never leaves a partial file that looks like a backup (or replaces a good one).
        partial = target.with_name(f".{target.name}.partial")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial.unlink(missing_ok=True)
            if vendor == "postgresql":
                self._pg_dump(partial)
            else:
                self._sqlite_backup(partial)
            os.replace(partial, target)
        except OSError as exc:
            raise CommandError(f"cannot write the backup {target}: {exc.strerror or exc}") from None
        finally:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
        self.stdout.write(f"backup written: {target} ({target.stat().st_size} bytes)")

    def _pg_dump(self, partial: Path) -> None:
        env, conn_args = pg_env_and_args()
        dumped = subprocess.run(
            [require("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial), *conn_args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if dumped.returncode != 0:
            lines = [line.strip() for line in dumped.stderr.splitlines() if line.strip()]
            raise CommandError(f"pg_dump failed: {lines[-1] if lines else f'exit code {dumped.returncode}'}")

    def _sqlite_backup(self, partial: Path) -> None:
        connection.ensure_connection()
        destination = sqlite3.connect(partial)
        try:
            connection.connection.backup(destination)
        except sqlite3.Error as exc:
            raise CommandError(f"the SQLite backup failed: {exc}") from None
        finally:
            destination.close()
