from django.contrib import admin

from footprints.models import CATEGORIES

from .models import ImplementedAction, Recommendation
from .selectors import recommendation_staff_rates


class CategoryFilter(admin.SimpleListFilter):
    """The six categories, known in advance: Django's own filter would find them with a
    SELECT DISTINCT over every recommendation (0.8 s at 888,502 rows)."""

    title = "category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [(category, category) for category in CATEGORIES]

    def queryset(self, request, queryset):
        return queryset.filter(category=self.value()) if self.value() else queryset


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "action_code",
        "category",
        "potential_savings",
        "priority",
        "estimated_impact",
        "is_implemented",
        "created_at",
    )
    list_filter = (CategoryFilter, "estimated_impact", "effort", "is_implemented", "action_code")
    search_fields = ("uuid", "action_code", "carbon_footprint__user__email")
    list_select_related = ("carbon_footprint",)
    # Newest first, on the primary key: the model's (priority, id) order sorts every row to show
    # a page (0.9 s at 888,502 rows).
    ordering = ("-id",)
    raw_id_fields = ("carbon_footprint",)
    show_full_result_count = False
    readonly_fields = ("uuid", "potential_savings", "created_at")

    def changelist_view(self, request, extra_context=None):
        """Above the list: how often each action is taken (implementation rates), from the
        summary table (one small query, cached a few minutes; see recommendation_staff_rates)."""
        extra_context = {**(extra_context or {}), "rates": recommendation_staff_rates()}
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(ImplementedAction)
class ImplementedActionAdmin(admin.ModelAdmin):
    list_display = ("action_code", "category", "user", "realised_savings", "implemented_at")
    list_filter = ("category", "action_code", "implemented_at")
    search_fields = ("action_code", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user", "recommendation")
    readonly_fields = ("implemented_at",)
