"""Scale benchmark: 50,000 users and 1,000,000 calculations on MariaDB; what stays fast?

Not a timed test: it measures and prints, and writes var/bench/scale.json and
var/bench/scale-explain.txt (the numbers and plans in docs/performance.md come from them).

1. Drops and creates the MariaDB database `carbon_site_bench_scale`, migrates it and runs
   `manage.py seed_load --users 50000 --calculations 1000000` (timed). `--reuse` skips this and
   measures the database as it is (e.g. after a seed run in the background).
2. Measures in this process, through the Django test client (benchmarks.bench_settings: the
   production middleware and DRF stack, rate limits off) and by calling selectors directly. No
   gunicorn: server-side time is what is compared with the targets, without loopback and WSGI
   server noise (bench_calculation.py measures a real server under load).
   - GET /api/v1/footprints/stats/ for many different users, cold (each user's cached reads
     forgotten first) and warm (cached): median and p95; target median < 20 ms.
   - GET /dashboard/ signed in (a browser session), cold (the user's cached figures and charts
     forgotten first) and warm; target median < 50 ms. And the dashboard's reads one by one:
     footprint_stats, footprint_trend
     (month), recommendation_list and goals_with_progress, the selectors it will call, cold and
     warm.
   - GET /admin/analytics/ (staff): its figures from the summary table recomputed (< 1 s), the
     page with them cached (< 50 ms); the recommendation rates: read before the first refresh,
     the hourly task `refresh_action_rates` that fills action_rate_summary, read from it after,
     and the recommendations change list that shows them.
   - The stored procedures GetUserStats and GetUserCarbonHistory, one user's row of the view
     user_carbon_summary, and the admin lists of both views.
3. EXPLAINs every SELECT those made (captured once each) and flags any full scan of a large
   table.
4. Drops the database (unless --keep).

Run (about 8 minutes with the seed, 1-2 without):
    .venv/bin/python benchmarks/bench_scale.py [--users N --calculations M] [--reuse] [--keep]
Cache: Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/12, a database of its own).
"""

import argparse
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# BENCH_SCALE_DATABASE: another name, so two people can run it side by side on one server.
DATABASE_NAME = os.environ.get("BENCH_SCALE_DATABASE", "carbon_site_bench_scale")
MYSQL_HOST = os.environ.get("BENCH_MYSQL_HOST", "127.0.0.1")
MYSQL_PORT = int(os.environ.get("BENCH_MYSQL_PORT", "3306"))
MYSQL_USER = os.environ.get("BENCH_MYSQL_USER", "root")
MYSQL_PASSWORD = os.environ.get("BENCH_MYSQL_PASSWORD", "")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
RESULT_PATH = ROOT / "var" / "bench" / "scale.json"
EXPLAIN_PATH = ROOT / "var" / "bench" / "scale-explain.txt"
LARGE_TABLES = {"carbon_footprints", "recommendations", "users", "user_profiles", "user_goals"}
TARGETS_MS = {
    "stats_api_cold_median": 20,
    "dashboard_page_cold_median": 50,
    "analytics_uncached": 1000,
    "analytics_cached": 50,
}


def mysql_url(database: str) -> str:
    credentials = MYSQL_USER + (f":{MYSQL_PASSWORD}" if MYSQL_PASSWORD else "")
    return f"mysql://{credentials}@{MYSQL_HOST}:{MYSQL_PORT}/{database}"


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
            "SECRET_KEY": env.get("SECRET_KEY") or secrets.token_urlsafe(50),
            "DATABASE_URL": mysql_url(DATABASE_NAME),
            "REDIS_URL": REDIS_URL,
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            # The admin pages need their CSS; nothing is collected for a benchmark.
            "STATIC_MANIFEST": "false",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.pop("DATABASE_REPLICA_URL", None)
    return env


def mysql(statement: str) -> None:
    import MySQLdb

    options = {"host": MYSQL_HOST, "port": MYSQL_PORT, "user": MYSQL_USER}
    if MYSQL_PASSWORD:
        options["password"] = MYSQL_PASSWORD
    connection = MySQLdb.connect(**options, charset="utf8mb4")
    try:
        connection.cursor().execute(statement)
    finally:
        connection.close()


def manage(*args: str) -> float:
    """Run manage.py with the benchmark's environment; returns the seconds it took."""
    started = time.monotonic()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=environment(), check=True)
    return time.monotonic() - started


def seed(users: int, calculations: int) -> dict:
    mysql(f"DROP DATABASE IF EXISTS `{DATABASE_NAME}`")
    mysql(f"CREATE DATABASE `{DATABASE_NAME}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    migrate_s = manage("migrate", "--noinput", "-v", "0")
    seed_s = manage("seed_load", "--users", str(users), "--calculations", str(calculations))
    return {"migrate_s": round(migrate_s, 1), "seed_load_s": round(seed_s, 1)}


# --- Measuring (in this process, after django.setup()) --------------------------------------------


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times_ms: list[float]) -> dict:
    ordered = sorted(times_ms)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 2),
        "max_ms": round(ordered[-1], 2),
    }


class Explainer:
    """Collects the SELECTs of each measured thing once, and EXPLAINs them."""

    def __init__(self) -> None:
        self.sections: list[tuple[str, list[str]]] = []

    def capture(self, name: str, function) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            function()
        statements = [
            query["sql"]
            for query in queries.captured_queries
            if query["sql"].lstrip().upper().startswith("SELECT")
        ]
        self.sections.append((name, statements))

    def report(self) -> tuple[str, list[str]]:
        from django.db import connection

        lines, warnings = [], []
        with connection.cursor() as cursor:
            for name, statements in self.sections:
                lines.append(f"## {name}: {len(statements)} SELECT(s)")
                for sql in statements:
                    lines.append("")
                    lines.append(sql if len(sql) < 600 else sql[:600] + " ...")
                    cursor.execute("EXPLAIN " + sql)
                    columns = [column[0] for column in cursor.description]
                    for row in cursor.fetchall():
                        plan = dict(zip(columns, row, strict=True))
                        lines.append(
                            "  {id} {select_type:<18} {table!s:<28} type={type!s:<7} "
                            "key={key!s:<30} rows={rows!s:<8} {Extra}".format(**plan)
                        )
                        if plan["type"] == "ALL" and plan["table"] in LARGE_TABLES:
                            warnings.append(f"{name}: full scan of {plan['table']}")
                lines.append("")
        return "\n".join(lines), warnings


def measure(samples: int) -> dict:
    import datetime

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone
    from rest_framework.test import APIClient

    from accounts.models import User
    from accounts.services import api_session_open
    from carbon_site import admin_analytics
    from carbon_site.http import RequestMeta
    from carbon_site.user_cache import user_cache_bump
    from footprints.analytics import (
        ANALYTICS_CACHE_KEY,
        daily_summary_refresh_recent,
        staff_analytics_compute,
    )
    from footprints.models import CarbonFootprint, RecentCalculation, UserCarbonSummary
    from footprints.selectors import footprint_stats, footprint_trend
    from goals.selectors import goal_list, goals_with_progress
    from recommendations.analytics import RATES_CACHE_KEY as RECOMMENDATION_RATES_CACHE_KEY
    from recommendations.analytics import action_rates_refresh
    from recommendations.models import ActionRateSummary, Recommendation
    from recommendations.selectors import (
        recommendation_list,
        recommendation_staff_rates_compute,
    )
    from recommendations.tasks import refresh_action_rates

    cache.clear()
    random.seed(2024)
    results: dict = {"rows": {}}
    for model in (User, CarbonFootprint):
        results["rows"][model._meta.db_table] = model.objects.count()

    # Users to read: a random sample of people with a history, plus the longest history.
    counts = list(
        CarbonFootprint.objects.filter(user__isnull=False)
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    sample_ids = [user_id for user_id, _ in random.sample(counts, min(samples, len(counts)))]
    heaviest_id, heaviest_n = max(counts, key=lambda pair: pair[1])
    results["history_lengths"] = {
        "median": statistics.median(n for _, n in counts),
        "max": heaviest_n,
        "users_with_history": len(counts),
    }
    users = list(User.objects.filter(pk__in=sample_ids))
    heaviest = User.objects.get(pk=heaviest_id)
    clients = {}
    for user in [*users, heaviest]:
        _, pair = api_session_open(
            user=user, device_name="bench", request_meta=RequestMeta("127.0.0.1", "bench")
        )
        client = APIClient(HTTP_HOST="127.0.0.1")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access}")
        clients[user.pk] = client

    def stats_request(user) -> None:
        response = clients[user.pk].get("/api/v1/footprints/stats/")
        assert response.status_code == 200, response.status_code

    explain = Explainer()
    cold = []
    for user in users:
        user_cache_bump(user.pk)
        cold += timed(lambda user=user: stats_request(user), 1)
    warm = [t for user in users[:20] for t in timed(lambda user=user: stats_request(user), 5)]
    user_cache_bump(heaviest.pk)
    heaviest_cold = timed(lambda: stats_request(heaviest), 1)
    results["stats_api"] = {
        "cold": summary(cold),
        "warm": summary(warm),
        "heaviest_user_cold_ms": round(heaviest_cold[0], 2),
    }
    user_cache_bump(users[0].pk)
    explain.capture("GET /api/v1/footprints/stats/ (cold)", lambda: stats_request(users[0]))

    def dashboard(user) -> None:
        footprint_stats(user=user)
        footprint_trend(user=user, period="month")
        list(recommendation_list(user=user))
        goals_with_progress(goals=goal_list(user=user), user=user, today=timezone.now().date())

    per_selector = {
        "footprint_stats": lambda user: footprint_stats(user=user),
        "footprint_trend": lambda user: footprint_trend(user=user, period="month"),
        "recommendation_list": lambda user: list(recommendation_list(user=user)),
        "goals_with_progress": lambda user: goals_with_progress(
            goals=goal_list(user=user), user=user, today=datetime.date.today()
        ),
    }
    dashboard_cold, dashboard_warm, parts = [], [], {name: [] for name in per_selector}
    for user in users:
        user_cache_bump(user.pk)
        dashboard_cold += timed(lambda user=user: dashboard(user), 1)
        dashboard_warm += timed(lambda user=user: dashboard(user), 1)
        user_cache_bump(user.pk)
        for name, selector in per_selector.items():
            parts[name] += timed(lambda user=user, selector=selector: selector(user), 1)
    user_cache_bump(heaviest.pk)
    results["dashboard_selectors"] = {
        "cold": summary(dashboard_cold),
        "warm": summary(dashboard_warm),
        "cold_by_selector": {name: summary(times) for name, times in parts.items()},
        "heaviest_user_cold_ms": round(timed(lambda: dashboard(heaviest), 1)[0], 2),
    }
    user_cache_bump(users[0].pk)
    explain.capture("dashboard selectors (cold)", lambda: dashboard(users[0]))

    def signed_in(user) -> Client:
        browser = Client(HTTP_HOST="127.0.0.1")
        browser.force_login(user)
        return browser

    def dashboard_get(browser: Client) -> None:
        response = browser.get("/dashboard/")
        assert response.status_code == 200, response.status_code

    page_cold, page_warm = [], []
    for user in users:
        browser = signed_in(user)
        user_cache_bump(user.pk)
        for times in (page_cold, page_warm):
            times += timed(lambda browser=browser: dashboard_get(browser), 1)
    results["dashboard_page"] = {"cold": summary(page_cold), "warm": summary(page_warm)}
    user_cache_bump(users[0].pk)
    browser = signed_in(users[0])
    explain.capture("GET /dashboard/ (cold)", lambda: dashboard_get(browser))

    # Staff analytics.
    staff = User.objects.create(
        email=f"bench-staff-{secrets.token_hex(4)}@example.com",
        username=f"bench-staff-{secrets.token_hex(4)}",
        password=make_password(None),
        is_staff=True,
        is_superuser=True,
    )
    admin_client = Client(HTTP_HOST="127.0.0.1")
    admin_client.force_login(staff)

    def analytics_page() -> None:
        response = admin_client.get("/admin/analytics/")
        assert response.status_code == 200, response.status_code

    refresh = timed(lambda: daily_summary_refresh_recent(), 3)
    figures = timed(lambda: staff_analytics_compute(), 5)
    # Recommendation rates: what staff see before the hourly task first ran (no counting on a
    # page view at this size), the task itself, then the rates read from its summary table.
    rates_before_refresh = recommendation_staff_rates_compute()["source"]
    rates_not_computed = timed(recommendation_staff_rates_compute, 5)
    rates_refresh = timed(lambda: refresh_action_rates.apply().get(), 2)
    rates_from_summary = timed(recommendation_staff_rates_compute, 20)
    rates = timed(admin_analytics._rates_compute, 5)
    cache.delete(RECOMMENDATION_RATES_CACHE_KEY)
    changelist = timed(
        lambda: admin_client.get("/admin/recommendations/recommendation/"), 1
    ) + timed(lambda: admin_client.get("/admin/recommendations/recommendation/"), 2)
    analytics_page()  # rates and figures cached
    uncached_page = []
    for _ in range(5):
        cache.delete(ANALYTICS_CACHE_KEY)
        uncached_page += timed(analytics_page, 1)
    cached_page = timed(analytics_page, 30)
    results["staff_analytics"] = {
        "summary_refresh_3_days": summary(refresh),
        "figures_from_summary_uncached": summary(figures),
        "page_figures_uncached_rates_cached": summary(uncached_page),
        "page_cached": summary(cached_page),
        "recommendation_rates": {
            "source_before_first_refresh": rates_before_refresh,
            "read_before_first_refresh": summary(rates_not_computed),
            "refresh_action_rates_task": summary(rates_refresh),
            "read_from_summary_uncached": summary(rates_from_summary),
            "rows_in_summary": ActionRateSummary.objects.count(),
            "recommendations": Recommendation.objects.count(),
        },
        "recommendation_and_goal_rates_uncached": summary(rates),
        "recommendation_changelist_first_then_cached": summary(changelist),
    }
    cache.delete(ANALYTICS_CACHE_KEY)
    explain.capture("staff analytics figures (uncached)", staff_analytics_compute)
    explain.capture("refresh_daily_summary (last 3 days)", daily_summary_refresh_recent)
    explain.capture("refresh_action_rates (hourly task)", action_rates_refresh)
    explain.capture(
        "recommendation and goal rates (from the summary)", admin_analytics._rates_compute
    )

    # Procedures and views.
    def call(procedure: str, *args) -> None:
        with connection.cursor() as cursor:
            cursor.callproc(procedure, args)
            cursor.fetchall()
            while cursor.nextset():
                pass

    results["sql_objects"] = {
        "GetUserStats": summary(
            [t for user in users for t in timed(lambda u=user: call("GetUserStats", u.pk), 1)]
        ),
        "GetUserCarbonHistory_20": summary(
            [
                t
                for user in users
                for t in timed(lambda u=user: call("GetUserCarbonHistory", u.pk, 20), 1)
            ]
        ),
        "user_carbon_summary_one_user": summary(
            [
                t
                for user in users
                for t in timed(lambda u=user: UserCarbonSummary.objects.get(user=u), 1)
            ]
        ),
        "recent_calculations_count": summary(timed(RecentCalculation.objects.count, 3)),
        "admin_user_carbon_summary_list": summary(
            timed(lambda: admin_client.get("/admin/footprints/usercarbonsummary/"), 2)
        ),
        "admin_recent_calculations_list": summary(
            timed(lambda: admin_client.get("/admin/footprints/recentcalculation/"), 3)
        ),
    }
    explain.capture(
        "user_carbon_summary, one user", lambda: UserCarbonSummary.objects.get(user=users[0])
    )
    explain.capture(
        "admin list of recent_calculations",
        lambda: admin_client.get("/admin/footprints/recentcalculation/"),
    )
    text, warnings = explain.report()
    results["explain_full_scans"] = warnings
    EXPLAIN_PATH.write_text(text)
    staff.delete()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--calculations", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=200, help="users read per measurement")
    parser.add_argument("--reuse", action="store_true", help="measure the existing database")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    options = parser.parse_args()
    RESULT_PATH.parent.mkdir(parents=True, exist_ok=True)
    os.environ.update(environment())
    results: dict = {
        "database": DATABASE_NAME,
        "cache": REDIS_URL,
        "cpus": os.cpu_count(),
        # Other processes on the machine slow every number down: the load says how busy it was.
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }
    try:
        if not options.reuse:
            results["seed"] = seed(options.users, options.calculations)
        results.update(measure(options.samples))
    finally:
        if not options.keep:
            mysql(f"DROP DATABASE IF EXISTS `{DATABASE_NAME}`")
    results["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]
    results["targets_ms"] = TARGETS_MS
    RESULT_PATH.write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, indent=2, default=str))
    print(f"\nEXPLAIN output: {EXPLAIN_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
