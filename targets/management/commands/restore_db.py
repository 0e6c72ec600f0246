"""Replace the database's contents with a backup made by backup_db.

    python manage.py restore_db FILE [--yes]

Everything in the database is replaced. Without --yes it asks first.

The file is checked before anything is touched: a missing, empty, truncated or damaged file, or
one that is not a backup of this application's database, ends the command with a one-line
error and the database as it was. SQLite: the backup is copied into memory and checked there
(SQLite header, every page readable, `PRAGMA integrity_check`, this application's tables), then
copied over the database in one step. PostgreSQL: `pg_restore --list` must read the archive,
and the restore runs in a single transaction, so a failure half-way leaves nothing changed.
"""

import re
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from .backup_db import pg_env_and_args, require

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
# Tables every backup of this application's database has.
EXPECTED_TABLES = {"django_migrations", "targets_plan", "targets_target", "targets_figure"}


def _refuse(source: Path, problem: str) -> CommandError:
    return CommandError(f"cannot restore from {source}: {problem}; the database was not changed")


def _last_line(text: str) -> str:
    """The last thing pg_restore said, without its own name."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1].removeprefix("pg_restore: ") if lines else "no message"


def _read_head(source: Path, size: int) -> bytes:
    try:
        with source.open("rb") as handle:
            return handle.read(size)
    except OSError as exc:
        raise _refuse(source, f"the file cannot be read ({exc.strerror or exc})") from None


def _sqlite_pages_expected(header: bytes) -> tuple[int, int] | None:
    """(page size, page count) from a SQLite header, when the header states the count."""
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    change_counter, valid_for = header[24:28], header[92:96]
    if pages and change_counter == valid_for:
        return page_size, pages
    return None


def checked_sqlite_copy(source: Path) -> sqlite3.Connection:
    """The backup in `source`, copied into memory and checked; CommandError when it is unusable."""
    header = _read_head(source, 100)
    if not header:
        raise _refuse(source, "the file is empty")
    if not header.startswith(SQLITE_MAGIC):
        raise _refuse(source, "the file is not an SQLite database (not a backup made by backup_db)")
    if len(header) < 100:
        raise _refuse(source, "the file is truncated")
    expected = _sqlite_pages_expected(header)
    if expected is not None:
        page_size, pages = expected
        size = source.stat().st_size
        if size < page_size * pages:
            raise _refuse(
                source, f"the file is truncated ({size} bytes, its header announces {page_size * pages})"
            )
    memory = sqlite3.connect(":memory:")
    try:
        _copy_into(source, memory)
        problems = [row[0] for row in memory.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise _refuse(source, f"the file is damaged ({problems[0]})")
        tables = {row[0] for row in memory.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = sorted(EXPECTED_TABLES - tables)
        if missing:
            raise _refuse(
                source,
                f"the file is not a backup of this application's database (no table {', '.join(missing)})",
            )
        loader = MigrationLoader(None, ignore_no_migrations=True)
        unknown = sorted(
            (app, name)
            for app, name in memory.execute("SELECT app, name FROM django_migrations")
            if app in loader.migrated_apps and (app, name) not in loader.disk_migrations
        )
        if unknown:
            raise _refuse(
                source,
                "the backup was made by a newer version of this application "
                f"(migration {unknown[0][0]}.{unknown[0][1]} is unknown here)",
            )
    except sqlite3.Error as exc:
        memory.close()
        raise _refuse(source, f"the file is damaged or truncated ({exc})") from None
    except CommandError:
        memory.close()
        raise
    return memory


def _copy_into(source: Path, memory: sqlite3.Connection) -> None:
    # Read-only and immutable: reading a backup never writes beside it (no journal, no WAL).
    backup = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        backup.backup(memory)
    finally:
        backup.close()


def check_pg_archive(source: Path, env: dict, pg_restore: str) -> None:
    header = _read_head(source, len(PG_CUSTOM_MAGIC))
    if not header:
        raise _refuse(source, "the file is empty")
    if header != PG_CUSTOM_MAGIC:
        raise _refuse(source, "the file is not a pg_dump archive (not a backup made by backup_db)")
    listed = subprocess.run(
        [pg_restore, "--list", str(source)], capture_output=True, text=True, env=env, check=False
    )
    if listed.returncode != 0:
        raise _refuse(source, f"pg_restore cannot read the archive ({_last_line(listed.stderr)})")
    if not re.search(r"\bTABLE \S+ targets_figure\b", listed.stdout):
        raise _refuse(source, "the archive is not a backup of this application's database")


class Command(BaseCommand):
    help = "Restore the database from a backup_db file (replaces all data)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, file, yes=False, **options):
        source = Path(file)
        if not source.exists():
            raise _refuse(source, "the file was not found")
        if not source.is_file():
            raise _refuse(source, "it is not a file")
        vendor = connection.vendor
        if vendor == "postgresql":
            env, conn_args = pg_env_and_args()
            pg_restore = require("pg_restore")
            check_pg_archive(source, env, pg_restore)
            self._confirm(source, yes)
            connection.close()
            restored = subprocess.run(
                [
                    pg_restore,
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--exit-on-error",
                    *conn_args,
                    str(source),
                ],
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            if restored.returncode != 0:
                raise _refuse(source, f"pg_restore failed ({_last_line(restored.stderr)})")
        elif vendor == "sqlite":
            checked = checked_sqlite_copy(source)
            try:
                self._confirm(source, yes)
                connection.ensure_connection()
                # One step (all pages): SQLite writes it in one transaction, all or nothing.
                checked.backup(connection.connection)
            except sqlite3.Error as exc:
                raise _refuse(source, f"copying into the database failed ({exc})") from None
            finally:
                checked.close()
        else:
            raise CommandError(f"restoring {vendor} databases is not supported")
        self.stdout.write(f"restored from {source}")
        loader = MigrationLoader(connection)
        if any(node not in loader.applied_migrations for node in loader.graph.leaf_nodes()):
            self.stdout.write("the backup predates some migrations: run `manage.py migrate` next")
        self._move_data_versions()

    def _move_data_versions(self) -> None:
        """Every plan's data version past any value a cached page holds: the old pages go."""
        from django.db import DatabaseError

        from targets.models import DataVersion

        try:
            DataVersion.move_past_everything()
        except DatabaseError as exc:  # a backup older than the data versions: nothing is cached by them
            self.stdout.write(f"data versions not moved ({exc})")

    def _confirm(self, source: Path, yes: bool) -> None:
        if yes:
            return
        try:
            answer = input(f"Replace every row of the database with {source}? [y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in {"y", "yes"}:
            raise CommandError("restore cancelled; the database was not changed")
