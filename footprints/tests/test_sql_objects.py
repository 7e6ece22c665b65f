"""The SQL views (every backend) and stored procedures (MySQL/MariaDB) agree with the ORM."""

import datetime
import uuid
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from django.db import OperationalError, connection, migrations, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.migration import Migration
from django.db.models import Avg, Count, Max, Min
from django.urls import reverse
from django.utils import timezone

from accounts.models import UserSession
from accounts.tests.factories import UserFactory, UserSessionFactory
from carbon_site.sql_operations import SQLObject, create_statement, sql_file_for
from carbon_site.sql_operations import views_recreated_around as views_around
from footprints.models import CATEGORIES, CarbonFootprint, RecentCalculation, UserCarbonSummary
from footprints.selectors import footprint_list, footprint_stats
from footprints.tests.factories import CarbonFootprintFactory

pytestmark = pytest.mark.django_db

FOOTPRINT_VIEWS = [
    ("user_carbon_summary", "footprints/sql/user_carbon_summary"),
    ("recent_calculations", "footprints/sql/recent_calculations"),
]
GRAMS = Decimal("0.001")
NOW = timezone.now()


def footprint(user, *, days_ago: float, total: str, **categories) -> CarbonFootprint:
    """A stored calculation `days_ago` days back; categories default to round shares of total."""
    total_kg = Decimal(total)
    values = {f"{c}_emissions": Decimal(categories.get(c, "0")) for c in CATEGORIES}
    values["other_emissions"] = total_kg - sum(values.values())
    return CarbonFootprintFactory(
        user=user,
        is_anonymous=user is None,
        calculation_date=NOW - datetime.timedelta(days=days_ago),
        total_emissions=total_kg,
        **values,
    )


@pytest.fixture
def history():
    """Two users with histories (averages that end in a half gram), one anonymous calculation,
    and a user with none."""
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    footprint(alice, days_ago=400, total="9000.001", electricity="800.001", heating="1500.5")
    footprint(alice, days_ago=40, total="8000.002", electricity="700.002", heating="1400.25")
    footprint(alice, days_ago=10, total="7500.500", electricity="650.000", heating="1300.125")
    footprint(alice, days_ago=10, total="7600.000", electricity="640.000", heating="1310.000")
    footprint(bob, days_ago=2, total="4321.987", transportation="2000.333")
    footprint(None, days_ago=1, total="5555.555")
    return alice, bob, carol


def orm_summary(user) -> dict:
    rows = CarbonFootprint.objects.filter(user=user)
    summary = rows.aggregate(
        calculation_count=Count("id"),
        first_calculation_date=Min("calculation_date"),
        latest_calculation_date=Max("calculation_date"),
        min_total=Min("total_emissions"),
        max_total=Max("total_emissions"),
        average_total=Avg("total_emissions"),
        **{f"average_{c}": Avg(f"{c}_emissions") for c in CATEGORIES},
    )
    summary["latest_total"] = rows.order_by("-calculation_date", "-id")[0].total_emissions
    return summary


def near(view_value, orm_value) -> bool:
    """Averages: the view rounds to the gram (half away from zero on MySQL, float on SQLite)."""
    return abs(Decimal(view_value) - Decimal(orm_value)) <= GRAMS / 2 + Decimal("1e-9")


# --- Views, on every backend ------------------------------------------------------------------


def test_user_carbon_summary_has_one_row_per_user_with_calculations(history):
    alice, bob, carol = history
    assert set(UserCarbonSummary.objects.values_list("user_id", flat=True)) == {alice.pk, bob.pk}


def test_user_carbon_summary_agrees_with_the_orm_aggregates(history):
    for user in history[:2]:
        row = UserCarbonSummary.objects.get(user=user)
        expected = orm_summary(user)
        for name in ("calculation_count", "first_calculation_date", "latest_calculation_date"):
            assert getattr(row, name) == expected[name], name
        for name in ("latest_total", "min_total", "max_total"):
            assert getattr(row, name) == expected[name], name
        for name in ("average_total", *(f"average_{c}" for c in CATEGORIES)):
            assert near(getattr(row, name), expected[name]), name


def test_user_carbon_summary_latest_total_breaks_date_ties_by_id(history):
    alice = history[0]
    assert UserCarbonSummary.objects.get(user=alice).latest_total == Decimal("7600.000")


def test_recent_calculations_are_the_last_30_days_with_anonymous_ones(history):
    expected = CarbonFootprint.objects.filter(
        calculation_date__gte=timezone.now() - datetime.timedelta(days=30)
    )
    rows = list(RecentCalculation.objects.all())
    assert {row.id for row in rows} == set(expected.values_list("id", flat=True))
    assert len(rows) == 4  # alice's two of 10 days ago, bob's, the anonymous one
    assert any(row.user_id is None and row.is_anonymous for row in rows)
    for row in rows:
        stored = CarbonFootprint.objects.get(pk=row.id)
        assert row.calculation_uuid == stored.calculation_uuid
        assert row.total_emissions == stored.total_emissions
        assert row.calculation_date == stored.calculation_date


def test_recent_calculations_are_newest_first(history):
    dates = list(RecentCalculation.objects.values_list("calculation_date", flat=True))
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("model", [UserCarbonSummary, RecentCalculation])
def test_staff_read_the_views_in_admin_but_cannot_change_them(client, staff_user, history, model):
    client.force_login(staff_user)
    info = f"admin:footprints_{model._meta.model_name}"
    assert client.get(reverse(f"{info}_changelist")).status_code == 200
    assert client.get(reverse(f"{info}_add")).status_code == 403
    row = model.objects.first()
    page = client.get(reverse(f"{info}_change", args=[row.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.post(reverse(f"{info}_delete", args=[row.pk])).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()


# --- The operation -----------------------------------------------------------------------------


def test_each_view_has_a_file_for_both_backends_and_procedures_only_for_mysql():
    for _, source in FOOTPRINT_VIEWS:
        assert sql_file_for(source, "mysql").name.endswith(".mysql.sql")
        assert sql_file_for(source, "sqlite").name.endswith(".sqlite.sql")
    for source in (
        "footprints/sql/get_user_carbon_history",
        "footprints/sql/get_user_stats",
        "accounts/sql/cleanup_expired_sessions",
    ):
        assert sql_file_for(source, "mysql") is not None
        assert sql_file_for(source, "sqlite") is None


def test_sql_files_hold_one_statement_without_delimiter_and_mysql_ones_run_as_invoker():
    for source in (
        *(source for _, source in FOOTPRINT_VIEWS),
        "footprints/sql/get_user_carbon_history",
        "footprints/sql/get_user_stats",
        "accounts/sql/cleanup_expired_sessions",
    ):
        for vendor in ("mysql", "sqlite"):
            path = sql_file_for(source, vendor)
            if path is None:
                continue
            statement = create_statement(path)
            assert statement.startswith("CREATE ")
            assert "DELIMITER" not in statement.upper()
            if vendor == "mysql":
                assert "SQL SECURITY INVOKER" in statement
                assert "NOW()" not in statement.upper()


def test_an_operation_without_any_sql_file_is_refused():
    with pytest.raises(FileNotFoundError):
        SQLObject.create("view", "nothing", "footprints/sql/no_such_view")


def test_create_and_drop_reverse_each_other():
    create = SQLObject.create("view", "user_carbon_summary", "footprints/sql/user_carbon_summary")
    drop = SQLObject.drop("view", "user_carbon_summary", "footprints/sql/user_carbon_summary")
    assert create.reversible and drop.reversible
    assert create.deconstruct()[2] == {"action": "create"}
    assert "Drop view user_carbon_summary" in drop.describe()
    around = views_around(FOOTPRINT_VIEWS, migrations.RunSQL("SELECT 1", "SELECT 1"))
    assert [op.action for op in around if isinstance(op, SQLObject)] == [
        "drop",
        "drop",
        "create",
        "create",
    ]


def view_names() -> set[str]:
    with connection.cursor() as cursor:
        return {
            info.name
            for info in connection.introspection.get_table_list(cursor)
            if info.type == "v"
        }


def procedure_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT routine_name FROM information_schema.ROUTINES"
            " WHERE routine_schema = DATABASE() AND routine_type = 'PROCEDURE'"
        )
        return {name for (name,) in cursor.fetchall()}


def migrate(*targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(list(targets))


def leaf(app_label: str) -> tuple[str, str]:
    return MigrationLoader(connection).graph.leaf_nodes(app_label)[0]


def parent(app_label: str, name: str) -> tuple[str, str]:
    graph = MigrationLoader(connection).graph
    parents = [key for key in graph.node_map[(app_label, name)].parents if key[0] == app_label]
    return parents[0]


@pytest.mark.django_db(transaction=True)
def test_migrations_drop_the_views_going_back_and_recreate_them_going_forward():
    assert {"user_carbon_summary", "recent_calculations"} <= view_names()
    try:
        migrate(("footprints", "0002_daily_calculation_summary"))
        assert not {"user_carbon_summary", "recent_calculations"} & view_names()
    finally:
        migrate(leaf("footprints"))
    assert {"user_carbon_summary", "recent_calculations"} <= view_names()


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)
def test_migrations_drop_the_procedures_going_back_and_recreate_them_going_forward():
    ours = {"GetUserCarbonHistory", "GetUserStats", "CleanupExpiredSessions"}
    assert ours <= procedure_names()
    before_cleanup = parent("accounts", "0003_cleanup_expired_sessions_procedure")
    try:
        migrate(("footprints", "0003_user_carbon_summary_and_recent_calculations_views"))
        migrate(before_cleanup)
        assert not ours & procedure_names()
    finally:
        migrate(leaf("footprints"), leaf("accounts"))
    assert ours <= procedure_names()


def alter_user_agent_length(state, max_length: int, *, around_views: bool) -> None:
    """Run a migration that changes a column of carbon_footprints (SQLite rebuilds the table)."""
    operations = [
        migrations.AlterField(
            "carbonfootprint", "user_agent", models.CharField(max_length=max_length, blank=True)
        )
    ]
    if around_views:
        operations = views_around(FOOTPRINT_VIEWS, *operations)
    migration = Migration("9999_test_change", "footprints")
    migration.operations = operations
    with connection.schema_editor() as editor:
        migration.apply(state, editor)


@pytest.mark.sqlite_only
@pytest.mark.django_db(transaction=True)
def test_on_sqlite_a_table_rebuild_fails_while_a_view_reads_the_table():
    state = MigrationLoader(connection).project_state()
    with pytest.raises(OperationalError, match="error in view"):
        alter_user_agent_length(state.clone(), 600, around_views=False)
    assert {"user_carbon_summary", "recent_calculations"} <= view_names()  # rolled back


@pytest.mark.django_db(transaction=True)
def test_views_recreated_around_a_schema_change_let_it_through_and_keep_working():
    state = MigrationLoader(connection).project_state()
    alter_user_agent_length(state, 600, around_views=True)
    try:
        user = UserFactory()
        footprint(user, days_ago=1, total="1234.500", user_agent="x" * 550)
        assert UserCarbonSummary.objects.get(user=user).latest_total == Decimal("1234.500")
        assert RecentCalculation.objects.filter(user=user).count() == 1
    finally:
        CarbonFootprint.objects.all().delete()
        alter_user_agent_length(state, 512, around_views=True)
    assert {"user_carbon_summary", "recent_calculations"} <= view_names()


# --- Stored procedures, MySQL/MariaDB only ----------------------------------------------------


def call(procedure: str, *args) -> list[dict]:
    """CALL a procedure; its rows as dicts (the status result set after them is drained)."""
    with connection.cursor() as cursor:
        cursor.callproc(procedure, args)
        columns = [column[0] for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        while cursor.nextset():
            pass
    return rows


def utc(naive: datetime.datetime) -> datetime.datetime:
    return naive.replace(tzinfo=datetime.UTC)


def api_grams(exact: Decimal) -> Decimal:
    return Decimal(exact).quantize(GRAMS, rounding=ROUND_HALF_EVEN)


@pytest.mark.mysql_only
@pytest.mark.parametrize("which", [0, 1])
def test_get_user_stats_agrees_with_the_stats_selector(history, which):
    user = history[which]
    [row] = call("GetUserStats", user.pk)
    stats = footprint_stats(user=user)
    assert row["calculation_count"] == stats["count"]
    assert utc(row["first_date"]) == stats["first_date"]
    assert utc(row["latest_date"]) == stats["latest_date"]
    assert row["latest_total"] == stats["latest_total"]
    assert row["min_total"] == stats["min_total"]
    assert row["max_total"] == stats["max_total"]
    assert api_grams(row["average_total"]) == stats["average_total"]
    for category in CATEGORIES:
        assert api_grams(row[f"average_{category}"]) == stats["average_breakdown"][category]
    if stats["change_since_previous"] is None:
        assert row["previous_total"] is None
    else:
        assert row["latest_total"] - row["previous_total"] == stats["change_since_previous"]["kg"]
    if stats["change_since_first"] is not None:
        assert row["latest_total"] - row["first_total"] == stats["change_since_first"]["kg"]


@pytest.mark.mysql_only
def test_get_user_stats_for_a_user_without_calculations_is_a_zero_count(history):
    carol = history[2]
    [row] = call("GetUserStats", carol.pk)
    assert row["calculation_count"] == footprint_stats(user=carol)["count"] == 0
    assert row["latest_total"] is None
    assert row["average_total"] is None


@pytest.mark.mysql_only
@pytest.mark.parametrize("limit", [1, 3, 50])
def test_get_user_carbon_history_is_the_history_newest_first_up_to_the_limit(history, limit):
    alice = history[0]
    rows = call("GetUserCarbonHistory", alice.pk, limit)
    expected = list(footprint_list(user=alice)[:limit])
    assert [uuid.UUID(str(row["calculation_uuid"])) for row in rows] == [
        f.calculation_uuid for f in expected
    ]
    assert [row["total_emissions"] for row in rows] == [f.total_emissions for f in expected]
    assert [utc(row["calculation_date"]) for row in rows] == [f.calculation_date for f in expected]


@pytest.mark.mysql_only
def test_get_user_carbon_history_refuses_a_limit_below_one(history):
    with pytest.raises(OperationalError, match="p_limit must be 1 or more"):
        call("GetUserCarbonHistory", history[0].pk, 0)


@pytest.fixture
def sessions():
    """Sessions in every state, for two users; returns the ones a 30-day retention keeps."""
    now = timezone.now()
    alice, bob = UserFactory(), UserFactory()

    def ago(days: float) -> datetime.datetime:
        return now - datetime.timedelta(days=days)

    keep = [
        UserSessionFactory(user=alice, expires_at=ago(-5)),  # active
        UserSessionFactory(user=bob, expires_at=ago(-1)),  # active
        UserSessionFactory(user=alice, expires_at=ago(1), revoked_at=ago(3)),  # ended recently
        UserSessionFactory(user=bob, expires_at=ago(5)),  # expired recently
    ]
    for days in range(31, 36):  # five expired long ago, more than one batch
        UserSessionFactory(user=alice, expires_at=ago(days))
    UserSessionFactory(user=bob, expires_at=ago(-10), revoked_at=ago(40))  # revoked long ago
    UserSessionFactory(user=bob, expires_at=ago(32), revoked_at=ago(35))  # both, long ago
    return keep


@pytest.mark.mysql_only
def test_cleanup_expired_sessions_deletes_sessions_ended_before_the_retention_in_batches(
    sessions,
):
    [row] = call("CleanupExpiredSessions", 2, 30)
    assert row["deleted"] == 7
    assert set(UserSession.objects.values_list("pk", flat=True)) == {s.pk for s in sessions}


@pytest.mark.mysql_only
def test_cleanup_expired_sessions_keeps_what_the_cleanup_job_keeps(sessions, settings):
    from carbon_site.retention import sessions_cleanup_expired

    settings.REVOKED_SESSION_RETENTION_DAYS = 30
    with transaction.atomic():
        sessions_cleanup_expired(now=timezone.now())
        kept_by_the_job = set(UserSession.objects.values_list("pk", flat=True))
        transaction.set_rollback(True)
    call("CleanupExpiredSessions", 1000, 30)
    assert set(UserSession.objects.values_list("pk", flat=True)) == kept_by_the_job


@pytest.mark.mysql_only
def test_cleanup_expired_sessions_twice_deletes_nothing_more(sessions):
    call("CleanupExpiredSessions", 1000, 30)
    [row] = call("CleanupExpiredSessions", 1000, 30)
    assert row["deleted"] == 0
    assert UserSession.objects.count() == len(sessions)


@pytest.mark.mysql_only
def test_cleanup_expired_sessions_without_retention_keeps_only_active_sessions(sessions):
    [row] = call("CleanupExpiredSessions", 3, 0)
    assert row["deleted"] == 9
    now = timezone.now()
    assert all(s.is_active_at(now) for s in UserSession.objects.all())
    assert UserSession.objects.count() == 2


@pytest.mark.mysql_only
@pytest.mark.parametrize("args", [(0, 30), (10, -1)])
def test_cleanup_expired_sessions_refuses_bad_arguments(sessions, args):
    with pytest.raises(OperationalError, match="must be"):
        call("CleanupExpiredSessions", *args)
    assert UserSession.objects.count() == len(sessions) + 7
