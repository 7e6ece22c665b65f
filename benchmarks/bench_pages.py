"""Page-render benchmark: server time of the calculator and result pages on SQLite (issue #6).

Target: the calculator and result pages render in under 50 ms of server time on SQLite.

In-process, with Django's test client through the project's whole middleware stack
(benchmarks.bench_settings: rate limits off, local-memory cache), on a fresh SQLite database
migrated in a temporary directory. Each iteration sends one request to every page, in an order
that rotates between iterations, so that a busy moment hits every page alike; the time of a
request is from the test client's call to its answer (no network, no WSGI server). The pages:

- the baseline: a trivial template rendered with the request's context (benchmarks/baseline.py);
- GET /calculate/ (the first step) and /calculate/?step=4 (transport, a later step), for a
  visitor who has answered the steps before it;
- POST of a calculator step (the electricity step, valid answers: it saves the draft in the
  session and redirects to the next step);
- GET /calculate/quick/;
- GET /results/<uuid>/ for the anonymous visitor who made the calculation (the claim in the
  session), and for a signed-in owner with a few calculations (signed in through the form);
- GET /methodology/.

Prints the median and p95 per page, the ratio of each median to the baseline's and the verdict
against the target, writes var/bench/pages.json. Exit status 0 (with --check, 3 when a page
misses the target).

Run: .venv/bin/python benchmarks/bench_pages.py [--iterations 150]
"""

import argparse
import datetime
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULT_PATH = ROOT / "var" / "bench" / "pages.json"
TARGET_MS = 50.0
BASELINE = "baseline"
# The calculator and result pages the target is about; the others are measured for reference.
TARGETED = (
    "calculate",
    "calculate_step4",
    "calculate_post",
    "quick",
    "result_author",
    "result_owner",
)

STEP_ANSWERS = {
    1: {"country": "GB", "household_size": "2"},
    2: {"kwh_per_year": "2700", "renewable_percent": "0"},
    3: {"natural_gas_kwh_per_year": "11500"},
    4: {
        "car_km_per_year": "11000",
        "car_fuel": "petrol",
        "rail_km_per_year": "500",
        "flights_short_haul_per_year": "2",
    },
    5: {"kg_per_week": "8", "recycling_percent": "40"},
    6: {"diet": "average", "clothing_spend_per_month": "40"},
    7: {"services_spend_per_month": "100"},
}
REVIEW_STEP = len(STEP_ANSWERS) + 1
OWNER_EMAIL = "owner@example.com"
OWNER_PASSWORD = "a long bench password"  # noqa: S105 - a throwaway account in a throwaway database
OWNER_CALCULATIONS = 3


class PageError(Exception):
    """A page did not answer as it should: the benchmark would measure the wrong thing."""


def _expect(response, status: int, what: str):
    if response.status_code != status:
        raise PageError(f"{what} answered {response.status_code}: {response.content[:300]!r}")
    return response


def _answer_steps(client, until: int) -> None:
    for number in range(1, until):
        response = client.post(
            "/calculate/", {"step": str(number), "next": "1"} | STEP_ANSWERS[number]
        )
        _expect(response, 302, f"calculator step {number}")


def _calculate(client) -> str:
    """Walk the calculator to the end and submit; the result's path."""
    _answer_steps(client, REVIEW_STEP)
    response = _expect(
        client.post("/calculate/", {"step": str(REVIEW_STEP), "submit": "1"}), 302, "submit"
    )
    return response["Location"]


def prepare(make_client: Callable) -> dict[str, Callable[[], object]]:
    """The visitors and their data; one callable per page, each sending its request once."""
    from accounts.models import User

    visitor = make_client()  # has answered steps 1-3: steps 1 to 4 can be shown
    _answer_steps(visitor, 4)
    stepper = make_client()  # posts the electricity step again and again
    _answer_steps(stepper, 3)
    author = make_client()
    author_result = _calculate(author)
    User.objects.create_user(
        email=OWNER_EMAIL, username="owner", password=OWNER_PASSWORD, is_verified=True
    )
    owner = make_client()
    _expect(
        owner.post("/accounts/login/", {"email": OWNER_EMAIL, "password": OWNER_PASSWORD}),
        302,
        "signing in",
    )
    owner_results = [_calculate(owner) for _ in range(OWNER_CALCULATIONS)]
    step2 = {"step": "2", "next": "1"} | STEP_ANSWERS[2]
    return {
        BASELINE: lambda: _expect(visitor.get("/bench/page/"), 200, "baseline"),
        "calculate": lambda: _expect(visitor.get("/calculate/"), 200, "/calculate/"),
        "calculate_step4": lambda: _expect(
            visitor.get("/calculate/?step=4"), 200, "/calculate/?step=4"
        ),
        "calculate_post": lambda: _expect(stepper.post("/calculate/", step2), 302, "step POST"),
        "quick": lambda: _expect(visitor.get("/calculate/quick/"), 200, "/calculate/quick/"),
        "result_author": lambda: _expect(author.get(author_result), 200, "author's result"),
        "result_owner": lambda: _expect(owner.get(owner_results[-1]), 200, "owner's result"),
        "methodology": lambda: _expect(visitor.get("/methodology/"), 200, "/methodology/"),
    }


PATHS = {
    BASELINE: "GET /bench/page/ (trivial template)",
    "calculate": "GET /calculate/ (first step)",
    "calculate_step4": "GET /calculate/?step=4",
    "calculate_post": "POST /calculate/ (step 2)",
    "quick": "GET /calculate/quick/",
    "result_author": "GET /results/<uuid>/ (anonymous author)",
    "result_owner": "GET /results/<uuid>/ (signed-in owner)",
    "methodology": "GET /methodology/",
}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(make_client: Callable, iterations: int) -> dict[str, dict[str, float]]:
    """Median and p95 server time (ms) per page, over `iterations` rotating rounds."""
    pages = prepare(make_client)
    names = list(pages)
    for send in pages.values():
        send()  # templates compiled, caches filled: the steady state is measured
    timings: dict[str, list[float]] = {name: [] for name in names}
    for number in range(iterations):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            pages[name]()
            timings[name].append((time.perf_counter() - started) * 1e3)
    baseline = statistics.median(timings[BASELINE])
    return {
        name: {
            "median_ms": round(statistics.median(values), 2),
            "p95_ms": round(_percentile(values, 0.95), 2),
            "ratio_to_baseline": round(statistics.median(values) / baseline, 2),
            "samples": len(values),
        }
        for name, values in timings.items()
    }


def verdict_of(line: dict) -> str:
    if line["p95_ms"] < TARGET_MS:
        return "meets"
    return "meets at the median, not at p95" if line["median_ms"] < TARGET_MS else "MISSES"


def report(results: dict) -> bool:
    """Print the table; whether every targeted page's median meets the target."""
    target = f"target < {TARGET_MS:.0f} ms"
    print(f"{'page':<44} {'median ms':>9} {'p95 ms':>8} {'× baseline':>10}  {target}")
    print("-" * 92)
    meets = True
    for name, line in results.items():
        verdict = ""
        if name in TARGETED:
            meets &= line["median_ms"] < TARGET_MS
            verdict = verdict_of(line)
        print(
            f"{PATHS[name]:<44} {line['median_ms']:>9.2f} {line['p95_ms']:>8.2f} "
            f"{line['ratio_to_baseline']:>10.2f}  {verdict}"
        )
    worst = max(TARGETED, key=lambda name: results[name]["median_ms"])
    print(
        f"\nSERVER TIME slowest calculator or result page: {PATHS[worst]}, median "
        f"{results[worst]['median_ms']:.1f} ms, p95 {results[worst]['p95_ms']:.1f} ms "
        f"(target < {TARGET_MS:.0f} ms) {'meets' if meets else 'MISSES'}"
    )
    return meets


def setup_django(directory: Path) -> None:
    """The bench settings on a fresh SQLite database in `directory`, migrated."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
            "IGNORE_DOTENV": "1",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": f"sqlite:///{directory / 'bench.sqlite3'}",
            "REDIS_URL": "",
            "DEBUG": "false",
            "STATIC_MANIFEST": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("DATABASE_REPLICA_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrated a fresh SQLite database in {time.monotonic() - started:.1f} s", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--iterations", type=int, default=150, help="requests per page")
    parser.add_argument("--check", action="store_true", help="exit 3 when a page misses")
    arguments = parser.parse_args()
    started_at = datetime.datetime.now(datetime.UTC)
    RESULT_PATH.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as directory:
        setup_django(Path(directory))
        from django.test import Client

        from benchmarks import load

        results = measure(lambda: Client(SERVER_NAME="127.0.0.1"), arguments.iterations)
        machine = {**load.host(), "load_average_at_start": [round(v, 2) for v in os.getloadavg()]}
    meets = report(results)
    RESULT_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULT_PATH.write_text(
        json.dumps(
            {
                "benchmark": "pages",
                "started_at": started_at.isoformat(timespec="seconds"),
                "machine": machine,
                "code": load.code_version(),
                "config": {
                    "settings": "benchmarks.bench_settings",
                    "database": "SQLite (fresh, migrated, in a temporary directory)",
                    "cache": "local memory",
                    "client": "django.test.Client, in-process",
                    "iterations": arguments.iterations,
                    "target_ms": TARGET_MS,
                    "targeted": TARGETED,
                    "pages": PATHS,
                },
                "results": results,
                "meets_target": meets,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written {RESULT_PATH.relative_to(ROOT)}")
    return 3 if arguments.check and not meets else 0


if __name__ == "__main__":
    sys.exit(main())
