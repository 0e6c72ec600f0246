from django.db import migrations


def districts_from_items(apps, schema_editor):
    """A unit without a district that leads or shares items of one district only is that district's."""
    Unit = apps.get_model("targets", "Unit")
    SupervisedItem = apps.get_model("supervision", "SupervisedItem")
    found: dict[int, set[str]] = {}
    for unit_id, district in SupervisedItem.objects.exclude(lead_unit=None).values_list(
        "lead_unit_id", "plan__district"
    ):
        found.setdefault(unit_id, set()).add(district)
    through = SupervisedItem.co_units.through.objects.values_list("unit_id", "superviseditem__plan__district")
    for unit_id, district in through:
        found.setdefault(unit_id, set()).add(district)
    for unit_id, districts in found.items():
        if len(districts) == 1:
            Unit.objects.filter(pk=unit_id, district="").update(district=districts.pop())


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_instructions"),
        ("targets", "0013_unit_district"),
    ]

    operations = [migrations.RunPython(districts_from_items, migrations.RunPython.noop)]
