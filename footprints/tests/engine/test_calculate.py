"""Worked examples by hand from the published factors, plus the rules of absent sections."""

import dataclasses
import importlib
from decimal import Decimal

import pytest

from footprints import engine

ZERO_SECTIONS = {
    "electricity": {},
    "heating": {},
    "transportation": {},
    "waste": {},
    "lifestyle": {"diet": "vegan"},
    "other": {},
}


def answers(country="GB", household_size=1, **sections):
    return {"country": country, "household_size": household_size, **ZERO_SECTIONS, **sections}


def kg(result, category):
    return result.categories_kg[category]


def test_gb_electricity_is_generation_plus_td_losses_shared_by_household():
    result = engine.calculate(
        answers(household_size=2, electricity={"kwh_per_year": 2700, "renewable_share": 0})
    )
    # DESNZ 2024: generation 0.20705 + T&D 0.01830 kg CO2e/kWh; 2700 kWh / 2 people
    assert kg(result, "electricity") == Decimal("304.223")  # 2700 * 0.22535 / 2 = 304.2225
    lines = [line for line in result.trace if line.category == "electricity"]
    assert [line.activity for line in lines] == ["grid_generation", "grid_td_losses"]
    assert all(line.share == 0.5 for line in lines)


def test_green_tariff_share_removes_that_part_of_grid_electricity():
    result = engine.calculate(answers(electricity={"kwh_per_year": 1000, "renewable_share": 0.5}))
    assert kg(result, "electricity") == Decimal("112.675")  # 500 kWh * 0.22535


def test_gb_heating_by_fuel():
    result = engine.calculate(
        answers(
            heating={
                "natural_gas_kwh_per_year": 11500,  # DESNZ 2024 natural gas 0.18290 /kWh gross CV
                "heating_oil_litres_per_year": 100,  # DESNZ 2024 burning oil 2.54015 /litre
                "lpg_litres_per_year": 100,  # DESNZ 2024 LPG 1.55713 /litre
            }
        )
    )
    # 11500 * 0.1829 + 100 * 2.54015 + 100 * 1.55713 = 2103.35 + 254.015 + 155.713
    assert kg(result, "heating") == Decimal("2513.078")


def test_gb_petrol_car_and_rail():
    result = engine.calculate(
        answers(
            transportation={
                "car_km_per_year": 10000,
                "car_fuel": "petrol",
                "rail_km_per_year": 1000,
            }
        )
    )
    # DESNZ 2024 average petrol car 0.16450 /km ('Business travel- land'!H53); national rail
    # 0.03546 /passenger.km
    assert kg(result, "transportation") == Decimal("1680.460")  # 1645.0 + 35.46


def test_flight_counts_use_documented_distances():
    result = engine.calculate(answers(transportation={"flights_short_haul_per_year": 2}))
    # 2 one-way flights * 1500 km (assumptions.csv) * DESNZ short-haul economy 0.18287
    assert kg(result, "transportation") == Decimal("548.610")


def test_gb_waste_landfill_and_recycling():
    result = engine.calculate(answers(waste={"kg_per_week": 10, "recycling_share": 0.5}))
    # 520 kg/year: 260 kg to landfill * 0.49704 + 260 kg recycled * 0.00641 (DESNZ 2024 waste
    # disposal: household residual landfill 497.04416 and recycling 6.41061 kg CO2e per tonne)
    assert kg(result, "waste") == Decimal("130.897")  # 129.2304 + 1.6666


def test_diet_from_scarborough_2014_per_year():
    result = engine.calculate(answers(lifestyle={"diet": "high_meat"}))
    assert kg(result, "lifestyle") == Decimal("2624.350")  # 7.19 kg/day * 365


# A vegan's monthly spending on clothes 50, electronics 100 and other goods 10 (12 months).
MONTHLY_GOODS = {
    "diet": "vegan",
    "clothing_spend_per_month": 50,
    "electronics_spend_per_month": 100,
    "other_goods_spend_per_month": 10,
}


def spending(country, services_per_month):
    return engine.calculate(
        answers(
            country=country,
            lifestyle=MONTHLY_GOODS,
            other={"services_spend_per_month": services_per_month},
        )
    )


def test_gb_spending_in_pounds():
    result = spending("GB", services_per_month=100)
    # Defra / University of Leeds, spend-based emissions multipliers 1997 to 2023, sheet
    # GHG_SIC_multipliers, 2023, kg CO2e per GBP: clothes and shoes = mean of SIC 14 0.692784 and
    # SIC 15 0.731629 = 0.712; electronics = mean of SIC 26 0.53641 and SIC 27 0.842774 = 0.690;
    # other goods = mean of SIC 31 0.49549, 32 0.67801, 58 0.0948979, 25OTHER 0.567727,
    # 13 0.692816, 20.4 0.728274 = 0.543.
    # 365 * 2.89 (Scarborough vegan) + 600 * 0.712 + 1200 * 0.690 + 120 * 0.543
    # = 1054.85 + 427.2 + 828 + 65.16
    assert kg(result, "lifestyle") == Decimal("2375.210")
    # services = mean of SIC 65.1-2 0.0614152, 61 0.0946355, 64 0.0843499, 93 0.232307,
    # 59 0.132818, 45 0.267447, 95 0.101322 = 0.139; 1200 GBP * 0.139
    assert kg(result, "other") == Decimal("166.800")
    assert "spend_world_factor" not in {r.code for r in result.confidence_reasons}


def test_us_electricity_uses_egrid_and_car_uses_epa():
    result = engine.calculate(
        answers(
            country="US",
            electricity={"kwh_per_year": 10000},
            transportation={"car_km_per_year": 10000, "car_fuel": "petrol"},
        )
    )
    # eGRID2022 US total output (823.1 lb CO2 + 0.066 lb CH4 + 0.009 lb N2O per MWh, AR5) = 0.37527
    assert kg(result, "electricity") == Decimal("3752.700")  # 10000 * 0.37527
    # EPA Hub 2024 Table 10 passenger car 0.306 kg CO2 + 0.009 g CH4 * 28 + 0.006 g N2O * 265
    # = 0.307842 kg CO2e per vehicle-mile / 1.609344 = 0.19128 kg/km
    assert kg(result, "transportation") == Decimal("1912.800")


def test_us_heating_natural_gas_from_epa_hub():
    result = engine.calculate(answers(country="US", heating={"natural_gas_kwh_per_year": 1000}))
    # Hub 2024 Table 1: 53.06 kg CO2 + 1.0 g CH4 * 28 + 0.10 g N2O * 265 = 53.1145 kg/mmBtu
    assert kg(result, "heating") == Decimal("181.230")  # 53.1145 / 293.07107 = 0.18123


def test_us_spending_in_dollars():
    result = spending("US", services_per_month=200)
    # EPA Supply Chain GHG Emission Factors v1.3 (USEEIO), kg CO2e per 2022 USD with margins:
    # clothes and shoes = mean of 315000 apparel 0.120 and 316000 leather/footwear 0.282 = 0.201;
    # electronics = mean of 334111 0.058, 334220 0.111, 334310 0.081, 335210 0.157, 335220 0.172
    # = 0.1158; other goods = mean of 337121 0.188, 337122 0.178, 339930 0.146, 511130 0.107,
    # 332215 0.223, 314120 0.267, 325611 0.355 = 0.2091.
    # 365 * 2.89 (Scarborough vegan) + 600 * 0.201 + 1200 * 0.1158 + 120 * 0.2091
    # = 1054.85 + 120.6 + 138.96 + 25.092
    assert kg(result, "lifestyle") == Decimal("1339.502")
    # services = mean of 524126 0.033, 517312 0.096, 517311 0.075, 522110 0.059, 713940 0.235,
    # 512131 0.052, 811111 0.103, 811412 0.113 = 0.09575 -> 0.0958; 2400 USD * 0.0958
    assert kg(result, "other") == Decimal("229.920")
    assert "spend_world_factor" not in {r.code for r in result.confidence_reasons}


def test_spending_elsewhere_uses_world_factor_and_lowers_confidence():
    result = engine.calculate(answers(country="FR", other={"services_spend_per_month": 100}))
    # the US USEEIO services mean 0.0958 kg/USD as the world default: 1200 * 0.0958
    assert kg(result, "other") == Decimal("114.960")
    assert "spend_world_factor" in {r.code for r in result.confidence_reasons}
    assert result.confidence_score < 1


def test_gb_wood_logs():
    result = engine.calculate(answers(heating={"wood_kg_per_year": 1000}))
    # DESNZ 2024 Bioenergy > Wood logs 46.25524 kg CO2e per tonne (CH4 and N2O only) = 0.04626 /kg
    assert kg(result, "heating") == Decimal("46.260")


def test_us_bus_rail_and_flights_from_epa_hub_table_10():
    result = engine.calculate(
        answers(
            country="US",
            transportation={
                "bus_km_per_year": 1000,
                "rail_km_per_year": 1000,
                "flight_km_short_haul_per_year": 1000,
            },
        )
    )
    # EPA GHG Emission Factors Hub 2024 Table 10, kg CO2 + g CH4 * 28 + g N2O * 265 per
    # passenger-mile / 1.609344: bus 0.071 + 0.0050 + 0.0021 -> 0.04455; intercity rail national
    # average 0.113 + 0.0092 + 0.0026 -> 0.07080; air medium haul (300-2300 miles)
    # 0.129 + 0.0006 + 0.0041 -> 0.08084 (no radiative forcing)
    assert kg(result, "transportation") == Decimal("196.190")  # 44.55 + 70.80 + 80.84


def test_us_waste_uses_the_desnz_waste_factors():
    result = engine.calculate(
        answers(country="US", waste={"kg_per_week": 10, "recycling_share": 0.321})
    )
    # 520 kg: 353.08 kg landfilled * DESNZ 0.49704 + 166.92 kg recycled * DESNZ 0.00641
    assert kg(result, "waste") == Decimal("176.565")  # 175.4949 + 1.0700


def test_us_absent_waste_is_the_epa_per_person_average():
    given = answers(country="US")
    del given["waste"]
    result = engine.calculate(given)
    # EPA Facts and Figures 2018: 4.9 lb/person/day = 811.2 kg/year, 32.1 % recycled or composted;
    # 811.2 * 0.679 * 0.49704 + 811.2 * 0.321 * 0.00641 = 275.5 -> 275 (country_averages.csv)
    assert kg(result, "waste") == Decimal("275.000")


def test_electric_car_uses_country_grid():
    gb = engine.calculate(
        answers(transportation={"car_km_per_year": 10000, "car_fuel": "electric"})
    )
    fr = engine.calculate(
        answers(country="FR", transportation={"car_km_per_year": 10000, "car_fuel": "electric"})
    )
    # 10000 km * 0.22917 kWh/km (DESNZ 2024 BEV 0.04745 kg/km / grid 0.20705) * grid
    # (GB 0.20705 + 0.01830 = 0.22535, FR Ember 0.04418)
    assert kg(gb, "transportation") == Decimal("516.435")  # 516.434595
    assert kg(fr, "transportation") == Decimal("101.247")  # 101.247306


def test_car_without_fuel_counts_as_petrol_and_lowers_confidence():
    result = engine.calculate(answers(transportation={"car_km_per_year": 1000}))
    assert kg(result, "transportation") == Decimal("164.500")  # 1000 km * petrol 0.16450
    assert "default_fuel" in {r.code for r in result.confidence_reasons}


def test_absent_section_takes_country_average_and_is_reported():
    given = answers()
    del given["heating"]
    result = engine.calculate(given)
    assert result.estimated_sections == ("heating",)
    assert kg(result, "heating") == Decimal("891.000")
    assert "section_estimated" in {r.code for r in result.confidence_reasons}


def test_empty_section_means_zero():
    result = engine.calculate(answers(heating={}))
    assert kg(result, "heating") == Decimal("0.000")
    assert "heating" not in result.estimated_sections


def test_everything_absent_gives_country_average_total():
    result = engine.calculate({"country": "GB"})
    assert set(result.estimated_sections) == set(engine.CATEGORIES)
    assert float(result.total_kg) == result.comparison[0].kg_co2e


def test_other_country_electricity_average_scales_world_by_grid():
    result = engine.calculate({"country": "FR"})
    # WORLD 612 kg * FR 44.18 / WORLD 472.94 g/kWh (Ember)
    assert kg(result, "electricity") == Decimal("57.170")


ABSENT_SECTION_AVERAGES = [
    # DfT NTS 2023: 5,974 miles a person, car or van 78 %, local bus 3 %, surface rail 8 % of
    # distance; DfT TAG car occupancy 1.55; DESNZ 2024 petrol car 0.16450, bus 0.10846, rail
    # 0.03546; DESNZ UK aviation 29.3 MtCO2 (2022) / 67,596,281 people, with the DESNZ
    # short-haul with/without radiative forcing ratio 0.18287 / 0.10794:
    # 795.9 + 31.3 + 27.3 + 734.4 = 1588.8
    ("GB", "transportation", "1589.000"),
    # ONS Family Spending FYE 2025 Table A1: communication services 21.20 + recreational and
    # cultural services 20.80 + insurance 25.10 + other services 5.50 = 72.60 GBP a household a
    # week x 52 / 2.36 people x Defra services 0.139 = 222.4
    ("GB", "other", "222.000"),
    # EIA residential direct CO2 339 Mt (2022) and 311 Mt (2023) / Census 333,271,411 and
    # 334,914,895 people, mean 972.9 x 1.00145 (EPA Hub CH4 and N2O) = 974.3
    ("US", "heating", "974.000"),
    # EIA gasoline 1,033 Mt x 1.00602 + jet fuel 247 Mt x 0.75 x 1.00855, / 334,914,895 people
    # = 3102.9 + 557.9
    ("US", "transportation", "3661.000"),
    # World Bank What a Waste 2.0: 0.74 kg a day, 19 % recovered; the DESNZ waste factors:
    # 270.1 x 0.81 x 0.49704 + 270.1 x 0.19 x 0.00641 = 109.1
    ("WORLD", "waste", "109.000"),
    # OWID/GCB world 4,649 kg CO2 a person x Hertwich & Peters mobility 17 % = 790.3
    ("WORLD", "transportation", "790.000"),
]


@pytest.mark.parametrize(("country", "section", "expected"), ABSENT_SECTION_AVERAGES)
def test_an_absent_section_is_its_published_derivation(country, section, expected):
    given = answers(country=country)
    del given[section]
    assert kg(engine.calculate(given), section) == Decimal(expected)


def test_result_has_all_six_categories_and_exact_total():
    result = engine.calculate({"country": "US", "household_size": 3})
    assert tuple(result.categories_kg) == engine.CATEGORIES
    assert result.total_kg == sum(result.categories_kg.values())


def test_household_total_multiplies_home_categories_only():
    result = engine.calculate(
        answers(household_size=4, electricity={"kwh_per_year": 4000}, lifestyle={"diet": "vegan"})
    )
    home = kg(result, "electricity") + kg(result, "heating") + kg(result, "waste")
    assert result.household_total_kg == home * 4 + (result.total_kg - home)


def test_comparison_has_country_world_and_target():
    labels = [point.label for point in engine.calculate({"country": "GB"}).comparison]
    assert labels == [
        "United Kingdom average",
        "World average",
        "1.5 °C-compatible lifestyle target for 2030",
    ]
    world = engine.calculate({"country": "WORLD"}).comparison
    assert [point.label for point in world][0] == "World average"


def test_normalised_input_can_be_replaced_and_recalculated():
    before = engine.validate(answers(heating={"natural_gas_kwh_per_year": 10000}))
    after = dataclasses.replace(before, heating=engine.HeatingAnswers())
    saving = engine.calculate(before).total_kg - engine.calculate(after).total_kg
    assert saving == Decimal("1829.000")


def test_as_dict_is_json_ready():
    import json

    data = engine.calculate({"country": "GB"}).as_dict()
    json.dumps(data)
    assert set(data) >= {
        "total_emissions",
        "breakdown",
        "estimated_sections",
        "confidence_score",
        "confidence_reasons",
        "model_name",
        "model_version",
        "factor_version",
        "trace",
        "comparison",
    }
    assert data["model_name"] == "carbon_site.engine"


def test_unusual_answer_is_flagged_outside_national_range():
    result = engine.calculate(answers(electricity={"kwh_per_year": 20000}))
    assert "outside_national_range" in {r.code for r in result.confidence_reasons}


@pytest.mark.parametrize("code", ["GB", "US", "WORLD", "DE"])
def test_countries_includes(code):
    assert code in dict(engine.countries())


def test_countries_sorted_by_name():
    names = [name for _, name in engine.countries()]
    assert names == sorted(names)


def test_a_country_average_is_cited_as_its_six_rows_and_what_it_counts():
    """Not the electricity row's source for the whole average, and plain about its scope."""
    united_kingdom, world, target = engine.calculate({"country": "GB"}).comparison
    assert united_kingdom.label == "United Kingdom average"
    assert "sum of the six category averages" in united_kingdom.source
    assert "public services paid through taxes are not in it" in united_kingdom.source
    assert "some are estimates" not in united_kingdom.source  # every GB row is now derived
    assert "Ofgem" not in united_kingdom.source
    assert world.label == "World average" and "six category averages" in world.source
    assert target.kg_co2e < world.kg_co2e


def test_an_average_resting_on_an_unverified_row_says_some_are_estimates(monkeypatch):
    factors = importlib.import_module("footprints.engine.factors")
    averages = dict(factors.country_averages())
    averages[("GB", "other")] = dataclasses.replace(
        averages[("GB", "other")], note="unverified placeholder: an estimate"
    )
    monkeypatch.setattr(factors, "country_averages", lambda: averages)
    united_kingdom = engine.calculate({"country": "GB"}).comparison[0]
    assert united_kingdom.source.endswith("; some are estimates, not published figures")
