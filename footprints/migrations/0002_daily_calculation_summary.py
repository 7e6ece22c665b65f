import django.db.models.expressions
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("footprints", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="DailySummary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("country", models.CharField(max_length=5)),
                ("calculations", models.PositiveIntegerField()),
                ("anonymous", models.PositiveIntegerField()),
                ("signed_in", models.PositiveIntegerField()),
                ("total_emissions_sum", models.DecimalField(decimal_places=3, max_digits=18)),
                ("average_total", models.DecimalField(decimal_places=3, max_digits=12)),
                ("refreshed_at", models.DateTimeField()),
            ],
            options={
                "verbose_name_plural": "daily summaries",
                "db_table": "daily_calculation_summary",
                "ordering": ["-day", "country"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "country"), name="daily_summary_day_country"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "calculations",
                                django.db.models.expressions.CombinedExpression(
                                    models.F("anonymous"), "+", models.F("signed_in")
                                ),
                            )
                        ),
                        name="daily_summary_counts_add_up",
                    ),
                ],
            },
        ),
    ]
