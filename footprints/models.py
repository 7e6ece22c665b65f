"""A recorded calculation: the answers given, the engine's result, and where it came from."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

CATEGORIES = ("electricity", "heating", "transportation", "waste", "lifestyle", "other")


def emissions_field(**kwargs) -> models.DecimalField:
    """kg CO2e per year per person, to the gram."""
    return models.DecimalField(max_digits=12, decimal_places=3, **kwargs)


class CarbonFootprint(models.Model):
    """One calculation. Never edited after it is made: a recalculation is a new linked row."""

    class Mode(models.TextChoices):
        DETAILED = "detailed", "Detailed"
        QUICK = "quick", "Quick"

    calculation_uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="footprints",
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.DETAILED)
    input_data = models.JSONField(default=dict)
    country = models.CharField(max_length=5, db_index=True)
    total_emissions = emissions_field()
    electricity_emissions = emissions_field()
    heating_emissions = emissions_field()
    transportation_emissions = emissions_field()
    waste_emissions = emissions_field()
    lifestyle_emissions = emissions_field()
    other_emissions = emissions_field()
    confidence_score = models.DecimalField(max_digits=4, decimal_places=3)
    model_name = models.CharField(max_length=64)
    model_version = models.CharField(max_length=32)
    factor_version = models.CharField(max_length=32)
    recalculated_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recalculations",
    )
    calculation_date = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    is_anonymous = models.BooleanField(default=False)
    claim_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "carbon_footprints"
        ordering = ["-calculation_date", "-id"]
        indexes = [
            models.Index(fields=["user", "calculation_date"], name="footprints_user_date"),
            models.Index(fields=["calculation_date"], name="footprints_date"),
            models.Index(fields=["is_anonymous", "created_at"], name="footprints_anon_created"),
        ]
        constraints = [
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__gte": 0}),
                    name=f"carbon_footprints_{name}_not_negative",
                )
                for name in ("total_emissions", *(f"{c}_emissions" for c in CATEGORIES))
            ),
            models.CheckConstraint(
                condition=models.Q(confidence_score__gte=0, confidence_score__lte=1),
                name="carbon_footprints_confidence_0_to_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.total_emissions} kg CO2e ({self.calculation_date:%Y-%m-%d})"

    @property
    def breakdown(self) -> dict[str, object]:
        """The six categories, in the engine's order."""
        return {category: getattr(self, f"{category}_emissions") for category in CATEGORIES}


class DailySummary(models.Model):
    """The calculations of one UTC day in one country, counted for staff analytics.

    Filled by `footprints.analytics.daily_summary_refresh` (the task `refresh_daily_summary`),
    never by hand: a day's rows are recomputed from carbon_footprints, so a refresh can run any
    number of times. A few hundred rows a year replace scans of the calculations table.
    """

    day = models.DateField()
    country = models.CharField(max_length=5)
    calculations = models.PositiveIntegerField()
    # Made without an account: still anonymous, or claimed later (is_anonymous is cleared then).
    anonymous = models.PositiveIntegerField()
    signed_in = models.PositiveIntegerField()
    total_emissions_sum = models.DecimalField(max_digits=18, decimal_places=3)
    average_total = emissions_field()
    refreshed_at = models.DateTimeField()

    class Meta:
        db_table = "daily_calculation_summary"
        ordering = ["-day", "country"]
        verbose_name_plural = "daily summaries"
        constraints = [
            models.UniqueConstraint(fields=["day", "country"], name="daily_summary_day_country"),
            models.CheckConstraint(
                condition=models.Q(calculations=models.F("anonymous") + models.F("signed_in")),
                name="daily_summary_counts_add_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.country}: {self.calculations} calculations"


class UserCarbonSummary(models.Model):
    """A row of the SQL view `user_carbon_summary` (footprints/sql/): one user's history in
    numbers. Read-only; averages rounded to the gram."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    calculation_count = models.PositiveIntegerField()
    first_calculation_date = models.DateTimeField()
    latest_calculation_date = models.DateTimeField()
    latest_total = emissions_field()
    min_total = emissions_field()
    max_total = emissions_field()
    average_total = emissions_field()
    average_electricity = emissions_field()
    average_heating = emissions_field()
    average_transportation = emissions_field()
    average_waste = emissions_field()
    average_lifestyle = emissions_field()
    average_other = emissions_field()

    class Meta:
        managed = False
        db_table = "user_carbon_summary"
        ordering = ["-latest_calculation_date"]
        verbose_name_plural = "user carbon summaries"

    def __str__(self) -> str:
        return f"Summary of user {self.user_id}"


class RecentCalculation(models.Model):
    """A row of the SQL view `recent_calculations`: a calculation of the last 30 days (UTC)."""

    id = models.BigIntegerField(primary_key=True)  # carbon_footprints.id
    calculation_uuid = models.UUIDField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    is_anonymous = models.BooleanField()
    mode = models.CharField(max_length=10, choices=CarbonFootprint.Mode.choices)
    country = models.CharField(max_length=5)
    calculation_date = models.DateTimeField()
    total_emissions = emissions_field()
    electricity_emissions = emissions_field()
    heating_emissions = emissions_field()
    transportation_emissions = emissions_field()
    waste_emissions = emissions_field()
    lifestyle_emissions = emissions_field()
    other_emissions = emissions_field()
    confidence_score = models.DecimalField(max_digits=4, decimal_places=3)

    class Meta:
        managed = False
        db_table = "recent_calculations"
        ordering = ["-calculation_date", "-id"]

    def __str__(self) -> str:
        return f"{self.total_emissions} kg CO2e ({self.calculation_date:%Y-%m-%d})"
