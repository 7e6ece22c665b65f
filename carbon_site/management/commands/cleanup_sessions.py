from carbon_site.retention import sessions_cleanup_expired

from ._job import JobCommand


class Command(JobCommand):
    help = (
        "Delete device sessions expired or revoked past REVOKED_SESSION_RETENTION_DAYS, "
        "expired Django sessions and expired JWTs."
    )
    job = "cleanup_sessions"
    service = staticmethod(sessions_cleanup_expired)
