"""Recording footprints: the only way a calculation is made, claimed or recalculated."""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from auditlog.context import disable_auditlog
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.tokens import token_digest, token_issue
from carbon_site.errors import NotFoundError
from carbon_site.http import RequestMeta
from carbon_site.user_cache import user_cache_bump_after_commit

from . import engine
from .models import CATEGORIES, CarbonFootprint
from .selectors import claim_window_start, footprint_compute
from .signals import footprint_recorded

EARLIEST_CALCULATION_DATE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
CONFIDENCE_PLACES = Decimal("0.001")


@dataclass(frozen=True)
class RecordedFootprint:
    footprint: CarbonFootprint
    result: engine.FootprintResult
    claim_token: str | None  # shown once, to an anonymous author only
    # What subscribers of footprint_recorded made, for the answer (see footprints/signals.py).
    answer_parts: Mapping[str, Any] = field(default_factory=dict)


def _calculation_date_check(calculation_date: datetime.datetime | None) -> datetime.datetime:
    now = timezone.now()
    if calculation_date is None:
        return now
    if calculation_date > now:
        raise ValidationError({"calculation_date": ["Must not be in the future."]})
    if calculation_date < EARLIEST_CALCULATION_DATE:
        raise ValidationError({"calculation_date": ["Must be in the year 2000 or later."]})
    return calculation_date


@transaction.atomic
def footprint_record(
    *,
    user: User | None,
    answers: Mapping[str, Any],
    request_meta: RequestMeta,
    mode: str = CarbonFootprint.Mode.DETAILED,
    calculation_date: datetime.datetime | None = None,
    recalculated_from: CarbonFootprint | None = None,
) -> RecordedFootprint:
    """Compute with the engine, store the row, tell subscribers. The only way to make one."""
    calculation_date = _calculation_date_check(calculation_date)
    result = footprint_compute(answers=answers, mode=mode)
    claim = token_issue() if user is None else None
    # No audit entry for the creation: a footprint is never edited once made, so the row is
    # its own record of when and by whom; the audit log keeps what changes it later (a claim,
    # an erasure). At one entry per calculation it would double every calculation's writes.
    with disable_auditlog():
        footprint = CarbonFootprint.objects.create(
            user=user,
            mode=mode,
            input_data=dict(answers),
            country=result.country,
            total_emissions=result.total_kg,
            **{f"{category}_emissions": result.categories_kg[category] for category in CATEGORIES},
            confidence_score=Decimal(str(result.confidence_score)).quantize(CONFIDENCE_PLACES),
            model_name=result.model_name,
            model_version=result.model_version,
            factor_version=result.factor_version,
            recalculated_from=recalculated_from,
            calculation_date=calculation_date,
            is_anonymous=user is None,
            claim_token_hash=claim.digest if claim else None,
            **request_meta.as_fields(),
        )
    answer_parts = {}
    for _, part in footprint_recorded.send(
        sender=CarbonFootprint, footprint=footprint, result=result
    ):
        answer_parts.update(part or {})
    user_cache_bump_after_commit(footprint.user_id)
    return RecordedFootprint(footprint, result, claim.raw if claim else None, answer_parts)


@dataclass(frozen=True)
class ClaimOutcome:
    claimed: tuple[str, ...]  # calculation uuids now belonging to the user
    skipped: int  # unknown, expired or already claimed: never told apart


@transaction.atomic
def footprint_claim(*, user: User, claim_tokens: Iterable[str]) -> ClaimOutcome:
    """Attach anonymous results to an account by their claim tokens (each works once).

    Saved row by row, so that each change of owner is in the audit log with its actor.
    """
    digests = {token_digest(token) for token in claim_tokens if token}
    claimable = CarbonFootprint.objects.select_for_update().filter(
        claim_token_hash__in=digests,
        user__isnull=True,
        is_anonymous=True,
        created_at__gt=claim_window_start(),
    )
    now = timezone.now()
    claimed = []
    for footprint in claimable:
        footprint.user = user
        footprint.is_anonymous = False
        footprint.claimed_at = now
        footprint.claim_token_hash = None
        footprint.save(
            update_fields=["user", "is_anonymous", "claimed_at", "claim_token_hash", "updated_at"]
        )
        claimed.append(str(footprint.calculation_uuid))
    if claimed:
        user_cache_bump_after_commit(user.pk)
    return ClaimOutcome(claimed=tuple(claimed), skipped=len(digests) - len(claimed))


def footprint_recalculate(
    *, footprint: CarbonFootprint, request_meta: RequestMeta
) -> RecordedFootprint:
    """Run a footprint's stored answers on the current factors, as a new linked row.

    The old row is never changed: history keeps what was said at the time.
    """
    if footprint.user_id is None:
        raise NotFoundError("No such calculation.")
    return footprint_record(
        user=footprint.user,
        answers=footprint.input_data,
        request_meta=request_meta,
        mode=footprint.mode,
        recalculated_from=footprint,
    )
