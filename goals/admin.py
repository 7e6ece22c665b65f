from django.contrib import admin

from .models import UserGoal
from .selectors import goal_staff_stats


@admin.register(UserGoal)
class UserGoalAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "goal_type",
        "category",
        "baseline_emissions",
        "target_emissions",
        "reduction_percentage",
        "target_date",
        "status",
    )
    list_filter = ("status", "goal_type", "category", "is_achieved", "target_date")
    search_fields = ("uuid", "user__email", "description")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("uuid", "achieved_at", "created_at", "updated_at")

    def changelist_view(self, request, extra_context=None):
        """Above the list: achievement rate and the average reduction achieved."""
        extra_context = {**(extra_context or {}), "goal_stats": goal_staff_stats()}
        return super().changelist_view(request, extra_context=extra_context)
