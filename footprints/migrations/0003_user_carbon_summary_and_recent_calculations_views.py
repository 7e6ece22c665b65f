"""The views user_carbon_summary and recent_calculations, on every backend, with their
read-only (unmanaged) models. The SQL is in footprints/sql/<view>.<vendor>.sql."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from carbon_site.sql_operations import SQLObject


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("footprints", "0002_daily_calculation_summary"),
    ]

    operations = [
        SQLObject.create("view", "user_carbon_summary", "footprints/sql/user_carbon_summary"),
        SQLObject.create("view", "recent_calculations", "footprints/sql/recent_calculations"),
        migrations.CreateModel(
            name="RecentCalculation",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("calculation_uuid", models.UUIDField()),
                ("is_anonymous", models.BooleanField()),
                (
                    "mode",
                    models.CharField(
                        choices=[("detailed", "Detailed"), ("quick", "Quick")], max_length=10
                    ),
                ),
                ("country", models.CharField(max_length=5)),
                ("calculation_date", models.DateTimeField()),
                ("total_emissions", models.DecimalField(decimal_places=3, max_digits=12)),
                ("electricity_emissions", models.DecimalField(decimal_places=3, max_digits=12)),
                ("heating_emissions", models.DecimalField(decimal_places=3, max_digits=12)),
                ("transportation_emissions", models.DecimalField(decimal_places=3, max_digits=12)),
                ("waste_emissions", models.DecimalField(decimal_places=3, max_digits=12)),
                ("lifestyle_emissions", models.DecimalField(decimal_places=3, max_digits=12)),
                ("other_emissions", models.DecimalField(decimal_places=3, max_digits=12)),
                ("confidence_score", models.DecimalField(decimal_places=3, max_digits=4)),
            ],
            options={
                "db_table": "recent_calculations",
                "ordering": ["-calculation_date", "-id"],
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="UserCarbonSummary",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("calculation_count", models.PositiveIntegerField()),
                ("first_calculation_date", models.DateTimeField()),
                ("latest_calculation_date", models.DateTimeField()),
                ("latest_total", models.DecimalField(decimal_places=3, max_digits=12)),
                ("min_total", models.DecimalField(decimal_places=3, max_digits=12)),
                ("max_total", models.DecimalField(decimal_places=3, max_digits=12)),
                ("average_total", models.DecimalField(decimal_places=3, max_digits=12)),
                ("average_electricity", models.DecimalField(decimal_places=3, max_digits=12)),
                ("average_heating", models.DecimalField(decimal_places=3, max_digits=12)),
                ("average_transportation", models.DecimalField(decimal_places=3, max_digits=12)),
                ("average_waste", models.DecimalField(decimal_places=3, max_digits=12)),
                ("average_lifestyle", models.DecimalField(decimal_places=3, max_digits=12)),
                ("average_other", models.DecimalField(decimal_places=3, max_digits=12)),
            ],
            options={
                "verbose_name_plural": "user carbon summaries",
                "db_table": "user_carbon_summary",
                "ordering": ["-latest_calculation_date"],
                "managed": False,
            },
        ),
    ]
