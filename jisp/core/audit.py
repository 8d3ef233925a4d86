"""Recording to the audit log: one call, dotted action names, readable text in one place.

Actions are named ``<app>.<noun>.<verb>``, e.g. ``core.signin.succeeded`` or
``sharing.topic.viewed``. ``describe()`` turns one into the sentence shown to auditors.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Model, QuerySet
from django.db.models.functions import TruncDate
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisp.core.choices import TLP, tlp_at_least
from jisp.core.models import AuditEvent

SIGNIN_SUCCEEDED = "core.signin.succeeded"
SIGNIN_FAILED = "core.signin.failed"

#: Readable text of each known action; unknown ones are shown by their name.
ACTIONS: dict[str, Any] = {
    SIGNIN_SUCCEEDED: _("Signed in"),
    SIGNIN_FAILED: _("Failed sign-in"),
    "core.signin.locked": _("Account locked after repeated failures"),
    "core.signout": _("Signed out"),
    "core.two_factor.enabled": _("Enabled two-factor sign-in"),
    "core.two_factor.disabled": _("Disabled two-factor sign-in"),
    "core.two_factor.failed": _("Failed two-factor code"),
    "core.password.changed": _("Changed password"),
    "core.profile.changed": _("Changed their profile"),
    "core.password.reset_requested": _("Asked for a password reset"),
    "core.password.reset": _("Reset password"),
    "core.invitation.sent": _("Sent an invitation"),
    "core.invitation.accepted": _("Accepted an invitation"),
    "core.invitation.revoked": _("Revoked an invitation"),
    "core.membership.changed": _("Changed a membership"),
    "core.membership.removed": _("Removed a membership"),
    "core.token.created": _("Created an API token"),
    "core.token.revoked": _("Revoked an API token"),
    "core.api.request": _("Used the API"),
    "core.webhook.changed": _("Changed a webhook"),
    "core.preferences.changed": _("Changed notification preferences"),
    "core.admin.changed": _("Changed an item in the admin site"),
}


def register_actions(actions: dict[str, Any]) -> None:
    """Apps add the readable text of their own actions (from ``AppConfig.ready()``)."""
    ACTIONS.update(actions)


def describe(action: str) -> str:
    return str(ACTIONS.get(action, action))


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    obj: Model | None = None,
    organisation: Any = None,
    via: str | None = None,
    tlp: str = "",
    **data: Any,
) -> AuditEvent:
    """Append one event. ``actor`` defaults to the request's user; ``data`` must be JSON-able."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    if via is None:
        via = getattr(request, "jisp_via", AuditEvent.Via.WEB) if request else AuditEvent.Via.SYSTEM
    event = AuditEvent(
        at=timezone.now(),
        action=action,
        actor=actor,
        actor_email=(actor.email if actor is not None else data.pop("email", ""))[:254],
        organisation_id=getattr(organisation, "pk", organisation),
        via=via,
        ip=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:200],
        tlp=tlp or (getattr(obj, "tlp", "") or ""),
        data=data,
    )
    if obj is not None:
        event.object_type = obj._meta.label_lower
        event.object_id = str(obj.pk)
        event.object_repr = str(obj)[:200]
    event.save(force_insert=True)
    return event


def audits_views_of(obj: Model) -> bool:
    """Whether viewing this item is audited: at TLP:AMBER or above."""
    tlp = getattr(obj, "tlp", "")
    return bool(tlp) and tlp_at_least(tlp, TLP.AMBER)


def record_view(request: HttpRequest, obj: Model) -> None:
    """Record a view of an item at TLP:AMBER or above (below that, views are not audited)."""
    if audits_views_of(obj):
        record(f"{obj._meta.app_label}.{obj._meta.model_name}.viewed", request=request, obj=obj)


def daily_signins(since: Any = None, until: Any = None) -> QuerySet[Any]:
    """Successful sign-ins per day (in the site's time zone): rows of {day, signins, people}."""
    qs = AuditEvent.objects.filter(action=SIGNIN_SUCCEEDED)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lt=until)
    return (
        qs.annotate(day=TruncDate("at", tzinfo=timezone.get_default_timezone()))
        .values("day")
        .annotate(signins=Count("id"), people=Count("actor_id", distinct=True))
        .order_by("day")
    )
