"""Property tests: the engine's promises hold for any valid answers."""

import dataclasses
import math

from hypothesis import given
from hypothesis import strategies as st

from footprints import engine

amount = st.floats(min_value=0, max_value=50_000, allow_nan=False, allow_infinity=False)
share = st.floats(min_value=0, max_value=1)
countries = st.sampled_from(["GB", "US", "FR", "IN", "WORLD"])


@st.composite
def answers(draw):
    sections = {
        "electricity": st.fixed_dictionaries({"kwh_per_year": amount, "renewable_share": share}),
        "heating": st.fixed_dictionaries(
            {"natural_gas_kwh_per_year": amount, "heating_oil_litres_per_year": amount}
        ),
        "transportation": st.fixed_dictionaries(
            {
                "car_km_per_year": amount,
                "car_fuel": st.sampled_from(engine.CAR_FUELS),
                "flights_long_haul_per_year": st.integers(0, 10),
            }
        ),
        "waste": st.fixed_dictionaries({"kg_per_week": st.floats(0, 40), "recycling_share": share}),
        "lifestyle": st.fixed_dictionaries(
            {"diet": st.sampled_from(engine.DIETS), "clothing_spend_per_month": st.floats(0, 500)}
        ),
        "other": st.fixed_dictionaries({"services_spend_per_month": st.floats(0, 2000)}),
    }
    result = {"country": draw(countries), "household_size": draw(st.integers(1, 20))}
    for name, strategy in sections.items():
        if draw(st.booleans()):
            result[name] = draw(strategy)
    return result


@given(answers())
def test_valid_inputs_give_finite_non_negative_numbers_and_exact_total(given_answers):
    result = engine.calculate(given_answers)
    for kg in result.categories_kg.values():
        assert math.isfinite(kg) and kg >= 0
    assert result.total_kg == sum(result.categories_kg.values())
    assert 0 <= result.confidence_score <= 1


@given(answers(), st.floats(min_value=0, max_value=10_000))
def test_more_activity_never_lowers_a_category(given_answers, extra_km):
    before = engine.validate(given_answers)
    transport = before.transportation or engine.TransportationAnswers(car_fuel="diesel")
    more = dataclasses.replace(
        transport,
        car_km_per_year=transport.car_km_per_year + extra_km,
        bus_km_per_year=transport.bus_km_per_year + extra_km,
    )
    low = engine.calculate(dataclasses.replace(before, transportation=transport))
    high = engine.calculate(dataclasses.replace(before, transportation=more))
    assert high.categories_kg["transportation"] >= low.categories_kg["transportation"]


@given(countries, amount, amount, st.floats(0, 40), st.integers(2, 20))
def test_household_size_divides_home_energy_and_waste(country, kwh, gas, waste_kg, size):
    sections = {
        "electricity": {"kwh_per_year": kwh},
        "heating": {"natural_gas_kwh_per_year": gas},
        "waste": {"kg_per_week": waste_kg},
        "transportation": {"car_km_per_year": 5000, "car_fuel": "petrol"},
    }
    alone = engine.calculate({"country": country, "household_size": 1, **sections})
    shared = engine.calculate({"country": country, "household_size": size, **sections})
    for category in ("electricity", "heating", "waste"):
        expected = float(alone.categories_kg[category]) / size
        assert abs(float(shared.categories_kg[category]) - expected) <= 0.001
    assert shared.categories_kg["transportation"] == alone.categories_kg["transportation"]
