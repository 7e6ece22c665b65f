from decimal import Decimal

import factory

from accounts.tests.factories import UserFactory
from footprints import engine
from footprints.models import CarbonFootprint

BREAKDOWN_KG = {
    "electricity": Decimal("600.000"),
    "heating": Decimal("1200.000"),
    "transportation": Decimal("2400.000"),
    "waste": Decimal("100.000"),
    "lifestyle": Decimal("2000.000"),
    "other": Decimal("1500.000"),
}


class CarbonFootprintFactory(factory.django.DjangoModelFactory):
    """A stored calculation with round numbers; tests that need the engine's numbers record one."""

    class Meta:
        model = CarbonFootprint

    user = factory.SubFactory(UserFactory)
    country = "GB"
    input_data = factory.LazyFunction(lambda: {"country": "GB"})
    electricity_emissions = BREAKDOWN_KG["electricity"]
    heating_emissions = BREAKDOWN_KG["heating"]
    transportation_emissions = BREAKDOWN_KG["transportation"]
    waste_emissions = BREAKDOWN_KG["waste"]
    lifestyle_emissions = BREAKDOWN_KG["lifestyle"]
    other_emissions = BREAKDOWN_KG["other"]
    total_emissions = sum(BREAKDOWN_KG.values())
    confidence_score = Decimal("0.800")
    model_name = "carbon_site.engine"
    model_version = engine.MODEL_VERSION
    factor_version = engine.FACTOR_VERSION
    user_agent = "pytest"
    ip_address = "198.51.100.1"
