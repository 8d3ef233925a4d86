"""The signed-in landing page and the shell pages of areas not built yet."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisp.core import audit, policy
from jisp.core.context_processors import AREAS
from jisp.core.forms.audit import start_of_day
from jisp.core.models import AuditEvent, Membership, Organisation, User
from jisp.core.services import directory

#: What each area will hold, shown on its tile and on its page until it is built.
AREA_DESCRIPTIONS: dict[str, Any] = {
    "sharing": _(
        "Topics shared by the coordination centre and the members: important notices, alerts "
        "and information, each with its TLP label, a plain-language summary and recommended "
        "actions, with comments, reads and acknowledgements."
    ),
    "incidents": _(
        "Incident reports and consultations from the members, the cases the centre opens for "
        "them, support requests to the agencies, and the morning and afternoon situation "
        "reports."
    ),
    "intel": _(
        "Threat intelligence: indicators (IoC) and observables, exchange in STIX 2.1 over "
        "TAXII 2.1, and blocklists and other exports for members' security products."
    ),
    "domainwatch": _(
        "Suspicious domains: look-alikes of the members' domains and brands found in new "
        "registrations, such as phishing sites and fake live-streaming sites, and their triage."
    ),
    "observation": _(
        "Observation of the members' registered web sites and IP addresses: liveness "
        "monitoring, defacement and degradation checks, with a report per organisation."
    ),
    "exercises": _(
        "Exercises, such as tabletop simulations, with their scenarios and injects, and the "
        "opinion-exchange meetings between the members."
    ),
    "analytics": _(
        "Usage statistics of the platform (sign-ins, views, acknowledgements and response "
        "times), charts, and the material for the after-action report."
    ),
}


def _area_tiles() -> list[dict[str, Any]]:
    tiles = []
    for key, label, url_name in AREAS:
        tiles.append(
            {
                "key": key,
                "label": label,
                "url": reverse(url_name) if url_name else reverse("core:area", args=[key]),
                "ready": url_name is not None,
                "description": AREA_DESCRIPTIONS.get(key, ""),
            }
        )
    return tiles


def _centre_figures() -> dict[str, int]:
    """Counts for the centre's staff: each one aggregate query, whatever the size.

    Today's sign-ins are the figures ``audit.daily_signins()`` gives for today, aggregated over
    the one day directly: the same numbers without converting every row's time zone.
    People are all accounts (an indexed count; filtering on ``is_active`` would scan the table).
    """
    start = start_of_day(timezone.localdate())
    today = AuditEvent.objects.filter(
        action=audit.SIGNIN_SUCCEEDED, at__gte=start, at__lt=start + timedelta(days=1)
    ).aggregate(signins=Count("id"), people=Count("actor_id", distinct=True))
    return {
        "organisations": Organisation.objects.filter(is_active=True).count(),
        "people": User.objects.count(),
        "signins_today": today["signins"],
        "people_today": today["people"],
        "open_invitations": directory.count_open_invitations(),
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    a = policy.access(user)
    memberships = (
        Membership.objects.filter(user_id=user.pk)
        .select_related("organisation")
        .order_by("organisation__name", "organisation_id", "role")
    )
    organisations: list[dict[str, Any]] = []
    for m in memberships:
        if not organisations or organisations[-1]["organisation"].pk != m.organisation_id:
            organisations.append({"organisation": m.organisation, "roles": []})
        organisations[-1]["roles"].append(m.get_role_display())
    notifications = list(user.notifications.filter(read_at__isnull=True)[:5])
    context = {
        "nav": "home",
        "organisations": organisations,
        "notifications": notifications,
        "tiles": _area_tiles(),
        "figures": _centre_figures() if a.is_centre_staff else None,
    }
    return render(request, "core/home/home.html", context)


@login_required
def area(request: HttpRequest, key: str) -> HttpResponse:
    for area_key, label, url_name in AREAS:
        if area_key == key:
            if url_name:
                return redirect(url_name)
            context = {"nav": key, "key": key, "label": label}
            context["description"] = AREA_DESCRIPTIONS.get(key, "")
            return render(request, "core/home/area.html", context)
    raise Http404
