from carbon_site.retention import audit_log_rotate

from ._job import JobCommand


class Command(JobCommand):
    help = (
        "Archive audit entries older than AUDIT_LOG_RETENTION_DAYS to AUDIT_ARCHIVE_DIR, "
        "then delete them."
    )
    job = "rotate_audit_log"
    service = staticmethod(audit_log_rotate)
