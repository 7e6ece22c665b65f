"""Views and stored procedures in migrations: one operation that runs the SQL file for the vendor.

``SQLObject.create("view", "user_carbon_summary", "footprints/sql/user_carbon_summary")`` looks
for ``footprints/sql/user_carbon_summary.<vendor>.sql`` (``mysql`` also on MariaDB, ``sqlite``),
then ``user_carbon_summary.sql`` for every vendor. A vendor with no file is skipped: procedures
ship only ``.mysql.sql`` files, so they exist on MySQL/MariaDB only.

Each file holds exactly one ``CREATE VIEW`` or ``CREATE PROCEDURE`` statement, without
``DELIMITER`` (a client command, not SQL). It is sent to the server as one statement:
``RunSQL`` given a string splits it at semicolons (``prepare_sql_script``), which would cut a
procedure's ``BEGIN ... END`` body apart. The operation drops the object (``IF EXISTS``) before
creating it, so re-running a half-applied migration on MySQL (no transactional DDL) works.

Both directions are explicit and reversible: ``create`` drops on the way back, ``drop``
recreates from the file on the way back. ``views_recreated_around`` wraps a schema change of a
table that views read (see its docstring for why SQLite needs it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from django.db import migrations

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KINDS = {"view": "VIEW", "procedure": "PROCEDURE"}
ACTIONS = ("create", "drop")


def sql_file_for(source: str, vendor: str) -> Path | None:
    """The file `source` (a path without suffix, from the project root) has for `vendor`."""
    for candidate in (f"{source}.{vendor}.sql", f"{source}.sql"):
        path = PROJECT_ROOT / candidate
        if path.is_file():
            return path
    return None


def create_statement(path: Path) -> str:
    """The file's statement: comment lines and a trailing semicolon removed, the rest as is."""
    lines = [line for line in path.read_text().splitlines() if not line.lstrip().startswith("--")]
    return "\n".join(lines).strip().removesuffix(";").strip()


class SQLObject(migrations.operations.base.Operation):
    """Create or drop one view or stored procedure from its SQL file, for the database's vendor."""

    reversible = True
    reduces_to_sql = True
    elidable = False

    def __init__(self, kind: str, name: str, source: str, action: str = "create") -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}, not {kind!r}")
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}, not {action!r}")
        if not any(PROJECT_ROOT.glob(f"{source}.*sql")):
            # A typo would otherwise make the operation a silent no-op on every database.
            raise FileNotFoundError(f"no SQL file for {source!r} under {PROJECT_ROOT}")
        self.kind, self.name, self.source, self.action = kind, name, source, action

    @classmethod
    def create(cls, kind: str, name: str, source: str) -> SQLObject:
        return cls(kind, name, source, action="create")

    @classmethod
    def drop(cls, kind: str, name: str, source: str) -> SQLObject:
        return cls(kind, name, source, action="drop")

    def deconstruct(self):
        return (
            self.__class__.__name__,
            [self.kind, self.name, self.source],
            {"action": self.action},
        )

    def describe(self) -> str:
        return f"{self.action.capitalize()} {self.kind} {self.name} (from {self.source}.*.sql)"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.action}_{self.name.lower()}"

    def state_forwards(self, app_label, state) -> None:
        """Views and procedures are not in Django's model state (the view models are unmanaged)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        self._run(schema_editor, create=self.action == "create")

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        self._run(schema_editor, create=self.action != "create")

    def _run(self, schema_editor, *, create: bool) -> None:
        path = sql_file_for(self.source, schema_editor.connection.vendor)
        if path is None:
            return  # not on this backend (procedures on SQLite)
        quoted = schema_editor.quote_name(self.name)
        # params=None: the text goes to the driver untouched (no %-formatting, no splitting).
        schema_editor.execute(f"DROP {KINDS[self.kind]} IF EXISTS {quoted}", params=None)
        if create:
            schema_editor.execute(create_statement(path), params=None)


def views_recreated_around(
    views: Iterable[Sequence[str]], *operations: migrations.operations.base.Operation
) -> list[migrations.operations.base.Operation]:
    """``[drop each view, *operations, recreate each view]``, for a change to a table they read.

    `views` are ``(name, source)`` pairs. On SQLite most ``AlterField``/``RemoveField`` calls
    rebuild the table (create ``new__t``, copy, drop ``t``, rename ``new__t`` to ``t``), and the
    rename fails with "error in view ...: no such table" while a view reads ``t``. On MySQL a
    view survives ``ALTER TABLE`` but keeps its old column list, so recreating it is right there
    too. Reversed, the same list drops, undoes the change and recreates.
    """
    views = [tuple(view) for view in views]
    return [
        *(SQLObject.drop("view", name, source) for name, source in views),
        *operations,
        *(SQLObject.create("view", name, source) for name, source in reversed(views)),
    ]
