from django.apps import AppConfig


class FootprintsConfig(AppConfig):
    name = "footprints"
    verbose_name = "Footprints"

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
