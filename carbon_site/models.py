"""What belongs to no domain: the site's runtime configuration and feature flags."""

from django.conf import settings
from django.db import models


class SystemConfig(models.Model):
    """One named setting, edited by staff in admin (site settings, feature flags, maintenance)."""

    key = models.CharField(max_length=100, unique=True)
    value = models.JSONField(default=dict, blank=True)
    description = models.TextField(blank=True)
    is_feature_flag = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        db_table = "system_config"
        ordering = ["key"]
        verbose_name = "system setting"

    def __str__(self) -> str:
        return self.key
