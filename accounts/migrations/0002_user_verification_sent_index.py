"""Index users.email_verification_sent_at: carbon_site.retention finds expired verification links
by it (cleanup_tokens), a batch at a time, without scanning the table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]
    # 0003 (the CleanupExpiredSessions procedure) was written against 0001 while this number was
    # reserved; running before it keeps the graph a single line.
    run_before = [
        ("accounts", "0003_cleanup_expired_sessions_procedure"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="user",
            index=models.Index(
                fields=["email_verification_sent_at"], name="users_verification_sent_at"
            ),
        ),
    ]
