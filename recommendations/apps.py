from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Recommendations"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from footprints.signals import footprint_recorded

        from .models import ImplementedAction, Recommendation
        from .services import on_footprint_recorded

        auditlog.register(Recommendation)
        auditlog.register(ImplementedAction)
        footprint_recorded.connect(on_footprint_recorded, dispatch_uid="recommendations_generate")
