"""Runtime configuration staff edit in admin (system_config), read through the cache.

Known keys, and what the site does while a row is absent:

| key | value | absent |
|---|---|---|
| `site_banner` | a message shown on every page; `""` for none | no banner |
| `quick_mode` | `true` / `false` (or `{"enabled": bool}`) | on |
| `anonymous_calculations` | `true` / `false` (or `{"enabled": bool}`) | on |
| `signups_open` | `true` / `false` (or `{"enabled": bool}`) | on |
| `maintenance` | `{"enabled": bool, "message": str, "retry_after_seconds": int}` | off |

Every row is read at once and cached under one key. A write through `system_config_set` or the
admin drops that key at once and again when its transaction commits (a reader that loaded the old
rows in between cannot keep them), and the cached copy expires after CACHE_SECONDS anyway.
If the cache is down the rows are read from the database; if the database cannot be read, the
defaults above apply.
"""

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.functional import SimpleLazyObject
from redis.exceptions import RedisError

from .errors import FeatureDisabled
from .models import SystemConfig

logger = logging.getLogger(__name__)

CACHE_KEY = "system-config:v1"
CACHE_SECONDS = 300
CACHE_ERRORS = (RedisError, OSError)

FEATURE_DEFAULTS = {
    "quick_mode": True,
    "anonymous_calculations": True,
    "signups_open": True,
}
FEATURE_MESSAGES = {
    "quick_mode": (
        "The quick estimate is switched off for the moment. The detailed calculator still works."
    ),
    "anonymous_calculations": (
        "Calculations without an account are paused for the moment. Please sign in to calculate "
        "your footprint."
    ),
    "signups_open": "New sign-ups are closed for the moment. Please come back later.",
}
BANNER_KEY = "site_banner"
MAINTENANCE_KEY = "maintenance"
DEFAULT_MAINTENANCE_MESSAGE = "carbon_site is down for maintenance. Please try again shortly."
DEFAULT_RETRY_AFTER_SECONDS = 600


@dataclass(frozen=True)
class MaintenanceState:
    enabled: bool = False
    message: str = DEFAULT_MAINTENANCE_MESSAGE
    retry_after_seconds: int = DEFAULT_RETRY_AFTER_SECONDS


# --- Reading ------------------------------------------------------------------------------------


def system_config_values() -> dict[str, Any]:
    """Every system_config row as {key: value}: from the cache when it has them."""
    try:
        values = cache.get(CACHE_KEY)
    except CACHE_ERRORS:
        logger.warning("cache unavailable, reading system_config from the database")
        values = None
    if values is not None:
        return values
    try:
        values = dict(SystemConfig.objects.values_list("key", "value"))
    except DatabaseError:
        logger.warning("system_config unreadable, using the defaults", exc_info=True)
        return {}
    try:
        cache.set(CACHE_KEY, values, CACHE_SECONDS)
    except CACHE_ERRORS:
        logger.warning("cache unavailable, system_config not cached")
    return values


def site_setting(key: str, default: Any = None) -> Any:
    """The value of one system_config row, or `default` when there is none."""
    return system_config_values().get(key, default)


def site_banner() -> str:
    """The message staff want on every page ("" for none)."""
    banner = site_setting(BANNER_KEY, "")
    return banner.strip() if isinstance(banner, str) else ""


def _flag_value(value: Any, default: bool) -> bool:
    if isinstance(value, dict):
        value = value.get("enabled")
    return value if isinstance(value, bool) else default


def _known_feature(name: str) -> str:
    if name not in FEATURE_DEFAULTS:
        raise ValueError(f"Unknown feature flag {name!r}; known: {', '.join(FEATURE_DEFAULTS)}.")
    return name


def feature_enabled(name: str) -> bool:
    """Whether the feature is on: its row's value, else its default (FEATURE_DEFAULTS)."""
    return _flag_value(site_setting(_known_feature(name)), FEATURE_DEFAULTS[name])


def feature_flags() -> dict[str, bool]:
    """Every known feature flag with its current state (for templates)."""
    values = system_config_values()
    return {
        name: _flag_value(values.get(name), default) for name, default in FEATURE_DEFAULTS.items()
    }


def maintenance_state() -> MaintenanceState:
    """Whether the site is in maintenance mode, with the message and Retry-After to answer."""
    value = site_setting(MAINTENANCE_KEY)
    if isinstance(value, bool):
        return MaintenanceState(enabled=value)
    if not isinstance(value, dict) or value.get("enabled") is not True:
        return MaintenanceState()
    message = value.get("message")
    if not isinstance(message, str) or not message.strip():
        message = DEFAULT_MAINTENANCE_MESSAGE
    retry_after = value.get("retry_after_seconds")
    if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 1:
        retry_after = DEFAULT_RETRY_AFTER_SECONDS
    return MaintenanceState(enabled=True, message=message.strip(), retry_after_seconds=retry_after)


def template_context() -> dict[str, Any]:
    """What every template may show: read only if the template uses it."""
    return {
        "site_banner": SimpleLazyObject(site_banner),
        "features": SimpleLazyObject(feature_flags),
    }


# --- Closed features ------------------------------------------------------------------------------


def feature_check(name: str) -> None:
    """Raise FeatureDisabled (403 `feature_disabled`) if staff have switched the feature off."""
    if not feature_enabled(name):
        raise FeatureDisabled(FEATURE_MESSAGES[name])


def feature_required(name: str) -> Callable:
    """Decorate a page view or an API view's method: refused while the feature is off.

    The API answers 403 `{"detail": ..., "code": "feature_disabled"}` (the one DRF handler);
    pages answer the friendly 403 page (carbon_site.maintenance.FeatureDisabledPageMiddleware).
    """
    _known_feature(name)

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def checked(*args, **kwargs):
            feature_check(name)
            return view(*args, **kwargs)

        return checked

    return decorate


# --- Writing --------------------------------------------------------------------------------------


def _value_error(message: str) -> ValidationError:
    return ValidationError({"value": [message]})


def system_config_validate(*, key: str, value: Any) -> None:
    """Refuse a value of the wrong shape for a key the site reads (other keys take any JSON)."""
    if key in FEATURE_DEFAULTS and not isinstance(_flag_value(value, None), bool):
        raise _value_error('A feature flag is true or false (or {"enabled": true/false}).')
    if key == BANNER_KEY and not isinstance(value, str):
        raise _value_error('The banner is a JSON string: "Your message", or "" for none.')
    if key == MAINTENANCE_KEY:
        if not isinstance(value, dict) or not isinstance(value.get("enabled"), bool):
            raise _value_error(
                'Maintenance is {"enabled": true/false, "message": "...", '
                '"retry_after_seconds": 600}.'
            )
        if not isinstance(value.get("message", ""), str):
            raise _value_error("The maintenance message is a string.")
        retry_after = value.get("retry_after_seconds", DEFAULT_RETRY_AFTER_SECONDS)
        if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 1:
            raise _value_error("retry_after_seconds is a whole number of seconds, at least 1.")


def system_config_cache_clear() -> None:
    """Make every process read system_config afresh: now, and once the transaction commits."""

    def clear() -> None:
        try:
            cache.delete(CACHE_KEY)
        except CACHE_ERRORS:
            logger.warning("cache unavailable, system_config may be stale for %ss", CACHE_SECONDS)

    clear()
    transaction.on_commit(clear)


@transaction.atomic
def system_config_set(
    *, key: str, value: Any, user=None, description: str | None = None
) -> SystemConfig:
    """Create or change one setting and make every process see it."""
    system_config_validate(key=key, value=value)
    defaults: dict[str, Any] = {
        "value": value,
        "updated_by": user,
        "is_feature_flag": key in FEATURE_DEFAULTS,
    }
    if description is not None:
        defaults["description"] = description
    row, _ = SystemConfig.objects.update_or_create(key=key, defaults=defaults)
    system_config_cache_clear()
    return row
