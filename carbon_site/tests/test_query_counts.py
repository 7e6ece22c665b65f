"""No N+1 on any list: a page of 60 rows costs the queries a page of 2 does, and both stay under a
small fixed number. The lists come from the schema (every operation with `page_size`) plus the
data export, which streams every row the user has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from carbon_site.tests.test_owasp import LIST_ROWS, paginated_paths, recorded
from conftest import bearer_client
from goals.tests.factories import UserGoalFactory
from recommendations.services import recommendation_implement

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


# The most queries one page may take, whatever its size (authentication and the session check
# included). Lower it when a list gets cheaper; never raise it to hide an N+1.
MAX_QUERIES = {
    "/api/v1/footprints/": 4,
    "/api/v1/recommendations/": 6,
    "/api/v1/goals/": 6,
    "/api/v1/me/sessions/": 4,
}


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200, response.content
    return len(captured)


def test_every_paginated_list_has_a_query_budget(schema):
    assert paginated_paths(schema) == sorted(MAX_QUERIES)


@pytest.mark.parametrize("path", sorted(MAX_QUERIES))
def test_a_list_page_costs_the_same_queries_for_2_rows_or_many(
    path, user, django_assert_max_num_queries
):
    client = bearer_client(user)
    url = f"{path}?page_size=100"
    client.get(url)  # warm what every first request loads once (content types)
    LIST_ROWS[path](user, 2)
    few = queries_for(client, url)
    LIST_ROWS[path](user, 58)
    with django_assert_max_num_queries(min(few, MAX_QUERIES[path])):
        assert len(client.get(url).json()["results"]) >= 58  # recommendations: the latest only


def test_the_export_costs_the_same_queries_for_one_calculation_or_many(user):
    client = bearer_client(user)

    def add_history():
        footprint = recorded(user)
        recommendation_implement(user=user, recommendation=footprint.recommendations.first())
        UserGoalFactory(user=user)

    add_history()
    queries_for(client, "/api/v1/me/export/")  # warm what a first export loads once
    few = queries_for(client, "/api/v1/me/export/")
    for _ in range(5):
        add_history()
    assert queries_for(client, "/api/v1/me/export/") <= few
