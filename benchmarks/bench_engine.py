"""Time engine.calculate (target < 200 µs) and quick_estimate (target < 2 ms); no Django.

Run: .venv/bin/python benchmarks/bench_engine.py
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from footprints import engine

DETAILED = {
    "country": "GB",
    "household_size": 2,
    "electricity": {"kwh_per_year": 2700, "renewable_share": 0.0},
    "heating": {"natural_gas_kwh_per_year": 11500},
    "transportation": {
        "car_km_per_year": 11000,
        "car_fuel": "petrol",
        "rail_km_per_year": 500,
        "flights_short_haul_per_year": 2,
    },
    "waste": {"kg_per_week": 8, "recycling_share": 0.4},
    "lifestyle": {"diet": "average", "clothing_spend_per_month": 40},
    "other": {"services_spend_per_month": 200},
}
QUICK = {
    "country": "GB",
    "household_size": 2,
    "home_size": "50_100",
    "home_type": "semi",
    "heating_fuel": "gas",
    "car_use": "medium",
    "flights": "one_or_two",
    "diet": "average",
}


def median_seconds(call, iterations: int) -> float:
    call()
    timings = []
    for _ in range(iterations):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    detailed_us = median_seconds(lambda: engine.calculate(DETAILED), 20_000) * 1e6
    print(
        f"engine.calculate: median {detailed_us:.1f} µs per call "
        f"({'meets' if detailed_us < 200 else 'MISSES'} 200 µs)"
    )
    model = engine.QuickEstimator.train(n_samples=2_000, seed=1)
    quick_ms = median_seconds(lambda: engine.quick_estimate(QUICK, model), 5_000) * 1e3
    print(
        f"engine.quick_estimate: median {quick_ms:.3f} ms per call "
        f"({'meets' if quick_ms < 2 else 'MISSES'} 2 ms)"
    )


if __name__ == "__main__":
    main()
