"""The replica router: marked selectors read the replica, and nobody misses their own writes.

The test settings give a second alias, "replica", on the test database itself (TEST MIRROR), so
which connection ran a query shows where the router sent it. The data must be committed for the
second connection to see it: these tests run outside a test transaction.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carbon_site import replica
from carbon_site.db_router import ReplicaRouter
from conftest import bearer_client
from footprints.selectors import footprint_list, footprint_stats, footprint_trend
from footprints.tests.factories import CarbonFootprintFactory
from goals.selectors import goal_list, goal_stats, goals_with_progress
from recommendations.selectors import recommendation_list, recommendation_stats

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def with_replica(settings):
    settings.DATABASE_READ_REPLICA = "replica"


@contextmanager
def queries_on(alias: str) -> Iterator[CaptureQueriesContext]:
    with CaptureQueriesContext(connections[alias]) as captured:
        yield captured


def test_marked_selectors_read_the_replica_in_a_request(with_replica, user):
    CarbonFootprintFactory(user=user)

    with (
        replica.request_scope(),
        queries_on("replica") as on_replica,
        queries_on("default") as on_primary,
    ):
        footprints = list(footprint_list(user=user))
        footprint_stats(user=user)
        footprint_trend(user=user, period="month")
        goals_with_progress(goals=goal_list(user=user), user=user, today=datetime.date.today())
        goal_stats(user=user)
        list(recommendation_list(user=user))
        recommendation_stats(user=user)

    assert len(footprints) == 1
    assert len(on_replica) >= 8
    assert len(on_primary) == 0


def test_a_lazy_queryset_still_reads_the_replica_when_it_is_evaluated(with_replica, user):
    CarbonFootprintFactory(user=user)

    with replica.request_scope():
        footprints = footprint_list(user=user).filter(total_emissions__gte=0)
        with queries_on("replica") as on_replica:
            assert footprints.count() == 1
            assert len(list(footprints)) == 1

    assert len(on_replica) == 2


def test_after_a_write_the_rest_of_the_request_reads_the_primary(with_replica, user):
    CarbonFootprintFactory(user=user)

    with replica.request_scope():
        earlier = footprint_list(user=user)  # made before the write, evaluated after it
        CarbonFootprintFactory(user=user)
        with queries_on("replica") as on_replica, queries_on("default") as on_primary:
            assert len(list(footprint_list(user=user))) == 2
            assert len(list(earlier)) == 2

    assert len(on_replica) == 0
    assert len(on_primary) == 2


def test_a_new_request_reads_the_replica_again(with_replica, user, other_user):
    with replica.request_scope():
        CarbonFootprintFactory(user=user)
    with replica.request_scope(), queries_on("replica") as on_replica:
        list(footprint_list(user=other_user))

    assert len(on_replica) == 1


def test_outside_a_request_everything_reads_the_primary(with_replica, user):
    """Tasks and commands may write what they read: they never read a lagging copy."""
    with queries_on("replica") as on_replica:
        list(footprint_list(user=user))

    assert len(on_replica) == 0


def test_inside_a_transaction_reads_stay_on_the_primary(with_replica, user):
    with replica.request_scope(), queries_on("replica") as on_replica, transaction.atomic():
        list(footprint_list(user=user))

    assert len(on_replica) == 0


def test_unmarked_reads_stay_on_the_primary(with_replica, user):
    from footprints.models import CarbonFootprint

    with replica.request_scope(), queries_on("replica") as on_replica:
        list(CarbonFootprint.objects.filter(user=user))

    assert len(on_replica) == 0


def test_without_a_replica_everything_reads_the_primary(user):
    with replica.request_scope(), queries_on("replica") as on_replica:
        list(footprint_list(user=user))
        footprint_stats(user=user)

    assert len(on_replica) == 0


# --- Through the API, as a client sees it ---------------------------------------------------------


def test_an_api_list_is_read_from_the_replica(with_replica, user):
    CarbonFootprintFactory(user=user)
    client = bearer_client(user)

    with queries_on("replica") as on_replica:
        response = client.get("/api/v1/footprints/")

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert len(on_replica) >= 1


def test_a_user_who_just_wrote_reads_the_primary_for_a_while(with_replica, user, other_user):
    client = bearer_client(user)
    answers = {"country": "GB", "household_size": 1, "electricity": {"kwh_per_year": 2000}}

    created = client.post("/api/v1/footprints/", answers, format="json")
    with queries_on("replica") as own_on_replica:
        own = client.get("/api/v1/footprints/")
    with queries_on("replica") as others_on_replica:
        others = bearer_client(other_user).get("/api/v1/footprints/")

    assert created.status_code == 201, created.content
    assert own.json()["count"] == 1
    assert len(own_on_replica) == 0
    assert others.status_code == 200
    assert len(others_on_replica) >= 1


def test_reading_alone_does_not_pin_a_user(with_replica, user):
    client = bearer_client(user)

    client.get("/api/v1/footprints/")

    assert not replica.user_pinned_to_primary(user)


# --- The router's other answers -------------------------------------------------------------------


def test_writes_always_go_to_the_primary(with_replica):
    assert ReplicaRouter().db_for_write(None) == "default"


def test_the_replica_is_never_migrated():
    router = ReplicaRouter()

    assert router.allow_migrate("replica", "footprints") is False
    assert router.allow_migrate("default", "footprints") is None


def test_rows_read_from_the_replica_relate_to_rows_on_the_primary(with_replica, user):
    footprint = CarbonFootprintFactory(user=user, calculation_date=timezone.now())
    with replica.request_scope():
        [from_replica] = list(footprint_list(user=user, date_from=datetime.date(2000, 1, 1)))

    assert from_replica._state.db == "replica"
    assert from_replica.pk == footprint.pk
    assert ReplicaRouter().allow_relation(from_replica, user) is True


@pytest.fixture
def other_user(db):
    from accounts.tests.factories import UserFactory

    return UserFactory()
