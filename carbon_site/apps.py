from django.apps import AppConfig


class CarbonSiteConfig(AppConfig):
    """The project itself is an app: it owns system_config and the site-wide pages."""

    name = "carbon_site"
    verbose_name = "Site"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import SystemConfig

        auditlog.register(SystemConfig)
