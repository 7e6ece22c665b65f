"""The stored procedure CleanupExpiredSessions, on MySQL/MariaDB only (there is no
.sqlite.sql file, so the operation does nothing on SQLite). SQL in accounts/sql/."""

from django.db import migrations

from carbon_site.sql_operations import SQLObject


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_verification_sent_index"),
    ]

    operations = [
        SQLObject.create(
            "procedure", "CleanupExpiredSessions", "accounts/sql/cleanup_expired_sessions"
        ),
    ]
