"""Load benchmark: signing in, through the form and through the API, against one password check.

Both ways people sign in, with the right password of a user with a history (`manage.py
demo_load`), rate limits off:
- `form`: POST /accounts/login/ as a browser sends it (CSRF cookie and token from the sign-in
  page, form-encoded email and password); it answers 302 to the dashboard, having opened a
  Django session and its user_sessions row and written the security event;
- `api`: POST /api/v1/auth/token/ with JSON; it answers 200 with a token pair, having opened an
  API session row and an outstanding refresh token.
The baseline is benchmarks/baseline.py's `password_check` (/bench/password-check/): a form POST
that reads the account by email and checks the password with the same hasher (bcrypt-SHA256),
answering 204. Hashing dominates all three on purpose: the ratios show what signing in costs
above the one hash it cannot avoid.

gunicorn (2 sync workers) on a fresh MariaDB database `carbon_site_bench_signin`, Redis as the
cache (its own key prefix), wrk on loopback, the order alternating between rounds; see
benchmarks/load.py and docs/performance.md. Writes var/bench/signin.json, drops the database.
Exit status 1 on a wrong answer or a failure.

Run: .venv/bin/python benchmarks/bench_signin.py [--rounds 3] [--duration 6]
"""

import json
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import load
from benchmarks.load import Comparison, Endpoint


def endpoints(port: int, account: dict) -> dict[str, Endpoint]:
    credentials = {"email": account["email"], "password": account["password"]}
    return {
        "baseline": Endpoint(
            "/bench/password-check/",
            method="POST",
            body=urlencode(credentials),
            headers=load.FORM_HEADERS,
            expect=204,
        ),
        "form": load.signin_form(port, **credentials),
        "api": Endpoint(
            load.API_SIGNIN_PATH,
            method="POST",
            body=json.dumps({**credentials, "device_name": "benchmark"}),
            headers=load.JSON_HEADERS,
            expect=200,
        ),
    }


COMPARISON = Comparison(
    name="signin",
    title="Signing in (form POST, API token) against one password check with the same hasher",
    endpoints=endpoints,
    # Each request hashes a password (about 0.2 s with bcrypt): a few are enough in-process.
    iterations_of={"baseline": 5, "form": 5, "api": 5},
    expected="the expected status (204, 302 for the form, 200 for the API)",
)

if __name__ == "__main__":
    sys.exit(load.comparison_main(COMPARISON, __doc__, duration=6, warmup=2, quiet_wait=10))
