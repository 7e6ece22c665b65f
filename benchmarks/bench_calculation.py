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

Exit status: 0 when every request was answered 2xx (1 on a non-2xx answer, a socket error or any
other failure); with --check, 3 when the median ratio misses the target.

Run: .venv/bin/python benchmarks/bench_calculation.py   (or `make bench` for every benchmark)
"""

import argparse
import cProfile
import datetime
import http.client
import importlib.metadata
import io
import json
import os
import platform
import pstats
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
LUA_SCRIPT = ROOT / "benchmarks" / "post_calculation.lua"
RESULT_PATH = ROOT / "var" / "bench" / "calculation.json"
GUNICORN_LOG = ROOT / "var" / "bench" / "gunicorn.log"
SETTINGS_MODULE = "benchmarks.bench_settings"

DATABASE_NAME = "carbon_site_bench"
MYSQL_HOST = os.environ.get("BENCH_MYSQL_HOST", "127.0.0.1")
MYSQL_PORT = int(os.environ.get("BENCH_MYSQL_PORT", "3306"))
MYSQL_USER = os.environ.get("BENCH_MYSQL_USER", "root")
MYSQL_PASSWORD = os.environ.get("BENCH_MYSQL_PASSWORD", "")

TARGET_RATIO = 0.60
NOISY_SHARE = 0.10  # of the machine's CPU used by other processes during a measurement
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


class BenchError(Exception):
    """The benchmark could not run; the message says why."""


# --- Environment --------------------------------------------------------------------------------


def mysql_url(database: str) -> str:
    credentials = MYSQL_USER + (f":{MYSQL_PASSWORD}" if MYSQL_PASSWORD else "")
    return f"mysql://{credentials}@{MYSQL_HOST}:{MYSQL_PORT}/{database}"


def django_environment() -> dict[str, str]:
    """The environment of every Django process of the benchmark.

    REDIS_URL is set empty on purpose: local-memory cache and eager Celery tasks. With rate limits
    off, the anonymous POST touches neither the cache nor the broker (the query capture shows every
    round trip), and the shared Redis of the machine is left alone. Set BENCH_REDIS_URL to run
    against Redis instead.
    """
    environment = dict(os.environ)
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": mysql_url(DATABASE_NAME),
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", ""),
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    environment.pop("DATABASE_REPLICA_URL", None)
    return environment


def mysql_connect(database: str | None = None):
    import MySQLdb

    options = {"host": MYSQL_HOST, "port": MYSQL_PORT, "user": MYSQL_USER}
    if MYSQL_PASSWORD:
        options["password"] = MYSQL_PASSWORD
    if database:
        options["database"] = database
    return MySQLdb.connect(**options, charset="utf8mb4")


def database_create() -> str:
    connection = mysql_connect()
    try:
        cursor = connection.cursor()
        cursor.execute(f"DROP DATABASE IF EXISTS `{DATABASE_NAME}`")
        cursor.execute(
            f"CREATE DATABASE `{DATABASE_NAME}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
        cursor.execute("SELECT VERSION()")
        return cursor.fetchone()[0]
    finally:
        connection.close()


def database_drop() -> None:
    connection = mysql_connect()
    try:
        connection.cursor().execute(f"DROP DATABASE IF EXISTS `{DATABASE_NAME}`")
    finally:
        connection.close()


def database_counts() -> dict[str, int]:
    """Rows written by the run: baseline rows, footprint rows, audit entries."""
    connection = mysql_connect(DATABASE_NAME)
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


def machine(mariadb_version: str) -> dict[str, object]:
    def first(path: str, prefix: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "unknown"

    memory_kb = first("/proc/meminfo", "MemTotal").split()[0]
    wrk_banner = subprocess.run(
        ["wrk", "--version"], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    return {
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": first("/proc/cpuinfo", "model name"),
        "memory_gib": round(int(memory_kb) / 1024 / 1024, 1) if memory_kb.isdigit() else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": importlib.metadata.version("django"),
        "djangorestframework": importlib.metadata.version("djangorestframework"),
        "gunicorn": importlib.metadata.version("gunicorn"),
        "mysqlclient": importlib.metadata.version("mysqlclient"),
        "mariadb": mariadb_version,
        "wrk": wrk_banner[0] if wrk_banner else "unknown",
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }


def code_version() -> dict[str, object]:
    """The commit measured, and whether the working tree differed from it."""

    def git(*arguments: str) -> str:
        process = subprocess.run(
            ["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=False
        )
        return process.stdout.strip() if process.returncode == 0 else ""

    changed = git("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": git("rev-parse", "--short", "HEAD") or "unknown",
        "changed_tracked_files": len(changed.splitlines()),
    }


def migrate() -> None:
    started = time.monotonic()
    process = subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=django_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if process.returncode != 0:
        raise BenchError(f"migrate failed:\n{process.stdout}{process.stderr}")
    print(f"migrated {DATABASE_NAME} in {time.monotonic() - started:.1f} s", flush=True)


# --- In-process inspection (runs in a child process with the bench settings) ---------------------


def inspect(profile_requests: int) -> dict[str, object]:
    """Queries per request for each endpoint, in-process time per request, optional profile."""
    import django

    django.setup()
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # Every request start empties the query log: keep it during the capture.
    request_started.disconnect(reset_queries)
    client = Client(SERVER_NAME="127.0.0.1")
    body = json.dumps(PAYLOAD)

    def post(path: str) -> None:
        response = client.post(path, body, content_type="application/json")
        if response.status_code != 201:
            raise BenchError(f"{path} answered {response.status_code}: {response.content[:300]!r}")

    report: dict[str, object] = {}
    for name, path in ENDPOINTS.items():
        post(path)  # load everything once
        with CaptureQueriesContext(connection) as captured:
            post(path)
        statements = [query["sql"][:160] for query in captured.captured_queries]
        timings = []
        for _ in range(200):
            started = time.perf_counter()
            post(path)
            timings.append(time.perf_counter() - started)
        report[name] = {
            "queries": len(statements),
            "sql": statements,
            "in_process_ms_median": round(statistics.median(timings) * 1e3, 3),
        }
    if profile_requests:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(profile_requests):
            post(ENDPOINTS["footprints"])
        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text).strip_dirs().sort_stats("cumulative")
        stats.print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        report["profile"] = text.getvalue()
    return report


def run_inspect(profile_requests: int) -> dict[str, object]:
    process = subprocess.run(
        [PYTHON, str(Path(__file__).resolve()), "--inspect", str(profile_requests)],
        cwd=ROOT,
        env=django_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    for line in process.stdout.splitlines():
        if line.startswith("INSPECT "):
            return json.loads(line.removeprefix("INSPECT "))
    raise BenchError(f"query inspection failed:\n{process.stdout}{process.stderr}")


# --- gunicorn and wrk --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_start(port: int) -> subprocess.Popen:
    GUNICORN_LOG.parent.mkdir(parents=True, exist_ok=True)
    command = [
        GUNICORN,
        "carbon_site.wsgi:application",
        "--chdir",
        str(ROOT),
        "--workers",
        "2",
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "30",
        "--log-level",
        "warning",
        "--error-logfile",
        str(GUNICORN_LOG),
    ]
    # Its own session, so stopping it signals its process group and nothing else.
    return subprocess.Popen(command, cwd=ROOT, env=django_environment(), start_new_session=True)


def gunicorn_stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def request(port: int, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            "POST" if body is not None else "GET",
            path,
            body=body,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_until_serving(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with {process.returncode}; see {GUNICORN_LOG}")
        try:
            status, _ = request(port, "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer /healthz within {timeout:.0f} s")


def smoke_test(port: int, body: bytes) -> None:
    """One request each, so a broken endpoint fails loudly before any load is sent."""
    for name, path in ENDPOINTS.items():
        status, content = request(port, path, body)
        if status != 201:
            raise BenchError(f"{name} ({path}) answered {status}: {content[:300]!r}")
        answer = json.loads(content)
        if "calculation_uuid" not in answer:
            raise BenchError(f"{name} answered without a calculation_uuid: {content[:300]!r}")
        if name == "footprints" and not answer.get("claim_token"):
            raise BenchError("the anonymous footprint answer carries no claim_token")


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _process_stat(pid: str) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # the fields after "(comm)", from state on


class CpuMeter:
    """Where the machine's CPU went during a run: gunicorn, MariaDB, wrk, or someone else.

    gunicorn is its process group, MariaDB every mariadbd process (other clients of the same server
    included), wrk the waited-for children of this process. Foreign is everything else that ran
    plus the hypervisor's steal: on a shared machine a run with a large foreign share is noise,
    and the report says so.
    """

    def __init__(self, gunicorn_pgid: int):
        self.gunicorn_pgid = gunicorn_pgid

    def _process_ticks(self) -> dict[str, int]:
        ticks = {"gunicorn": 0, "mariadb": 0}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            fields = _process_stat(entry.name)
            if fields is None:
                continue
            # fields[2] is the process group, fields[11] and [12] user and system ticks.
            if int(fields[2]) == self.gunicorn_pgid:
                owner = "gunicorn"
            else:
                try:
                    comm = Path(f"/proc/{entry.name}/comm").read_text().strip()
                except OSError:
                    continue
                if comm != "mariadbd":
                    continue
                owner = "mariadb"
            ticks[owner] += int(fields[11]) + int(fields[12])
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        ticks["wrk"] = round((children.ru_utime + children.ru_stime) * CLOCK_TICKS)
        return ticks

    @staticmethod
    def _machine_ticks() -> dict[str, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        user, nice, system, _idle, _iowait, irq, softirq, steal = values
        return {"busy": user + nice + system + irq + softirq, "steal": steal, "all": sum(values)}

    def start(self) -> None:
        self.before = (self._machine_ticks(), self._process_ticks())

    def stop(self, requests: int) -> dict[str, object]:
        machine, processes = self._machine_ticks(), self._process_ticks()
        machine0, processes0 = self.before
        spent = {name: processes[name] - processes0[name] for name in processes}
        busy = machine["busy"] - machine0["busy"]
        elapsed = max(1, machine["all"] - machine0["all"])
        foreign = max(0, busy - sum(spent.values())) + machine["steal"] - machine0["steal"]
        return {
            "busy_share": round(busy / elapsed, 3),
            "foreign_share": round(foreign / elapsed, 3),
            "cpu_ms_per_request": {
                name: round(ticks / CLOCK_TICKS * 1e3 / max(1, requests), 3)
                for name, ticks in spent.items()
            },
        }


def wait_for_quiet(limit_seconds: float, busy_below: float = 0.2) -> str:
    """Wait (at most `limit_seconds`) for a 2-second window in which the machine is mostly idle.

    On a shared machine other people's test runs take whole cores; starting in a lull makes
    the numbers less noisy. It only waits: the foreign CPU share is measured during every run.
    """
    started = time.monotonic()
    while True:
        before = CpuMeter._machine_ticks()
        time.sleep(2)
        after = CpuMeter._machine_ticks()
        busy = (after["busy"] - before["busy"] + after["steal"] - before["steal"]) / max(
            1, after["all"] - before["all"]
        )
        waited = time.monotonic() - started
        if busy < busy_below:
            return f"machine idle ({busy:.0%} busy) after {waited:.0f} s"
        if waited >= limit_seconds:
            return f"machine still {busy:.0%} busy after {waited:.0f} s, measuring anyway"


def wrk(
    url: str, body_path: Path, *, seconds: int, connections: int, threads: int, meter: CpuMeter
) -> dict:
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=10s",
        f"--script={LUA_SCRIPT}",
        url,
        "--",
        str(body_path),
    ]
    meter.start()
    process = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=seconds + 30
    )
    for line in process.stdout.splitlines():
        if line.startswith("WRK_RESULT "):
            result = json.loads(line.removeprefix("WRK_RESULT "))
            break
    else:
        raise BenchError(f"wrk failed ({process.returncode}):\n{process.stdout}{process.stderr}")
    cpu = meter.stop(result["requests"])
    seconds_measured = result["duration_us"] / 1e6
    latency = result["latency_us"]
    return {
        "requests": result["requests"],
        "seconds": round(seconds_measured, 3),
        "requests_per_second": round(result["requests"] / seconds_measured, 1),
        "non_2xx": result["non_2xx"],
        "first_non_2xx": result["first_non_2xx"],
        "socket_errors": result["socket_errors"],
        "latency_ms": {
            key: round(latency[key] / 1e3, 2)
            for key in ("mean", "stdev", "p50", "p90", "p95", "p99", "max")
        },
        "cpu": cpu,
    }


# --- The run -------------------------------------------------------------------------------------


def summarise(rounds: list[dict]) -> dict[str, object]:
    summary: dict[str, object] = {}
    for name in ENDPOINTS:
        runs = [entry[name] for entry in rounds]
        summary[name] = {
            "requests_per_second_median": round(
                statistics.median(run["requests_per_second"] for run in runs), 1
            ),
            "latency_ms_median_of_rounds": {
                key: round(statistics.median(run["latency_ms"][key] for run in runs), 2)
                for key in ("p50", "p90", "p95", "p99")
            },
            "cpu_ms_per_request_median_of_rounds": {
                owner: round(
                    statistics.median(run["cpu"]["cpu_ms_per_request"][owner] for run in runs), 3
                )
                for owner in ("gunicorn", "mariadb", "wrk")
            },
            "requests": sum(run["requests"] for run in runs),
            "non_2xx": sum(run["non_2xx"] for run in runs),
        }
    ratios = [entry["ratio"] for entry in rounds]
    ratio = statistics.median(ratios)

    def cpu_cost(run: dict) -> float:
        return sum(run["cpu"]["cpu_ms_per_request"].values())

    # Both endpoints saturate the machine's cores, so the inverse ratio of their CPU cost per
    # request predicts the throughput ratio; it is much less sensitive to other processes.
    cpu_ratios = [cpu_cost(entry["baseline"]) / cpu_cost(entry["footprints"]) for entry in rounds]
    summary.update(
        {
            "cpu_cost_ratio_median": round(statistics.median(cpu_ratios), 3),
            "ratio_median": round(ratio, 3),
            "ratio_min": round(min(ratios), 3),
            "ratio_max": round(max(ratios), 3),
            "target": TARGET_RATIO,
            "meets_target": ratio >= TARGET_RATIO,
            "foreign_cpu_share_max": max(
                entry[name]["cpu"]["foreign_share"] for entry in rounds for name in ENDPOINTS
            ),
        }
    )
    return summary


def print_table(rounds: list[dict], summary: dict) -> None:
    header = (
        f"{'round':>5}  {'endpoint':<10} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} "
        f"{'p95 ms':>8} {'p99 ms':>8} {'requests':>9} {'non-2xx':>8} {'other CPU':>9}"
    )
    print()
    print(header)
    print("-" * len(header))
    for entry in rounds:
        for name in entry["order"]:
            run = entry[name]
            latency = run["latency_ms"]
            print(
                f"{entry['round']:>5}  {name:<10} {run['requests_per_second']:>8.1f} "
                f"{latency['p50']:>8.2f} {latency['p90']:>8.2f} {latency['p95']:>8.2f} "
                f"{latency['p99']:>8.2f} {run['requests']:>9} {run['non_2xx']:>8} "
                f"{run['cpu']['foreign_share']:>9.0%}"
            )
        print(f"{'':>5}  ratio footprints/baseline: {entry['ratio']:.3f}")
    print("-" * len(header))
    for name in ENDPOINTS:
        line = summary[name]
        latency = line["latency_ms_median_of_rounds"]
        print(
            f"{'med':>5}  {name:<10} {line['requests_per_second_median']:>8.1f} "
            f"{latency['p50']:>8.2f} {latency['p90']:>8.2f} {latency['p95']:>8.2f} "
            f"{latency['p99']:>8.2f} {line['requests']:>9} {line['non_2xx']:>8}"
        )
    print()
    for name in ENDPOINTS:
        cpu = summary[name]["cpu_ms_per_request_median_of_rounds"]
        print(
            f"CPU per request, {name:<10}: gunicorn {cpu['gunicorn']:.2f} ms, "
            f"MariaDB {cpu['mariadb']:.2f} ms, wrk {cpu['wrk']:.2f} ms"
        )
    print(
        f"CPU-cost ratio (baseline CPU per request / footprints CPU per request, a cross-check "
        f"less sensitive to other processes): {summary['cpu_cost_ratio_median']:.2f}"
    )
    verdict = "meets" if summary["meets_target"] else "MISSES"
    if summary["foreign_cpu_share_max"] > NOISY_SHARE:
        print(
            f"\nWARNING: other processes used up to {summary['foreign_cpu_share_max']:.0%} of the "
            "CPU during a measurement: the numbers are noisy, run again on a quiet machine."
        )
    print()
    print(
        f"RATIO {summary['ratio_median']:.2f} (target >= {TARGET_RATIO:.2f}) {verdict}"
        f"  [rounds: {summary['ratio_min']:.2f} .. {summary['ratio_max']:.2f}]"
    )


def run(arguments: argparse.Namespace) -> int:
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed: `apt-get install -y wrk` (benchmarks/run.sh does)")
    started_at = datetime.datetime.now(datetime.UTC)
    RESULT_PATH.unlink(missing_ok=True)  # a failed run must not leave an old result behind
    mariadb_version = database_create()
    machine_facts, code = machine(mariadb_version), code_version()
    gunicorn = None
    try:
        migrate()
        inspection = run_inspect(arguments.profile)
        if "profile" in inspection:
            print(inspection.pop("profile"))
        for name in ENDPOINTS:
            print(
                f"{name}: {inspection[name]['queries']} SQL statements per request, "
                f"{inspection[name]['in_process_ms_median']:.2f} ms in-process (test client)"
            )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn = gunicorn_start(port)
        wait_until_serving(port, gunicorn)
        with tempfile.TemporaryDirectory() as temporary:
            body_path = Path(temporary) / "body.json"
            body_path.write_text(json.dumps(PAYLOAD))
            smoke_test(port, body_path.read_bytes())
            load = {"connections": arguments.connections, "threads": arguments.threads}
            meter = CpuMeter(gunicorn.pid)
            warmup = {
                name: wrk(base + path, body_path, seconds=arguments.warmup, meter=meter, **load)
                for name, path in ENDPOINTS.items()
            }
            quiet = wait_for_quiet(arguments.quiet_wait)
            print(f"warmed up ({arguments.warmup} s each); {quiet}; measuring", flush=True)
            rounds = []
            for number in range(1, arguments.rounds + 1):
                # Alternate the order, so drift (table growth, a noisy neighbour) hits both.
                order = list(ENDPOINTS) if number % 2 else list(reversed(ENDPOINTS))
                entry: dict[str, object] = {"round": number, "order": order}
                for name in order:
                    entry[name] = wrk(
                        base + ENDPOINTS[name],
                        body_path,
                        seconds=arguments.duration,
                        meter=meter,
                        **load,
                    )
                entry["ratio"] = round(
                    entry["footprints"]["requests_per_second"]
                    / entry["baseline"]["requests_per_second"],
                    3,
                )
                rounds.append(entry)
                print(
                    f"round {number}: baseline {entry['baseline']['requests_per_second']} req/s, "
                    f"footprints {entry['footprints']['requests_per_second']} req/s, "
                    f"ratio {entry['ratio']:.3f}; CPU used by other processes: "
                    + ", ".join(f"{entry[name]['cpu']['foreign_share']:.0%}" for name in order),
                    flush=True,
                )
        gunicorn_stop(gunicorn)
        counts = database_counts()
    finally:
        if gunicorn is not None:
            gunicorn_stop(gunicorn)
        if not arguments.keep_database:
            database_drop()

    summary = summarise(rounds)
    print_table(rounds, summary)
    bad = sum(run["non_2xx"] for run in warmup.values()) + sum(
        summary[name]["non_2xx"] for name in ENDPOINTS
    )
    socket_errors = sum(
        sum(entry[name]["socket_errors"].values()) for entry in rounds for name in ENDPOINTS
    )
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
            "settings": SETTINGS_MODULE,
            "database": "MariaDB (fresh database, migrated)",
            "redis": os.environ.get("BENCH_REDIS_URL") or "unset (local-memory cache)",
            "rate_limits": "off for both endpoints",
            "load": "wrk, " + ", ".join(f"{key} {value}" for key, value in load.items()),
            "warmup_seconds": arguments.warmup,
            "round_seconds": arguments.duration,
            "rounds": arguments.rounds,
            "endpoints": ENDPOINTS,
            "payload": PAYLOAD,
        },
        "per_request": inspection,
        "warmup": warmup,
        "rounds": rounds,
        "summary": summary,
        "rows_written": counts,
        "non_2xx": bad,
        "socket_errors": socket_errors,
    }
    RESULT_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULT_PATH.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {RESULT_PATH.relative_to(ROOT)}")
    if socket_errors:
        print(f"FAILED: {socket_errors} socket errors (see calculation.json)", file=sys.stderr)
        return 1
    if bad:
        first = next(
            (
                run["first_non_2xx"]
                for entry in [*rounds, {"order": list(warmup), **warmup}]
                for run in (entry[name] for name in entry["order"])
                if run["first_non_2xx"]
            ),
            "",
        )
        print(f"FAILED: {bad} answers were not 2xx, for example: {first}", file=sys.stderr)
        return 1
    if arguments.check and not summary["meets_target"]:
        return 3
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint per round")
    parser.add_argument("--warmup", type=int, default=3, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="cProfile N footprints requests"
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=60,
        metavar="SECONDS",
        help="wait at most this long for an idle machine before measuring",
    )
    parser.add_argument("--check", action="store_true", help="exit 3 when the ratio misses")
    parser.add_argument("--keep-database", action="store_true", help="leave it for inspection")
    parser.add_argument("--inspect", type=int, default=None, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.inspect is not None:
        print("INSPECT " + json.dumps(inspect(arguments.inspect)))
        return 0
    try:
        return run(arguments)
    except BenchError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
