"""The quick estimator, loaded once per process and trained when its file is absent or stale."""

import logging
import threading
from pathlib import Path

from django.conf import settings

from footprints.engine import QuickEstimator

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_loaded: dict[str, QuickEstimator] = {}


def quick_model() -> QuickEstimator:
    """The estimator at QUICK_ESTIMATOR_PATH; a file from another scikit-learn or model version
    is retrained rather than loaded with a warning."""
    path = str(settings.QUICK_ESTIMATOR_PATH)
    model = _loaded.get(path)
    if model is not None:
        return model
    with _lock:
        model = _loaded.get(path) or QuickEstimator.load_or_none(path)
        if model is None:
            samples = settings.QUICK_ESTIMATOR_TRAINING_SAMPLES
            logger.warning("training the quick estimator (%s samples) into %s", samples, path)
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            model = QuickEstimator.train(n_samples=samples)
            model.save(path)
        _loaded[path] = model
    return model
