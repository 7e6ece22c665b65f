"""The stored procedures GetUserCarbonHistory and GetUserStats, on MySQL/MariaDB only (there is
no .sqlite.sql file, so the operations do nothing on SQLite). SQL in footprints/sql/."""

from django.db import migrations

from carbon_site.sql_operations import SQLObject


class Migration(migrations.Migration):
    dependencies = [
        ("footprints", "0003_user_carbon_summary_and_recent_calculations_views"),
    ]

    operations = [
        SQLObject.create(
            "procedure", "GetUserCarbonHistory", "footprints/sql/get_user_carbon_history"
        ),
        SQLObject.create("procedure", "GetUserStats", "footprints/sql/get_user_stats"),
    ]
