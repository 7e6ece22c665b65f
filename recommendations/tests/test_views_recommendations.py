"""The buttons that mark an action done (or not) on the result page and the dashboard."""

from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from footprints.tests.factories import CarbonFootprintFactory
from footprints.tests.test_views_calculator import assert_page_structure, page
from recommendations.models import ImplementedAction, Recommendation
from recommendations.services import recommendation_implement
from recommendations.tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db


def implement_url(action) -> str:
    return f"/recommendations/{action.uuid}/implement/"


def unimplement_url(action) -> str:
    return f"/recommendations/{action.uuid}/unimplement/"


@pytest.fixture
def action(user):
    return RecommendationFactory(carbon_footprint=CarbonFootprintFactory(user=user))


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def test_implementing_marks_it_done_and_goes_back(signed_in, user, action):
    back = f"/results/{action.carbon_footprint.calculation_uuid}/#action-{action.uuid}"
    response = signed_in.post(implement_url(action), {"next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    action.refresh_from_db()
    assert action.is_implemented and action.implemented_at is not None
    taken = ImplementedAction.objects.get(user=user)
    assert (taken.action_code, taken.realised_savings) == ("green_tariff", Decimal("280.000"))
    followed = signed_in.get(response["Location"])
    assert f"Marked as done: {action.title}." in followed.content.decode()


def test_unimplementing_offers_it_again(signed_in, user, action):
    recommendation_implement(user=user, recommendation=action)
    response = signed_in.post(unimplement_url(action), {"next": "/dashboard/"})
    assert response["Location"] == "/dashboard/"
    action.refresh_from_db()
    assert not action.is_implemented
    assert not ImplementedAction.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/steal", "javascript:alert(1)", "", None],
)
def test_an_unsafe_or_missing_next_goes_to_the_dashboard(signed_in, action, target):
    data = {} if target is None else {"next": target}
    response = signed_in.post(implement_url(action), data)
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_another_persons_action_is_not_found(signed_in):
    theirs = RecommendationFactory(carbon_footprint=CarbonFootprintFactory(user=UserFactory()))
    assert signed_in.post(implement_url(theirs)).status_code == 404
    assert signed_in.post(unimplement_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_implemented
    assert not ImplementedAction.objects.exists()


def test_an_anonymous_calculations_action_is_not_found(signed_in):
    anonymous = RecommendationFactory(carbon_footprint=CarbonFootprintFactory(user=None))
    assert signed_in.post(implement_url(anonymous)).status_code == 404


def test_reading_the_button_addresses_is_refused(signed_in, action):
    assert signed_in.get(implement_url(action)).status_code == 405
    assert signed_in.get(unimplement_url(action)).status_code == 405


def test_anonymous_visitors_are_sent_to_sign_in(client, action):
    response = client.post(implement_url(action))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    action.refresh_from_db()
    assert not action.is_implemented


# --- The buttons on the pages --------------------------------------------------------------------


def forms_of(response) -> list[str]:
    return [
        attrs["action"]
        for tag, attrs in page(response).tags
        if tag == "form" and attrs.get("action", "").startswith("/recommendations/")
    ]


def test_the_owner_sees_a_button_for_each_action_on_the_result_page(signed_in, user):
    footprint = CarbonFootprintFactory(user=user)
    open_one = RecommendationFactory(carbon_footprint=footprint, action_code="a", priority=1)
    done = RecommendationFactory(carbon_footprint=footprint, action_code="b", priority=2)
    recommendation_implement(user=user, recommendation=done)
    response = signed_in.get(f"/results/{footprint.calculation_uuid}/")
    parsed = assert_page_structure(response)
    assert forms_of(response) == [implement_url(open_one), unimplement_url(done)]
    assert "Done" in parsed.text(f"action-{done.uuid}")
    assert "Done" not in parsed.text(f"action-{open_one.uuid}")
    nexts = [attrs["value"] for tag, attrs in parsed.tags if attrs.get("name") == "next"]
    assert nexts[0] == f"/results/{footprint.calculation_uuid}/#action-{open_one.uuid}"


def test_the_buttons_work_without_javascript_from_the_result_page(signed_in, user):
    footprint = CarbonFootprintFactory(user=user)
    action = RecommendationFactory(carbon_footprint=footprint)
    result = f"/results/{footprint.calculation_uuid}/"
    response = signed_in.post(
        implement_url(action), {"next": f"{result}#action-{action.uuid}"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"{result}#action-{action.uuid}"
    assert unimplement_url(action) in forms_of(response)


def test_an_anonymous_author_sees_the_actions_without_buttons(client):
    from footprints.tests.test_views_results import anonymous_author, record

    recorded = record()
    anonymous_author(client, recorded)
    response = client.get(f"/results/{recorded.footprint.calculation_uuid}/")
    assert response.status_code == 200
    assert Recommendation.objects.filter(carbon_footprint=recorded.footprint).exists()
    assert "What you can do" in response.content.decode()
    assert forms_of(response) == []


def test_the_dashboard_shows_the_buttons_and_comes_back_to_itself(signed_in, user):
    footprint = CarbonFootprintFactory(user=user)
    action = RecommendationFactory(carbon_footprint=footprint)
    response = signed_in.get("/dashboard/")
    assert forms_of(response) == [implement_url(action)]
    nexts = [attrs["value"] for tag, attrs in page(response).tags if attrs.get("name") == "next"]
    assert nexts == [f"/dashboard/#action-{action.uuid}"]
    after = signed_in.post(implement_url(action), {"next": nexts[0]}, follow=True)
    assert "You have done 1 action" in page(after).text("action-stats")
