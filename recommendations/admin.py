from django.contrib import admin

from .models import ImplementedAction, Recommendation
from .selectors import recommendation_staff_rates


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
    list_filter = ("category", "estimated_impact", "effort", "is_implemented", "action_code")
    search_fields = ("uuid", "action_code", "carbon_footprint__user__email")
    list_select_related = ("carbon_footprint",)
    raw_id_fields = ("carbon_footprint",)
    show_full_result_count = False
    readonly_fields = ("uuid", "potential_savings", "created_at")

    def changelist_view(self, request, extra_context=None):
        """Above the list: how often each action is taken (implementation rates)."""
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
