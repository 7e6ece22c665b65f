"""Load benchmark: anonymous POST /api/v1/footprints/ against a bare DRF insert, side by side.

Target (from the issue): under gunicorn (2 sync workers) on MariaDB, the footprints endpoint
reaches at least 60 % of the requests per second of the baseline (benchmarks/baseline.py: a
minimal DRF endpoint that validates the same body and inserts one row), rate limits off for both.

What it does, all on loopback and bounded in time (1.5 to 2.5 minutes with the defaults):
1. drops and creates the MariaDB database `carbon_site_bench` and migrates it with
   benchmarks.bench_settings;
2. in a Django process, counts the SQL queries of one request to each endpoint (and, with
   --profile N, profiles N footprints requests with cProfile);
3. starts gunicorn (2 sync workers) in its own process group, checks one request to each
   endpoint, warms both up, waits (at most a minute) for the machine to be idle, then runs wrk
   against them in alternating order, round after round, with the same connections and body,
   recording how much CPU went to gunicorn, MariaDB, wrk and other processes;
4. prints requests/s and latency percentiles per round, the ratio footprints/baseline per round
   and its median, writes var/bench/calculation.json, stops gunicorn and drops the database.

The machinery (database, gunicorn, wrk, CPU accounting, rounds) is shared with the other load
benchmarks in benchmarks/load.py.

Exit status: 0 when every request was answered 2xx (1 on a non-2xx answer, a socket error or any
other failure); with --check, 3 when the median ratio misses the target.

Run: .venv/bin/python benchmarks/bench_calculation.py   (or `make bench` for every benchmark)
"""

import argparse
import datetime
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import load
from benchmarks.load import BenchError, Endpoint

GUNICORN_LOG = load.RESULT_DIR / "gunicorn.log"

DATABASE_NAME = "carbon_site_bench"
# BENCH_REDIS_URL: run against that Redis instead of the local-memory cache (see load.py).
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "")

# The calculation issue asked for 0.60 of the baseline; recommendations, added later, may take
# it down to 0.50 and no lower. --without-recommendations measures the request as the
# calculation issue defined it (no footprint_recorded subscriber for recommendations) against
# its 0.60; the default, the request as it is, against 0.50.
TARGET_RATIO = 0.50
TARGET_RATIO_WITHOUT_RECOMMENDATIONS = 0.60
ENDPOINTS = {"baseline": "/bench/baseline/", "footprints": "/api/v1/footprints/"}

# A typical detailed UK household, every section answered (as in the API tests); both endpoints
# receive exactly these bytes.
PAYLOAD = {
    "country": "GB",
    "household_size": 2,
    "electricity": {"kwh_per_year": 2700, "renewable_share": 0},
    "heating": {"natural_gas_kwh_per_year": 11500},
    "transportation": {"car_km_per_year": 11000, "car_fuel": "petrol", "rail_km_per_year": 500},
    "waste": {"kg_per_week": 8, "recycling_share": 0.4},
    "lifestyle": {"diet": "average", "clothing_spend_per_month": 40},
    "other": {"services_spend_per_month": 100},
}


def endpoints() -> dict[str, Endpoint]:
    body = json.dumps(PAYLOAD)
    return {
        name: Endpoint(path, method="POST", body=body, headers=load.JSON_HEADERS, expect=201)
        for name, path in ENDPOINTS.items()
    }


def database_counts() -> dict[str, int]:
    """Rows written by the run: baseline rows, footprint rows, audit entries."""
    connection = load.mysql_connect(DATABASE_NAME)
    try:
        cursor = connection.cursor()
        cursor.execute(
            "SELECT model_name = 'bench.baseline', COUNT(*) FROM carbon_footprints GROUP BY 1"
        )
        rows = dict(cursor.fetchall())
        cursor.execute("SELECT COUNT(*) FROM auditlog_logentry")
        audit = cursor.fetchone()[0]
    finally:
        connection.close()
    return {
        "baseline_rows": int(rows.get(1, 0)),
        "footprint_rows": int(rows.get(0, 0)),
        "audit_entries": int(audit),
    }


def smoke_test(port: int, body: bytes) -> None:
    """One request each, so a broken endpoint fails loudly before any load is sent."""
    for name, path in ENDPOINTS.items():
        status, content = load.request(port, path, body)
        if status != 201:
            raise BenchError(f"{name} ({path}) answered {status}: {content[:300]!r}")
        answer = json.loads(content)
        if "calculation_uuid" not in answer:
            raise BenchError(f"{name} answered without a calculation_uuid: {content[:300]!r}")
        if name == "footprints" and not answer.get("claim_token"):
            raise BenchError("the anonymous footprint answer carries no claim_token")


def legacy_shape(rounds: list[dict], summary: dict) -> dict:
    """calculation.json as it always was: one ratio per round, the ratio's figures at the top."""
    for entry in rounds:
        entry["ratio"] = entry.pop("ratios")["footprints"]
    ratio = summary.pop("ratios")["footprints"]
    foreign = summary.pop("foreign_cpu_share_max")
    return {**summary, **ratio, "foreign_cpu_share_max": foreign}


def run(arguments: argparse.Namespace) -> int:
    if arguments.without_recommendations:
        # Read by benchmarks/bench_urls.py in each Django process it starts.
        os.environ["BENCH_WITHOUT_RECOMMENDATIONS"] = "1"
        result_path = load.RESULT_DIR / "calculation_without_recommendations.json"
        target = TARGET_RATIO_WITHOUT_RECOMMENDATIONS
    else:
        result_path = load.RESULT_DIR / "calculation.json"
        target = TARGET_RATIO
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed: `apt-get install -y wrk` (benchmarks/run.sh does)")
    started_at = datetime.datetime.now(datetime.UTC)
    result_path.unlink(missing_ok=True)  # a failed run must not leave an old result behind
    mariadb_version = load.database_create(DATABASE_NAME)
    machine_facts, code = load.machine(mariadb_version), load.code_version()
    requests = endpoints()
    gunicorn = None
    try:
        load.migrate(DATABASE_NAME)
        inspection = load.run_inspect(
            DATABASE_NAME,
            requests,
            profile_endpoint="footprints",
            profile_requests=arguments.profile,
            redis_url=REDIS_URL,
        )
        if "profile" in inspection:
            print(inspection.pop("profile"))
        load.print_inspection(inspection, ENDPOINTS)
        port = load.free_port()
        gunicorn = load.gunicorn_start(port, DATABASE_NAME, GUNICORN_LOG, REDIS_URL)
        load.wait_until_serving(port, gunicorn, GUNICORN_LOG)
        smoke_test(port, requests["footprints"].body.encode())
        with tempfile.TemporaryDirectory() as temporary:
            warmup, rounds = load.measure(
                port,
                requests,
                baseline="baseline",
                arguments=arguments,
                meter=load.CpuMeter(gunicorn.pid),
                workdir=Path(temporary),
            )
        load.gunicorn_stop(gunicorn)
        counts = database_counts()
    finally:
        if gunicorn is not None:
            load.gunicorn_stop(gunicorn)
        if not arguments.keep_database:
            load.database_drop(DATABASE_NAME)

    summary = load.summarise(rounds, ENDPOINTS, baseline="baseline", targets={"footprints": target})
    load.print_table(rounds, summary, ENDPOINTS, baseline="baseline", ratios=summary["ratios"])
    summary = legacy_shape(rounds, summary)
    bad, socket_errors = load.failures(warmup, rounds, ENDPOINTS)
    print(
        f"rows written: {counts['footprint_rows']} footprints, {counts['baseline_rows']} "
        f"baseline, {counts['audit_entries']} audit entries; non-2xx answers: {bad}; "
        f"socket errors: {socket_errors}"
    )
    result = {
        "benchmark": "calculation",
        "started_at": started_at.isoformat(timespec="seconds"),
        "machine": machine_facts,
        "code": code,
        "config": {
            "server": "gunicorn, 2 sync workers",
            "settings": load.SETTINGS_MODULE,
            "database": "MariaDB (fresh database, migrated)",
            "redis": REDIS_URL or "unset (local-memory cache)",
            "rate_limits": "off for both endpoints",
            "load": f"wrk, connections {arguments.connections}, threads {arguments.threads}",
            "warmup_seconds": arguments.warmup,
            "round_seconds": arguments.duration,
            "rounds": arguments.rounds,
            "endpoints": ENDPOINTS,
            "payload": PAYLOAD,
            "recommendations": "off (--without-recommendations)"
            if arguments.without_recommendations
            else "on",
        },
        "per_request": inspection,
        "warmup": warmup,
        "rounds": rounds,
        "summary": summary,
        "rows_written": counts,
        "non_2xx": bad,
        "socket_errors": socket_errors,
    }
    result_path.parent.mkdir(parents=True, exist_ok=True)
    result_path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {result_path.relative_to(load.ROOT)}")
    status = load.report_failures(warmup, rounds, bad, socket_errors, result_path.name)
    if status:
        return status
    if arguments.check and not summary["meets_target"]:
        return 3
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    load.add_load_arguments(parser)
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="cProfile N footprints requests"
    )
    parser.add_argument("--check", action="store_true", help="exit 3 when the ratio misses")
    parser.add_argument(
        "--without-recommendations",
        action="store_true",
        help="measure without the recommendations subscriber, against the 0.60 target",
    )
    arguments = parser.parse_args()
    try:
        return run(arguments)
    except BenchError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
