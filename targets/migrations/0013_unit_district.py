from django.db import migrations, models


def districts_from_targets(apps, schema_editor):
    """A unit answering for targets of one district only is that district's unit."""
    Unit = apps.get_model("targets", "Unit")
    Target = apps.get_model("targets", "Target")
    found: dict[int, set[str]] = {}
    rows = Target.responsible_units.through.objects.values_list("unit_id", "target__key_task__plan__district")
    for unit_id, district in rows:
        found.setdefault(unit_id, set()).add(district)
    for unit_id, districts in found.items():
        if len(districts) == 1:
            Unit.objects.filter(pk=unit_id, district="").update(district=districts.pop())


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0012_district_membership"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalunit",
            name="district",
            field=models.CharField(
                blank=True,
                help_text="与计划的“区县”一致,如“中原区”;未填写区县的单位不能分派任务",
                max_length=50,
                verbose_name="区县",
            ),
        ),
        migrations.AddField(
            model_name="unit",
            name="district",
            field=models.CharField(
                blank=True,
                help_text="与计划的“区县”一致,如“中原区”;未填写区县的单位不能分派任务",
                max_length=50,
                verbose_name="区县",
            ),
        ),
        migrations.RunPython(districts_from_targets, migrations.RunPython.noop),
    ]
