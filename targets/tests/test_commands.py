import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_local_accounts_get_random_passwords_once(capsys):
    call_command("create_local_accounts")
    first = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in first] == ["account admin", "account viewer", "account reviewer"]
    passwords = [line.split("password ")[1].split()[0] for line in first]
    assert len(set(passwords)) == 3
    User = get_user_model()
    for username, password in zip(["admin", "viewer", "reviewer"], passwords, strict=True):
        assert User.objects.get(username=username).check_password(password)
    assert User.objects.get(username="admin").is_superuser
    reviewer = User.objects.get(username="reviewer")
    assert (reviewer.is_staff, reviewer.has_perm("targets.review_figure")) == (True, True)
    assert list(User.objects.get(username="viewer").groups.values_list("name", flat=True)) == ["viewer"]

    call_command("create_local_accounts")
    again = capsys.readouterr().out
    assert again.count("already exists, password unchanged") == 3
    assert not any(p in again for p in passwords)


def test_role_groups_exist_after_migrate():
    from django.contrib.auth.models import Group

    groups = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    assert set(groups) == {"viewer", "reporter", "reviewer", "admin"}
    assert groups["viewer"] == set()
    assert groups["reporter"] >= {"add_figure", "change_figure", "view_figure"}
    assert "review_figure" not in groups["reporter"]
    assert "review_figure" in groups["reviewer"]
    assert "change_figure" not in groups["reviewer"]


def test_generate_scale_data_builds_and_removes_synthetic_plans(capsys):
    # The command belongs to the bench app, which only the benchmark's settings install: called directly.
    from bench.management.commands.generate_scale_data import Command as GenerateScaleData
    from projects.models import Project
    from targets.models import Figure, Plan, Target

    call_command(GenerateScaleData(), districts=2, years=1, targets=8, projects=4, units=3)
    assert capsys.readouterr().out.strip() == "synthetic plans: 2 created, 2 in all"
    assert sorted(Plan.objects.values_list("district", flat=True)) == ["合成区01", "合成区02"]
    assert all("合成数据" in title for title in Plan.objects.values_list("title", flat=True))
    assert Target.objects.count() == 16
    assert Figure.objects.count() == 16 * 12
    assert Project.objects.count() == 8
    call_command(GenerateScaleData(), districts=2, years=1, targets=8, projects=4, units=3)
    assert "0 created, 2 in all" in capsys.readouterr().out
    call_command(GenerateScaleData(), delete=True)
    assert (Plan.objects.count(), Target.objects.count(), Project.objects.count()) == (0, 0, 0)
