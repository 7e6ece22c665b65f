"""The database itself refuses footprints that must never be stored."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from footprints.models import CATEGORIES
from footprints.tests.factories import CarbonFootprintFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("column", ["total_emissions", *(f"{c}_emissions" for c in CATEGORIES)])
def test_negative_emissions_are_refused(column):
    with pytest.raises(IntegrityError), transaction.atomic():
        CarbonFootprintFactory(**{column: Decimal("-0.001")})


@pytest.mark.parametrize("score", [Decimal("-0.001"), Decimal("1.001")])
def test_confidence_outside_zero_to_one_is_refused(score):
    with pytest.raises(IntegrityError), transaction.atomic():
        CarbonFootprintFactory(confidence_score=score)


def test_a_valid_footprint_is_stored_with_its_breakdown_in_engine_order():
    footprint = CarbonFootprintFactory(confidence_score=Decimal("1.000"))
    footprint.refresh_from_db()
    assert list(footprint.breakdown) == list(CATEGORIES)
    assert footprint.total_emissions == sum(footprint.breakdown.values())
