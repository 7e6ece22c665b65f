from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Recommendations"

    EXPORT_EXCLUDED: dict = {}

    def export_user_data(self, user) -> dict:
        from carbon_site.export import export_rows

        from .models import ImplementedAction, Recommendation

        offered = Recommendation.objects.filter(carbon_footprint__user=user).order_by(
            "carbon_footprint__calculation_date", "priority"
        )
        return {
            "recommendations": export_rows(offered),
            "implemented_actions": export_rows(ImplementedAction.objects.filter(user=user)),
        }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from footprints.signals import footprint_recorded

        from .models import ImplementedAction, Recommendation
        from .services import on_footprint_recorded

        auditlog.register(Recommendation)
        auditlog.register(ImplementedAction)
        footprint_recorded.connect(on_footprint_recorded, dispatch_uid="recommendations_generate")
