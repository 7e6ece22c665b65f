"""What every load benchmark shares: a MariaDB database of its own, gunicorn, wrk, CPU accounting.

A load benchmark (bench_calculation.py, bench_dashboard.py, bench_stats.py, bench_signin.py)
creates and migrates its database, starts gunicorn (2 sync workers) on a loopback port with
benchmarks.bench_settings, warms its endpoints up, then measures them with wrk
(benchmarks/request.lua) in rounds whose order alternates, so that drift and a neighbour's job
hit the baseline and the measured endpoints alike. Around every wrk run it reads /proc to see
where the CPU went. `measure` runs the rounds, `summarise` and `print_table` report them,
`failures` and `report_failures` say whether any answer was wrong.

`run_comparison` is a whole benchmark of a user with a history (`manage.py demo_load`) against a
baseline: bench_dashboard.py, bench_stats.py and bench_signin.py only declare their requests.
bench_calculation.py assembles the same parts itself, to keep its own report and JSON.

`python -m benchmarks.load inspect|demo` is the part that runs in a child process with the
bench settings: SQL statements and time per request with the test client (`run_inspect`), and
the user with a history (`run_child("demo", ...)`).
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
import re
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
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
REQUEST_SCRIPT = ROOT / "benchmarks" / "request.lua"
RESULT_DIR = ROOT / "var" / "bench"
SETTINGS_MODULE = "benchmarks.bench_settings"

MYSQL_HOST = os.environ.get("BENCH_MYSQL_HOST", "127.0.0.1")
MYSQL_PORT = int(os.environ.get("BENCH_MYSQL_PORT", "3306"))
MYSQL_USER = os.environ.get("BENCH_MYSQL_USER", "root")
MYSQL_PASSWORD = os.environ.get("BENCH_MYSQL_PASSWORD", "")

NOISY_SHARE = 0.10  # of the machine's CPU used by other processes during a measurement
# One key for every process of a run: a session cookie or a token made by one process (a sign-in
# through gunicorn) must be valid in another (the in-process inspection).
SECRET_KEY = secrets.token_urlsafe(50)


class BenchError(Exception):
    """The benchmark could not run; the message says why."""


# --- Environment --------------------------------------------------------------------------------


def mysql_url(database: str) -> str:
    credentials = MYSQL_USER + (f":{MYSQL_PASSWORD}" if MYSQL_PASSWORD else "")
    return f"mysql://{credentials}@{MYSQL_HOST}:{MYSQL_PORT}/{database}"


def django_environment(database: str, redis_url: str = "") -> dict[str, str]:
    """The environment of every Django process of a benchmark.

    Without `redis_url` the processes use the local-memory cache and eager Celery tasks. With it,
    the cache is that Redis, and tasks still run eagerly: nothing is left queued in a shared
    Redis by a benchmark (none of the measured requests queues a task anyway).
    """
    environment = dict(os.environ)
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": mysql_url(database),
            "REDIS_URL": redis_url,
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            "BENCH_CACHE_KEY_PREFIX": database,
            # Pages name their static files: with no collectstatic for a benchmark, plain names
            # instead of the manifest's hashed ones (a dict lookup either way).
            "STATIC_MANIFEST": "false",
        }
    )
    if redis_url:
        environment["CELERY_TASK_ALWAYS_EAGER"] = "true"
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


def database_create(database: str) -> str:
    """Drop and create `database`; answer the server's version."""
    connection = mysql_connect()
    try:
        cursor = connection.cursor()
        cursor.execute(f"DROP DATABASE IF EXISTS `{database}`")
        cursor.execute(
            f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
        cursor.execute("SELECT VERSION()")
        return cursor.fetchone()[0]
    finally:
        connection.close()


def database_drop(database: str) -> None:
    connection = mysql_connect()
    try:
        connection.cursor().execute(f"DROP DATABASE IF EXISTS `{database}`")
    finally:
        connection.close()


def redis_forget(redis_url: str, database: str) -> None:
    """Delete the cache keys of the benchmark using `database` (its prefix, see bench_settings)."""
    if not redis_url:
        return
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)
    try:
        keys = list(client.scan_iter(match=f"{database}:*", count=1000))
        if keys:
            client.delete(*keys)
    except redis.RedisError as error:
        raise BenchError(f"Redis at {redis_url} cannot be used: {error}") from error
    finally:
        client.close()


def host() -> dict[str, object]:
    """The machine and the Python stack, as every benchmark records them."""

    def first(path: str, prefix: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "unknown"

    memory_kb = first("/proc/meminfo", "MemTotal").split()[0]
    return {
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": first("/proc/cpuinfo", "model name"),
        "memory_gib": round(int(memory_kb) / 1024 / 1024, 1) if memory_kb.isdigit() else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": importlib.metadata.version("django"),
        "djangorestframework": importlib.metadata.version("djangorestframework"),
    }


def machine(mariadb_version: str) -> dict[str, object]:
    """host(), plus the servers and the load generator of a load benchmark."""
    wrk_banner = subprocess.run(
        ["wrk", "--version"], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    return {
        **host(),
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


def manage(database: str, *arguments: str, redis_url: str = "") -> str:
    """Run a manage.py command on the benchmark's database; answer its output."""
    process = subprocess.run(
        [PYTHON, "manage.py", *arguments],
        cwd=ROOT,
        env=django_environment(database, redis_url),
        capture_output=True,
        text=True,
        check=False,
    )
    if process.returncode != 0:
        raise BenchError(f"manage.py {arguments[0]} failed:\n{process.stdout}{process.stderr}")
    return process.stdout


def migrate(database: str) -> None:
    started = time.monotonic()
    manage(database, "migrate", "--noinput", "-v", "0")
    print(f"migrated {database} in {time.monotonic() - started:.1f} s", flush=True)


# --- Endpoints ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One request, exactly as wrk repeats it. `expect`: its status, or None for any 2xx."""

    path: str
    method: str = "GET"
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    expect: int | None = None

    def answered_well(self, status: int) -> bool:
        return status == self.expect if self.expect else 200 <= status < 300


# --- In-process inspection (a child process with the bench settings) ----------------------------


def inspect(spec: dict) -> dict[str, object]:
    """SQL statements of one request to each endpoint, median in-process time, optional profile."""
    import django

    django.setup()
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # Every request start empties the query log: keep it during the capture.
    request_started.disconnect(reset_queries)
    client = Client(SERVER_NAME="127.0.0.1")
    endpoints = {name: Endpoint(**values) for name, values in spec["endpoints"].items()}

    def send(name: str) -> None:
        endpoint = endpoints[name]
        headers = dict(endpoint.headers)
        content_type = headers.pop("Content-Type", "application/octet-stream")
        client.cookies.clear()  # only the endpoint's own Cookie header, as wrk sends it
        response = client.generic(
            endpoint.method,
            endpoint.path,
            endpoint.body or "",
            content_type=content_type,
            headers=headers,
        )
        if not endpoint.answered_well(response.status_code):
            raise BenchError(
                f"{endpoint.path} answered {response.status_code}: {response.content[:300]!r}"
            )

    report: dict[str, object] = {}
    for name in endpoints:
        send(name)  # load everything once
        with CaptureQueriesContext(connection) as captured:
            send(name)
        statements = [query["sql"][:160] for query in captured.captured_queries]
        timings = []
        for _ in range(spec["iterations"].get(name, spec["iterations"]["default"])):
            started = time.perf_counter()
            send(name)
            timings.append(time.perf_counter() - started)
        report[name] = {
            "queries": len(statements),
            "sql": statements,
            "in_process_ms_median": round(statistics.median(timings) * 1e3, 3),
        }
    if spec.get("profile_requests"):
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(spec["profile_requests"]):
            send(spec["profile_endpoint"])
        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text).strip_dirs().sort_stats("cumulative")
        stats.print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        report["profile"] = text.getvalue()
    return report


def run_inspect(
    database: str,
    endpoints: dict[str, Endpoint],
    *,
    iterations: int = 200,
    iterations_of: dict[str, int] | None = None,
    profile_endpoint: str = "",
    profile_requests: int = 0,
    redis_url: str = "",
) -> dict[str, object]:
    spec = {
        "endpoints": {name: asdict(endpoint) for name, endpoint in endpoints.items()},
        "iterations": {"default": iterations, **(iterations_of or {})},
        "profile_endpoint": profile_endpoint,
        "profile_requests": profile_requests,
    }
    return run_child("inspect", database, redis_url, json.dumps(spec))


def print_inspection(inspection: dict, endpoints) -> None:
    for name in endpoints:
        print(
            f"{name}: {inspection[name]['queries']} SQL statements per request, "
            f"{inspection[name]['in_process_ms_median']:.2f} ms in-process (test client)"
        )


# --- gunicorn ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_start(
    port: int, database: str, log_path: Path, redis_url: str = ""
) -> subprocess.Popen:
    log_path.parent.mkdir(parents=True, exist_ok=True)
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
        str(log_path),
    ]
    # Its own session, so stopping it signals its process group and nothing else.
    return subprocess.Popen(
        command, cwd=ROOT, env=django_environment(database, redis_url), start_new_session=True
    )


def gunicorn_stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


def exchange(
    port: int,
    path: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request on loopback: status, headers, body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def request(port: int, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    """A JSON GET, or a JSON POST when there is a body."""
    status, _, content = exchange(
        port, path, method="POST" if body is not None else "GET", body=body, headers=JSON_HEADERS
    )
    return status, content


def send(port: int, endpoint: Endpoint) -> tuple[int, http.client.HTTPMessage, bytes]:
    """The endpoint's request, once; fails loudly when the answer is not the expected one."""
    body = endpoint.body.encode() if endpoint.body is not None else None
    status, headers, content = exchange(
        port, endpoint.path, method=endpoint.method, body=body, headers=endpoint.headers
    )
    if not endpoint.answered_well(status):
        raise BenchError(f"{endpoint.method} {endpoint.path} answered {status}: {content[:300]!r}")
    return status, headers, content


def cookies_set(headers: http.client.HTTPMessage) -> dict[str, str]:
    """The cookies an answer sets, by name."""
    cookies = {}
    for header in headers.get_all("Set-Cookie") or []:
        name, _, value = header.split(";", 1)[0].partition("=")
        cookies[name.strip()] = value.strip()
    return cookies


def wait_until_serving(
    port: int, process: subprocess.Popen, log_path: Path, timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with {process.returncode}; see {log_path}")
        try:
            status, _ = request(port, "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer /healthz within {timeout:.0f} s")


# --- CPU accounting ------------------------------------------------------------------------------

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


# --- wrk -----------------------------------------------------------------------------------------


def wrk(
    url: str,
    endpoint: Endpoint,
    body_path: Path | None,
    *,
    seconds: int,
    connections: int,
    threads: int,
    meter: CpuMeter,
) -> dict:
    """Repeat the endpoint's request for `seconds` (benchmarks/request.lua) and report."""
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=10s",
        f"--script={REQUEST_SCRIPT}",
        url,
        "--",
        endpoint.method,
        str(endpoint.expect or "2xx"),
        str(body_path) if body_path is not None else "-",
        *(f"{name}: {value}" for name, value in endpoint.headers.items()),
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
        # Answers other than the expected one (any 2xx unless the endpoint names its status).
        "non_2xx": result["non_2xx"],
        "first_non_2xx": result["first_non_2xx"],
        "socket_errors": result["socket_errors"],
        "latency_ms": {
            key: round(latency[key] / 1e3, 2)
            for key in ("mean", "stdev", "p50", "p90", "p95", "p99", "max")
        },
        "cpu": cpu,
    }


# --- Rounds --------------------------------------------------------------------------------------


def add_load_arguments(
    parser, *, rounds: int = 3, duration: int = 10, warmup: int = 3, quiet_wait: float = 60
) -> None:
    """The options every load benchmark takes, with the benchmark's own defaults."""
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument(
        "--duration", type=int, default=duration, help="seconds per endpoint per round"
    )
    parser.add_argument("--warmup", type=int, default=warmup, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=quiet_wait,
        metavar="SECONDS",
        help="wait at most this long for an idle machine before measuring",
    )
    parser.add_argument("--keep-database", action="store_true", help="leave it for inspection")


def measure(
    port: int,
    endpoints: dict[str, Endpoint],
    *,
    baseline: str,
    arguments,
    meter: CpuMeter,
    workdir: Path,
) -> tuple[dict, list[dict]]:
    """Warm every endpoint up, wait for a quiet machine, then measure them round after round.

    The order alternates between rounds (as declared, then reversed), so drift (table growth, a
    noisy neighbour) hits every endpoint. Each round holds one wrk run per endpoint and the
    ratio of each measured endpoint's requests/s to the baseline's.
    """
    base = f"http://127.0.0.1:{port}"
    bodies: dict[str, Path | None] = {}
    for name, endpoint in endpoints.items():
        bodies[name] = None
        if endpoint.body is not None:
            bodies[name] = workdir / f"{name}.body"
            bodies[name].write_text(endpoint.body)
    load = {"connections": arguments.connections, "threads": arguments.threads}

    def run(name: str, seconds: int) -> dict:
        endpoint = endpoints[name]
        return wrk(
            base + endpoint.path, endpoint, bodies[name], seconds=seconds, meter=meter, **load
        )

    warmup = {name: run(name, arguments.warmup) for name in endpoints}
    quiet = wait_for_quiet(arguments.quiet_wait)
    print(f"warmed up ({arguments.warmup} s each); {quiet}; measuring", flush=True)
    measured = [name for name in endpoints if name != baseline]
    rounds = []
    for number in range(1, arguments.rounds + 1):
        order = list(endpoints) if number % 2 else list(reversed(endpoints))
        entry: dict[str, object] = {"round": number, "order": order}
        for name in order:
            entry[name] = run(name, arguments.duration)
        entry["ratios"] = {
            name: round(
                entry[name]["requests_per_second"] / entry[baseline]["requests_per_second"], 3
            )
            for name in measured
        }
        rounds.append(entry)
        ratios = entry["ratios"]
        ratio_text = (
            f"ratio {ratios[measured[0]]:.3f}"
            if len(measured) == 1
            else ", ".join(f"ratio {name}/{baseline} {ratios[name]:.3f}" for name in measured)
        )
        print(
            f"round {number}: "
            + ", ".join(f"{name} {entry[name]['requests_per_second']} req/s" for name in endpoints)
            + f", {ratio_text}; CPU used by other processes: "
            + ", ".join(f"{entry[name]['cpu']['foreign_share']:.0%}" for name in order),
            flush=True,
        )
    return warmup, rounds


def _cpu_cost(run: dict) -> float:
    return sum(run["cpu"]["cpu_ms_per_request"].values())


def summarise(
    rounds: list[dict], endpoints, *, baseline: str, targets: dict[str, float] | None = None
) -> dict[str, object]:
    """Medians over the rounds per endpoint, and each measured endpoint's ratio to the baseline.

    Both sides keep the cores saturated, so the inverse ratio of their CPU cost per request (the
    CPU-cost ratio) predicts the throughput ratio; it is much less sensitive to other processes.
    """
    targets = targets or {}
    summary: dict[str, object] = {}
    for name in endpoints:
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
    ratios: dict[str, dict] = {}
    for name in endpoints:
        if name == baseline:
            continue
        values = [entry["ratios"][name] for entry in rounds]
        cpu_ratios = [_cpu_cost(entry[baseline]) / _cpu_cost(entry[name]) for entry in rounds]
        ratio = statistics.median(values)
        ratios[name] = {
            "cpu_cost_ratio_median": round(statistics.median(cpu_ratios), 3),
            "ratio_median": round(ratio, 3),
            "ratio_min": round(min(values), 3),
            "ratio_max": round(max(values), 3),
        }
        if name in targets:
            ratios[name]["target"] = targets[name]
            ratios[name]["meets_target"] = ratio >= targets[name]
    summary["ratios"] = ratios
    summary["foreign_cpu_share_max"] = max(
        entry[name]["cpu"]["foreign_share"] for entry in rounds for name in endpoints
    )
    return summary


def print_table(
    rounds: list[dict],
    summary: dict,
    endpoints,
    *,
    baseline: str,
    ratios: dict[str, dict],
    unexpected_label: str = "non-2xx",
) -> None:
    """Every run, the medians, CPU per request, and a RATIO line per measured endpoint.

    `ratios` is summary["ratios"] (bench_calculation.py keeps its one ratio at the top level).
    """
    width = max(10, *(len(name) for name in endpoints))
    header = (
        f"{'round':>5}  {'endpoint':<{width}} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} "
        f"{'p95 ms':>8} {'p99 ms':>8} {'requests':>9} {unexpected_label:>8} {'other CPU':>9}"
    )
    print()
    print(header)
    print("-" * len(header))
    for entry in rounds:
        for name in entry["order"]:
            run = entry[name]
            latency = run["latency_ms"]
            print(
                f"{entry['round']:>5}  {name:<{width}} {run['requests_per_second']:>8.1f} "
                f"{latency['p50']:>8.2f} {latency['p90']:>8.2f} {latency['p95']:>8.2f} "
                f"{latency['p99']:>8.2f} {run['requests']:>9} {run['non_2xx']:>8} "
                f"{run['cpu']['foreign_share']:>9.0%}"
            )
        for name, ratio in entry["ratios"].items():
            print(f"{'':>5}  ratio {name}/{baseline}: {ratio:.3f}")
    print("-" * len(header))
    for name in endpoints:
        line = summary[name]
        latency = line["latency_ms_median_of_rounds"]
        print(
            f"{'med':>5}  {name:<{width}} {line['requests_per_second_median']:>8.1f} "
            f"{latency['p50']:>8.2f} {latency['p90']:>8.2f} {latency['p95']:>8.2f} "
            f"{latency['p99']:>8.2f} {line['requests']:>9} {line['non_2xx']:>8}"
        )
    print()
    for name in endpoints:
        cpu = summary[name]["cpu_ms_per_request_median_of_rounds"]
        print(
            f"CPU per request, {name:<{width}}: gunicorn {cpu['gunicorn']:.2f} ms, "
            f"MariaDB {cpu['mariadb']:.2f} ms, wrk {cpu['wrk']:.2f} ms"
        )
    for name, ratio in ratios.items():
        print(
            f"CPU-cost ratio ({baseline} CPU per request / {name} CPU per request, a cross-check "
            f"less sensitive to other processes): {ratio['cpu_cost_ratio_median']:.2f}"
        )
    if summary["foreign_cpu_share_max"] > NOISY_SHARE:
        print(
            f"\nWARNING: other processes used up to {summary['foreign_cpu_share_max']:.0%} of the "
            "CPU during a measurement: the numbers are noisy, run again on a quiet machine."
        )
    print()
    for name, ratio in ratios.items():
        spread = f"[rounds: {ratio['ratio_min']:.2f} .. {ratio['ratio_max']:.2f}]"
        if "target" in ratio:
            verdict = "meets" if ratio["meets_target"] else "MISSES"
            print(
                f"RATIO {ratio['ratio_median']:.2f} (target >= {ratio['target']:.2f}) {verdict}"
                f"  {spread}"
            )
        else:
            print(f"RATIO {name}/{baseline} {ratio['ratio_median']:.2f}  {spread}")


def failures(warmup: dict, rounds: list[dict], endpoints) -> tuple[int, int]:
    """Answers other than the expected ones, and socket errors, over the whole run."""
    bad = sum(run["non_2xx"] for run in warmup.values()) + sum(
        entry[name]["non_2xx"] for entry in rounds for name in endpoints
    )
    socket_errors = sum(
        sum(entry[name]["socket_errors"].values()) for entry in rounds for name in endpoints
    )
    return bad, socket_errors


def report_failures(
    warmup: dict,
    rounds: list[dict],
    bad: int,
    socket_errors: int,
    result_name: str,
    expected: str = "2xx",
) -> int:
    """Say why the run failed, if it did; answer the exit status (0 or 1)."""
    if socket_errors:
        print(f"FAILED: {socket_errors} socket errors (see {result_name})", file=sys.stderr)
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
        print(f"FAILED: {bad} answers were not {expected}, for example: {first}", file=sys.stderr)
        return 1
    return 0


# --- A user with a history (a child process with the bench settings) ----------------------------


def user_with_history() -> dict[str, object]:
    """`manage.py demo_load`: two years of monthly calculations, their recommendations, a goal.

    Answers the account's credentials and what it holds.
    """
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import User
    from footprints.management.commands import demo_load
    from goals.models import UserGoal
    from recommendations.models import Recommendation

    call_command("demo_load", stdout=io.StringIO())
    user = User.objects.get(email=demo_load.DEMO_EMAIL)
    return {
        "email": demo_load.DEMO_EMAIL,
        "password": demo_load.DEMO_PASSWORD,
        "footprints": user.footprints.count(),
        "recommendations": Recommendation.objects.filter(carbon_footprint__user=user).count(),
        "goals": UserGoal.objects.filter(user=user).count(),
    }


def run_child(command: str, database: str, redis_url: str, stdin: str = "") -> dict:
    """`python -m benchmarks.load COMMAND` with the benchmark's environment; its JSON answer."""
    process = subprocess.run(
        [PYTHON, "-m", "benchmarks.load", command],
        cwd=ROOT,
        env=django_environment(database, redis_url),
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    marker = f"{command.upper()} "
    for line in process.stdout.splitlines():
        if line.startswith(marker):
            return json.loads(line.removeprefix(marker))
    raise BenchError(f"{command} failed:\n{process.stdout}{process.stderr}")


# --- Signing in over HTTP ------------------------------------------------------------------------

SIGNIN_PATH = "/accounts/login/"
API_SIGNIN_PATH = "/api/v1/auth/token/"
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


def csrf_pair(port: int) -> tuple[str, str]:
    """A CSRF cookie and the form token that goes with it, from the sign-in page (as a browser)."""
    status, headers, content = exchange(port, SIGNIN_PATH)
    cookie = cookies_set(headers).get("csrftoken")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
    if status != 200 or not cookie or token is None:
        raise BenchError(f"the sign-in page gave no CSRF cookie and token ({status})")
    return cookie, token.group(1).decode()


def signin_form(port: int, email: str, password: str) -> Endpoint:
    """The sign-in form's POST exactly as a browser sends it; it answers 302 to the dashboard."""
    cookie, token = csrf_pair(port)
    body = urlencode({"csrfmiddlewaretoken": token, "email": email, "password": password})
    return Endpoint(
        SIGNIN_PATH,
        method="POST",
        body=body,
        headers={**FORM_HEADERS, "Cookie": f"csrftoken={cookie}"},
        expect=302,
    )


def browser_session(port: int, email: str, password: str) -> str:
    """Sign in through the form; answer the Cookie header of the signed-in browser."""
    _, headers, _ = send(port, signin_form(port, email, password))
    session = cookies_set(headers).get("sessionid")
    if not session:
        raise BenchError("signing in through the form set no session cookie")
    return f"sessionid={session}"


def api_access_token(port: int, email: str, password: str) -> str:
    """Sign in through the API (POST /api/v1/auth/token/); answer the access token."""
    body = json.dumps({"email": email, "password": password, "device_name": "benchmark"})
    endpoint = Endpoint(API_SIGNIN_PATH, method="POST", body=body, headers=JSON_HEADERS, expect=200)
    _, _, content = send(port, endpoint)
    return json.loads(content)["access"]


# --- A whole comparison -------------------------------------------------------------------------

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"


@dataclass(frozen=True)
class Comparison:
    """A load benchmark of endpoints for a user with a history, against a baseline.

    `endpoints(port, account)` builds the requests once gunicorn serves (signing in as needed);
    the first is the baseline.
    """

    name: str  # var/bench/<name>.json, the database carbon_site_bench_<name>
    title: str
    endpoints: Callable[[int, dict], dict[str, Endpoint]]
    iterations_of: dict[str, int] = field(default_factory=dict)
    expected: str = "2xx"  # said when answers were wrong

    @property
    def database(self) -> str:
        return f"carbon_site_bench_{self.name}"


def run_comparison(comparison: Comparison, arguments) -> int:
    """Database, user, gunicorn, sign-in, inspection, rounds, report, clean-up; the exit status."""
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed: `apt-get install -y wrk` (benchmarks/run.sh does)")
    started_at = datetime.datetime.now(datetime.UTC)
    result_path = RESULT_DIR / f"{comparison.name}.json"
    log_path = RESULT_DIR / f"gunicorn-{comparison.name}.log"
    result_path.unlink(missing_ok=True)  # a failed run must not leave an old result behind
    database = comparison.database
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    mariadb_version = database_create(database)
    machine_facts, code = machine(mariadb_version), code_version()
    gunicorn = None
    try:
        redis_forget(redis_url, database)
        migrate(database)
        account = run_child("demo", database, redis_url)
        print(
            f"user {account['email']}: {account['footprints']} calculations, "
            f"{account['recommendations']} recommendations, {account['goals']} goal(s)",
            flush=True,
        )
        port = free_port()
        gunicorn = gunicorn_start(port, database, log_path, redis_url)
        wait_until_serving(port, gunicorn, log_path)
        endpoints = comparison.endpoints(port, account)
        baseline = next(iter(endpoints))
        for endpoint in endpoints.values():
            send(port, endpoint)  # a broken endpoint fails loudly before any load is sent
        inspection = run_inspect(
            database,
            endpoints,
            iterations=100,
            iterations_of=comparison.iterations_of,
            profile_endpoint=list(endpoints)[1],
            profile_requests=arguments.profile,
            redis_url=redis_url,
        )
        if "profile" in inspection:
            print(inspection.pop("profile"))
        print_inspection(inspection, endpoints)
        with tempfile.TemporaryDirectory() as temporary:
            warmup, rounds = measure(
                port,
                endpoints,
                baseline=baseline,
                arguments=arguments,
                meter=CpuMeter(gunicorn.pid),
                workdir=Path(temporary),
            )
    finally:
        if gunicorn is not None:
            gunicorn_stop(gunicorn)
        if not arguments.keep_database:
            database_drop(database)
            redis_forget(redis_url, database)

    summary = summarise(rounds, endpoints, baseline=baseline)
    print_table(
        rounds,
        summary,
        endpoints,
        baseline=baseline,
        ratios=summary["ratios"],
        unexpected_label="non-2xx" if comparison.expected == "2xx" else "wrong",
    )
    bad, socket_errors = failures(warmup, rounds, endpoints)
    print(f"wrong answers: {bad}; socket errors: {socket_errors}")
    result = {
        "benchmark": comparison.name,
        "title": comparison.title,
        "started_at": started_at.isoformat(timespec="seconds"),
        "machine": machine_facts,
        "code": code,
        "config": {
            "server": "gunicorn, 2 sync workers",
            "settings": SETTINGS_MODULE,
            "database": f"MariaDB {database} (fresh database, migrated)",
            "redis": redis_url or "unset (local-memory cache)",
            "rate_limits": "off",
            "load": f"wrk, connections {arguments.connections}, threads {arguments.threads}",
            "warmup_seconds": arguments.warmup,
            "round_seconds": arguments.duration,
            "rounds": arguments.rounds,
            "baseline": baseline,
            "endpoints": {
                name: {
                    "method": endpoint.method,
                    "path": endpoint.path,
                    "expect": endpoint.expect or "2xx",
                }
                for name, endpoint in endpoints.items()
            },
            "user": {key: value for key, value in account.items() if key != "password"},
        },
        "per_request": inspection,
        "warmup": warmup,
        "rounds": rounds,
        "summary": summary,
        "non_2xx": bad,
        "socket_errors": socket_errors,
    }
    result_path.parent.mkdir(parents=True, exist_ok=True)
    result_path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {result_path.relative_to(ROOT)}")
    return report_failures(
        warmup, rounds, bad, socket_errors, result_path.name, expected=comparison.expected
    )


def comparison_main(comparison: Comparison, doc: str, **defaults) -> int:
    """The command line of a comparison benchmark: the load options with its defaults."""
    parser = argparse.ArgumentParser(description=doc.split("\n", 1)[0])
    add_load_arguments(parser, **defaults)
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="cProfile N requests of the first measured endpoint, in-process",
    )
    arguments = parser.parse_args()
    try:
        return run_comparison(comparison, arguments)
    except BenchError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1


CHILD_COMMANDS = {
    "inspect": lambda spec: inspect(json.loads(spec)),
    "demo": lambda _: user_with_history(),
}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CHILD_COMMANDS:
        sys.exit("usage: python -m benchmarks.load inspect|demo (run_inspect, run_child do this)")
    command = sys.argv[1]
    print(f"{command.upper()} " + json.dumps(CHILD_COMMANDS[command](sys.stdin.read())))
