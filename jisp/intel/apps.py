from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelConfig(AppConfig):
    name = "jisp.intel"
    label = "intel"
    verbose_name = _("Threat intelligence")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jisp.intel import audit_actions, notifications, signals  # noqa: F401  (registrations)
