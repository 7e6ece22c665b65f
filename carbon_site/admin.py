from django import forms
from django.contrib import admin

from .config import system_config_cache_clear, system_config_validate
from .models import SystemConfig


class SystemConfigForm(forms.ModelForm):
    class Meta:
        model = SystemConfig
        fields = ("key", "value", "description", "is_feature_flag")
        help_texts = {
            "key": (
                "Read by the site: site_banner, quick_mode, anonymous_calculations, "
                "signups_open, maintenance (see docs/operations.md)."
            ),
            "value": (
                'JSON. A flag: true or false. The banner: "Your message". Maintenance: '
                '{"enabled": true, "message": "Back at 10:00 UTC", "retry_after_seconds": 600}.'
            ),
        }

    def clean(self):
        cleaned = super().clean()
        if "key" in cleaned and "value" in cleaned:
            system_config_validate(key=cleaned["key"], value=cleaned["value"])
        return cleaned


@admin.register(SystemConfig)
class SystemConfigAdmin(admin.ModelAdmin):
    form = SystemConfigForm
    list_display = ("key", "is_feature_flag", "description", "updated_at", "updated_by")
    list_filter = ("is_feature_flag",)
    search_fields = ("key", "description")
    readonly_fields = ("updated_at", "updated_by")

    # Every change is seen by every process at once: the cached copy is dropped.
    def save_model(self, request, obj, form, change) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        system_config_cache_clear()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        system_config_cache_clear()

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        system_config_cache_clear()
