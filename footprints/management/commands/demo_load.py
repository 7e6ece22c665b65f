"""`make demo`: a demo account with two years of monthly calculations that improve over time."""

import datetime
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User, UserProfile
from carbon_site.http import RequestMeta
from footprints.services import footprint_record
from goals.services import goal_create

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "carbon demo 2026"  # noqa: S105 - a published demo account for local use only
MONTHS = 24


def demo_answers(month: int) -> dict:
    """A UK couple who insulate, drive less, fly less and eat less meat over two years."""
    progress = month / (MONTHS - 1)
    return {
        "country": "GB",
        "household_size": 2,
        "electricity": {
            "kwh_per_year": 3400 - 900 * progress,
            "renewable_share": 1.0 if progress > 0.5 else 0.0,
        },
        "heating": {"natural_gas_kwh_per_year": 13500 - 5000 * progress},
        "transportation": {
            "car_km_per_year": 14000 - 7000 * progress,
            "car_fuel": "petrol" if progress < 0.75 else "hybrid",
            "rail_km_per_year": 500 + 2500 * progress,
            "flights_short_haul_per_year": 4 if progress < 0.4 else 2,
            "flights_long_haul_per_year": 2 if progress < 0.6 else 0,
        },
        "waste": {"kg_per_week": 10 - 3 * progress, "recycling_share": 0.3 + 0.4 * progress},
        "lifestyle": {
            "diet": "high_meat" if progress < 0.3 else "average" if progress < 0.7 else "low_meat",
            "clothing_spend_per_month": 90 - 50 * progress,
            "electronics_spend_per_month": 40,
            "other_goods_spend_per_month": 120 - 40 * progress,
        },
        "other": {"services_spend_per_month": 250},
    }


class Command(BaseCommand):
    help = f"Create (or recreate) the demo account {DEMO_EMAIL} with {MONTHS} months of history."

    @transaction.atomic
    def handle(self, *args, **options):
        User.objects.filter(email=DEMO_EMAIL).delete()
        user = User.objects.create_user(
            email=DEMO_EMAIL,
            username="demo",
            password=DEMO_PASSWORD,
            first_name="Demo",
            is_verified=True,
        )
        UserProfile.objects.create(user=user, country="GB", household_size=2)
        now = timezone.now()
        meta = RequestMeta(ip_address=None, user_agent="make demo")
        for month in range(MONTHS):
            footprint_record(
                user=user,
                answers=demo_answers(month),
                request_meta=meta,
                calculation_date=now - datetime.timedelta(days=30 * (MONTHS - 1 - month)),
            )
            if month == 12:
                goal_create(
                    user=user,
                    goal_type="reduction_percentage",
                    reduction_percentage=Decimal("30"),
                    target_date=(now + datetime.timedelta(days=365)).date(),
                    description="A third less by next year",
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo account ready: sign in as {DEMO_EMAIL} with the password “{DEMO_PASSWORD}”."
            )
        )
