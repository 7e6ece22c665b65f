"""total_change, the cheap difference of two footprints, equals the difference of two whole runs."""

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from footprints import engine
from footprints.tests.engine.test_properties import answers

sections_rewritten = st.lists(
    st.sampled_from(["electricity", "heating", "transportation", "waste", "lifestyle"]),
    unique=True,
    max_size=3,
)


def _rewrite(before: engine.Answers, names: list[str], fraction: float) -> engine.Answers:
    """Scale every number of the named sections, as an action does; an unanswered one gets {}."""
    changes = {}
    for name in names:
        section = getattr(before, name)
        if section is None:
            changes[name] = getattr(engine.validate({"country": "GB", name: {}}), name)
            continue
        changes[name] = dataclasses.replace(
            section,
            **{
                field.name: getattr(section, field.name) * fraction
                for field in dataclasses.fields(section)
                if isinstance(getattr(section, field.name), float)
                and not field.name.endswith("_share")
            },
        )
    return dataclasses.replace(before, **changes)


@given(answers(), sections_rewritten, st.floats(min_value=0, max_value=2))
def test_total_change_is_the_difference_of_two_whole_calculations(raw, names, fraction):
    before = engine.validate(raw)
    after = _rewrite(before, names, fraction)
    expected = engine.calculate(before).total_kg - engine.calculate(after).total_kg
    assert engine.total_change(before, after) == expected
    before_kg = engine.calculate(before).categories_kg
    assert engine.total_change(before, after, before_kg=before_kg) == expected


@given(answers(), st.integers(1, 20))
def test_a_new_household_size_or_country_counts_every_category(raw, size):
    before = engine.validate(raw)
    for after in (
        dataclasses.replace(before, household_size=size),
        dataclasses.replace(before, country="US" if before.country != "US" else "FR"),
    ):
        expected = engine.calculate(before).total_kg - engine.calculate(after).total_kg
        assert engine.total_change(before, after) == expected


def test_identical_answers_change_nothing():
    before = engine.validate({"country": "GB", "electricity": {"kwh_per_year": 2700}})
    assert engine.total_change(before, before) == 0
