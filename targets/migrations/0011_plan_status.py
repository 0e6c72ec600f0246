from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0010_figure_note_max_length"),
    ]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="status",
            field=models.CharField(
                choices=[("draft", "草稿"), ("active", "执行中"), ("archived", "已归档")],
                default="active",
                max_length=10,
                verbose_name="状态",
            ),
        ),
        migrations.AddField(
            model_name="historicalplan",
            name="status",
            field=models.CharField(
                choices=[("draft", "草稿"), ("active", "执行中"), ("archived", "已归档")],
                default="active",
                max_length=10,
                verbose_name="状态",
            ),
        ),
    ]
