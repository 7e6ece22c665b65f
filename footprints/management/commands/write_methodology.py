from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from footprints import engine


class Command(BaseCommand):
    help = "Write docs/methodology.md from the engine's factor data (--check: fail if stale)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Exit non-zero if it differs.")
        parser.add_argument("--output", default=None, help="Default: docs/methodology.md")

    def handle(self, *args, check: bool, output: str | None, **options):
        path = Path(output) if output else Path(settings.BASE_DIR) / "docs" / "methodology.md"
        markdown = engine.methodology_markdown()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if check:
            if current != markdown:
                raise CommandError(f"{path} is out of date: run manage.py write_methodology.")
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}."))
