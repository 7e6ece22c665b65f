"""A reduction target a user sets, measured against their footprint history."""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models

from footprints.models import CATEGORIES, emissions_field


class UserGoal(models.Model):
    class GoalType(models.TextChoices):
        REDUCTION_PERCENTAGE = "reduction_percentage", "Cut by a percentage"
        TARGET_EMISSIONS = "target_emissions", "Reach a yearly total"

    class Category(models.TextChoices):
        TOTAL = "total", "Total"
        ELECTRICITY = "electricity", "Electricity"
        HEATING = "heating", "Heating"
        TRANSPORTATION = "transportation", "Transportation"
        WASTE = "waste", "Waste"
        LIFESTYLE = "lifestyle", "Lifestyle"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ACHIEVED = "achieved", "Achieved"
        MISSED = "missed", "Missed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="goals"
    )
    goal_type = models.CharField(max_length=30, choices=GoalType.choices)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.TOTAL)
    # Null until the user has a footprint to measure from (a target goal may wait for one).
    baseline_emissions = emissions_field(null=True, blank=True)
    target_emissions = emissions_field(null=True, blank=True)
    reduction_percentage = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    target_date = models.DateField()
    description = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    is_achieved = models.BooleanField(default=False)
    achieved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "user_goals"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "is_achieved"], name="user_goals_user_achieved"),
            models.Index(fields=["status", "target_date"], name="user_goals_status_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reduction_percentage__isnull=True)
                | models.Q(reduction_percentage__gte=0, reduction_percentage__lte=100),
                name="user_goals_percentage_0_to_100",
            ),
            models.CheckConstraint(
                condition=models.Q(baseline_emissions__isnull=True)
                | models.Q(baseline_emissions__gte=0),
                name="user_goals_baseline_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(target_emissions__isnull=True)
                | models.Q(target_emissions__gte=0),
                name="user_goals_target_not_negative",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(goal_type="reduction_percentage", reduction_percentage__isnull=False)
                    | models.Q(goal_type="target_emissions", target_emissions__isnull=False)
                ),
                name="user_goals_target_matches_type",
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=("total", *CATEGORIES)),
                name="user_goals_known_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_goal_type_display()} ({self.category}) by {self.target_date}"

    def emissions_of(self, footprint) -> Decimal:
        """The number this goal watches in a footprint: its category, or the total."""
        if self.category == self.Category.TOTAL:
            return footprint.total_emissions
        return getattr(footprint, f"{self.category}_emissions")

    def is_met_by(self, value: Decimal) -> bool:
        return self.target_emissions is not None and value <= self.target_emissions

    def progress(self, current: Decimal | None, today: datetime.date) -> "GoalProgress":
        """Where the goal stands with `current` kg (the latest footprint's), on `today`."""
        days_left = max((self.target_date - today).days, 0)
        if current is None or self.baseline_emissions is None or self.target_emissions is None:
            return GoalProgress(None, None, None, None, days_left)
        baseline, target = self.baseline_emissions, self.target_emissions
        to_cut = baseline - target
        done = baseline - current
        percent = (
            Decimal(100) if to_cut <= 0 else min(max(done / to_cut * 100, Decimal(0)), Decimal(100))
        )
        # The straight path from the baseline when the goal was set to the target on its date.
        start = self.created_at.date()
        span_days = max((self.target_date - start).days, 1)
        elapsed = min(max((today - start).days, 0), span_days)
        expected_now = baseline - to_cut * Decimal(elapsed) / Decimal(span_days)
        return GoalProgress(
            current_emissions=current,
            percent_complete=percent.quantize(Decimal("0.1")),
            kg_to_cut=max(current - target, Decimal(0)),
            on_track=current <= expected_now,
            days_left=days_left,
            expected_emissions_now=expected_now.quantize(Decimal("0.001")),
        )


@dataclass(frozen=True)
class GoalProgress:
    """Progress against a goal; None fields mean there is no footprint to measure yet."""

    current_emissions: Decimal | None
    percent_complete: Decimal | None
    kg_to_cut: Decimal | None
    on_track: bool | None
    days_left: int
    expected_emissions_now: Decimal | None = None
