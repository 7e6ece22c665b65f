"""An action offered for one footprint, with the kilograms it would save."""

import uuid

from django.conf import settings
from django.db import models

from footprints.models import CarbonFootprint, emissions_field

from .catalogue import ACTIONS_BY_CODE, Action


class Recommendation(models.Model):
    class Impact(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    class Effort(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    carbon_footprint = models.ForeignKey(
        CarbonFootprint, on_delete=models.CASCADE, related_name="recommendations"
    )
    action_code = models.CharField(max_length=64, db_index=True)
    category = models.CharField(max_length=20)
    effort = models.CharField(max_length=10, choices=Effort.choices, default=Effort.MEDIUM)
    potential_savings = emissions_field()
    priority = models.PositiveIntegerField()
    estimated_impact = models.CharField(max_length=10, choices=Impact.choices)
    is_implemented = models.BooleanField(default=False)
    implemented_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "recommendations"
        ordering = ["priority", "id"]
        indexes = [
            models.Index(
                fields=["carbon_footprint", "priority"], name="recommendations_fp_priority"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(potential_savings__gte=0),
                name="recommendations_savings_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(priority__gte=1), name="recommendations_priority_from_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.potential_savings} kg CO2e/year)"

    # The words come from the catalogue by action_code, not from the row: they are the same for
    # every footprint, and copying them into every row tripled what each calculation wrote.
    @property
    def action(self) -> Action | None:
        return ACTIONS_BY_CODE.get(self.action_code)

    @staticmethod
    def title_of(action_code: str) -> str:
        action = ACTIONS_BY_CODE.get(action_code)
        return action.title if action else action_code

    @property
    def title(self) -> str:
        return self.title_of(self.action_code)

    @property
    def description(self) -> str:
        return self.action.description if self.action else ""

    @property
    def action_required(self) -> str:
        return self.action.action_required if self.action else ""


class ImplementedAction(models.Model):
    """An action a user has taken: counted once, however many footprints offered it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="implemented_actions"
    )
    action_code = models.CharField(max_length=64)
    category = models.CharField(max_length=20)
    # The saving when it was taken, from the recommendation the user acted on.
    realised_savings = emissions_field()
    recommendation = models.ForeignKey(
        Recommendation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    implemented_at = models.DateTimeField()

    class Meta:
        db_table = "implemented_actions"
        ordering = ["-implemented_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "action_code"], name="implemented_actions_once_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(realised_savings__gte=0),
                name="implemented_actions_savings_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action_code} by {self.user_id}"


class ActionRateSummary(models.Model):
    """How often one catalogue action is taken, counted for staff.

    Filled by `recommendations.analytics.action_rates_refresh` (the task `refresh_action_rates`),
    never by hand: every row is recomputed from recommendations and implemented_actions in one
    transaction, so a refresh can run any number of times. One row per action ever offered to a
    signed-in user (a few dozen) replaces a scan of every recommendation on each admin view.
    """

    action_code = models.CharField(max_length=64, unique=True)
    category = models.CharField(max_length=20)
    # Signed-in users offered the action: each once, however many of their footprints offered it.
    offered = models.PositiveIntegerField()
    # implemented_actions rows for the action (a user takes an action at most once).
    taken = models.PositiveIntegerField()
    refreshed_at = models.DateTimeField()

    class Meta:
        db_table = "action_rate_summary"
        ordering = ["action_code"]
        verbose_name = "action rate"

    def __str__(self) -> str:
        return f"{self.action_code}: {self.taken} of {self.offered} taken"
