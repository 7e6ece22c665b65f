"""Quick mode: a few answers -> six categories with an interval, learnt from the detailed engine.

``QuickEstimator.train`` draws a synthetic population from the documented distributions below,
runs every household through ``engine.calculate`` (so quick mode agrees with the engine) and fits
one multi-output ridge regression on one-hot answers to log(1 + kg). Intervals are split-conformal
on the log scale (90 % target coverage); a prediction's confidence falls as its interval widens.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import sklearn
from sklearn.linear_model import Ridge

from footprints.engine import factors as f
from footprints.engine.calculate import THOUSANDTH, calculate, comparison_points
from footprints.engine.inputs import CATEGORIES, DIETS, MAX_HOUSEHOLD_SIZE, InvalidAnswers
from footprints.engine.results import MODEL_NAME, ConfidenceReason, FootprintResult, TraceLine

ESTIMATOR_VERSION = f"{f.FACTOR_VERSION}-q1"
INTERVAL_COVERAGE = 0.9
HOME_SIZES = {"under_50": 40, "50_100": 75, "100_150": 125, "over_150": 190}  # m2, band middle
HOME_TYPES = ("flat", "terraced", "semi", "detached")
HEATING_FUELS = ("gas", "oil", "lpg", "electric", "heat_pump", "wood", "district")
CAR_USE = {"none": 0, "low": 3_000, "medium": 10_000, "high": 20_000}  # km per year
FLIGHTS = {"none": 0, "one_or_two": 1.5, "three_to_five": 4, "over_five": 8}  # return trips
# Space heating demand in kWh per m2 per year by home type (synthetic-population assumption).
HEAT_DEMAND_KWH_PER_M2 = {"flat": 70, "terraced": 100, "semi": 120, "detached": 140}
OTHER_COUNTRIES = ("DE", "FR", "IN", "CN", "BR", "ZA", "AU", "CA", "JP", "PL", "SE")


@dataclass(frozen=True, slots=True)
class QuickQuestion:
    name: str
    label: str
    choices: tuple[tuple[str, str], ...]
    unit: str = ""


def quick_questions() -> tuple[QuickQuestion, ...]:
    """The quick-mode questions, from which forms and serializers are generated."""
    return (
        QuickQuestion("country", "Country", f.countries()),
        QuickQuestion(
            "household_size",
            "People in your household",
            tuple((str(n), str(n)) for n in range(1, MAX_HOUSEHOLD_SIZE + 1)),
            "people",
        ),
        QuickQuestion(
            "home_size",
            "Size of your home",
            (
                ("under_50", "Under 50 m²"),
                ("50_100", "50–100 m²"),
                ("100_150", "100–150 m²"),
                ("over_150", "Over 150 m²"),
            ),
            "m²",
        ),
        QuickQuestion(
            "home_type",
            "Type of home",
            (
                ("flat", "Flat"),
                ("terraced", "Terraced house"),
                ("semi", "Semi-detached house"),
                ("detached", "Detached house"),
            ),
        ),
        QuickQuestion(
            "heating_fuel",
            "Main heating",
            (
                ("gas", "Gas"),
                ("oil", "Oil"),
                ("lpg", "LPG"),
                ("electric", "Electric heaters"),
                ("heat_pump", "Heat pump"),
                ("wood", "Wood"),
                ("district", "District heating"),
            ),
        ),
        QuickQuestion(
            "car_use",
            "How much you drive",
            (
                ("none", "No car"),
                ("low", "Under 5,000 km a year"),
                ("medium", "5,000–15,000 km a year"),
                ("high", "Over 15,000 km a year"),
            ),
            "km/year",
        ),
        QuickQuestion(
            "flights",
            "Return flights a year",
            (
                ("none", "None"),
                ("one_or_two", "1–2"),
                ("three_to_five", "3–5"),
                ("over_five", "More than 5"),
            ),
            "return trips/year",
        ),
        QuickQuestion("diet", "Diet", tuple((d, d.replace("_", " ").capitalize()) for d in DIETS)),
    )


CHOICE_NAMES = ("home_size", "home_type", "heating_fuel", "car_use", "flights", "diet")


def validate_quick(answers: Any) -> dict[str, Any]:
    """Check quick answers; raise InvalidAnswers naming each bad field."""
    if not isinstance(answers, Mapping):
        raise InvalidAnswers({"non_field_errors": ["Answers must be an object."]})
    spec = {question.name: question for question in quick_questions()}
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for key in answers:
        if key not in spec:
            errors[str(key)] = ["Unknown field."]
    country = answers.get("country")
    if not isinstance(country, str) or country.upper() not in f.country_codes():
        errors["country"] = [f"Unknown country {country!r}; use an ISO alpha-2 code or WORLD."]
    else:
        clean["country"] = country.upper()
    size = answers.get("household_size", 1)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_HOUSEHOLD_SIZE:
        errors["household_size"] = [f"Must be a whole number from 1 to {MAX_HOUSEHOLD_SIZE}."]
    else:
        clean["household_size"] = size
    for name in CHOICE_NAMES:
        allowed = [code for code, _ in spec[name].choices]
        value = answers.get(name)
        if value not in allowed:
            errors[name] = [f"Unknown choice {value!r}; choose one of {', '.join(allowed)}."]
        else:
            clean[name] = value
    if errors:
        raise InvalidAnswers(errors)
    return clean


def detailed_answers(quick: Mapping[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """One synthetic detailed household consistent with quick answers (documented priors)."""
    area = HOME_SIZES[quick["home_size"]] * rng.uniform(0.8, 1.2)
    heat_kwh = area * HEAT_DEMAND_KWH_PER_M2[quick["home_type"]] * rng.lognormal(0, 0.25)
    electricity_kwh = (1_200 + 15 * area) * rng.lognormal(0, 0.25)
    heating: dict[str, float] = {}
    fuel = quick["heating_fuel"]
    if fuel == "gas":
        heating["natural_gas_kwh_per_year"] = heat_kwh / 0.85
    elif fuel == "oil":
        heating["heating_oil_litres_per_year"] = heat_kwh / 0.85 / 10.35  # ~10.35 kWh per litre
    elif fuel == "lpg":
        heating["lpg_litres_per_year"] = heat_kwh / 0.85 / 7.1  # ~7.1 kWh per litre
    elif fuel == "wood":
        heating["wood_kg_per_year"] = heat_kwh / 0.7 / 4.2  # ~4.2 kWh per kg of seasoned logs
    elif fuel == "district":
        heating["district_heat_kwh_per_year"] = heat_kwh
    elif fuel == "electric":
        electricity_kwh += heat_kwh
    else:
        electricity_kwh += heat_kwh / 3.0  # seasonal coefficient of performance ~3
    car_km = CAR_USE[quick["car_use"]] * rng.lognormal(0, 0.3)
    car_fuel = str(rng.choice(["petrol", "diesel", "hybrid", "electric"], p=[0.55, 0.3, 0.1, 0.05]))
    flights = FLIGHTS[quick["flights"]]
    long_share = rng.uniform(0, 0.4)
    return {
        "country": quick["country"],
        "household_size": quick["household_size"],
        "electricity": {"kwh_per_year": electricity_kwh, "renewable_share": 0.0},
        "heating": heating,
        "transportation": {
            "car_km_per_year": car_km,
            "car_fuel": car_fuel,
            "bus_km_per_year": rng.uniform(0, 1_000),
            "rail_km_per_year": rng.uniform(0, 1_500),
            "flights_short_haul_per_year": 2 * flights * (1 - long_share),
            "flights_long_haul_per_year": 2 * flights * long_share,
        },
        "waste": {
            "kg_per_week": 4 + 3 * quick["household_size"] * rng.uniform(0.6, 1.4),
            "recycling_share": rng.uniform(0.2, 0.6),
        },
        "lifestyle": {"diet": quick["diet"], "other_goods_spend_per_month": rng.uniform(20, 200)},
        "other": {"services_spend_per_month": rng.uniform(50, 600)},
    }


def random_quick(rng: np.random.Generator) -> dict[str, Any]:
    country = str(rng.choice(["GB", "US", "WORLD", *OTHER_COUNTRIES]))
    return {
        "country": country,
        "household_size": int(
            rng.choice([1, 2, 3, 4, 5, 6], p=[0.3, 0.34, 0.15, 0.13, 0.05, 0.03])
        ),
        "home_size": str(rng.choice(list(HOME_SIZES))),
        "home_type": str(rng.choice(HOME_TYPES)),
        "heating_fuel": str(rng.choice(HEATING_FUELS)),
        "car_use": str(rng.choice(list(CAR_USE))),
        "flights": str(rng.choice(list(FLIGHTS))),
        "diet": str(rng.choice(DIETS)),
    }


def _vocabulary() -> tuple[str, ...]:
    countries = ("GB", "US", "OTHER")
    words = [f"country={c}" for c in countries]
    for question in quick_questions():
        if question.name in CHOICE_NAMES:
            words += [f"{question.name}={code}" for code, _ in question.choices]
    words += [f"country_heating={c}|{h}" for c in countries for h in HEATING_FUELS]
    words += [f"country_car={c}|{u}" for c in countries for u in CAR_USE]
    return tuple(words)


VOCABULARY = _vocabulary()
INDEX = MappingProxyType({word: i for i, word in enumerate(VOCABULARY)})
N_FEATURES = len(VOCABULARY) + 2  # + log(household size) + log(grid intensity)


def features(quick: Mapping[str, Any]) -> np.ndarray:
    row = np.zeros(N_FEATURES)
    country = quick["country"]
    group = country if country in ("GB", "US") else "OTHER"
    for word in (
        f"country={group}",
        *(f"{name}={quick[name]}" for name in CHOICE_NAMES),
        f"country_heating={group}|{quick['heating_fuel']}",
        f"country_car={group}|{quick['car_use']}",
    ):
        row[INDEX[word]] = 1.0
    row[-2] = np.log(quick["household_size"])
    row[-1] = np.log(f.grid_intensities()[country].kg_co2e_per_kwh + 0.01)
    return row


class QuickEstimatorOutdated(Exception):
    """The saved estimator was made by another scikit-learn or model version: retrain it."""


@dataclass(frozen=True)
class QuickEstimator:
    """One multi-output ridge model on log(1 + kg) with split-conformal interval half-widths."""

    model: Ridge
    half_widths: np.ndarray  # per category, on the log scale
    report: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def train(cls, n_samples: int = 20_000, seed: int = 2024) -> QuickEstimator:
        """Generate a synthetic population, label it with the engine, fit and measure."""
        started = time.perf_counter()
        rng = np.random.default_rng(seed)
        quick_rows = [random_quick(rng) for _ in range(n_samples)]
        x = np.vstack([features(row) for row in quick_rows])
        y = np.array(
            [
                [float(calculate(detailed_answers(row, rng)).categories_kg[c]) for c in CATEGORIES]
                for row in quick_rows
            ]
        )
        target = np.log1p(y)
        order = rng.permutation(n_samples)
        n_fit, n_cal = int(0.6 * n_samples), int(0.2 * n_samples)
        fit, cal, test = order[:n_fit], order[n_fit : n_fit + n_cal], order[n_fit + n_cal :]
        model = Ridge(alpha=1.0).fit(x[fit], target[fit])
        residuals = np.abs(model.predict(x[cal]) - target[cal])
        level = min(1.0, np.ceil((len(cal) + 1) * INTERVAL_COVERAGE) / len(cal))
        half_widths = np.quantile(residuals, level, axis=0)
        predicted = model.predict(x[test])
        point = np.expm1(predicted)
        low, high = np.expm1(predicted - half_widths), np.expm1(predicted + half_widths)
        truth = y[test]
        inside = (truth >= low) & (truth <= high)
        report = {
            "model_name": MODEL_NAME,
            "model_version": ESTIMATOR_VERSION,
            "sklearn_version": sklearn.__version__,
            "n_samples": n_samples,
            "seed": seed,
            "n_test": len(test),
            "interval_target_coverage": INTERVAL_COVERAGE,
            "training_seconds": round(time.perf_counter() - started, 2),
            "mae_kg": {
                c: round(float(np.mean(np.abs(point[:, i] - truth[:, i]))), 1)
                for i, c in enumerate(CATEGORIES)
            },
            "total_mae_kg": round(float(np.mean(np.abs(point.sum(1) - truth.sum(1)))), 1),
            "interval_coverage": {
                c: round(float(np.mean(inside[:, i])), 3) for i, c in enumerate(CATEGORIES)
            },
        }
        return cls(model=model, half_widths=half_widths, report=report)

    def predict(self, quick: Mapping[str, Any]) -> dict[str, tuple[float, float, float]]:
        """Per category (point, low, high) kg CO2e per person per year for validated answers."""
        logs = features(quick) @ self.model.coef_.T + self.model.intercept_
        points = np.maximum(np.expm1(logs), 0.0)
        lows = np.maximum(np.expm1(logs - self.half_widths), 0.0)
        highs = np.expm1(logs + self.half_widths)
        return {
            category: (float(points[i]), float(lows[i]), float(highs[i]))
            for i, category in enumerate(CATEGORIES)
        }

    def save(self, path: str | Path) -> None:
        """Write the model with skops and its version marker beside it (``<path>.json``)."""
        import skops.io

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        skops.io.dump({"model": self.model, "half_widths": self.half_widths}, path)
        path.with_suffix(path.suffix + ".json").write_text(
            json.dumps(dict(self.report), indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, path: str | Path) -> QuickEstimator:
        """Load a saved estimator; refuse one from another sklearn or model version."""
        import skops.io

        path = Path(path)
        marker = path.with_suffix(path.suffix + ".json")
        if not path.exists() or not marker.exists():
            raise FileNotFoundError(f"No quick estimator at {path}: train one first.")
        report = json.loads(marker.read_text(encoding="utf-8"))
        if report.get("sklearn_version") != sklearn.__version__:
            raise QuickEstimatorOutdated(
                f"{path} was saved with scikit-learn {report.get('sklearn_version')}, "
                f"this is {sklearn.__version__}: retrain it."
            )
        if report.get("model_version") != ESTIMATOR_VERSION:
            raise QuickEstimatorOutdated(
                f"{path} is model version {report.get('model_version')}, "
                f"the engine expects {ESTIMATOR_VERSION}: retrain it."
            )
        saved = skops.io.load(path, trusted=list(TRUSTED_TYPES))
        return cls(model=saved["model"], half_widths=saved["half_widths"], report=report)

    @classmethod
    def load_or_none(cls, path: str | Path) -> QuickEstimator | None:
        """The saved estimator, or None when it is missing or outdated (the caller retrains)."""
        try:
            return cls.load(path)
        except (FileNotFoundError, QuickEstimatorOutdated):
            return None


# The only types a saved estimator may contain (checked with skops.io.get_untrusted_types).
TRUSTED_TYPES = ("sklearn.linear_model._ridge.Ridge",)


def _decimal(kg: float) -> Decimal:
    return Decimal(repr(round(kg, 9))).quantize(THOUSANDTH)


def quick_estimate(answers: Mapping[str, Any], model: QuickEstimator) -> FootprintResult:
    """Quick mode: validate the short answers and predict the six categories with intervals."""
    quick = validate_quick(answers)
    predicted = model.predict(quick)
    categories = {c: _decimal(predicted[c][0]) for c in CATEGORIES}
    intervals = {c: (_decimal(predicted[c][1]), _decimal(predicted[c][2])) for c in CATEGORIES}
    total = sum(categories.values(), Decimal("0.000"))
    low = sum(low for low, _ in intervals.values())
    high = sum(high for _, high in intervals.values())
    relative_width = float((high - low) / total) if total > 0 else 1.0
    # Quick mode is never above 0.75; a wide interval (relative to the total) lowers it further.
    score = round(max(0.05, 0.75 / (1 + relative_width / 2)), 2)
    home = sum((categories[c] for c in ("electricity", "heating", "waste")), Decimal("0.000"))
    source = f"carbon_site quick estimator {ESTIMATOR_VERSION} (trained on the detailed engine)"
    trace = tuple(
        TraceLine(
            category=c,
            activity="quick_estimate",
            quantity=1.0,
            quantity_unit="person",
            share=1.0,
            factor=float(categories[c]),
            factor_unit="kg CO2e/person/year (model prediction)",
            source=source,
            year=int(f.FACTOR_VERSION[:4]),
            kg_co2e=float(categories[c]),
        )
        for c in CATEGORIES
    )
    reason = ConfidenceReason(
        "quick_mode",
        f"Quick estimate from 8 answers; the likely range is {float(low):,.0f}–"
        f"{float(high):,.0f} kg CO2e a year.",
    )
    return FootprintResult(
        country=quick["country"],
        household_size=quick["household_size"],
        categories_kg=MappingProxyType(categories),
        total_kg=total,
        household_total_kg=home * quick["household_size"] + (total - home),
        trace=trace,
        estimated_sections=CATEGORIES,
        confidence_score=score,
        confidence_reasons=(reason,),
        comparison=comparison_points(quick["country"]),
        model_name=MODEL_NAME,
        model_version=ESTIMATOR_VERSION,
        factor_version=f.FACTOR_VERSION,
        mode="quick",
        intervals_kg=MappingProxyType(intervals),
    )
