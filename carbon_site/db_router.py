"""The database router: writes and reads on the primary, marked selectors' reads on the replica.

Which reads may use the replica is decided in carbon_site.replica; this class only answers Django.
"""

from django.db import DEFAULT_DB_ALIAS

from . import replica


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        return replica.read_alias(hints)

    def db_for_write(self, model, **hints) -> str:
        replica.note_write()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # A row read from the replica is the same row as on the primary.
        databases = {DEFAULT_DB_ALIAS, replica.REPLICA_DATABASE}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        # The replica receives the primary's schema through replication, never by migrate.
        if db == replica.REPLICA_DATABASE:
            return False
        return None
