import os

import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=50, deadline=None)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(scope="session")
def tiny_estimator():
    """A quick estimator trained on a few hundred synthetic households (fast, for tests)."""
    from footprints.engine.estimator import QuickEstimator

    return QuickEstimator.train(n_samples=400, seed=7)
