"""Load benchmark: the stats API with a JWT against a bare JWT-authenticated DRF endpoint.

GET /api/v1/footprints/stats/ for a user with a history (`manage.py demo_load`: 24 monthly
calculations, their recommendations, a goal), with the access token of a real API sign-in
(POST /api/v1/auth/token/), against benchmarks/baseline.py's `JwtBaselineApi` (/bench/jwt/): a
DRF view with the project's JWT authentication and IsAuthenticated that answers the user's uuid.
gunicorn (2 sync workers) on a fresh MariaDB database `carbon_site_bench_stats`, Redis as the
cache (its own key prefix), wrk on loopback, the order alternating between rounds; see
benchmarks/load.py and docs/performance.md.

Prints requests/s and latency percentiles per round and the ratio stats/baseline, writes
var/bench/stats.json, drops the database. Exit status 1 on a wrong answer or a failure.

Run: .venv/bin/python benchmarks/bench_stats.py [--rounds 3] [--duration 6]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import load
from benchmarks.load import Comparison, Endpoint


def endpoints(port: int, account: dict) -> dict[str, Endpoint]:
    token = load.api_access_token(port, account["email"], account["password"])
    headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
    return {
        "baseline": Endpoint("/bench/jwt/", headers=headers, expect=200),
        "stats": Endpoint("/api/v1/footprints/stats/", headers=headers, expect=200),
    }


COMPARISON = Comparison(
    name="stats",
    title="GET /api/v1/footprints/stats/ (JWT) against a bare JWT-authenticated DRF endpoint",
    endpoints=endpoints,
)

if __name__ == "__main__":
    sys.exit(load.comparison_main(COMPARISON, __doc__, duration=6, warmup=2, quiet_wait=10))
