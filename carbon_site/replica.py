"""Which database a read may use: the replica for the selectors that ask for it, else the primary.

A selector marked `@reads_from_replica` reads from the replica (DATABASE_READ_REPLICA, set when
DATABASE_REPLICA_URL is) only when all of these hold, so nobody ever reads older data than they
have just written:

- it runs inside a web request (`ReplicaRequestMiddleware` opens the scope; tasks, commands and
  migrations always read the primary, where a read may lead to a write);
- nothing in this request has written yet (the router's `db_for_write` calls `note_write`);
- no transaction is open on the primary (a read inside a transaction belongs to it);
- the user has not written in a recent request (the middleware pins a user who wrote to the
  primary for REPLICA_PIN_SECONDS, longer than the replica's lag should ever be; the pin lives
  in the cache, so with the cache down a user may briefly see their previous state).

A selector that returns a QuerySet returns it marked with a router hint, so it goes to the
replica when it is finally evaluated, and still only if nothing has been written by then.
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import QuerySet

T = TypeVar("T")

# The alias settings.py gives the replica (DATABASE_REPLICA_URL; a mirror of default in tests).
REPLICA_DATABASE = "replica"
# The router hint a marked QuerySet carries through its clones.
REPLICA_HINT = "carbon_site_read_replica"

_in_request: ContextVar[bool] = ContextVar("replica_in_request", default=False)
_in_selector: ContextVar[bool] = ContextVar("replica_in_selector", default=False)
_wrote: ContextVar[bool] = ContextVar("replica_wrote", default=False)


def replica_alias() -> str:
    """The replica's alias, or "" when every read goes to the primary."""
    return settings.DATABASE_READ_REPLICA


def note_write() -> None:
    """Something is being written: the rest of this request reads the primary."""
    _wrote.set(True)


def wrote_in_request() -> bool:
    return _wrote.get()


def read_alias(hints: dict) -> str:
    """The alias a read with these router hints goes to."""
    alias = replica_alias()
    if (
        alias
        and _in_request.get()
        and not _wrote.get()
        and (_in_selector.get() or hints.get(REPLICA_HINT))
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
    ):
        return alias
    return DEFAULT_DB_ALIAS


@contextmanager
def request_scope() -> Iterator[None]:
    """One request: marked selectors may read the replica until something is written."""
    in_request, wrote = _in_request.set(True), _wrote.set(False)
    try:
        yield
    finally:
        _wrote.reset(wrote)
        _in_request.reset(in_request)


def _pin_key(user_id) -> str:
    return f"replica-pin:{user_id}"


def user_pinned_to_primary(user) -> bool:
    return bool(user is not None and user.pk is not None and cache.get(_pin_key(user.pk)))


def user_pin_to_primary(user) -> None:
    """Keep this user's reads on the primary while the replica may still lag behind a write."""
    cache.set(_pin_key(user.pk), 1, timeout=settings.REPLICA_PIN_SECONDS)


def reads_from_replica(selector: Callable[..., T]) -> Callable[..., T]:
    """Mark a read-only selector whose reads may go to the replica (see the module docstring)."""

    @functools.wraps(selector)
    def marked(*args, **kwargs) -> T:
        if not (replica_alias() and _in_request.get() and not _wrote.get()):
            return selector(*args, **kwargs)
        if user_pinned_to_primary(kwargs.get("user")):
            return selector(*args, **kwargs)
        token = _in_selector.set(True)
        try:
            result = selector(*args, **kwargs)
        finally:
            _in_selector.reset(token)
        if isinstance(result, QuerySet):
            # A new dict: the one a QuerySet holds may be its manager's, shared by every query.
            result._hints = {**result._hints, REPLICA_HINT: True}
        return result

    return marked


class ReplicaRequestMiddleware:
    """Opens the replica scope for each request, and pins a user who wrote to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_alias():
            return self.get_response(request)
        with request_scope():
            response = self.get_response(request)
            if wrote_in_request():
                self._pin(request)
        return response

    @staticmethod
    def _pin(request) -> None:
        try:
            # DRF puts the user it authenticated (a bearer token) on the Django request too.
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                user_pin_to_primary(user)
        except DatabaseError:
            pass  # the request failed on the database already; its answer says so
