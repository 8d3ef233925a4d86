"""Template context for the page shell: navigation, unread notifications, the person's access."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jisp.core import policy
from jisp.core.models import Notification
from jisp.core.statements import Statement

#: The count beside "Notifications" on every page: a compiled statement (``jisp.core.statements``);
#: no row when there is nothing unread.
_UNREAD = Statement(
    lambda user_id: (
        Notification.objects.filter(recipient_id=user_id, read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    ),
    int,
)

#: The platform's areas, in navigation order: (key, label, url name or None while not built).
AREAS: list[tuple[str, Any, str | None]] = [
    ("sharing", _("Sharing"), "sharing:list"),
    ("incidents", _("Incidents"), "incidents:home"),
    ("intel", _("Threat intelligence"), "intel:indicators"),
    ("domainwatch", _("Domain watch"), None),
    ("observation", _("Observation"), None),
    ("exercises", _("Exercises"), None),
    ("analytics", _("Analytics"), None),
]


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    context: dict[str, Any] = {"SITE_NAME": settings.SITE_NAME, "AREAS": AREAS}
    if user is not None and user.is_authenticated:
        a = policy.access(user)
        context["access"] = a
        context["can_read_audit_log"] = policy.can_read_audit_log(user)
        context["can_use_admin"] = policy.can_use_admin(user)
        context["unread_notifications"] = _UNREAD.first(user.pk) or 0
    return context
