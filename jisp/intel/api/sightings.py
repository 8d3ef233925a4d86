"""The sightings API: list the sightings the caller may see, report one, and (the centre) which
indicators are active.

Mounted at ``/api/v1/intel/sightings``. A sighting is shared like any item (by default
TLP:AMBER to the centre only): ``policy.visible`` decides, and a sighting is listed only with an
indicator the caller may see too. Reading one at TLP:AMBER or above is audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from jisp.core import audit, policy
from jisp.core.api import PathId, api_user
from jisp.core.models import User
from jisp.core.schemas import ERRORS_READ, ERRORS_WRITE, Page, paginate
from jisp.intel.api.indicators import _sectors, indicator_out, organisations_of, people_of
from jisp.intel.models import Indicator, Sighting
from jisp.intel.schemas import ActiveFilters, ActiveOut, SightingFilters, SightingIn, SightingOut
from jisp.intel.services import sightings as service

router = Router(tags=["intel"])


class SightingPage(Page[SightingOut]):
    pass


def sighting_out(sighting: Sighting) -> dict[str, Any]:
    indicator = sighting.indicator
    return {
        "id": sighting.pk,
        "indicator": indicator.pk,
        "indicator_kind": indicator.kind,
        "indicator_value": indicator.value,
        "count": sighting.count,
        "first_seen": sighting.first_seen,
        "last_seen": sighting.last_seen,
        "where": sighting.where,
        "note": sighting.note,
        "tlp": sighting.tlp,
        "audience": sighting.audience,
        "organisation": {
            "id": sighting.organisation_id,
            "name": sighting.organisation.display_name,
        },
        "created_at": sighting.created_at,
    }


def _visible(user: User) -> Any:
    return service.visible_sightings(
        user, Sighting.objects.select_related("indicator", "organisation")
    )


@router.get(
    "",
    response={200: SightingPage, **ERRORS_READ},
    summary="Sightings",
    description=(
        "The sightings the caller may see (their organisation's, and for the centre all "
        "below TLP:RED), latest first; paginated with `limit` / `offset`."
    ),
)
def sighting_list(request: HttpRequest, filters: Query[SightingFilters]) -> dict[str, Any]:
    user = api_user(request)
    qs = _visible(user)
    if filters.indicator is not None:
        qs = qs.filter(indicator_id=filters.indicator)
    if filters.since is not None:
        qs = qs.filter(last_seen__gte=filters.since)
    if filters.mine:
        qs = qs.filter(organisation_id__in=policy.access(user).organisation_ids)
    page = paginate(qs.order_by("-last_seen", "-id"), filters)
    page["items"] = [sighting_out(s) for s in page["items"]]
    return page


@router.get(
    "/active",
    response={200: list[ActiveOut], **ERRORS_READ},
    summary="Active indicators",
    description=(
        "The centre: the indicators seen in the last `days` days (default 7), most reporting "
        "organisations first."
    ),
)
def active(request: HttpRequest, filters: Query[ActiveFilters]) -> list[dict[str, Any]]:
    user = api_user(request)
    if not policy.access(user).sees_all_below_red:
        raise PermissionDenied(_("Only the coordination centre sees this."))
    return [
        {
            "indicator": indicator_out(user, row.indicator),
            "sightings": row.sightings,
            "times_seen": row.times_seen,
            "organisations": row.organisations,
            "last_seen": row.last_seen,
        }
        for row in service.active_indicators(user, days=filters.days)
    ]


@router.get(
    "/{id}",
    response={200: SightingOut, **ERRORS_READ},
    summary="One sighting",
)
def sighting_detail(request: HttpRequest, id: PathId) -> dict[str, Any]:
    user = api_user(request)
    sighting = _visible(user).filter(pk=id).first()
    if sighting is None:
        from django.http import Http404

        raise Http404
    audit.record_view(request, sighting)
    return sighting_out(sighting)


@router.post(
    "",
    response={201: SightingOut, **ERRORS_WRITE},
    summary="Report a sighting",
    description=(
        "Your organisation saw an indicator (one you may see) in its network. Shared by "
        "default TLP:AMBER with the centre only."
    ),
)
def sighting_report(request: HttpRequest, payload: SightingIn) -> Status:
    user = api_user(request)
    indicator = policy.get_visible_or_404(
        user, Indicator.objects.all(), pk=payload.indicator
    )  # fmt: skip
    data = service.SightingInput(
        count=payload.count,
        first_seen=payload.first_seen,
        last_seen=payload.last_seen,
        where=payload.where,
        note=payload.note,
        tlp=payload.tlp,
        audience=payload.audience,
        sectors=_sectors(payload.sectors),
        organisations=organisations_of(user, payload.organisations),
        people=people_of(user, payload.people),
    )
    sighting = service.report_sighting(request, user, indicator, data)
    fresh = Sighting.objects.select_related("indicator", "organisation").get(pk=sighting.pk)
    return Status(201, sighting_out(fresh))
