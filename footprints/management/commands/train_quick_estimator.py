import json
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from footprints.engine.estimator import QuickEstimator
from footprints.engine.methodology import REPORT_FILE


class Command(BaseCommand):
    help = "Train the quick-mode estimator on the detailed engine and print its accuracy."

    def add_arguments(self, parser):
        default = getattr(settings, "QUICK_ESTIMATOR_PATH", None) or (
            Path(settings.BASE_DIR) / "var" / "models" / "quick_estimator.skops"
        )
        parser.add_argument("--output", default=str(default))
        parser.add_argument("--samples", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument(
            "--update-report",
            action="store_true",
            help="Also copy the report to the engine's committed report (for methodology.md).",
        )

    def handle(self, *args, output: str, samples: int, seed: int, update_report: bool, **opts):
        estimator = QuickEstimator.train(n_samples=samples, seed=seed)
        estimator.save(output)
        self.stdout.write(json.dumps(dict(estimator.report), indent=2, sort_keys=True))
        if update_report:
            shutil.copyfile(f"{output}.json", REPORT_FILE)
        self.stdout.write(self.style.SUCCESS(f"Saved {output}."))
