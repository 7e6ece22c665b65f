"""Every action's saving is the engine's own before-and-after difference."""

import pytest

from footprints import engine
from recommendations.catalogue import CATALOGUE
from recommendations.services import action_savings

HOUSEHOLDS = {
    "uk_family": {
        "country": "GB",
        "household_size": 4,
        "electricity": {"kwh_per_year": 4200, "renewable_share": 0},
        "heating": {"natural_gas_kwh_per_year": 14000},
        "transportation": {
            "car_km_per_year": 15000,
            "car_fuel": "diesel",
            "flights_short_haul_per_year": 4,
            "flights_long_haul_per_year": 2,
        },
        "waste": {"kg_per_week": 12, "recycling_share": 0.3},
        "lifestyle": {
            "diet": "high_meat",
            "clothing_spend_per_month": 80,
            "electronics_spend_per_month": 40,
            "other_goods_spend_per_month": 100,
        },
        "other": {"services_spend_per_month": 300},
    },
    "us_single_oil_heat": {
        "country": "US",
        "electricity": {"kwh_per_year": 10500, "renewable_share": 0.2},
        "heating": {"heating_oil_litres_per_year": 2000},
        "transportation": {
            "car_km_per_year": 20000,
            "car_fuel": "petrol",
            "flight_km_domestic_per_year": 3000,
        },
        "waste": {"kg_per_week": 10, "recycling_share": 0.1},
        "lifestyle": {"diet": "average"},
        "other": {},
    },
    "green_vegan_cyclist": {
        "country": "FR",
        "electricity": {"kwh_per_year": 1500, "renewable_share": 1},
        "heating": {"wood_kg_per_year": 500},
        "transportation": {"rail_km_per_year": 3000},
        "waste": {"kg_per_week": 3, "recycling_share": 0.9},
        "lifestyle": {"diet": "vegan"},
        "other": {},
    },
}


def test_the_catalogue_has_at_least_25_actions_across_all_six_categories():
    assert len(CATALOGUE) >= 25
    assert len({action.code for action in CATALOGUE}) == len(CATALOGUE)
    assert {action.category for action in CATALOGUE} == set(engine.CATEGORIES)
    assert {action.effort for action in CATALOGUE} <= {"low", "medium", "high"}


@pytest.mark.parametrize("household", HOUSEHOLDS, ids=str)
def test_each_saving_is_before_minus_after_positive_and_within_its_category(household):
    answers = engine.validate(HOUSEHOLDS[household])
    result = engine.calculate(answers)
    for item in action_savings(answers, result):
        after = engine.calculate(item.action.change(answers))
        assert item.saving_kg == min(
            result.total_kg - after.total_kg, result.categories_kg[item.action.category]
        )
        assert 0 < item.saving_kg <= result.categories_kg[item.action.category]


@pytest.mark.parametrize("household", HOUSEHOLDS, ids=str)
def test_actions_that_save_nothing_are_not_offered(household):
    answers = engine.validate(HOUSEHOLDS[household])
    offered = {item.action.code for item in action_savings(answers, engine.calculate(answers))}
    for action in CATALOGUE:
        if action.code in offered:
            continue
        if action.applies(answers):
            before = engine.calculate(answers).total_kg
            assert before - engine.calculate(action.change(answers)).total_kg < 1


def test_a_green_vegan_cyclist_is_not_told_to_eat_less_meat_or_drive_less():
    answers = engine.validate(HOUSEHOLDS["green_vegan_cyclist"])
    offered = {item.action.code for item in action_savings(answers, engine.calculate(answers))}
    assert offered.isdisjoint(
        {"plant_rich_diet", "vegetarian_days", "drive_less", "electric_car", "green_tariff"}
    )


def test_an_estimated_section_gets_no_actions_we_cannot_compute():
    answers = engine.validate({"country": "GB", "lifestyle": {"diet": "average"}})
    offered = {item.action.category for item in action_savings(answers, engine.calculate(answers))}
    assert offered == {"lifestyle"}


def test_a_heat_pump_saving_is_net_of_the_extra_electricity():
    answers = engine.validate(HOUSEHOLDS["uk_family"])
    result = engine.calculate(answers)
    heat_pump = next(
        item for item in action_savings(answers, result) if item.action.code == "heat_pump"
    )
    after = engine.calculate(heat_pump.action.change(answers))
    assert after.categories_kg["electricity"] > result.categories_kg["electricity"]
    assert heat_pump.saving_kg < result.categories_kg["heating"]
