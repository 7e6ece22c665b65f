"""Every kind of invalid input raises InvalidAnswers naming the field's path."""

import subprocess
import sys

import pytest

from footprints import engine


def errors_for(answers):
    with pytest.raises(engine.InvalidAnswers) as caught:
        engine.validate(answers)
    return caught.value.errors


def test_non_object_input_is_a_non_field_error():
    assert "non_field_errors" in errors_for(["GB"])


def test_country_is_required():
    assert "country" in errors_for({})


def test_unknown_country():
    assert "country" in errors_for({"country": "XX"})


def test_unknown_fuel_names_the_nested_field_and_the_choices():
    errors = errors_for({"country": "GB", "transportation": {"car_fuel": "coal"}})
    message = errors["transportation"]["car_fuel"][0]
    assert "coal" in message and "petrol" in message


def test_unknown_diet():
    assert "diet" in errors_for({"country": "GB", "lifestyle": {"diet": "carnivore"}})["lifestyle"]


@pytest.mark.parametrize("bad", [-1, "12", True, None.__class__, float("nan"), float("inf")])
def test_bad_quantities(bad):
    value = bad if bad is not None.__class__ else [1]
    errors = errors_for({"country": "GB", "electricity": {"kwh_per_year": value}})
    assert "kwh_per_year" in errors["electricity"]


@pytest.mark.parametrize("share", [-0.1, 1.5])
def test_share_outside_zero_to_one(share):
    errors = errors_for({"country": "GB", "waste": {"recycling_share": share}})
    assert "recycling_share" in errors["waste"]


@pytest.mark.parametrize("size", [0, 21, 2.5, "2", True, float("nan")])
def test_household_size_must_be_whole_number_in_range(size):
    assert "household_size" in errors_for({"country": "GB", "household_size": size})


def test_absurd_magnitude_is_refused():
    errors = errors_for({"country": "GB", "heating": {"natural_gas_kwh_per_year": 10_000_000}})
    assert "natural_gas_kwh_per_year" in errors["heating"]


def test_unknown_top_level_key():
    assert errors_for({"country": "GB", "unknown_key": 1}) == {"unknown_key": ["Unknown field."]}


def test_unknown_key_in_section():
    errors = errors_for({"country": "GB", "heating": {"coal_kg": 1}})
    assert errors == {"heating": {"coal_kg": ["Unknown field."]}}


def test_section_that_is_not_an_object():
    assert errors_for({"country": "GB", "waste": 5}) == {"waste": ["Must be an object."]}


def test_all_errors_are_collected():
    errors = errors_for(
        {
            "country": "XX",
            "household_size": 0,
            "electricity": {"kwh_per_year": -1},
            "transportation": {"car_fuel": "coal"},
        }
    )
    assert set(errors) == {"country", "household_size", "electricity", "transportation"}


def test_valid_input_is_normalised():
    answers = engine.validate({"country": "gb", "household_size": 2.0, "heating": {}})
    assert answers.country == "GB" and answers.household_size == 2
    assert answers.heating == engine.HeatingAnswers()
    assert answers.electricity is None


def test_engine_imports_nothing_from_django():
    code = (
        "import sys, footprints.engine, footprints.engine.estimator, "
        "footprints.engine.methodology; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), "
        "sorted(m for m in sys.modules if m.startswith('django'))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603
