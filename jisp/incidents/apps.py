from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "jisp.incidents"
    label = "incidents"
    verbose_name = _("Incidents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jisp.incidents import audit_actions, notifications  # noqa: F401  (registrations)
