"""Index simplejwt's token_blacklist_outstandingtoken.expires_at, which the package leaves
unindexed: carbon_site.retention deletes expired tokens a batch at a time in expiry order
(cleanup_sessions), and without the index each batch would scan the whole table.

The table is a third-party app's, so the index is not in any model's Meta: it is added through
the schema editor (the same statements Django would write, on SQLite and MySQL/MariaDB alike)
and removed on the way back. On MySQL/MariaDB, InnoDB builds it online, without blocking writes.
"""

from django.db import migrations, models

INDEX = models.Index(fields=["expires_at"], name="outstandingtoken_expires_at")


def index_add(apps, schema_editor) -> None:
    schema_editor.add_index(apps.get_model("token_blacklist", "OutstandingToken"), INDEX)


def index_remove(apps, schema_editor) -> None:
    schema_editor.remove_index(apps.get_model("token_blacklist", "OutstandingToken"), INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("carbon_site", "0001_initial"),
        ("token_blacklist", "0013_alter_blacklistedtoken_options_and_more"),
    ]

    operations = [
        migrations.RunPython(index_add, index_remove, atomic=False, elidable=False),
    ]
