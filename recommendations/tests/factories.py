from decimal import Decimal

import factory
from django.utils import timezone

from footprints.tests.factories import CarbonFootprintFactory
from recommendations.models import ImplementedAction, Recommendation


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    carbon_footprint = factory.SubFactory(CarbonFootprintFactory)
    action_code = "green_tariff"
    category = "electricity"
    effort = Recommendation.Effort.LOW
    potential_savings = Decimal("280.000")
    priority = factory.Sequence(lambda n: n + 1)
    estimated_impact = Recommendation.Impact.MEDIUM


class ImplementedActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImplementedAction

    user = factory.SubFactory("accounts.tests.factories.UserFactory")
    action_code = factory.Sequence(lambda n: f"action_{n}")
    category = "electricity"
    realised_savings = Decimal("120.000")
    implemented_at = factory.LazyFunction(timezone.now)
