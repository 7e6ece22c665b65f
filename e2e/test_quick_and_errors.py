"""The quick calculator, and what a person sees when what they typed is refused: the error next
to the field it is about, a summary at the top, and what they typed still there to correct."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from footprints.models import CarbonFootprint

VIEWPORTS = ["desktop", "phone"]
RESULT_PATH = re.compile(r"/results/([0-9a-f-]{36})/$")


def kg(value) -> str:
    return f"{float(value):,.0f}"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_quick_calculator_gives_an_estimate_with_its_range(browse, viewport):
    visitor = browse(viewport)
    page = visitor.page
    visitor.open("/")
    page.get_by_role("main").get_by_role("link", name="Quick estimate in one minute").click()
    visitor.sees("Quick estimate")

    expect(page.get_by_label("Country")).to_have_value("GB")
    page.get_by_label("People in your household").select_option("2")
    page.get_by_label("50–100 m²").check()
    page.get_by_label("Terraced house").check()
    page.get_by_label("Gas", exact=True).check()
    page.get_by_label("Under 5,000 km a year").check()
    page.get_by_label("1–2").check()
    page.get_by_label("Vegetarian", exact=True).check()
    page.get_by_role("button", name="Estimate my footprint").click()

    expect(page).to_have_url(RESULT_PATH)
    visitor.sees("Your carbon footprint")
    footprint = CarbonFootprint.objects.get(calculation_uuid=RESULT_PATH.search(page.url)[1])
    assert footprint.mode == "quick" and footprint.user is None
    expect(page.locator(".result-meta")).to_contain_text("Quick estimate for United Kingdom")
    expect(page.locator("#total .total-number")).to_have_text(
        f"{float(footprint.total_emissions) / 1000:,.1f}"
    )
    expect(page.locator(".total-card")).to_contain_text(re.compile(r"Likely between [\d,]+"))
    table = page.locator("#breakdown-table")
    expect(table.get_by_role("columnheader", name="Likely range")).to_be_visible()
    expect(table.locator("tfoot")).to_contain_text(kg(footprint.total_emissions))
    expect(page.get_by_role("heading", name="Keep this result")).to_be_visible()
    expect(page.get_by_role("heading", name="How you compare")).to_be_visible()


def field_errors(page, input_id: str):
    """The errors shown in the same field block as the input."""
    return page.locator(f".field:has(#{input_id}) .errorlist")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_negative_number_is_refused_beside_its_field(browse, viewport):
    visitor = browse(viewport)
    page = visitor.page
    visitor.open("/calculate/")
    visitor.sees("Calculate your carbon footprint")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#steps-count")).to_have_text("Step 2 of 8: Electricity")

    page.get_by_label("Electricity your home uses").fill("-250")
    page.get_by_label("Share from a renewable tariff").fill("150")
    page.get_by_role("button", name="Save and continue").click()

    # Still on the same step, told what is wrong, next to each field and at the top.
    visitor.sees("Calculate your carbon footprint")
    expect(page).to_have_title(re.compile(r"^Error: Electricity \(step 2 of 8\)"))
    expect(page.locator("#steps-count")).to_have_text("Step 2 of 8: Electricity")
    expect(field_errors(page, "id_kwh_per_year")).to_have_text("Must not be negative.")
    expect(page.locator("#id_kwh_per_year_field")).to_have_class(re.compile(r"\bfield-invalid\b"))
    expect(page.get_by_label("Electricity your home uses")).to_have_value("-250")
    expect(field_errors(page, "id_renewable_percent")).to_have_text(
        "Must be a percentage from 0 to 100."
    )
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("There is a problem with your answers")
    expect(
        summary.get_by_role("link", name=re.compile("^Electricity your home uses"))
    ).to_have_attribute("href", "#id_kwh_per_year")
    expect(summary.get_by_role("link")).to_have_count(2)
    visitor.shot("calculate-step-errors")

    # Corrected, the calculator moves on.
    page.get_by_label("Electricity your home uses").fill("2700")
    page.get_by_label("Share from a renewable tariff").fill("")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#steps-count")).to_have_text("Step 3 of 8: Heating")
    expect(page.locator("#error-summary")).to_have_count(0)
    visitor.check_layout()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_invalid_sign_up_shows_what_to_correct(browse, viewport):
    taken = UserFactory(email="taken@example.com", username="taken")
    visitor = browse(viewport)
    page = visitor.page
    visitor.open("/accounts/signup/")
    visitor.sees("Create your account")

    def sign_up(email: str, username: str, password: str) -> None:
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign up").click()

    # The browser lets "sam@example" through (type=email); the site does not.
    sign_up("sam@example", "sam green!", "a long walk to the allotment 42")
    visitor.sees("Create your account")
    expect(field_errors(page, "id_email")).to_have_text("Enter a valid email address.")
    expect(field_errors(page, "id_username")).to_contain_text("Enter a valid username")
    expect(page.get_by_label("Email address")).to_have_value("sam@example")
    visitor.shot("signup-errors")

    sign_up(taken.email, "sam", "a long walk to the allotment 42")
    visitor.sees("Create your account")
    expect(field_errors(page, "id_email")).to_have_text(
        "An account with this email address already exists."
    )
    expect(field_errors(page, "id_username")).to_have_count(0)

    sign_up("sam@example.com", "sam", "123")
    visitor.sees("Create your account")
    password_errors = field_errors(page, "id_password")
    expect(password_errors).to_contain_text("This password is too short.")
    expect(password_errors).to_contain_text("This password is entirely numeric.")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Sign in")

    sign_up("sam@example.com", "sam", "a long walk to the allotment 42")
    visitor.sees("Your dashboard")
    visitor.told("Welcome! Check your inbox: we sent a link to sam@example.com")


def test_the_browser_watch_catches_a_csp_violation(browse):
    """The check every page passes is real: an inline script, refused by the site's Content
    Security Policy, is reported (and would fail the test that caused it)."""
    visitor = browse("desktop")
    visitor.open("/privacy/")
    visitor.sees("Privacy")
    visitor.page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
        }"""
    )
    for _ in range(50):  # the messages arrive through the browser's event stream
        if "CSP violation" in "\n".join(visitor.problems):
            break
        visitor.page.wait_for_timeout(100)
    reported = "\n".join(visitor.problems)
    assert "Content Security Policy" in reported
    assert "CSP violation: script-src" in reported
    assert visitor.page.evaluate("() => window.injected === undefined")
    visitor.problems.clear()  # seen and expected: not a failure of this test
