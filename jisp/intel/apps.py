from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _default_collections(sender: Any, **kwargs: Any) -> None:
    """After ``migrate``: the standard TAXII collections exist (idempotent; a sector added later
    gets its collection at the next ``migrate`` or ``ensure_default_collections()``)."""
    from jisp.intel.taxii.collections import ensure_default_collections

    ensure_default_collections()


class IntelConfig(AppConfig):
    name = "jisp.intel"
    label = "intel"
    verbose_name = _("Threat intelligence")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jisp.intel import audit_actions, notifications, receivers  # noqa: F401  (registrations)

        post_migrate.connect(_default_collections, sender=self)
