"""A time limit on each SQL statement, for web processes only.

A page or API call that runs a slow query should fail fast (503, carbon_site.failures) rather
than hold a gunicorn worker and a database thread. Workers, beat, migrations and management
commands (seed and demo loads, cleanups) have no limit: their long statements are expected.

carbon_site/wsgi.py (gunicorn, and runserver, which loads the same WSGI application) calls
`statement_timeout_enable()`; every database connection the process opens afterwards gets the
limit from DB_STATEMENT_TIMEOUT_MS (0 = none), in the dialect of the server it reached:
- MariaDB: `max_statement_time`, in seconds, for every statement (error 1969 when exceeded);
- MySQL: `max_execution_time`, in milliseconds, for read-only SELECTs only (error 3024).
Other backends (SQLite in development) have no such limit; nothing is set there.
"""

from django.conf import settings
from django.db.backends.signals import connection_created

DISPATCH_UID = "carbon_site.db_timeouts.statement_timeout"
_state = {"enabled": False}


def statement_timeout_sql(*, is_mariadb: bool, timeout_ms: int) -> str:
    """The SET SESSION statement that limits each statement to `timeout_ms` (0 lifts it)."""
    if is_mariadb:
        return f"SET SESSION max_statement_time = {timeout_ms / 1000:.3f}"
    return f"SET SESSION max_execution_time = {int(timeout_ms)}"


def statement_timeout_apply(connection, timeout_ms: int | None = None) -> bool:
    """Set the limit on an open connection; False when its backend has none."""
    if connection.vendor != "mysql":
        return False
    if timeout_ms is None:
        timeout_ms = settings.DB_STATEMENT_TIMEOUT_MS
    sql = statement_timeout_sql(is_mariadb=connection.mysql_is_mariadb, timeout_ms=timeout_ms)
    with connection.cursor() as cursor:
        cursor.execute(sql)
    return True


def _on_connection_created(sender, connection, **kwargs) -> None:
    if settings.DB_STATEMENT_TIMEOUT_MS > 0:
        statement_timeout_apply(connection)


def statement_timeout_enable() -> None:
    """From now on, every new connection of this process carries the limit (web processes)."""
    connection_created.connect(_on_connection_created, dispatch_uid=DISPATCH_UID)
    _state["enabled"] = True


def statement_timeout_disable() -> None:
    connection_created.disconnect(dispatch_uid=DISPATCH_UID)
    _state["enabled"] = False


def statement_timeout_enabled() -> bool:
    """Whether this process limits its statements (web processes only)."""
    return _state["enabled"]
