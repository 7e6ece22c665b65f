"""The goal pages (/goals/, /goals/new/, /goals/<uuid>/): as a person sets and follows a goal."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from footprints.tests.factories import CarbonFootprintFactory
from footprints.tests.test_views_calculator import (
    assert_error_beside,
    assert_page_structure,
    page,
)
from goals.models import UserGoal
from goals.services import NO_FOOTPRINT
from goals.tests.factories import UserGoalFactory

pytestmark = pytest.mark.django_db

GOALS = "/goals/"
NEW = "/goals/new/"


def today() -> datetime.date:
    return timezone.now().date()


def in_days(days: int) -> str:
    return (today() + datetime.timedelta(days=days)).isoformat()


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def detail(goal) -> str:
    return f"/goals/{goal.uuid}/"


def set_on(goal: UserGoal, day: datetime.date) -> UserGoal:
    UserGoal.objects.filter(pk=goal.pk).update(created_at=at(day))
    goal.refresh_from_db()
    return goal


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def unverified(client):
    person = UserFactory(is_verified=False)
    client.force_login(person)
    return person


def percentage_goal(**answers) -> dict:
    return {
        "goal_type": "reduction_percentage",
        "reduction_percentage": "20",
        "target_emissions": "",
        "category": "total",
        "target_date": in_days(365),
        "description": "Half the flights",
        **answers,
    }


# --- The list ------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (GOALS, NEW, f"/goals/{UserGoalFactory().uuid}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/goals/")


def test_no_goal_yet_invites_the_first(signed_in):
    response = signed_in.get(GOALS)
    parsed = assert_page_structure(response)
    assert "No goals yet" in parsed.text("no-goals")
    assert 'href="/goals/new/"' in response.content.decode()


def test_the_list_shows_each_goal_with_its_progress_and_the_counts(signed_in, user):
    CarbonFootprintFactory(user=user, total_emissions=Decimal("7000"))
    active = UserGoalFactory(
        user=user,
        baseline_emissions=Decimal("8000"),
        reduction_percentage=Decimal("25"),
        target_emissions=Decimal("6000"),
    )
    UserGoalFactory(
        user=user,
        goal_type=UserGoal.GoalType.TARGET_EMISSIONS,
        category="heating",
        baseline_emissions=Decimal("1500"),
        reduction_percentage=None,
        target_emissions=Decimal("1000"),
        status=UserGoal.Status.ACHIEVED,
        is_achieved=True,
        achieved_at=timezone.now(),
    )
    UserGoalFactory(user=user, status=UserGoal.Status.MISSED)
    UserGoalFactory(user=UserFactory(), description="Someone else's")
    response = signed_in.get(GOALS)
    parsed = assert_page_structure(response)
    assert parsed.text("goal-stats") == "Under way 1 Achieved 1 Missed 1"
    text = parsed.text("main")
    assert "Cut your footprint by 25 %" in text
    assert "Bring heating down to 1,000 kg a year" in text
    # 8,000 to 6,000, now 7,000: half way.
    assert "50 % of the way from 8,000 kg to 6,000 kg a year" in text
    assert "Someone else's" not in text
    progress = [attrs for tag, attrs in parsed.tags if tag == "progress"]
    assert len(progress) == 3
    assert f"goal-{active.uuid}-percent" in [p["aria-labelledby"] for p in progress]
    statuses = [
        attrs["class"] for tag, attrs in parsed.tags if "tag-status-" in attrs.get("class", "")
    ]
    assert statuses == ["tag tag-status-missed", "tag tag-status-achieved", "tag tag-status-active"]


def test_the_navigation_marks_goals_as_current(signed_in):
    assert (
        '<a href="/goals/" aria-current="page">Goals</a>' in signed_in.get(GOALS).content.decode()
    )


# --- Setting a goal ------------------------------------------------------------------------------


def test_the_form_labels_every_field_and_offers_both_kinds(signed_in):
    response = signed_in.get(NEW)
    assert response.status_code == 200
    parsed = assert_page_structure(response)
    radios = [attrs["value"] for tag, attrs in parsed.tags if attrs.get("type") == "radio"]
    assert radios == ["reduction_percentage", "target_emissions"]
    options = [attrs["value"] for tag, attrs in parsed.tags if tag == "option"]
    assert options[0] == "total" and "transportation" in options
    assert parsed.element("id_target_date")["type"] == "date"


def test_a_percentage_goal_is_set_from_the_latest_footprint(signed_in, user):
    CarbonFootprintFactory(user=user, total_emissions=Decimal("8000"))
    response = signed_in.post(NEW, percentage_goal())
    goal = UserGoal.objects.get(user=user)
    assert response.status_code == 302
    assert response["Location"] == detail(goal)
    assert goal.baseline_emissions == Decimal("8000")
    assert goal.target_emissions == Decimal("6400")
    assert goal.description == "Half the flights"
    assert "Your goal is set." in signed_in.get(response["Location"]).content.decode()


def test_a_target_goal_for_a_category_may_wait_for_a_footprint(signed_in, user):
    response = signed_in.post(
        NEW,
        percentage_goal(
            goal_type="target_emissions",
            reduction_percentage="15",  # left over from the other kind: ignored
            target_emissions="1,000".replace(",", ""),
            category="heating",
        ),
    )
    assert response.status_code == 302
    goal = UserGoal.objects.get(user=user)
    assert (goal.goal_type, goal.category, goal.target_emissions) == (
        "target_emissions",
        "heating",
        Decimal("1000"),
    )
    assert goal.reduction_percentage is None and goal.baseline_emissions is None


def test_a_percentage_goal_without_a_footprint_says_why_at_the_top(signed_in, user):
    response = signed_in.post(NEW, percentage_goal())
    assert response.status_code == 200
    parsed = assert_page_structure(response)
    assert NO_FOOTPRINT in parsed.text("error-summary")
    assert not UserGoal.objects.exists()


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        (
            {"reduction_percentage": ""},
            "reduction_percentage",
            "Enter the percentage to cut, such as 20.",
        ),
        (
            {"reduction_percentage": "120"},
            "reduction_percentage",
            "Must be a percentage from 0 to 100.",
        ),
        (
            {"reduction_percentage": "lots"},
            "reduction_percentage",
            "Enter a percentage from 0 to 100, such as 20.",
        ),
        (
            {"goal_type": "target_emissions", "target_emissions": ""},
            "target_emissions",
            "Enter the yearly total to reach in kg, such as 6000.",
        ),
        (
            {"goal_type": "target_emissions", "target_emissions": "-5"},
            "target_emissions",
            "Must not be negative.",
        ),
        ({"target_date": ""}, "target_date", "Enter the date you want to reach it by."),
        ({"target_date": "2026-02-30"}, "target_date", "Enter a real date, such as 2026-12-31."),
        ({"target_date": "2020-01-01"}, "target_date", "Must be in the future."),
        ({"category": "pets"}, "category", "Choose one of the options in the list."),
    ],
)
def test_each_mistake_is_shown_beside_its_field(signed_in, user, answers, field, message):
    CarbonFootprintFactory(user=user, total_emissions=Decimal("8000"))
    response = signed_in.post(NEW, percentage_goal(**answers))
    assert response.status_code == 200
    assert_page_structure(response)
    assert_error_beside(response, field, message)
    assert page(response).title.startswith("Error: ")
    assert not UserGoal.objects.exists()


def test_a_goal_kind_must_be_chosen(signed_in, user):
    response = signed_in.post(NEW, percentage_goal(goal_type=""))
    assert_error_beside(response, "goal_type", "Choose the kind of goal.", radio=True)


def test_a_target_above_where_you_are_is_not_a_reduction(signed_in, user):
    CarbonFootprintFactory(user=user, total_emissions=Decimal("8000"))
    response = signed_in.post(
        NEW, percentage_goal(goal_type="target_emissions", target_emissions="9000")
    )
    assert_error_beside(
        response,
        "target_emissions",
        "Must be below where you are now (8,000 kg CO2e a year) to be a reduction.",
    )


def test_an_unverified_person_is_asked_to_confirm_their_email_instead_of_the_form(
    client, unverified
):
    response = client.get(NEW)
    assert response.status_code == 200
    parsed = assert_page_structure(response)
    assert "Confirm your email address to set goals." in parsed.text("verify-first")
    links = [attrs["href"] for tag, attrs in parsed.inside("verify-first") if tag == "a"]
    assert links == ["/accounts/verify-email/resend/"]
    assert parsed.count("form") == 1  # only the sign-out button in the header


def test_an_unverified_person_cannot_set_a_goal_by_posting(client, unverified):
    CarbonFootprintFactory(user=unverified)
    response = client.post(NEW, percentage_goal())
    assert response.status_code == 403
    assert "Confirm your email address" in response.content.decode()
    assert not UserGoal.objects.exists()


def test_an_unverified_person_can_still_read_their_goals(client, unverified):
    goal = UserGoalFactory(user=unverified)
    assert client.get(GOALS).status_code == 200
    response = client.get(detail(goal))
    assert response.status_code == 200
    assert "Confirm your email address to change your goals." in page(response).text("edit")
    assert "Save changes" not in response.content.decode()


# --- One goal ------------------------------------------------------------------------------------


def test_the_detail_shows_progress_and_the_path_chart(signed_in, user):
    start = today() - datetime.timedelta(days=100)
    goal = set_on(
        UserGoalFactory(
            user=user,
            baseline_emissions=Decimal("8000"),
            reduction_percentage=Decimal("25"),
            target_emissions=Decimal("6000"),
            target_date=today() + datetime.timedelta(days=100),
        ),
        start,
    )
    CarbonFootprintFactory(user=user, calculation_date=at(start - datetime.timedelta(days=5)))
    for days_after, kg in ((30, "7600"), (60, "7100")):
        CarbonFootprintFactory(
            user=user,
            calculation_date=at(start + datetime.timedelta(days=days_after)),
            total_emissions=Decimal(kg),
        )
    response = signed_in.get(detail(goal))
    assert response.status_code == 200
    parsed = assert_page_structure(response)
    # 8,000 to 6,000 over 200 days; half way through, the path expects 7,000: 7,100 is behind.
    assert "Behind" in parsed.text("progress")
    assert "45 % of the way" in parsed.text("progress")  # 900 of 2,000 kg
    assert "100 days left" in parsed.text("progress")
    path = [attrs["points"] for tag, attrs in parsed.inside("path-path") if tag == "polyline"]
    assert len(path) == 1 and len(path[0].split()) == 2  # a straight line, baseline to target
    actual = [attrs for tag, attrs in parsed.inside("path-actual") if tag == "circle"]
    assert len(actual) == 2  # the calculations since the goal was set, not the one before
    table = parsed.text("path-table")
    assert "Where you started 8,000" in table
    assert "Calculation 7,600" in table and "Calculation 7,100" in table
    assert "Target 6,000" in table


def test_the_path_of_a_category_goal_follows_that_category(signed_in, user):
    goal = set_on(
        UserGoalFactory(
            user=user,
            category="heating",
            baseline_emissions=Decimal("1500"),
            reduction_percentage=Decimal("20"),
            target_emissions=Decimal("1200"),
        ),
        today() - datetime.timedelta(days=10),
    )
    CarbonFootprintFactory(
        user=user,
        calculation_date=at(today() - datetime.timedelta(days=2)),
        heating_emissions=Decimal("1350"),
    )
    parsed = assert_page_structure(signed_in.get(detail(goal)))
    assert "Calculation 1,350" in parsed.text("path-table")
    assert "Cut heating by 20" in parsed.title


def test_a_goal_waiting_for_a_footprint_has_no_path_yet(signed_in, user):
    goal = UserGoalFactory(
        user=user,
        goal_type=UserGoal.GoalType.TARGET_EMISSIONS,
        baseline_emissions=None,
        reduction_percentage=None,
        target_emissions=Decimal("5000"),
    )
    parsed = assert_page_structure(signed_in.get(detail(goal)))
    assert "The path starts with your first calculation" in parsed.text("path-waiting")
    assert "Waiting for a calculation to measure from" in parsed.text("progress")


def test_another_persons_goal_is_not_found(signed_in):
    goal = UserGoalFactory(user=UserFactory())
    assert signed_in.get(detail(goal)).status_code == 404
    assert signed_in.post(detail(goal), {"description": "mine now"}).status_code == 404
    assert signed_in.get(f"{detail(goal)}delete/").status_code == 404
    assert signed_in.post(f"{detail(goal)}delete/").status_code == 404
    assert UserGoal.objects.filter(pk=goal.pk).exists()


def test_an_unknown_goal_is_not_found(signed_in):
    assert signed_in.get("/goals/6f1c1a5e-0000-4000-8000-000000000000/").status_code == 404


# --- Changing and removing it -------------------------------------------------------------------


def edit(goal, **answers) -> dict:
    return {
        "reduction_percentage": str(goal.reduction_percentage.normalize()),
        "target_date": goal.target_date.isoformat(),
        "description": goal.description,
        **answers,
    }


def test_the_edit_form_shows_what_is_stored(signed_in, user):
    goal = UserGoalFactory(user=user, reduction_percentage=Decimal("12.50"))
    parsed = assert_page_structure(signed_in.get(detail(goal)))
    assert parsed.element("id_reduction_percentage")["value"] == "12.5"
    assert parsed.element("id_target_date")["value"] == goal.target_date.isoformat()
    assert "id_target_emissions" not in [attrs.get("id") for _, attrs in parsed.tags]


def test_the_date_notes_and_target_can_be_changed(signed_in, user):
    goal = UserGoalFactory(user=user)  # 8,000 kg baseline, 20 %
    response = signed_in.post(
        detail(goal),
        edit(goal, reduction_percentage="30", target_date=in_days(500), description="Faster"),
    )
    assert response.status_code == 302
    assert response["Location"] == detail(goal)
    goal.refresh_from_db()
    assert goal.reduction_percentage == Decimal("30")
    assert goal.target_emissions == Decimal("5600")  # the service recomputes the target
    assert goal.target_date.isoformat() == in_days(500)
    assert goal.description == "Faster"


def test_a_change_the_service_refuses_is_shown_beside_its_field(signed_in, user):
    goal = UserGoalFactory(
        user=user,
        goal_type=UserGoal.GoalType.TARGET_EMISSIONS,
        reduction_percentage=None,
        target_emissions=Decimal("6000"),
    )
    response = signed_in.post(
        detail(goal),
        {
            "target_emissions": "9000",
            "target_date": goal.target_date.isoformat(),
            "description": "",
        },
    )
    assert response.status_code == 200
    assert_error_beside(
        response,
        "target_emissions",
        "Must be below where you are now (8,000 kg CO2e a year) to be a reduction.",
    )
    goal.refresh_from_db()
    assert goal.target_emissions == Decimal("6000")


def test_a_past_date_is_refused(signed_in, user):
    goal = UserGoalFactory(user=user)
    response = signed_in.post(detail(goal), edit(goal, target_date="2020-01-01"))
    assert_error_beside(response, "target_date", "Must be in the future.")


def test_submitting_no_change_says_so(signed_in, user):
    goal = UserGoalFactory(user=user)
    response = signed_in.post(detail(goal), edit(goal), follow=True)
    assert "Nothing was changed." in response.content.decode()


def test_a_finished_goal_can_no_longer_be_changed(signed_in, user):
    goal = UserGoalFactory(user=user, status=UserGoal.Status.MISSED)
    response = signed_in.get(detail(goal))
    assert "can no longer be changed" in response.content.decode()
    assert "Save changes" not in response.content.decode()
    refused = signed_in.post(detail(goal), edit(goal, description="Again"))
    assert "Only an active goal can be changed." in page(refused).text("error-summary")
    goal.refresh_from_db()
    assert goal.description == ""


def test_removing_asks_first_then_removes_on_post(signed_in, user):
    goal = UserGoalFactory(user=user)
    confirm = signed_in.get(f"{detail(goal)}delete/")
    assert confirm.status_code == 200
    parsed = assert_page_structure(confirm)
    forms = [attrs for tag, attrs in parsed.tags if attrs.get("action") == f"{detail(goal)}delete/"]
    assert forms[0]["method"] == "post"
    assert UserGoal.objects.filter(pk=goal.pk).exists()
    response = signed_in.post(f"{detail(goal)}delete/")
    assert response.status_code == 302
    assert response["Location"] == GOALS
    assert not UserGoal.objects.filter(pk=goal.pk).exists()
    assert "Your goal is removed." in signed_in.get(GOALS).content.decode()


def test_an_unverified_person_cannot_remove_a_goal(client, unverified):
    goal = UserGoalFactory(user=unverified)
    assert client.post(f"{detail(goal)}delete/").status_code == 403
    assert client.post(detail(goal), edit(goal, description="x")).status_code == 403
    goal.refresh_from_db()
    assert goal.description == ""


def test_the_goal_pages_make_a_bounded_number_of_queries(
    signed_in, user, django_assert_max_num_queries
):
    goal = set_on(UserGoalFactory(user=user), today() - datetime.timedelta(days=30))
    UserGoalFactory.create_batch(10, user=user)
    CarbonFootprintFactory.create_batch(20, user=user)
    with django_assert_max_num_queries(6):
        assert signed_in.get(GOALS).status_code == 200
    with django_assert_max_num_queries(6):
        assert signed_in.get(detail(goal)).status_code == 200
