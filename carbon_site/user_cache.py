"""Per-user cached reads, dropped as a whole when anything the user sees changes.

Each user has a version number in the cache; every cached read puts it in its key, and a write
bumps it. Nothing has to know which keys exist, and a Redis restart only costs a recomputation.
"""

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")
TIMEOUT_SECONDS = 15 * 60


def _version_key(user_id: int) -> str:
    return f"user-cache-version:{user_id}"


def user_cache_version(user_id: int) -> int:
    return cache.get_or_set(_version_key(user_id), 1, timeout=None) or 1


def user_cache_bump(user_id: int | None) -> None:
    """Forget every cached read of this user (call it after a write they would see)."""
    if user_id is None:
        return
    try:
        cache.incr(_version_key(user_id))
    except ValueError:  # no version yet: nothing cached to forget
        cache.set(_version_key(user_id), 2, timeout=None)


def user_cached(user_id: int, name: str, compute: Callable[[], T]) -> T:
    key = f"user-cache:{user_id}:v{user_cache_version(user_id)}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=TIMEOUT_SECONDS)
    return value


def user_cache_bump_after_commit(user_id: int | None) -> None:
    """Bump once the write is committed, so no reader can cache the old state under the new
    version while the transaction is still open."""
    from django.db import transaction

    if user_id is not None:
        transaction.on_commit(lambda: user_cache_bump(user_id))
