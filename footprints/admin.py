"""Staff views of calculations. The claim token hash is a credential and is never shown."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Count
from django.utils.functional import cached_property

from accounts.models import User
from carbon_site import admin_analytics

from .models import CarbonFootprint, RecentCalculation, UserCarbonSummary


@admin.register(CarbonFootprint)
class CarbonFootprintAdmin(admin.ModelAdmin):
    list_display = (
        "calculation_uuid",
        "user",
        "country",
        "mode",
        "total_emissions",
        "confidence_score",
        "is_anonymous",
        "calculation_date",
    )
    list_filter = ("mode", "is_anonymous", "country", "factor_version", "calculation_date")
    search_fields = ("calculation_uuid", "user__email", "country")
    list_select_related = ("user",)
    date_hierarchy = "calculation_date"
    raw_id_fields = ("user", "recalculated_from")
    show_full_result_count = False
    exclude = ("claim_token_hash",)
    readonly_fields = (
        "calculation_uuid",
        "mode",
        "input_data",
        "country",
        "total_emissions",
        "electricity_emissions",
        "heating_emissions",
        "transportation_emissions",
        "waste_emissions",
        "lifestyle_emissions",
        "other_emissions",
        "confidence_score",
        "model_name",
        "model_version",
        "factor_version",
        "recalculated_from",
        "calculation_date",
        "ip_address",
        "user_agent",
        "is_anonymous",
        "claimed_at",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request) -> bool:
        """Footprints come only from the calculator, so every number has its trace."""
        return False


class SQLViewAdmin(admin.ModelAdmin):
    """Rows of a SQL view (unmanaged model): read-only, and no full count of a large view."""

    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class UserCarbonSummaryPaginator(Paginator):
    """Pages of user_carbon_summary without aggregating the whole view.

    Listing or counting the view unfiltered aggregates every calculation (minutes at a million
    rows). Here a page's user ids come from the (user_id, calculation_date) index (a loose index
    scan), and the view is read for those ids only: MariaDB pushes `user_id IN (...)` into the
    grouped view. A search already narrows the view to a few user ids and pages as usual.
    """

    def __init__(self, object_list, *args, **kwargs) -> None:
        super().__init__(object_list, *args, **kwargs)
        self.unfiltered = not object_list.query.where

    def _users_with_calculations(self):
        return CarbonFootprint.objects.filter(user__isnull=False).order_by("-user_id")

    @cached_property
    def count(self) -> int:
        if not self.unfiltered:
            return super().count
        return self._users_with_calculations().aggregate(users=Count("user", distinct=True))[
            "users"
        ]

    def page(self, number):
        if not self.unfiltered:
            return super().page(number)
        number = self.validate_number(number)
        first = (number - 1) * self.per_page
        user_ids = list(
            self._users_with_calculations()
            .values_list("user_id", flat=True)
            .distinct()[first : first + self.per_page]
        )
        rows = self.object_list.filter(user_id__in=user_ids).order_by("-user_id")
        return self._get_page(list(rows), number, self)


@admin.register(UserCarbonSummary)
class UserCarbonSummaryAdmin(SQLViewAdmin):
    """The view user_carbon_summary: one row per user with a calculation, newest users first.

    Never aggregated whole: paged by user id (see the paginator), searched by email through the
    users table, not sortable by its computed columns."""

    list_display = (
        "user",
        "calculation_count",
        "first_calculation_date",
        "latest_calculation_date",
        "latest_total",
        "average_total",
        "min_total",
        "max_total",
    )
    list_select_related = ("user",)
    ordering = ("-user",)
    sortable_by = ()
    paginator = UserCarbonSummaryPaginator
    search_fields = ("user__email",)
    search_help_text = "Email address, or part of it (at most 100 people are listed)."
    SEARCH_LIMIT = 100

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        user_ids = User.objects.filter(email__icontains=search_term.strip()).values_list(
            "pk", flat=True
        )[: self.SEARCH_LIMIT]
        return queryset.filter(user_id__in=list(user_ids)), False


@admin.register(RecentCalculation)
class RecentCalculationAdmin(SQLViewAdmin):
    """The view recent_calculations: the last 30 days, anonymous ones included."""

    list_display = (
        "calculation_uuid",
        "user",
        "country",
        "mode",
        "total_emissions",
        "confidence_score",
        "is_anonymous",
        "calculation_date",
    )
    list_filter = ("mode", "is_anonymous")
    list_select_related = ("user",)
    search_fields = ("calculation_uuid", "user__email")


# The staff analytics page, /admin/analytics/, linked from the admin index.
admin_analytics.install(admin.site)
