"""Settings for the load benchmark: the project's own, plus the baseline endpoint, no rate limits.

Everything else (middleware, DRF, the database options, CONN_MAX_AGE, the audit log) is exactly
what production runs, so the two endpoints are measured on the same stack.
SECRET_KEY and DATABASE_URL come from the environment (benchmarks/bench_calculation.py sets them).
"""

import warnings

from carbon_site.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
RATELIMIT_ENABLE = False
# Plain HTTP on loopback: no TLS terminator in front of gunicorn here.
SECURE_SSL_REDIRECT = False

# Nothing is collected for a benchmark and the API serves no static files: whitenoise's warning
# about the missing STATIC_ROOT is noise here.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
