"""One run at a time: a lock in the shared cache that every worker, beat and cron job sees."""

import contextlib
import logging
import uuid
from collections.abc import Iterator

from django.core.cache import cache
from redis.exceptions import LockError

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def cache_lock(name: str, *, timeout_seconds: int) -> Iterator[bool]:
    """Hold the lock `name` for the block if nobody else holds it; yields whether we got it.

    Never waits. The lock expires after `timeout_seconds`, so a holder that dies does not block
    the job for ever; a holder only ever releases its own lock, never one taken after it expired.
    """
    key = f"lock:{name}"
    if hasattr(cache, "lock"):
        # django-redis: redis-py's lock (SET NX with expiry, released by a compare-and-delete).
        lock = cache.lock(key, timeout=timeout_seconds, blocking=False, thread_local=False)
        acquired = lock.acquire()
        try:
            yield acquired
        finally:
            if acquired:
                try:
                    lock.release()
                except LockError:
                    logger.warning("lock %s expired before its holder finished", name)
        return

    # Any other cache (local memory: one process): add() is atomic there.
    token = uuid.uuid4().hex
    acquired = cache.add(key, token, timeout=timeout_seconds)
    try:
        yield acquired
    finally:
        if acquired and cache.get(key) == token:
            cache.delete(key)
