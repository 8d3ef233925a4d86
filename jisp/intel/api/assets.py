"""The assets API: an organisation's own domains and networks, which alert it when shared
intelligence names them.

Mounted at ``/api/v1/intel/assets``. Seen by the organisation's members and the centre
(``policy.visible_assets``); added and removed by its administrators and the centre's staff
(``policy.can_manage_assets``). An asset the caller may not see answers 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from jisp.core import policy
from jisp.core.api import PathId, api_user
from jisp.core.models import Organisation
from jisp.core.schemas import ERRORS_READ, ERRORS_WRITE, Page, paginate
from jisp.intel.models import Asset
from jisp.intel.schemas import AssetFilters, AssetIn, AssetOut
from jisp.intel.services import assets as service

router = Router(tags=["intel"])


class AssetPage(Page[AssetOut]):
    pass


def asset_out(asset: Asset) -> dict[str, Any]:
    return {
        "id": asset.pk,
        "organisation": {"id": asset.organisation_id, "name": asset.organisation.display_name},
        "kind": asset.kind,
        "value": asset.value,
        "note": asset.note,
        "created_at": asset.created_at,
    }


@router.get(
    "",
    response={200: AssetPage, **ERRORS_READ},
    summary="Assets",
    description="The caller's organisations' domains and networks (the centre: everyone's).",
)
def asset_list(request: HttpRequest, filters: Query[AssetFilters]) -> dict[str, Any]:
    user = api_user(request)
    qs = service.visible_assets(user)
    if filters.organisation is not None:
        qs = qs.filter(organisation_id=filters.organisation)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    page = paginate(qs.order_by("organisation_id", "kind", "value", "id"), filters)
    page["items"] = [asset_out(a) for a in page["items"]]
    return page


@router.post(
    "",
    response={201: AssetOut, **ERRORS_WRITE},
    summary="Register an asset",
    description=(
        "A domain (with its subdomains) or an IP address or network of at most /16 (IPv4) or "
        "/32 (IPv6). Public suffixes and private or reserved addresses are refused."
    ),
)
def asset_add(request: HttpRequest, payload: AssetIn) -> Status:
    user = api_user(request)
    a = policy.access(user)
    if payload.organisation is not None:
        organisation = Organisation.objects.filter(pk=payload.organisation).first()
    elif len(a.admin_of) == 1:
        organisation = Organisation.objects.filter(pk=next(iter(a.admin_of))).first()
    elif len(a.organisation_ids) == 1:
        organisation = Organisation.objects.filter(pk=next(iter(a.organisation_ids))).first()
    else:
        organisation = None
    if organisation is None or not policy.can_manage_assets(user, organisation.pk):
        raise PermissionDenied(_("You may not change this organisation's assets."))
    asset = service.add_asset(
        request, user, organisation, payload.kind, payload.value, payload.note
    )  # fmt: skip
    return Status(201, asset_out(asset))


@router.delete(
    "/{id}",
    response={204: None, **ERRORS_WRITE},
    summary="Remove an asset",
)
def asset_remove(request: HttpRequest, id: PathId) -> Status:
    user = api_user(request)
    asset = service.visible_assets(user).filter(pk=id).first()
    if asset is None:
        raise Http404
    service.remove_asset(request, user, asset)
    return Status(204, None)
