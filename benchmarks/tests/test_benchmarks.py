"""The benchmarks cannot rot unnoticed: their modules import, and the page benchmark runs once.

No timing is asserted here: the benchmarks report times, `make bench` runs them.
"""

import importlib

import pytest
from django.test import Client

from benchmarks import bench_pages

LOAD_BENCHMARKS = ["bench_calculation", "bench_dashboard", "bench_stats", "bench_signin"]


@pytest.mark.parametrize("name", LOAD_BENCHMARKS)
def test_a_load_benchmark_imports(name):
    module = importlib.import_module(f"benchmarks.{name}")
    assert module.__doc__.startswith("Load benchmark")


@pytest.mark.django_db
def test_the_page_benchmark_measures_every_page_once(settings):
    settings.ROOT_URLCONF = "benchmarks.bench_urls"
    settings.RATELIMIT_ENABLE = False

    results = bench_pages.measure(Client, iterations=1)

    assert set(results) == set(bench_pages.PATHS)
    assert all(line["samples"] == 1 for line in results.values())
