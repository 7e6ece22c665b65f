"""`scripts/contract-fuzz.sh`: a verified account with data everywhere, and its access token.

The fuzzer reads and writes as this account, so every GET answers with real rows (footprints
with their actions, one action taken, goals) rather than empty lists only, and the operations
that take an id reach their real work with the ids printed here. The password is random and
never printed: the fuzzer cannot sign itself out through the password endpoints.
"""

import datetime
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User, UserProfile
from accounts.services import api_session_open
from carbon_site.http import RequestMeta
from footprints.api import DETAILED_EXAMPLE as ANSWERS
from footprints.api import QUICK_EXAMPLE as QUICK_ANSWERS
from footprints.services import footprint_record
from goals.services import goal_create
from recommendations.services import recommendation_implement

FUZZ_EMAIL = "fuzzer@example.com"
META = RequestMeta("127.0.0.1", "contract-fuzz")


class Command(BaseCommand):
    help = (
        "Create a verified account with footprints, actions and goals on a throwaway SQLite "
        "database; print its API access token and the rows' ids as KEY=value lines (for "
        "scripts/contract-fuzz.sh)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", default=FUZZ_EMAIL)

    def handle(self, *args, email: str, **options):
        engine = settings.DATABASES["default"]["ENGINE"]
        if not engine.endswith("sqlite3"):
            raise CommandError("fuzz_prepare runs on a throwaway SQLite database only.")
        if User.objects.filter(email=email).exists():
            raise CommandError(f"{email} exists already: start from an empty database.")
        with transaction.atomic():
            ids = self._account(email)
        # KEY=value lines for the shell; the schemathesis config names them.
        for name, value in ids.items():
            self.stdout.write(f"{name}={value}")

    def _account(self, email: str) -> dict[str, str]:
        user = User.objects.create_user(
            email=email,
            username=email.split("@")[0],
            password=secrets.token_urlsafe(32),
            is_verified=True,
        )
        UserProfile.objects.create(user=user, country="GB", household_size=2)
        a_year_ago = timezone.now() - datetime.timedelta(days=365)
        footprint_record(user=user, answers=ANSWERS, request_meta=META, calculation_date=a_year_ago)
        latest = footprint_record(
            user=user, answers=QUICK_ANSWERS, request_meta=META, mode="quick"
        ).footprint
        taken = recommendation_implement(
            user=user, recommendation=latest.recommendations.order_by("priority").first()
        )
        goals = [
            goal_create(
                user=user,
                goal_type="reduction_percentage",
                reduction_percentage=20,
                target_date=timezone.now().date() + datetime.timedelta(days=365 * years),
            )
            for years in (1, 2)
        ]
        _, pair = api_session_open(user=user, device_name="contract-fuzz", request_meta=META)
        return {
            "FUZZ_TOKEN": pair.access,
            "FUZZ_FOOTPRINT_UUID": str(latest.calculation_uuid),
            "FUZZ_RECOMMENDATION_UUID": str(taken.uuid),
            "FUZZ_GOAL_UUID": str(goals[0].uuid),
            "FUZZ_SPARE_GOAL_UUID": str(goals[1].uuid),  # for DELETE, which spends it
        }
