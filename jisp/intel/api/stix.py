"""The STIX API, mounted at ``/api/v1/intel/stix``: export a selection as a bundle, import one.

* ``GET /export?kind=&since=&q=`` streams a STIX 2.1 bundle
  (``application/stix+json;version=2.1``) of the indicators the caller may see (the policy decides,
  in ``stix.export`` again), audited as ``intel.export.stix``.
* ``POST /import`` (the centre's staff, a token with the write scope): a bundle as the request body
  (``application/json`` or ``application/stix+json``) or as the ``file`` of a multipart form. The
  API refuses bodies over ``jisp.api.MAX_BODY_BYTES`` (1 MB) with 413: bigger files go through the
  import page, which streams them to ``stix.importer.import_bundle`` (any size). The sharing is
  chosen with ``tlp`` / ``audience`` (default TLP:AMBER, the centre only) and, for those audiences,
  ``sectors`` / ``organisations``; a TLP marking on an object raises its TLP. Objects that fail
  their checks are listed in ``errors``; a file that is not a bundle answers 422 and nothing is
  kept.
"""

from __future__ import annotations

import io
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from jisp.api import ApiError
from jisp.core import audit, policy
from jisp.core.api import api_user
from jisp.core.choices import TLP, Audience
from jisp.core.models import Organisation, Sector
from jisp.core.schemas import ERRORS_READ, ERRORS_WRITE, Moment
from jisp.intel.choices import IndicatorKind
from jisp.intel.models import ImportRun, Indicator
from jisp.intel.services import imports
from jisp.intel.stix.export import bundle_chunks
from jisp.intel.stix.importer import ImportFailed

router = Router(tags=["intel"])

MEDIA_TYPE = "application/stix+json;version=2.1"


class ExportFilters(Schema):
    kind: IndicatorKind | None = Field(None, description="Only indicators of this type.")
    since: Moment | None = Field(None, description="Only indicators changed at or after this time.")
    q: str = Field("", max_length=200, description="Only values containing this text.")


class ImportSharing(Schema):
    tlp: TLP = Field(TLP.AMBER, description="TLP of the imported objects (markings may raise it).")
    audience: Audience = Field(Audience.CENTRE, description="Who else may see them.")
    sectors: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(
        default_factory=list, description="Sector ids, for the audience 'sectors'."
    )
    organisations: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(
        default_factory=list, description="Organisation ids, for the audience 'organisations'."
    )


class ImportError_(Schema):
    id: str
    version: str
    message: str


class ImportRunOut(Schema):
    id: int
    state: str
    objects_read: int
    indicators_added: int
    unchanged: int
    errors: list[ImportError_]


@router.get(
    "/export",
    response={200: Any, **ERRORS_READ},
    summary="Export indicators as a STIX 2.1 bundle",
    openapi_extra={"responses": {200: {"content": {MEDIA_TYPE: {}}}}},
)
def export(request: HttpRequest, filters: Query[ExportFilters]) -> StreamingHttpResponse:
    """The indicators the caller may see (optionally of one type, changed since a time, or whose
    value contains a text), with their observables, malware families, relationships, linked
    topics as reports and the TLP marking definitions, as one streamed bundle."""
    user = api_user(request)
    indicators = Indicator.objects.all()
    if filters.kind:
        indicators = indicators.filter(kind=filters.kind)
    if filters.since is not None:
        indicators = indicators.filter(changed_at__gte=filters.since)
    if filters.q.strip():
        indicators = indicators.filter(value__icontains=filters.q.strip())
    audit.record(
        "intel.export.stix",
        request=request,
        kind=filters.kind or "",
        since=filters.since.isoformat() if filters.since else "",
        q=filters.q[:200],
    )
    response = StreamingHttpResponse(
        bundle_chunks(user, policy.visible(user, indicators)), content_type=MEDIA_TYPE
    )
    response["Content-Disposition"] = 'attachment; filename="jisp-indicators.json"'
    return response


def _run_out(run: ImportRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "state": run.state,
        "objects_read": run.objects_read,
        "indicators_added": run.indicators_added,
        "unchanged": run.unchanged,
        "errors": run.errors,
    }


@router.post(
    "/import",
    response={200: ImportRunOut, **ERRORS_WRITE},
    summary="Import a STIX 2.1 bundle (the centre's staff)",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            }
        }
    },
)
def import_stix(request: HttpRequest, sharing: Query[ImportSharing]) -> dict[str, Any]:
    """Import a bundle of at most 1 MB (larger files: the import page). Idempotent: objects
    already stored (same id and modified) count as unchanged."""
    user = api_user(request)
    if not policy.can_manage_intel(user):
        raise ApiError(403, _("Only the coordination centre's staff import files."))
    content_type = request.content_type or ""
    if content_type.startswith("multipart/form-data"):
        upload = request.FILES.get("file")
        if upload is None:
            raise ApiError(422, _("Send the bundle as the form's file field."))
        fileobj: Any = upload
        name = upload.name or ""
    else:
        fileobj, name = io.BytesIO(request.body), ""
    sectors = list(Sector.objects.filter(pk__in=sharing.sectors))
    organisations = list(Organisation.objects.filter(pk__in=sharing.organisations))
    if len(sectors) != len(set(sharing.sectors)) or len(organisations) != len(
        set(sharing.organisations)
    ):
        raise ApiError(422, _("Unknown sector or organisation."))
    try:
        run = imports.import_stix(
            request, user, fileobj, name=name, tlp=sharing.tlp, audience=sharing.audience,
            sectors=sectors, organisations=organisations,
        )  # fmt: skip
    except ImportFailed as exc:
        raise ApiError(422, " ".join(exc.messages)) from None
    except ValidationError:
        raise
    return _run_out(run)
