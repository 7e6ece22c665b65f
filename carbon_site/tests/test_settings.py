"""Settings come from the environment: each knob read in a fresh interpreter."""

import json
import os

import pytest

from carbon_site.tests.processes import python_run

PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "debug": settings.DEBUG,
    "engine": db["ENGINE"],
    "options": db.get("OPTIONS", {}),
    "conn_max_age": db["CONN_MAX_AGE"],
    "conn_health_checks": db["CONN_HEALTH_CHECKS"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "silenced": settings.SILENCED_SYSTEM_CHECKS,
    "hosts": settings.ALLOWED_HOSTS,
    "cors": settings.CORS_ALLOWED_ORIGINS,
    "ratelimit": settings.RATELIMIT_ENABLE,
    "email_backend": settings.EMAIL_BACKEND,
    "hashers": settings.PASSWORD_HASHERS[:1],
    "storage": settings.STORAGES["staticfiles"]["BACKEND"],
    "renderers": settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"],
}))
"""


def read_settings(**environment: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            (
                "DATABASE_URL",
                "REDIS_URL",
                "DEBUG",
                "SECRET_KEY",
                "ALLOWED_HOSTS",
                "EMAIL_URL",
                "CORS_",
                "RATELIMIT_",
                "STATIC_MANIFEST",
            )
        )
    }
    env.update(DJANGO_SETTINGS_MODULE="carbon_site.settings", IGNORE_DOTENV="1", **environment)
    completed = python_run("-c", PROBE, environment=env)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_defaults_are_sqlite_local_cache_and_inline_tasks_with_debug_off():
    values = read_settings(SECRET_KEY="x" * 50)
    assert values["debug"] is False
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["eager"] is True
    assert values["silenced"] == ["django_ratelimit.E003", "django_ratelimit.W001"]
    assert values["hosts"] == []
    assert values["ratelimit"] is True
    assert values["renderers"] == ["rest_framework.renderers.JSONRenderer"]


def test_mysql_url_uses_utf8mb4_strict_mode_and_persistent_checked_connections():
    values = read_settings(
        SECRET_KEY="x" * 50, DATABASE_URL="mysql://carbon:secret@db.internal:3306/carbon"
    )
    assert values["engine"] == "django.db.backends.mysql"
    assert values["options"]["charset"] == "utf8mb4"
    assert values["options"]["collation"] == "utf8mb4_unicode_ci"
    assert "STRICT_TRANS_TABLES" in values["options"]["init_command"]
    assert values["conn_max_age"] == 60
    assert values["conn_health_checks"] is True


def test_redis_url_switches_cache_broker_and_queued_tasks_and_unsilences_ratelimit():
    values = read_settings(SECRET_KEY="x" * 50, REDIS_URL="redis://cache.internal:6379/0")
    assert values["cache"] == "django_redis.cache.RedisCache"
    assert values["broker"] == "redis://cache.internal:6379/0"
    assert values["eager"] is False
    assert values["silenced"] == []


def test_lists_and_flags_are_parsed_from_the_environment():
    values = read_settings(
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="carbon.example,www.carbon.example",
        CORS_ALLOWED_ORIGINS="https://app.carbon.example",
        RATELIMIT_ENABLE="false",
        EMAIL_URL="smtp://mailer:secret@smtp.example:587",
    )
    assert values["hosts"] == ["carbon.example", "www.carbon.example"]
    assert values["cors"] == ["https://app.carbon.example"]
    assert values["ratelimit"] is False
    assert values["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"


def test_production_hashes_with_bcrypt_sha256_and_manifest_static_files():
    values = read_settings(SECRET_KEY="x" * 50)
    assert values["hashers"] == ["django.contrib.auth.hashers.BCryptSHA256PasswordHasher"]
    assert values["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_debug_turns_on_the_browsable_api_and_local_hosts():
    values = read_settings(DEBUG="1")
    assert values["debug"] is True
    assert "rest_framework.renderers.BrowsableAPIRenderer" in values["renderers"]
    assert values["hosts"] == ["127.0.0.1", "localhost"]


@pytest.mark.parametrize("debug", ["0", ""])
def test_a_web_process_without_a_secret_key_is_refused_outside_debug(debug):
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="carbon_site.settings", IGNORE_DOTENV="1", DEBUG=debug or "false"
    )
    completed = python_run("-c", "import carbon_site.wsgi", environment=env)
    assert completed.returncode != 0
    assert "SECRET_KEY must be set" in completed.stderr


def test_management_commands_run_without_a_secret_key_and_the_deploy_check_flags_it():
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG"}}
    env.update(DJANGO_SETTINGS_MODULE="carbon_site.settings", IGNORE_DOTENV="1")
    makemigrations = python_run(
        "manage.py", "makemigrations", "--check", "--dry-run", environment=env
    )
    assert makemigrations.returncode == 0, makemigrations.stderr
    deploy = python_run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        environment={**env, "ALLOWED_HOSTS": "example.com"},
    )
    assert deploy.returncode != 0
    assert "security.W009" in deploy.stderr + deploy.stdout
