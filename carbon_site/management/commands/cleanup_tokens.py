from carbon_site.retention import tokens_cleanup_expired

from ._job import JobCommand


class Command(JobCommand):
    help = "Forget email-verification and password-reset token hashes past their validity."
    job = "cleanup_tokens"
    service = staticmethod(tokens_cleanup_expired)
