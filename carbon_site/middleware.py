"""Middleware of the project's own."""

from auditlog.middleware import AuditlogMiddleware

from .http import client_ip


class AuditContextMiddleware(AuditlogMiddleware):
    """auditlog's middleware, but the address it records is the one we believe.

    auditlog reads the first X-Forwarded-For entry from anyone; ours believes it only from
    TRUSTED_PROXIES (carbon_site.http.client_ip), so a client cannot write its own address.
    """

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)
