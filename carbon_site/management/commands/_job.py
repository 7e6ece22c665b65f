"""What every retention command shares: run the job's service under its lock, print the summary.

(Django lists no command for a module whose name starts with an underscore.)
"""

from django.core.management.base import BaseCommand, CommandParser

from carbon_site.retention import job_run


class JobCommand(BaseCommand):
    """For cron: the same service, lock and summary as the Celery task of the same name."""

    job: str

    @staticmethod
    def service(**options):
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=None,
            help="Rows per statement (default: the CLEANUP_BATCH_SIZE setting).",
        )

    def handle(self, *args, **options) -> None:
        summary = job_run(self.job, self.service, batch_size=options["batch_size"])
        if summary is None:
            self.stdout.write(f"{self.job}: skipped, another run holds its lock")
            return
        self.stdout.write(str(summary))
