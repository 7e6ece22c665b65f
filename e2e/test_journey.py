"""The whole journey of one person, in a real browser, at desktop and at phone width.

A visitor calculates anonymously through the detailed calculator ("I don't know" for waste),
sees the result, signs up from the result's invitation, confirms the address by the emailed link,
finds the result kept on the dashboard, marks an action done, sets a goal, downloads their data,
changes the password and deletes the account. Each step checks what the person sees.
"""

from __future__ import annotations

import datetime
import json
import re
import zipfile

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from footprints.models import CarbonFootprint
from goals.models import UserGoal
from recommendations.models import Recommendation

PASSWORD = "a long walk to the allotment 42"
NEW_PASSWORD = "bicycles beat buses on tuesdays 7"
RESULT_PATH = re.compile(r"/results/([0-9a-f-]{36})/$")  # no named group: JavaScript reads it too


def kg(value) -> str:
    return f"{float(value):,.0f}"


def tonnes(value) -> str:
    return f"{float(value) / 1000:,.1f}"


def continue_to(visitor, step_title: str) -> None:
    """Save the step and arrive at the next one."""
    visitor.page.get_by_role("button", name="Save and continue").click()
    expect(visitor.page.locator("#step-title")).to_have_text(step_title)
    visitor.check_layout()
    visitor.assert_no_problems()


def calculate_in_detail(visitor) -> CarbonFootprint:
    """The detailed calculator, step by step, with "I don't know" for waste."""
    page = visitor.page
    visitor.open("/")
    visitor.sees("Know your carbon footprint, and cut it")
    page.get_by_role("main").get_by_role("link", name="Calculate your footprint").click()

    visitor.sees("Calculate your carbon footprint")
    expect(page.locator("#steps-count")).to_have_text("Step 1 of 8: Your home")
    expect(page.get_by_label("Country you live in")).to_have_value("GB")  # from Accept-Language
    page.get_by_label("People in your household").fill("2")
    continue_to(visitor, "Electricity")

    expect(page.locator("#steps-count")).to_have_text("Step 2 of 8: Electricity")
    page.get_by_label("Electricity your home uses").fill("2,700")
    page.get_by_label("Share from a renewable tariff").fill("10")
    continue_to(visitor, "Heating")

    page.get_by_label("Mains gas").fill("11500")
    continue_to(visitor, "Transport")

    page.get_by_label("Distance you drive").fill("9000")
    page.get_by_label("Car fuel").select_option("diesel")
    page.get_by_label("Train").fill("1200")
    page.get_by_label("Short-haul flights: number").fill("2")
    continue_to(visitor, "Waste")

    page.get_by_label("I don't know").check()
    continue_to(visitor, "Food and goods")

    page.get_by_label("Your diet").select_option("average")
    page.get_by_label("Clothes and shoes").fill("60")
    continue_to(visitor, "Services")

    page.get_by_role("textbox", name="Services", exact=True).fill("150")
    continue_to(visitor, "Check your answers")

    waste = page.locator(".review-section", has=page.get_by_role("heading", name="Waste"))
    expect(waste).to_contain_text("I don't know: estimated from the average for United Kingdom")
    transport = page.locator(".review-section", has=page.get_by_role("heading", name="Transport"))
    expect(transport).to_contain_text("9,000")
    page.get_by_role("button", name="Calculate my footprint").click()

    expect(page).to_have_url(RESULT_PATH)
    visitor.sees("Your carbon footprint")
    calculation_uuid = RESULT_PATH.search(page.url)[1]
    return CarbonFootprint.objects.get(calculation_uuid=calculation_uuid)


def check_result(visitor, footprint: CarbonFootprint) -> None:
    """The result page shows the stored numbers, and says which section was estimated."""
    page = visitor.page
    assert footprint.user is None and footprint.mode == "detailed"
    expect(page.locator(".result-meta")).to_contain_text("Detailed calculation for United Kingdom")
    expect(page.locator("#total .total-number")).to_have_text(tonnes(footprint.total_emissions))
    table = page.locator("#breakdown-table")
    expect(table.locator("tfoot")).to_contain_text(kg(footprint.total_emissions))
    waste_row = table.get_by_role("row", name=re.compile("^Waste"))
    expect(waste_row).to_contain_text("Estimated")
    expect(waste_row).to_contain_text(kg(footprint.waste_emissions))
    expect(table.get_by_role("row", name=re.compile("^Transport"))).to_contain_text(
        kg(footprint.transportation_emissions)
    )
    expect(page.locator(".confidence-card")).to_contain_text("confidence")
    expect(page.get_by_role("heading", name="Keep this result")).to_be_visible()


def sign_up_from_the_result(visitor, footprint: CarbonFootprint, email: str) -> User:
    page = visitor.page
    page.get_by_role("link", name="Sign up and keep this result").click()
    visitor.sees("Create your account")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Username").fill(email.split("@")[0])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    # Back on the result, which is now theirs.
    expect(page).to_have_url(re.compile(f"/results/{footprint.calculation_uuid}/$"))
    visitor.sees("Your carbon footprint")
    visitor.told(f"Check your inbox: we sent a link to {email}")
    visitor.told("We kept your 1 earlier result in your account.")
    expect(page.get_by_role("heading", name="Keep this result")).to_have_count(0)
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Dashboard")
    user = User.objects.get(email=email)
    footprint.refresh_from_db()
    assert footprint.user == user and not user.is_verified
    return user


def confirm_the_address(visitor, mailbox, user: User) -> None:
    message = mailbox.wait_for(to=user.email, subject_contains="Confirm your email address")
    link = message.link(r"/accounts/verify-email/[^/\s]+/")
    visitor.open(link)
    visitor.sees("Your profile")
    visitor.told(f"Thank you: {user.email} is confirmed.")
    expect(visitor.page.get_by_text("Your email address is not confirmed yet")).to_have_count(0)
    user.refresh_from_db()
    assert user.is_verified


def see_the_dashboard(visitor, footprint: CarbonFootprint) -> None:
    page = visitor.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    visitor.sees("Your dashboard")
    expect(page.locator("#dashboard-meta")).to_contain_text("1 calculation since")
    expect(page.locator("#total .total-number")).to_have_text(tonnes(footprint.total_emissions))
    expect(page.get_by_role("link", name="See this result in full")).to_have_attribute(
        "href", f"/results/{footprint.calculation_uuid}/"
    )
    expect(page.locator("#change-previous")).to_contain_text("This is your first calculation")


def mark_an_action_done(visitor, footprint: CarbonFootprint) -> Recommendation:
    page = visitor.page
    offered = footprint.recommendations.filter(is_implemented=False).order_by("priority")
    assert offered.exists(), "the detailed calculation offered no actions"
    first_card = page.locator("li.action").first
    title = first_card.get_by_role("heading", level=3).inner_text()
    [action] = [offered_action for offered_action in offered if offered_action.title == title]
    expect(page.locator("#action-stats")).to_contain_text("You have done 0 actions")
    first_card.get_by_role("button", name=re.compile("^I've done this")).click()

    visitor.sees("Your dashboard")
    visitor.told(f"Marked as done: {title}.")
    expect(page.locator("#action-stats")).to_contain_text(
        f"You have done 1 action, saving about {kg(action.potential_savings)}"
    )
    action.refresh_from_db()
    assert action.is_implemented
    return action


def set_a_goal(visitor, footprint: CarbonFootprint) -> UserGoal:
    page = visitor.page
    page.locator("#goals").get_by_role("link", name="Set a goal").click()
    visitor.sees("Set a goal")
    page.get_by_label("Cut by a percentage").check()
    page.get_by_label("Percentage to cut").fill("20")
    page.get_by_label("What to cut").select_option("total")
    by = timezone.now().date() + datetime.timedelta(days=365)  # the server's today (UTC)
    page.get_by_label("Reach it by").fill(by.isoformat())
    page.get_by_label("Notes (optional)").fill("Fewer car trips, a heat pump next winter.")
    page.get_by_role("button", name="Set this goal").click()

    visitor.sees(re.compile(r"^Cut your footprint by 20\s%$"))
    visitor.told("Your goal is set.")
    goal = UserGoal.objects.get(user=footprint.user)
    assert goal.reduction_percentage == 20 and goal.target_date == by
    # Measured from the latest footprint (whose actions done are already counted off).
    expect(page.locator("#progress")).to_contain_text("of the way")
    expect(page.locator("#progress")).to_contain_text("365 days left")
    expect(page.locator("#path-table")).to_contain_text("Where you started")

    page.get_by_role("link", name="All your goals").click()
    visitor.sees("Your goals")
    under_way = page.locator("#goal-stats div").filter(has=page.get_by_text("Under way"))
    expect(under_way.locator("dd")).to_have_text("1")
    expect(page.locator(".goal-list")).to_contain_text("Fewer car trips")
    return goal


def see_the_history(visitor, footprint: CarbonFootprint) -> None:
    page = visitor.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
    visitor.sees("Your results")
    expect(page.locator("#history-status")).to_have_text("1 result.")
    row = page.locator("#history-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Detailed")
    expect(row).to_contain_text(kg(footprint.total_emissions))


def download_the_data(visitor, user: User, footprint: CarbonFootprint, tmp_path) -> None:
    page = visitor.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your account").click()
    visitor.sees("Your profile")
    page.get_by_role("navigation", name="Your account").get_by_role(
        "link", name="Your data"
    ).click()
    visitor.sees("Download your data")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download my data (ZIP)").click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == "carbon_site-export.zip"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        names = set(archive.namelist())
        assert {"README.txt", "export.json"} <= names
        exported = json.loads(archive.read("export.json"))
    text = json.dumps(exported)
    assert user.email in text
    assert str(footprint.calculation_uuid) in text
    visitor.check_layout()
    visitor.assert_no_problems()


def change_the_password(visitor, user: User) -> None:
    page = visitor.page
    page.get_by_role("navigation", name="Your account").get_by_role("link", name="Password").click()
    visitor.sees("Change your password")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label(re.compile(r"^New password:?$")).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change the password").click()
    visitor.sees("Your profile")
    visitor.told("Your password is changed. 0 other devices were signed out.")

    # The new password is the one that works now.
    page.get_by_role("button", name="Sign out").click()
    visitor.sees("Know your carbon footprint, and cut it")
    visitor.told("You are signed out.")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    visitor.sees("Sign in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    visitor.sees("Your dashboard")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Your account")


def delete_the_account(visitor, user: User) -> None:
    page = visitor.page
    visitor.open("/accounts/delete/")
    visitor.sees("Delete your account")
    field = page.get_by_label("Type your email address to confirm")
    field.fill("someone.else@example.com")
    page.get_by_role("button", name="Delete my account").click()
    visitor.sees("Delete your account")
    expect(page.locator(".field .errorlist")).to_have_text(
        "This is not the email address of your account."
    )
    assert User.objects.filter(pk=user.pk).exists()

    page.get_by_label("Type your email address to confirm").fill(user.email)
    page.get_by_role("button", name="Delete my account").click()
    visitor.sees("Know your carbon footprint, and cut it")
    visitor.told("Your account and all its data have been deleted.")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Sign in")
    assert not User.objects.filter(pk=user.pk).exists()
    assert not CarbonFootprint.objects.filter(user_id=user.pk).exists()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_visitor_calculates_signs_up_and_leaves(browse, mailbox, tmp_path, viewport):
    visitor = browse(viewport)
    email = f"sam.{viewport}@example.com"

    footprint = calculate_in_detail(visitor)
    check_result(visitor, footprint)
    user = sign_up_from_the_result(visitor, footprint, email)
    confirm_the_address(visitor, mailbox, user)
    footprint.refresh_from_db()
    see_the_dashboard(visitor, footprint)
    mark_an_action_done(visitor, footprint)
    set_a_goal(visitor, footprint)
    see_the_history(visitor, footprint)
    download_the_data(visitor, user, footprint, tmp_path)
    change_the_password(visitor, user)
    delete_the_account(visitor, user)
    mailbox.wait_for(to=email, subject_contains="account has been deleted")
