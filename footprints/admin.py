"""Staff views of calculations. The claim token hash is a credential and is never shown."""

from django.contrib import admin

from .models import CarbonFootprint


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
