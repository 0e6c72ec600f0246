"""A backup and a restore give back every row exactly."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.management import call_command

from targets.models import Figure

pytestmark = pytest.mark.django_db(transaction=True)


def every_row():
    return {
        model._meta.label: sorted(model.objects.values_list(), key=repr)
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


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
    call_command("restore_db", str(backup), yes=True)

    assert every_row() == before


def test_restore_refuses_a_missing_file(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not found"):
        call_command("restore_db", str(tmp_path / "nope"), yes=True)
