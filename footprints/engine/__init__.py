"""carbon_site's calculation engine: answers -> kg CO2e per person per year, with its trace.

Pure Python (stdlib, numpy, scikit-learn, skops); no Django. See docs/methodology.md.
"""

from footprints.engine.calculate import MODEL_VERSION, calculate, grid_factor, total_change
from footprints.engine.estimator import (
    QuickEstimator,
    QuickEstimatorOutdated,
    QuickQuestion,
    quick_estimate,
    quick_questions,
)
from footprints.engine.factors import FACTOR_VERSION, FactorRow, countries, factor_rows
from footprints.engine.inputs import (
    CAR_FUELS,
    CATEGORIES,
    DIETS,
    Answers,
    ElectricityAnswers,
    HeatingAnswers,
    InvalidAnswers,
    LifestyleAnswers,
    OtherAnswers,
    TransportationAnswers,
    WasteAnswers,
    validate,
)
from footprints.engine.methodology import methodology_markdown
from footprints.engine.results import (
    MODEL_NAME,
    ComparisonPoint,
    ConfidenceReason,
    FootprintResult,
    TraceLine,
)

__all__ = [
    "CAR_FUELS",
    "CATEGORIES",
    "DIETS",
    "FACTOR_VERSION",
    "MODEL_NAME",
    "MODEL_VERSION",
    "Answers",
    "ComparisonPoint",
    "ConfidenceReason",
    "ElectricityAnswers",
    "FactorRow",
    "FootprintResult",
    "HeatingAnswers",
    "InvalidAnswers",
    "LifestyleAnswers",
    "OtherAnswers",
    "QuickEstimator",
    "QuickEstimatorOutdated",
    "QuickQuestion",
    "TraceLine",
    "TransportationAnswers",
    "WasteAnswers",
    "calculate",
    "countries",
    "factor_rows",
    "grid_factor",
    "methodology_markdown",
    "quick_estimate",
    "quick_questions",
    "total_change",
    "validate",
]
