"""Staff analytics for recommendations: how often offered actions are taken, kept in a summary.

Counting who was offered what means reading every recommendation ever offered, joined to its
footprint for the user: seconds at a million rows. So the admin never counts on a page view: it
reads `action_rate_summary` (one row per action), which `action_rates_refresh` recomputes (task
`refresh_action_rates`, hourly in beat; command `manage.py refresh_action_rates`). See
docs/performance.md, "At scale".

Definitions (also on the admin pages):
- offered: signed-in users offered the action, each counted once however many of their
  footprints offered it (anonymous results count once claimed);
- taken: implemented_actions rows for the action (one per user who took it).
"""

import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Q
from django.utils import timezone

from .models import ActionRateSummary, ImplementedAction, Recommendation

RATES_CACHE_KEY = "staff-analytics:action-rates:v1"
RATES_CACHE_SECONDS = 5 * 60
REFRESH_LOCK_SECONDS = 30 * 60
# With no summary yet, the admin counts on the spot while the recommendations table is at most
# this big (max id, an overestimate after deletions); beyond it the page says "not computed yet".
ON_DEMAND_MAX_RECOMMENDATIONS = 20_000


def action_rates_count(*, now: datetime.datetime | None = None) -> list[ActionRateSummary]:
    """Count offered and taken per action now, as unsaved summary rows, by action code.

    Offered is one grouped query: recommendations joined to their footprint's user on the primary
    key, COUNT(DISTINCT user_id) per action_code, so the database does the work and Python sees
    one row per action. Taken is one grouped count of implemented_actions. Actions taken but never
    offered to a signed-in user (their footprints since deleted) are left out, as they always were.
    """
    now = now or timezone.now()
    # Grouped by action_code alone, MariaDB sorts recommendations by it first and then reads
    # their footprints in that order: random reads all over carbon_footprints (148 s at 888,502
    # recommendations). Grouping also on a footprint column (always true here) makes it join
    # first, both tables in primary-key order, and sort the joined rows: 4 s.
    signed_in = ExpressionWrapper(
        Q(carbon_footprint__user__isnull=False), output_field=BooleanField()
    )
    offered = (
        Recommendation.objects.filter(carbon_footprint__user__isnull=False)
        .order_by()
        .annotate(signed_in=signed_in)
        .values("action_code", "signed_in")
        .annotate(offered=Count("carbon_footprint__user", distinct=True), category=Max("category"))
    )
    taken = dict(
        ImplementedAction.objects.order_by()
        .values("action_code")
        .annotate(taken=Count("id"))
        .values_list("action_code", "taken")
    )
    return [
        ActionRateSummary(
            action_code=row["action_code"],
            category=row["category"],
            offered=row["offered"],
            taken=taken.get(row["action_code"], 0),
            refreshed_at=now,
        )
        for row in sorted(offered, key=lambda row: row["action_code"])
    ]


@transaction.atomic
def _action_rates_replace() -> int:
    rows = action_rates_count()
    ActionRateSummary.objects.all().delete()
    ActionRateSummary.objects.bulk_create(rows)
    return len(rows)


def action_rates_refresh() -> int:
    """Recompute action_rate_summary from scratch; safe to repeat. Returns the rows written.

    The rows are replaced as a whole in one transaction, so readers see the previous figures or
    the new ones, never a mix; a run after an erasure or a claim leaves exactly the current
    counts. Then forgets the cached rates, so staff see the new figures at their next view.
    """
    written = _action_rates_replace()
    cache.delete(RATES_CACHE_KEY)
    return written
