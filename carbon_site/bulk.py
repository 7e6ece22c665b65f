"""Many rows in one INSERT, for the few places where the ORM's bulk_create costs too much."""

import os
import uuid

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction


def uuid4_many(count: int) -> list[uuid.UUID]:
    """`count` random (version 4) UUIDs from one read of the OS's random source.

    uuid.uuid4() reads it once per UUID, a system call each: about 15 µs apiece on our
    machines, a third of a millisecond for one calculation's recommendations.
    """
    random = os.urandom(16 * count)
    return [uuid.UUID(bytes=random[i : i + 16], version=4) for i in range(0, 16 * count, 16)]


class RowInsert:
    """Many rows in one INSERT (``executemany``), values prepared as the ORM prepares them
    (``get_db_prep_save``); constant columns can be prepared once and shared by many rows.

    bulk_create compiles every value of every row again. Measured on the 2-core machine:
    24 recommendation rows cost 1.2 ms of CPU through bulk_create and 0.4 ms here, and
    seed_load inserts about 9,500 calculations a second here against 2,000. No model
    instances and no ids come back; model defaults and auto_now are not applied: the caller
    gives every column it names. Model save signals (auditlog's) are not sent either.
    """

    def __init__(
        self,
        model,
        constant_fields: tuple[str, ...],
        row_fields: tuple[str, ...],
        *,
        few_values: tuple[str, ...] = (),
    ):
        """`few_values`: row fields that take a handful of values (codes, flags, ranks); each
        value is prepared once and remembered."""
        self.fields = {
            name: model._meta.get_field(name) for name in (*constant_fields, *row_fields)
        }
        self.constant_fields = constant_fields
        self.row_fields = row_fields
        self.few_values = frozenset(few_values)
        self.prepared: dict[tuple[str, object], object] = {}
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in self.fields.values())
        placeholders = ", ".join(["%s"] * len(self.fields))
        table = quote(model._meta.db_table)
        # Table and column names come from the model, never from input.
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608

    def prepare(self, name: str, value):
        return self.fields[name].get_db_prep_save(value, connections[DEFAULT_DB_ALIAS])

    def constant(self, **values) -> tuple:
        """The constant columns, prepared: put them first in each row tuple."""
        database = connections[DEFAULT_DB_ALIAS]  # once: each lookup is a thread-local one
        return tuple(
            self.fields[name].get_db_prep_save(values[name], database)
            for name in self.constant_fields
        )

    def row(self, constant: tuple, **values) -> tuple:
        """A whole row: the prepared constant columns, then these values prepared."""
        database = connections[DEFAULT_DB_ALIAS]
        row = list(constant)
        for name in self.row_fields:
            value = values[name]
            if name in self.few_values:
                key = (name, value)
                if key not in self.prepared:
                    self.prepared[key] = self.fields[name].get_db_prep_save(value, database)
                row.append(self.prepared[key])
            else:
                row.append(self.fields[name].get_db_prep_save(value, database))
        return tuple(row)

    def execute(self, rows: list[tuple]) -> None:
        """Insert the rows, inside the caller's transaction when there is one."""
        if not rows:
            return
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.executemany(self.sql, rows)
