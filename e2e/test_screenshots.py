"""A full-page screenshot of each main page, at desktop width and at 375 px, in
var/screenshots/<desktop|phone>/ (git-ignored), for people to look at. Each page is also checked
as everywhere else: its heading, no sideways scrolling, nothing reported by the browser.

The signed-in pages show a person with a year of history, a goal and an action done, made
through the services (the journey test makes them through the pages).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory, UserProfileFactory
from carbon_site.http import RequestMeta
from footprints.services import footprint_record
from goals.services import goal_create
from recommendations.services import recommendation_implement

META = RequestMeta("127.0.0.1", "e2e screenshots")
HOME = "Know your carbon footprint, and cut it"


def answers(car_km: int, gas_kwh: int, diet: str) -> dict:
    return {
        "country": "GB",
        "household_size": 2,
        "electricity": {"kwh_per_year": 2700, "renewable_share": 0.2},
        "heating": {"natural_gas_kwh_per_year": gas_kwh},
        "transportation": {
            "car_km_per_year": car_km,
            "car_fuel": "petrol",
            "rail_km_per_year": 1500,
            "flights_short_haul_per_year": 2,
        },
        "waste": {"kg_per_week": 8, "recycling_share": 0.4},
        "lifestyle": {"diet": diet, "clothing_spend_per_month": 60},
        "other": {"services_spend_per_month": 150},
    }


@pytest.fixture
def person():
    """Four calculations over nine months, each lower, then a goal and one action done."""
    user = UserFactory(email="alex.green@example.com", username="alexgreen")
    UserProfileFactory(user=user)
    now = timezone.now()
    history = [
        (270, answers(14_000, 13_000, "high_meat")),
        (180, answers(12_000, 12_000, "average")),
        (90, answers(10_000, 11_500, "average")),
        (0, answers(8_000, 11_000, "low_meat")),
    ]
    latest = None
    for days_ago, given in history:
        latest = footprint_record(
            user=user,
            answers=given,
            request_meta=META,
            calculation_date=now - datetime.timedelta(days=days_ago) if days_ago else None,
        ).footprint
    goal = goal_create(
        user=user,
        goal_type="reduction_percentage",
        reduction_percentage=Decimal(25),
        target_date=now.date() + datetime.timedelta(days=540),
        description="Swap the car for the train on weekdays.",
    )
    action = latest.recommendations.order_by("priority").first()
    recommendation_implement(user=user, recommendation=action)
    return user, latest, goal


def walk_the_calculator(visitor) -> None:
    """Every step of the detailed calculator, with a few answers, a screenshot of each."""
    page = visitor.page
    fills = {
        2: [("Electricity your home uses", "3,100")],
        3: [("Mains gas", "12000")],
        4: [("Distance you drive", "9000"), ("Short-haul flights: number", "2")],
        5: [("I don't know", None)],
        6: [("Clothes and shoes", "40")],
    }
    visitor.open("/calculate/")
    for number in range(1, 9):
        title = page.locator("#step-title").inner_text()
        visitor.sees("Calculate your carbon footprint")
        expect(page.locator("#steps-count")).to_contain_text(f"Step {number} of 8")
        for label, value in fills.get(number, []):
            if value is None:
                page.get_by_label(label).check()
            else:
                page.get_by_label(label).fill(value)
        slug = title.lower().replace(" ", "-")
        visitor.shot(f"03-calculate-{number}-{slug}")
        if number < 8:
            page.get_by_role("button", name="Save and continue").click()
            expect(page.locator("#steps-count")).to_contain_text(f"Step {number + 1} of 8")


def sign_in(visitor, user) -> None:
    page = visitor.page
    visitor.open("/accounts/login/")
    visitor.sees("Sign in")
    visitor.shot("07-sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    visitor.sees("Your dashboard")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_screenshots_of_the_main_pages(browse, person, viewport):
    user, latest, goal = person
    visitor = browse(viewport)

    # What anyone sees.
    anonymous_pages = [
        ("/", HOME, "01-home"),
        ("/calculate/quick/", "Quick estimate", "02-quick"),
        ("/methodology/", "Methodology", "04-methodology"),
        ("/privacy/", "Privacy", "05-privacy"),
        ("/accounts/signup/", "Create your account", "06-sign-up"),
    ]
    for path, heading, name in anonymous_pages:
        visitor.open(path)
        visitor.sees(heading)
        visitor.shot(name)
    walk_the_calculator(visitor)

    # What the signed-in person sees.
    sign_in(visitor, user)
    signed_in_pages = [
        (f"/results/{latest.calculation_uuid}/", "Your carbon footprint", "08-result"),
        ("/dashboard/", "Your dashboard", "09-dashboard"),
        ("/history/", "Your results", "10-history"),
        ("/goals/", "Your goals", "11-goals"),
        ("/goals/new/", "Set a goal", "12-goal-new"),
        (f"/goals/{goal.uuid}/", re.compile(r"^Cut your footprint by 25\s%$"), "13-goal"),
        ("/accounts/profile/", "Your profile", "14-profile"),
        ("/accounts/devices/", "Your devices", "15-devices"),
        ("/accounts/password/", "Change your password", "16-password"),
        ("/accounts/export/", "Download your data", "17-export"),
        ("/accounts/delete/", "Delete your account", "18-delete"),
    ]
    for path, heading, name in signed_in_pages:
        visitor.open(path)
        visitor.sees(heading)
        visitor.shot(name)

    # A few things each page must show for the screenshots to mean anything.
    visitor.open("/dashboard/")
    expect(visitor.page.locator("#dashboard-meta")).to_contain_text("4 calculations since")
    expect(visitor.page.locator("#action-stats")).to_contain_text("You have done 1 action")
    visitor.open("/history/")
    expect(visitor.page.locator("#history-status")).to_have_text("4 results.")
