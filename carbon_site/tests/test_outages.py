"""Outages for real: the site under gunicorn on a MariaDB and a Redis of its own, each stopped
mid-test and started again. Never the machine's shared services: these run on spare ports from a
temporary directory, and are stopped and removed at the end.

- Database down: pages and the API answer 503 with Retry-After (a friendly page, or
  `{"code": "unavailable"}`), /healthz answers 503; when it is back, the site serves by itself.
- Redis down: the site keeps serving (the cache ignores its errors, sessions are in the
  database, rate limits fail open, emails are sent inline); /healthz says the cache and the
  broker failed, still 200; when Redis is back, so are they.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARIADBD = shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin:/usr/libexec")
INSTALL_DB = shutil.which("mariadb-install-db")
REDIS_SERVER = shutil.which("redis-server")
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

pytestmark = [
    # Once per `make test`: in the MariaDB pass, where the MariaDB tooling is known to be there.
    pytest.mark.mysql_only,
    pytest.mark.skipif(
        not (MARIADBD and INSTALL_DB and REDIS_SERVER),
        reason="needs mariadbd, mariadb-install-db and redis-server",
    ),
]

ANSWERS = {"country": "GB", "household_size": 2, "electricity": {"kwh_per_year": 2700}}
# A returning visitor: any session cookie makes the site read the session from the database.
SESSION_COOKIE = "sessionid=returningvisitor0000000000000000"


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class MariaDB:
    """A throwaway MariaDB server in `directory`, on `port`."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.datadir = directory / "data"
        self.port = _unused_port()
        self.process: subprocess.Popen | None = None
        self.tuning = [
            "--innodb-log-file-size=8M",
            "--innodb-buffer-pool-size=32M",
            # Durability does not matter here; speed does (the schema is ~60 migrations).
            "--innodb-flush-log-at-trx-commit=0",
            "--innodb-flush-method=nosync",
            "--innodb-doublewrite=0",
        ]

    def install(self) -> None:
        subprocess.run(  # noqa: S603 - a fixed command
            [
                INSTALL_DB,
                "--no-defaults",
                f"--datadir={self.datadir}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--skip-name-resolve",
                *(["--user=root"] if AS_ROOT else []),
                *self.tuning,
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        with (self.directory / "mariadb.log").open("ab") as log:
            self.process = self._spawn(log)
        _wait_for(self.answers, timeout=30, what="MariaDB to start")

    def _spawn(self, log) -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603 - a fixed command
            [
                MARIADBD,
                "--no-defaults",
                f"--datadir={self.datadir}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                f"--socket={self.directory / 'mariadb.sock'}",
                f"--pid-file={self.directory / 'mariadb.pid'}",
                "--skip-log-bin",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_unicode_ci",
                *(["--user=root"] if AS_ROOT else []),
                *self.tuning,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def answers(self) -> bool:
        import MySQLdb

        connection = MySQLdb.connect(
            host="127.0.0.1", port=self.port, user="root", password="", connect_timeout=2
        )
        connection.close()
        return True

    def stop(self) -> None:
        _stop(self.process)

    def create_database(self, name: str) -> None:
        import MySQLdb

        connection = MySQLdb.connect(host="127.0.0.1", port=self.port, user="root", password="")
        try:
            connection.cursor().execute(
                f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        finally:
            connection.close()


class Redis:
    def __init__(self, directory: Path):
        self.directory = directory
        self.port = _unused_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with (self.directory / "redis.log").open("ab") as log:
            self.process = self._spawn(log)
        _wait_for(self.answers, timeout=10, what="Redis to start")

    def _spawn(self, log) -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603 - a fixed command
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def answers(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")

    def stop(self) -> None:
        _stop(self.process)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Site:
    port: int
    database: MariaDB
    redis: Redis

    def request(self, method: str, path: str, body: dict | None = None, **headers) -> Answer:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json", **headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as answer:  # noqa: S310
                return Answer(answer.status, dict(answer.headers), answer.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read())

    def page(self, path: str = "/") -> Answer:
        return self.request("GET", path, Accept="text/html", Cookie=SESSION_COOKIE)

    def record(self) -> Answer:
        return self.request("POST", "/api/v1/footprints/", ANSWERS)

    def healthz(self) -> Answer:
        return self.request("GET", "/healthz")


def _site_environment(database: MariaDB, redis: Redis) -> dict:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "CELERY_", "PROMETHEUS_", "PYTEST_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="carbon_site.settings",
        IGNORE_DOTENV="1",
        SECRET_KEY=uuid.uuid4().hex * 2,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        STATIC_MANIFEST="0",
        DATABASE_URL=f"mysql://root@127.0.0.1:{database.port}/carbon_site",
        REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
        DB_CONNECT_TIMEOUT_SECONDS="2",
        EMAIL_URL="consolemail://",
        LOG_LEVEL="WARNING",
    )
    return environment


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    directory = Path(tempfile.mkdtemp(prefix="carbon-outage-"))
    database, redis = MariaDB(directory), Redis(directory)
    web: subprocess.Popen | None = None
    try:
        database.install()
        database.start()
        database.create_database("carbon_site")
        redis.start()
        environment = _site_environment(database, redis)
        migrated = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert migrated.returncode == 0, migrated.stderr[-3000:]

        port = _unused_port()
        with (directory / "web.log").open("ab") as log:
            web = _gunicorn(port, environment, log)
        running = Site(port=port, database=database, redis=redis)
        _wait_for(lambda: running.healthz().status == 200, timeout=60, what="gunicorn")
        yield running
    finally:
        _stop(web)
        redis.stop()
        database.stop()
        shutil.rmtree(directory, ignore_errors=True)


def _gunicorn(port: int, environment: dict, log) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
        [
            sys.executable,
            "-m",
            "gunicorn",
            "carbon_site.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            "--timeout=30",
            "--graceful-timeout=2",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_database_outage_is_503_with_retry_after_and_the_site_recovers_by_itself(site):
    assert site.page().status == 200
    assert site.record().status == 201

    site.database.stop()
    try:
        health = site.healthz()
        page = site.page()
        api = site.record()
    finally:
        site.database.start()

    assert health.status == 503
    assert health.json()["checks"]["database"]["status"] == "failed"
    assert int(health.headers["Retry-After"]) > 0

    assert page.status == 503
    assert int(page.headers["Retry-After"]) > 0
    assert b"Back in a moment" in page.body
    assert b"Traceback" not in page.body

    assert api.status == 503
    assert int(api.headers["Retry-After"]) > 0
    assert api.json()["code"] == "unavailable"

    # Back: the very next requests are served again, nobody restarted the web process.
    assert site.healthz().status == 200
    assert site.page().status == 200
    assert site.record().status == 201


def test_redis_outage_keeps_the_site_serving_and_it_recovers_by_itself(site):
    checks = site.healthz().json()["checks"]
    assert checks["cache"]["status"] == "ok"
    assert checks["broker"]["status"] == "ok"

    site.redis.stop()
    try:
        started = time.monotonic()
        health = site.healthz()
        page = site.page()
        anonymous_page = site.request("GET", "/", Accept="text/html")
        calculation = site.record()
        sign_up = site.request(  # rate-limited (fails open) and sends an email (inline)
            "POST",
            "/api/v1/auth/register/",
            {"email": "sam@example.com", "username": "sam", "password": "a long passphrase 42"},
        )
        elapsed = time.monotonic() - started
    finally:
        site.redis.start()

    assert health.status == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["checks"]["cache"]["status"] == "failed"
    assert health.json()["checks"]["broker"]["status"] == "failed"
    assert health.json()["checks"]["database"]["status"] == "ok"
    assert page.status == 200
    assert anonymous_page.status == 200
    assert calculation.status == 201
    assert sign_up.status == 201, sign_up.body
    assert elapsed < 15  # every Redis call gave up quickly

    def cache_and_broker_back() -> bool:
        checks = site.healthz().json()["checks"]
        return checks["cache"]["status"] == "ok" and checks["broker"]["status"] == "ok"

    _wait_for(cache_and_broker_back, timeout=10, what="the cache and broker checks to recover")
