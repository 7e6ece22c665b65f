"""Rate limits on the shared cache (django-ratelimit), keyed by what we decide to count.

Over a limit, the API answers 429 `rate_limited` with Retry-After (the one DRF handler maps
`RateLimited`), and pages answer the friendly 429 page (`RateLimitedPageMiddleware`).
`RATELIMIT_EXCEPTION_CLASS` names `RateLimited` too, so django-ratelimit's own decorator, if
anyone uses it, never falls back to its default 403.
"""

import ipaddress

from django.conf import settings
from django.core.cache import caches
from django.shortcuts import render
from django_ratelimit import ALL
from django_ratelimit.core import _get_window, _make_cache_key, _split_rate, get_usage

from .errors import ApplicationError
from .http import client_ip

DEFAULT_MESSAGE = "Too many requests. Please wait a little and try again."
# IPv6 clients usually hold a whole /64: count it as one address, as django-ratelimit does.
IPV6_PREFIX_LENGTH = 64


class RateLimited(ApplicationError):
    """Too many attempts; `retry_after` is the number of seconds left in the window."""

    status_code = 429
    default_code = "rate_limited"

    def __init__(self, message: str = DEFAULT_MESSAGE, *, retry_after: int = 60, group: str = ""):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))
        self.group = group


def client_rate_key(request) -> str:
    """The client's address as rate limits count it: IPv6 by its /64 network."""
    address = client_ip(request)
    if address is None:
        return "unknown"
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX_LENGTH}", strict=False))
    return address


def _usage(request, *, group: str, rate: str, key: str, increment: bool) -> dict | None:
    return get_usage(
        request,
        group=group,
        key=lambda _group, _request: key,
        rate=rate,
        method=ALL,
        increment=increment,
    )


def rate_limit_hit(request, *, group: str, rate: str, key: str | None = None) -> None:
    """Count one attempt for `key` (the client's IP by default); raise RateLimited past `rate`."""
    if not settings.RATELIMIT_ENABLE:
        return
    counted = key if key is not None else client_rate_key(request)
    usage = _usage(request, group=group, rate=rate, key=counted, increment=True)
    if usage is not None and usage["should_limit"]:
        raise RateLimited(retry_after=usage["time_left"], group=group)


def rate_limit_check(request, *, group: str, rate: str, key: str) -> None:
    """Raise RateLimited if `key` has already used up `rate`, without counting this attempt.

    With `rate_limit_count`, this limits only what the caller chooses to count (failures).
    """
    if not settings.RATELIMIT_ENABLE:
        return
    usage = _usage(request, group=group, rate=rate, key=key, increment=False)
    if usage is not None and (usage["should_limit"] or usage["count"] >= usage["limit"]):
        raise RateLimited(retry_after=usage["time_left"], group=group)


def rate_limit_count(request, *, group: str, rate: str, key: str) -> None:
    """Count one attempt for `key` without refusing anything now."""
    if settings.RATELIMIT_ENABLE:
        _usage(request, group=group, rate=rate, key=key, increment=True)


def rate_limit_reset(*, group: str, rate: str, key: str) -> None:
    """Forget what `key` has used of `rate` in the current window.

    django-ratelimit has no public call for this; its cache key is rebuilt with the same
    (pinned, 4.1) helpers it uses itself, and a test proves the reset works.
    """
    _, period = _split_rate(rate)
    cache_key = _make_cache_key(group, _get_window(key, period), rate, key, ALL)
    caches[settings.RATELIMIT_USE_CACHE].delete(cache_key)


class RateLimitedPageMiddleware:
    """Pages over a limit get a friendly 429 page with Retry-After, not an error page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, RateLimited):
            return None
        minutes = -(-exception.retry_after // 60)
        response = render(
            request,
            "carbon_site/rate_limited.html",
            {"retry_after": exception.retry_after, "retry_minutes": minutes},
            status=429,
        )
        response["Retry-After"] = str(exception.retry_after)
        return response
