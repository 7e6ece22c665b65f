"""Recommendations: generate the actions for a footprint, and track which ones people take."""

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from carbon_site.bulk import RowInsert, uuid4_many
from carbon_site.user_cache import user_cache_bump_after_commit
from footprints import engine
from footprints.engine.estimator import detailed_answers, validate_quick
from footprints.models import CarbonFootprint
from footprints.outputs import RECOMMENDATION_BRIEF_COLUMNS

from .catalogue import ACTIONS_BY_CODE, CATALOGUE, EFFORT_WEIGHT, Action
from .models import ImplementedAction, Recommendation

HIGH_IMPACT_SHARE = Decimal("0.10")
MEDIUM_IMPACT_SHARE = Decimal("0.03")
SMALLEST_SAVING_KG = Decimal("1.000")  # below a kilogram a year, an action is not worth offering
# Quick answers say too little to rewrite: savings are computed on one representative household
# that matches them, drawn with a fixed seed so the same answers always give the same savings.
QUICK_PROXY_SEED = 2024


@dataclass(frozen=True)
class ActionSaving:
    action: Action
    saving_kg: Decimal


def _baseline_answers(footprint: CarbonFootprint) -> engine.Answers:
    if footprint.mode == CarbonFootprint.Mode.QUICK:
        quick = validate_quick(footprint.input_data)
        proxy = detailed_answers(quick, np.random.default_rng(QUICK_PROXY_SEED))
        return engine.validate(proxy)
    return engine.validate(footprint.input_data)


def action_savings(answers: engine.Answers, result: engine.FootprintResult) -> list[ActionSaving]:
    """Every applicable action with its saving: engine(before) - engine(after), in kg a year.

    The saving is the net change of the total (a heat pump removes gas and adds electricity)
    and never more than the category the action belongs to in `result`. `result` is the
    footprint's own: a detailed one was computed from these very answers, so its categories
    are the "before"; a quick one was not (the answers are its representative household).
    """
    if result.mode == "detailed":
        before_kg = result.categories_kg
    else:
        before_kg = engine.calculate(answers).categories_kg
    savings = []
    for action in CATALOGUE:
        if not action.applies(answers):
            continue
        change = engine.total_change(answers, action.change(answers), before_kg=before_kg)
        saving = min(change, result.categories_kg[action.category])
        if saving >= SMALLEST_SAVING_KG:
            savings.append(ActionSaving(action, saving))
    return savings


def _impact(saving: Decimal, total: Decimal) -> str:
    share = saving / total if total > 0 else Decimal(0)
    if share >= HIGH_IMPACT_SHARE:
        return Recommendation.Impact.HIGH
    if share >= MEDIUM_IMPACT_SHARE:
        return Recommendation.Impact.MEDIUM
    return Recommendation.Impact.LOW


def recommendations_generate(
    *, footprint: CarbonFootprint, result: engine.FootprintResult
) -> list[dict]:
    """Store the actions for a new footprint, ranked by kilograms saved per unit of effort.

    Actions the user has already taken are kept, marked implemented, so they show as done
    rather than being offered again. Runs inside footprint_record's transaction, as one
    multi-row INSERT: this is on every calculation request (see docs/performance.md).
    Returns what was stored, in the calculation answer's shape (RecommendationBriefOutput).
    """
    savings = action_savings(_baseline_answers(footprint), result)
    savings.sort(
        key=lambda item: (-item.saving_kg / EFFORT_WEIGHT[item.action.effort], item.action.code)
    )
    taken = {}
    if footprint.user_id is not None:
        taken = dict(
            ImplementedAction.objects.filter(user_id=footprint.user_id).values_list(
                "action_code", "implemented_at"
            )
        )
    offered = [
        {
            "uuid": uuid,
            "action_code": item.action.code,
            "category": item.action.category,
            "title": item.action.title,
            "potential_savings": item.saving_kg,
            "priority": rank,
            "estimated_impact": _impact(item.saving_kg, result.total_kg),
            "is_implemented": item.action.code in taken,
        }
        for rank, (item, uuid) in enumerate(
            zip(savings, uuid4_many(len(savings)), strict=True), start=1
        )
    ]
    constant = _INSERT.constant(carbon_footprint=footprint.pk, created_at=timezone.now())
    _INSERT.execute(
        [
            _INSERT.row(
                constant,
                **{name: brief[name] for name in RECOMMENDATION_BRIEF_COLUMNS},
                effort=ACTIONS_BY_CODE[brief["action_code"]].effort,
                implemented_at=taken.get(brief["action_code"]),
            )
            for brief in offered
        ]
    )
    return [
        {
            **brief,
            "uuid": str(brief["uuid"]),
            "potential_savings": float(brief["potential_savings"]),
        }
        for brief in offered
    ]


_INSERT = RowInsert(
    Recommendation,
    constant_fields=("carbon_footprint", "created_at"),
    row_fields=(*RECOMMENDATION_BRIEF_COLUMNS, "effort", "implemented_at"),
    few_values=(
        "action_code",
        "category",
        "priority",
        "estimated_impact",
        "is_implemented",
        "effort",
    ),
)


def on_footprint_recorded(sender, *, footprint, result, **kwargs) -> dict:
    """Subscriber to footprints' `footprint_recorded` signal (connected in apps.py)."""
    return {"recommendations": recommendations_generate(footprint=footprint, result=result)}


@transaction.atomic
def recommendation_implement(*, user: User, recommendation: Recommendation) -> Recommendation:
    """Record that the user took this action: once per action, however many footprints had it."""
    now = timezone.now()
    taken, created = ImplementedAction.objects.get_or_create(
        user=user,
        action_code=recommendation.action_code,
        defaults={
            "category": recommendation.category,
            "realised_savings": recommendation.potential_savings,
            "recommendation": recommendation,
            "implemented_at": now,
        },
    )
    Recommendation.objects.filter(
        carbon_footprint__user=user, action_code=recommendation.action_code
    ).update(is_implemented=True, implemented_at=taken.implemented_at)
    user_cache_bump_after_commit(user.pk)
    recommendation.refresh_from_db()
    return recommendation


@transaction.atomic
def recommendation_unimplement(*, user: User, recommendation: Recommendation) -> Recommendation:
    """Take back an action marked by mistake: it is offered again and no longer counted."""
    ImplementedAction.objects.filter(user=user, action_code=recommendation.action_code).delete()
    Recommendation.objects.filter(
        carbon_footprint__user=user, action_code=recommendation.action_code
    ).update(is_implemented=False, implemented_at=None)
    user_cache_bump_after_commit(user.pk)
    recommendation.refresh_from_db()
    return recommendation
