"""What a request says about where it came from, believed only as far as our proxies allow."""

import ipaddress
from dataclasses import dataclass

from django.conf import settings

USER_AGENT_MAX_LENGTH = 512


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for trusted in settings.TRUSTED_PROXIES:
        try:
            if ip in ipaddress.ip_network(trusted, strict=False):
                return True
        except ValueError:
            continue
    return False


def _valid_ip(candidate: str) -> str | None:
    try:
        return str(ipaddress.ip_address(candidate.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address. X-Forwarded-For is believed only when it comes from TRUSTED_PROXIES.

    Walk the forwarded chain from the right, skipping our own proxies: the first address that is
    not one of ours is the client (anything left of it could have been written by the client).
    """
    remote = _valid_ip(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None or not _is_trusted_proxy(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop for hop in (_valid_ip(part) for part in forwarded.split(",")) if hop]
    for hop in reversed(hops):
        if not _is_trusted_proxy(hop):
            return hop
    return hops[0] if hops else remote


@dataclass(frozen=True)
class RequestMeta:
    """The personal metadata a write may keep about the request that made it."""

    ip_address: str | None
    user_agent: str

    @classmethod
    def from_request(cls, request) -> "RequestMeta":
        user_agent = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX_LENGTH]
        return cls(ip_address=client_ip(request), user_agent=user_agent)

    def as_fields(self) -> dict:
        return {"ip_address": self.ip_address, "user_agent": self.user_agent}
