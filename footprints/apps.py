from django.apps import AppConfig


class FootprintsConfig(AppConfig):
    name = "footprints"
    verbose_name = "Footprints"

    EXPORT_EXCLUDED = {"CarbonFootprint": ("claim_token_hash",)}

    def export_user_data(self, user) -> dict:
        from carbon_site.export import export_rows

        from .models import CarbonFootprint

        footprints = CarbonFootprint.objects.filter(user=user).order_by("calculation_date", "id")
        return {"footprints": export_rows(footprints, self.EXPORT_EXCLUDED["CarbonFootprint"])}

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import CarbonFootprint

        auditlog.register(
            CarbonFootprint,
            exclude_fields=[
                "input_data",
                "ip_address",
                "user_agent",
                "claim_token_hash",
                "updated_at",
            ],
        )
