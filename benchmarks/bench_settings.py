"""Settings for the benchmarks: the project's own, plus the baseline endpoints, no rate limits.

Everything else (middleware, DRF, the database options, CONN_MAX_AGE, the audit log) is exactly
what production runs, so a benchmark and its baseline are measured on the same stack.
SECRET_KEY, DATABASE_URL and REDIS_URL come from the environment (benchmarks/load.py sets them
for the load benchmarks, benchmarks/bench_pages.py for the page benchmark).
"""

import os
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

# With Redis (BENCH_REDIS_URL), each benchmark keeps its cache keys under its own prefix (its
# database's name), so benchmarks sharing one Redis database never read each other's entries and
# each removes only its own keys at the end.
_cache = CACHES["default"]  # noqa: F405
if "KEY_PREFIX" in _cache:
    _cache["KEY_PREFIX"] = os.environ.get("BENCH_CACHE_KEY_PREFIX", _cache["KEY_PREFIX"])
