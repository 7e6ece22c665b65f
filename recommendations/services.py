"""Recommendations: generate the actions for a footprint, and track which ones people take."""

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from carbon_site.user_cache import user_cache_bump_after_commit
from footprints import engine
from footprints.engine.estimator import detailed_answers, validate_quick
from footprints.models import CarbonFootprint

from .catalogue import CATALOGUE, EFFORT_WEIGHT, Action
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
    and never more than the category the action belongs to in `result`.
    """
    before = engine.calculate(answers).total_kg
    savings = []
    for action in CATALOGUE:
        if not action.applies(answers):
            continue
        after = engine.calculate(action.change(answers)).total_kg
        saving = min(before - after, result.categories_kg[action.category])
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
) -> list[Recommendation]:
    """Store the actions for a new footprint, ranked by kilograms saved per unit of effort.

    Actions the user has already taken are kept, marked implemented, so they show as done
    rather than being offered again. Runs inside footprint_record's transaction (one bulk
    insert), so it opens none of its own.
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
    rows = [
        Recommendation(
            carbon_footprint=footprint,
            action_code=item.action.code,
            category=item.action.category,
            effort=item.action.effort,
            potential_savings=item.saving_kg,
            priority=rank,
            estimated_impact=_impact(item.saving_kg, result.total_kg),
            is_implemented=item.action.code in taken,
            implemented_at=taken.get(item.action.code),
        )
        for rank, item in enumerate(savings, start=1)
    ]
    return Recommendation.objects.bulk_create(rows)


def on_footprint_recorded(sender, *, footprint, result, **kwargs) -> None:
    """Subscriber to footprints' `footprint_recorded` signal (connected in apps.py)."""
    recommendations_generate(footprint=footprint, result=result)


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
