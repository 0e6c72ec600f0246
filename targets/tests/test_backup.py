"""A backup and a restore give back every row exactly; a bad backup file changes nothing."""

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from targets.models import Figure, Plan

pytestmark = pytest.mark.django_db(transaction=True)

on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite restore (PostgreSQL: see below)"
)
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://…), run in CI"
)
NOT_CHANGED = "; the database was not changed"


def every_row():
    """Every row of every table, but the plans' data versions (a restore moves them on purpose)."""
    return {
        model._meta.label: sorted(
            model.objects.values_list(
                *(f.attname for f in model._meta.concrete_fields if f.attname != "data_version")
            ),
            key=repr,
        )
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


@pytest.fixture
def seeded():
    call_command("load_seed")
    return every_row()


@pytest.fixture
def good_backup(tmp_path, seeded) -> Path:
    backup = tmp_path / "good.backup"
    call_command("backup_db", str(backup))
    return backup


def test_round_trip(tmp_path):
    call_command("load_seed")
    before = every_row()
    assert len(before["targets.Figure"]) == 62
    backup = tmp_path / "backup.bin"
    call_command("backup_db", str(backup))
    assert backup.stat().st_size > 0

    # Damage the data, then restore.
    Figure.objects.filter(month=dt.date(2020, 6, 1)).delete()
    assert Figure.objects.count() == 0
    versions = dict(Plan.objects.values_list("pk", "data_version"))
    call_command("restore_db", str(backup), yes=True)

    assert every_row() == before
    # Every plan's version is moved past any value it had, so no page cached before is served.
    after = dict(Plan.objects.values_list("pk", "data_version"))
    assert after.keys() == versions.keys()
    assert all(after[pk] > versions[pk] + 1_000_000 for pk in versions)


def restore_refused(path: Path) -> str:
    """The one-line message of a refused restore."""
    with pytest.raises(CommandError) as refused:
        call_command("restore_db", str(path), yes=True)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"cannot restore from {path}: ")
    assert message.endswith(NOT_CHANGED)
    return message.removeprefix(f"cannot restore from {path}: ").removesuffix(NOT_CHANGED)


def bad_files(tmp_path: Path, good: bytes) -> dict[str, Path]:
    files = {
        "empty": b"",
        "truncated": good[: len(good) // 2],
        "header only": good[:60],
        "random bytes": os.urandom(20_000),
        "text": "这不是备份文件。\nnot a backup\n".encode() * 50,
    }
    paths = {}
    for name, content in files.items():
        paths[name] = tmp_path / f"{name.replace(' ', '-')}.bin"
        paths[name].write_bytes(content)
    paths["missing"] = tmp_path / "no-such-file"
    paths["a directory"] = tmp_path
    return paths


SQLITE_PROBLEMS = {
    "empty": "the file is empty",
    "header only": "the file is truncated",
    "random bytes": "the file is not an SQLite database (not a backup made by backup_db)",
    "text": "the file is not an SQLite database (not a backup made by backup_db)",
    "missing": "the file was not found",
    "a directory": "it is not a file",
}


@on_sqlite
def test_bad_files_are_refused_and_change_nothing(tmp_path, good_backup, seeded):
    good = good_backup.read_bytes()
    paths = bad_files(tmp_path, good)
    problems = {name: restore_refused(path) for name, path in paths.items()}
    assert problems == SQLITE_PROBLEMS | {
        "truncated": f"the file is truncated ({len(good) // 2} bytes, its header announces {len(good)})"
    }
    assert every_row() == seeded


@on_sqlite
def test_a_damaged_backup_is_refused(tmp_path, good_backup, seeded):
    damaged = bytearray(good_backup.read_bytes())
    damaged[4096 * 3 : 4096 * 40] = b"\xa5" * (4096 * 37)
    path = tmp_path / "damaged.sqlite3"
    path.write_bytes(damaged)
    assert restore_refused(path).startswith("the file is damaged")
    assert every_row() == seeded


def _sqlite_file(path: Path, *statements: str) -> Path:
    db = sqlite3.connect(path)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()
    return path


@on_sqlite
def test_an_sqlite_file_that_is_not_our_backup_is_refused(tmp_path, seeded):
    other = _sqlite_file(tmp_path / "other.sqlite3", "CREATE TABLE notes (text TEXT)")
    assert restore_refused(other) == (
        "the file is not a backup of this application's database "
        "(no table django_migrations, targets_figure, targets_plan, targets_target)"
    )
    assert every_row() == seeded


@on_sqlite
def test_a_backup_from_a_newer_version_is_refused(tmp_path, good_backup, seeded):
    _sqlite_file(
        good_backup, "INSERT INTO django_migrations (app, name, applied) VALUES ('targets', '9999_later', '')"
    )
    assert restore_refused(good_backup) == (
        "the backup was made by a newer version of this application "
        "(migration targets.9999_later is unknown here)"
    )
    assert every_row() == seeded


@on_sqlite
def test_an_empty_file_no_longer_empties_the_database(tmp_path, seeded):
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    restore_refused(empty)
    assert every_row() == seeded
    assert len(seeded["targets.Figure"]) == 62


@on_sqlite
def test_on_the_command_line_a_bad_file_is_one_line_and_exit_code_1(tmp_path):
    database = tmp_path / "db.sqlite3"
    _sqlite_file(database, "CREATE TABLE kept (x)")
    before = database.read_bytes()
    bad = tmp_path / "random.bin"
    bad.write_bytes(os.urandom(5000))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "0",
        "SECRET_KEY": "test-only-secret-key",
        "STATIC_MANIFEST": "0",
        "SECURE_COOKIES": "0",
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "restore_db", str(bad), "--yes"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        f"CommandError: cannot restore from {bad}: the file is not an SQLite database "
        f"(not a backup made by backup_db){NOT_CHANGED}\n"
    )
    assert database.read_bytes() == before


def test_restore_asks_first_and_changes_nothing_when_not_confirmed(good_backup, seeded, monkeypatch):
    Figure.objects.filter(month=dt.date(2020, 6, 1)).delete()
    changed = every_row()

    def no_terminal(prompt):
        raise EOFError

    for answer in (lambda prompt: "n", lambda prompt: "", no_terminal):
        monkeypatch.setattr("builtins.input", answer)
        with pytest.raises(CommandError) as refused:
            call_command("restore_db", str(good_backup))
        assert str(refused.value) == "restore cancelled; the database was not changed"
    assert every_row() == changed


def test_a_backup_that_cannot_be_written_is_a_clear_error(tmp_path, seeded):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(CommandError) as refused:
        call_command("backup_db", str(blocker / "backup.bin"))
    assert str(refused.value) == f"cannot write the backup {blocker / 'backup.bin'}: File exists"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_a_new_backup_replaces_an_old_one_whole(tmp_path, seeded):
    backup = tmp_path / "backup.bin"
    backup.write_bytes(b"an older, damaged backup")
    call_command("backup_db", str(backup))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.bin"]
    Figure.objects.all().delete()
    call_command("restore_db", str(backup), yes=True)
    assert every_row() == seeded


# --- PostgreSQL (pg_dump archives, pg_restore in one transaction) ----------------------------------

PG_PROBLEMS = {
    "empty": "the file is empty",
    "header only": None,  # whatever pg_restore says about it
    "truncated": None,
    "random bytes": "the file is not a pg_dump archive (not a backup made by backup_db)",
    "text": "the file is not a pg_dump archive (not a backup made by backup_db)",
    "missing": "the file was not found",
    "a directory": "it is not a file",
}


@on_postgres
def test_bad_files_are_refused_and_change_nothing_on_postgres(tmp_path, good_backup, seeded):
    paths = bad_files(tmp_path, good_backup.read_bytes())
    sqlite_file = _sqlite_file(tmp_path / "other.sqlite3", "CREATE TABLE notes (text TEXT)")
    for name, path in [*paths.items(), ("an SQLite file", sqlite_file)]:
        problem = restore_refused(path)
        expected = PG_PROBLEMS.get(name, "the file is not a pg_dump archive (not a backup made by backup_db)")
        if expected is None:
            assert problem.startswith("pg_restore "), (name, problem)
        else:
            assert problem == expected, name
    assert every_row() == seeded
