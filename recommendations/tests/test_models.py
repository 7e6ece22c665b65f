from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from recommendations.tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db


def test_negative_savings_are_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        RecommendationFactory(potential_savings=Decimal("-1"))


def test_priority_starts_at_one():
    with pytest.raises(IntegrityError), transaction.atomic():
        RecommendationFactory(priority=0)
