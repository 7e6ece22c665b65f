"""Load benchmark: the signed-in dashboard against a bare session-authenticated page, side by side.

GET /dashboard/ for a user with a history (`manage.py demo_load`: 24 monthly calculations, their
recommendations, a goal), with the session cookie of a real sign-in through the form, against
benchmarks/baseline.py's `signed_in` (/bench/signed-in/): a view behind login_required that
answers a line of text, through the same middleware (so the same session read and
BrowserSessionMiddleware check). gunicorn (2 sync workers) on a fresh MariaDB database
`carbon_site_bench_dashboard`, Redis as the cache (its own key prefix), wrk on loopback, the order
alternating between rounds; see benchmarks/load.py and docs/performance.md.

Prints requests/s and latency percentiles per round and the ratio dashboard/baseline, writes
var/bench/dashboard.json, drops the database. Exit status 1 on a wrong answer or a failure.

Run: .venv/bin/python benchmarks/bench_dashboard.py [--rounds 3] [--duration 6]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import load
from benchmarks.load import Comparison, Endpoint

PAGE_HEADERS = {"Accept": "text/html"}


def endpoints(port: int, account: dict) -> dict[str, Endpoint]:
    cookie = load.browser_session(port, account["email"], account["password"])
    headers = {**PAGE_HEADERS, "Cookie": cookie}
    # 200 only: a lost session would answer 302 to the sign-in page and count as wrong.
    return {
        "baseline": Endpoint("/bench/signed-in/", headers=headers, expect=200),
        "dashboard": Endpoint("/dashboard/", headers=headers, expect=200),
    }


COMPARISON = Comparison(
    name="dashboard",
    title="GET /dashboard/ (signed in, with a history) against a bare session-authenticated view",
    endpoints=endpoints,
)

if __name__ == "__main__":
    sys.exit(load.comparison_main(COMPARISON, __doc__, duration=6, warmup=2, quiet_wait=10))
