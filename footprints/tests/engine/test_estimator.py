"""The quick estimator: tiny training, prediction, intervals and version refusal."""

import json
import time

import pytest

from footprints import engine
from footprints.engine.estimator import (
    QuickEstimator,
    QuickEstimatorOutdated,
    quick_estimate,
    quick_questions,
)

QUICK = {
    "country": "GB",
    "household_size": 2,
    "home_size": "50_100",
    "home_type": "terraced",
    "heating_fuel": "gas",
    "car_use": "medium",
    "flights": "one_or_two",
    "diet": "average",
}


def test_quick_estimate_predicts_six_categories_inside_their_intervals(tiny_estimator):
    result = quick_estimate(QUICK, tiny_estimator)
    assert result.mode == "quick"
    assert tuple(result.categories_kg) == engine.CATEGORIES
    assert result.total_kg == sum(result.categories_kg.values())
    for category, (low, high) in result.intervals_kg.items():
        assert low <= result.categories_kg[category] <= high


def test_quick_confidence_is_between_zero_and_one_with_quick_mode_reason(tiny_estimator):
    result = quick_estimate(QUICK, tiny_estimator)
    assert 0 <= result.confidence_score <= 1
    assert [reason.code for reason in result.confidence_reasons] == ["quick_mode"]


def test_quick_estimate_validates_its_answers(tiny_estimator):
    with pytest.raises(engine.InvalidAnswers) as caught:
        quick_estimate({**QUICK, "heating_fuel": "coal", "extra": 1}, tiny_estimator)
    assert set(caught.value.errors) == {"heating_fuel", "extra"}


def test_training_reports_accuracy_per_category(tiny_estimator):
    report = tiny_estimator.report
    assert set(report["mae_kg"]) == set(engine.CATEGORIES)
    assert all(0 <= value <= 1 for value in report["interval_coverage"].values())


def test_single_prediction_is_fast(tiny_estimator):
    quick_estimate(QUICK, tiny_estimator)
    started = time.perf_counter()
    for _ in range(100):
        quick_estimate(QUICK, tiny_estimator)
    assert (time.perf_counter() - started) / 100 < 0.002


def test_save_and_load_round_trip(tiny_estimator, tmp_path):
    path = tmp_path / "quick.skops"
    tiny_estimator.save(path)
    loaded = QuickEstimator.load(path)
    assert quick_estimate(QUICK, loaded).total_kg == quick_estimate(QUICK, tiny_estimator).total_kg


@pytest.mark.parametrize("marker", ["sklearn_version", "model_version"])
def test_load_refuses_a_model_saved_with_another_version(tiny_estimator, tmp_path, marker):
    path = tmp_path / "quick.skops"
    tiny_estimator.save(path)
    meta_path = path.with_suffix(".skops.json")
    meta = json.loads(meta_path.read_text())
    meta[marker] = "0.0-other"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(QuickEstimatorOutdated):
        QuickEstimator.load(path)
    assert QuickEstimator.load_or_none(path) is None


def test_quick_questions_name_every_field():
    names = [question.name for question in quick_questions()]
    assert names == list(QUICK)
