"""carbon_site settings: one file, every knob from the environment (see .env.example).

The difference between a laptop and production is the environment. Defaults are safe (DEBUG off,
no hosts) except that with no DATABASE_URL and no REDIS_URL the site runs on SQLite, a local-memory
cache and inline Celery tasks, so `make run` needs nothing but Python.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

from carbon_site.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
RUNNING_TESTS = "pytest" in sys.modules

env = environ.Env()
# IGNORE_DOTENV=1 makes checks (make test, the settings tests) independent of a developer's .env.
if (BASE_DIR / ".env").exists() and not RUNNING_TESTS and not env.bool("IGNORE_DOTENV", False):
    env.read_env(BASE_DIR / ".env")

# --- Core -------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
# Management commands (makemigrations, check) work in a fresh checkout without a key; a web
# process refuses to start without one unless DEBUG is on (carbon_site/wsgi.py), and
# `check --deploy` flags the placeholder (its "django-insecure-" prefix).
SECRET_KEY_MISSING = not SECRET_KEY
if SECRET_KEY_MISSING:
    SECRET_KEY = "django-insecure-placeholder-for-debug-tests-and-commands"  # noqa: S105
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "csp",
    "django_ratelimit",
    "auditlog",
    "carbon_site",
    "accounts",
    "footprints",
    "recommendations",
    "goals",
]

MIDDLEWARE = [
    # Outermost: one log line (with its request id) and the metrics for every answer, redirects
    # and errors included; then the replica scope, around everything that may query.
    "carbon_site.logging.RequestLogMiddleware",
    "carbon_site.metrics.MetricsMiddleware",
    "carbon_site.replica.ReplicaRequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: ends a browser session whose device was signed out.
    "accounts.middleware.BrowserSessionMiddleware",
    "carbon_site.ratelimits.RateLimitedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication (staff pass by their session) and inside the header middleware, so
    # its 503 carries the same headers as any page.
    "carbon_site.maintenance.MaintenanceModeMiddleware",
    "carbon_site.maintenance.FeatureDisabledPageMiddleware",
    "carbon_site.middleware.AuditContextMiddleware",
    # Last, so its process_exception sees a view's error first: a database outage is a 503.
    "carbon_site.failures.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "carbon_site.urls"
WSGI_APPLICATION = "carbon_site.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "carbon_site.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}


def _tune_database(database: dict) -> dict:
    """MySQL/MariaDB: utf8mb4 everywhere and strict mode, so bad data is refused, not truncated."""
    if database["ENGINE"] == "django.db.backends.mysql":
        database.setdefault("OPTIONS", {}).update(
            {
                "charset": "utf8mb4",
                "collation": "utf8mb4_unicode_ci",
                "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
                # An unreachable server fails the request in seconds (503), not after minutes.
                "connect_timeout": env.int("DB_CONNECT_TIMEOUT_SECONDS", default=3),
            }
        )
        database["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
    database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    database["CONN_HEALTH_CHECKS"] = True
    return database


DATABASES["default"] = _tune_database(DATABASES["default"])

# A read replica: selectors marked @reads_from_replica read from it (carbon_site/replica.py).
# Tests get a second alias on the test database itself (a mirror) to exercise the router.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = _tune_database(env.db_url_config(DATABASE_REPLICA_URL))
elif RUNNING_TESTS:
    DATABASES["replica"] = _tune_database(
        env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    )
if "replica" in DATABASES:
    DATABASES["replica"]["TEST"] = {**DATABASES["replica"].get("TEST", {}), "MIRROR": "default"}
DATABASE_ROUTERS = ["carbon_site.db_router.ReplicaRouter"]
# The alias marked selectors read from ("": everything reads the primary; tests switch it on).
DATABASE_READ_REPLICA = "replica" if DATABASE_REPLICA_URL else ""
# After a user writes, their reads stay on the primary this long: more than the replica's lag.
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)
# Statement time limit for web processes only (carbon_site/db_timeouts.py); 0 = none.
DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", default=0)
# Browser sessions live in the database: a Redis outage signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Cache, rate limits and Celery -------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Redis down must not take the site down: every cache call gives up within half a second and
    # answers "nothing cached" (logged), so pages are computed from the database instead; the
    # connection pool reconnects by itself once Redis is back.
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "carbon_site",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    SILENCED_SYSTEM_CHECKS = []
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # A local-memory cache is per process, so django-ratelimit warns that limits are not shared.
    # That is true and harmless for `make run` and the SQLite tests (one process); production
    # always sets REDIS_URL. Only this case is silenced.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_USE_CACHE = "default"
# With the cache unreachable django-ratelimit cannot count; it would then refuse everyone
# (should_limit with no count). Fail open instead: limits pause while Redis is down.
RATELIMIT_FAIL_OPEN = True
RATELIMIT_EXCEPTION_CLASS = "carbon_site.ratelimits.RateLimited"
# Account limits (pages and API share the counters). Per client IP, every attempt counts; per
# account (the normalised email), only failed sign-ins count, and a successful sign-in or a
# password reset clears them, so guessing cannot lock anyone out for good.
RATELIMIT_SIGNIN_IP = env("RATELIMIT_SIGNIN_IP", default="20/10m")
RATELIMIT_SIGNIN_ACCOUNT = env("RATELIMIT_SIGNIN_ACCOUNT", default="10/15m")
RATELIMIT_SIGNUP_IP = env("RATELIMIT_SIGNUP_IP", default="10/h")
RATELIMIT_PASSWORD_RESET_IP = env("RATELIMIT_PASSWORD_RESET_IP", default="10/h")
RATELIMIT_VERIFICATION_RESEND_IP = env("RATELIMIT_VERIFICATION_RESEND_IP", default="10/h")

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Tests run tasks inline even on Redis, so they can see what a task did; the worker test starts
# a real worker against the real broker instead.
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL or RUNNING_TESTS
)
CELERY_TASK_EAGER_PROPAGATES = True
# A broker outage must cost a request at most a couple of seconds, never a hang: one connection
# attempt (no retries), and short socket timeouts for a broker that accepts but never answers;
# then carbon_site.queue.task_enqueue runs the task inline. Workers and beat reconnect on their
# own (broker_connection_retry); their BRPOP is watched by kombu's health checks, not these.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "max_retries": 0,
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = CELERY_BROKER_CONNECTION_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"

# --- Auth and passwords -----------------------------------------------------------------------
PRODUCTION_PASSWORD_HASHERS = [
    # bcrypt over a SHA-256 digest: plain bcrypt silently ignores everything past 72 bytes.
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Tests hash thousands of passwords: a cheap hasher there only (a test proves production's).
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"] if RUNNING_TESTS else []
) + PRODUCTION_PASSWORD_HASHERS
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/dashboard/"

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Without collectstatic (make run, tests) whitenoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = DEBUG or RUNNING_TESTS
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not (DEBUG or RUNNING_TESTS))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Email ------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="carbon_site <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ---------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not (DEBUG or RUNNING_TESTS))
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# django-csp 4: no inline script anywhere (the Swagger UI uses drf-spectacular's split view,
# the admin has none) and no inline style, except the one fixed <style> block of
# drf-spectacular's Swagger page, allowed by its hash (carbon_site/tests/test_headers.py fails
# if it changes).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# A larger request body is refused (API: 413 `request_too_large`) before it is parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False

# --- Django REST framework, JWT, OpenAPI --------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.SessionJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "carbon_site.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "COERCE_DECIMAL_TO_STRING": False,
    "DATETIME_FORMAT": "iso-8601",
    "EXCEPTION_HANDLER": "carbon_site.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "USER_ID_FIELD": "uuid",
    "USER_ID_CLAIM": "user_uuid",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "SIGNING_KEY": SECRET_KEY,
}

# A client that retries a refresh within this many seconds is told `token_rotated`, calmly;
# the same old token after it means theft and ends the session.
JWT_ROTATION_GRACE_SECONDS = env.int("JWT_ROTATION_GRACE_SECONDS", default=30)

SPECTACULAR_SETTINGS = {
    "TITLE": "carbon_site API",
    "DESCRIPTION": (
        "Measure a yearly carbon footprint, see where it comes from, and track reductions. "
        "Emissions are kg CO2e per year per person unless a field says otherwise."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge fetched from validator.swagger.io: it would leak the schema URL and break the CSP.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # 503 on every operation, 413 where a body is read, Retry-After (carbon_site/openapi.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "carbon_site.openapi.complete_error_answers",
    ],
}

# --- Audit log --------------------------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# --- Calculations -----------------------------------------------------------------------------
# The quick estimator is trained from the engine, not committed; tests train a tiny one.
QUICK_ESTIMATOR_PATH = env(
    "QUICK_ESTIMATOR_PATH",
    default=str(
        BASE_DIR
        / "var"
        / "models"
        / ("quick_estimator_test.skops" if RUNNING_TESTS else "quick_estimator.skops")
    ),
)
QUICK_ESTIMATOR_TRAINING_SAMPLES = env.int(
    "QUICK_ESTIMATOR_TRAINING_SAMPLES", default=600 if RUNNING_TESTS else 20_000
)
CLAIM_TOKEN_LIFETIME_DAYS = env.int("CLAIM_TOKEN_LIFETIME_DAYS", default=30)
RATELIMIT_ANONYMOUS_CALCULATION = env("RATELIMIT_ANONYMOUS_CALCULATION", default="60/h")

# --- Retention and periodic jobs (docs/operations.md) ------------------------------------------
AUDIT_LOG_RETENTION_DAYS = env.int("AUDIT_LOG_RETENTION_DAYS", default=365)
# Older audit entries are written to gzipped JSON lines here, checked, then deleted.
AUDIT_ARCHIVE_DIR = env("AUDIT_ARCHIVE_DIR", default=str(BASE_DIR / "var" / "audit-archive"))
ANONYMOUS_METADATA_RETENTION_DAYS = env.int("ANONYMOUS_METADATA_RETENTION_DAYS", default=30)
REVOKED_SESSION_RETENTION_DAYS = env.int("REVOKED_SESSION_RETENTION_DAYS", default=30)
# Rows per statement: small enough that no cleanup holds locks for long on a large table.
CLEANUP_BATCH_SIZE = env.int("CLEANUP_BATCH_SIZE", default=1000)

# Times are UTC (docs/operations.md, "Periodic jobs"); the nightly cleanups start before the
# 02:45 backup. Each takes a lock, so a second beat or a cron run at the same time skips; `expires`
# drops a run that waited in the queue past its slot (the next one comes anyway).
CELERY_BEAT_SCHEDULE = {
    "cleanup-sessions": {
        "task": "carbon_site.tasks.cleanup_sessions",
        "schedule": crontab(minute=10, hour=2),
        "options": {"expires": 6 * 3600},
    },
    "cleanup-tokens": {
        "task": "carbon_site.tasks.cleanup_tokens",
        "schedule": crontab(minute=20, hour=2),
        "options": {"expires": 6 * 3600},
    },
    "anonymise-calculations": {
        "task": "carbon_site.tasks.anonymise_calculations",
        "schedule": crontab(minute=30, hour=2),
        "options": {"expires": 6 * 3600},
    },
    "rotate-audit-log": {
        "task": "carbon_site.tasks.rotate_audit_log",
        "schedule": crontab(minute=40, hour=2),
        "options": {"expires": 6 * 3600},
    },
    "mark-missed-goals": {
        "task": "goals.tasks.mark_missed_goals",
        "schedule": crontab(minute=5, hour=0),
        "options": {"expires": 6 * 3600},
    },
    # Staff analytics: the last few days recounted (footprints.analytics), every ten minutes.
    "refresh-daily-summary": {
        "task": "footprints.tasks.refresh_daily_summary",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 9 * 60},
    },
    # Staff analytics: implementation rates recounted into action_rate_summary (recommendations),
    # hourly; a full pass over recommendations, so not more often.
    "refresh-action-rates": {
        "task": "recommendations.tasks.refresh_action_rates",
        "schedule": crontab(minute=25),
        "options": {"expires": 50 * 60},
    },
}

# --- Logging, metrics --------------------------------------------------------------------------
# JSON lines in production, readable text in DEBUG (carbon_site/logging.py): one line per request.
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = logging_config(json_lines=LOG_FORMAT == "json", level=LOG_LEVEL)
# Celery workers log through the same handlers instead of installing their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The bearer token a Prometheus scraper presents at /metrics (staff may read it signed in).
METRICS_TOKEN = env("METRICS_TOKEN", default="")
