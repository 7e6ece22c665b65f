from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = "Goals"

    EXPORT_EXCLUDED: dict = {}

    def export_user_data(self, user) -> dict:
        from carbon_site.export import export_rows

        from .models import UserGoal

        return {"goals": export_rows(UserGoal.objects.filter(user=user).order_by("created_at"))}

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from footprints.signals import footprint_recorded

        from .models import UserGoal
        from .services import goals_on_footprint_recorded

        auditlog.register(UserGoal, exclude_fields=["updated_at"])
        footprint_recorded.connect(goals_on_footprint_recorded, dispatch_uid="goals_progress")
