"""The TAXII 2.1 endpoints (sections 4 and 5): discovery, the API root, status, collections,
manifests, objects (read, add, delete) and versions.

Each view only parses, asks the policy (through ``collections.find_collection`` and
``policy.collection_objects``), runs one query per page and responds. Object bodies are served
as stored (``StixObject.body``, compact JSON): an envelope is the stored texts joined, never
parsed or re-serialised.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jisp.core import audit, policy
from jisp.core.models import User
from jisp.intel.models import StixObject, TaxiiCollection, TaxiiStatus
from jisp.intel.stix.objects import timestamp
from jisp.intel.taxii import paging
from jisp.intel.taxii.auth import may_write
from jisp.intel.taxii.collections import collection_resource, find_collection, listed_collections
from jisp.intel.taxii.errors import TAXII_MEDIA_TYPE, TaxiiError, json_response, taxii_response
from jisp.intel.taxii.http import (
    binding,
    check_content_type,
    max_content_length,
    taxii_view,
)
from jisp.intel.taxii.paging import as_datetime

OBJECT_MATCHES = frozenset({"id", "type", "version", "spec_version"})
ONE_OBJECT_MATCHES = frozenset({"version", "spec_version"})
VERSIONS_MATCHES = frozenset({"spec_version"})
STIX_TYPE = "application/stix+json;version="


def _api_root_url() -> str:
    return reverse("taxii:api_root")


# --- Server information -------------------------------------------------------------------------


@taxii_view("GET")
def discovery(request: HttpRequest, user: User) -> HttpResponse:
    """Section 4.1: the server's one API root."""
    root = _api_root_url()
    return json_response(
        {
            "title": "JISP TAXII",
            "description": _("Threat intelligence shared on JISP, by TLP and audience."),
            "default": root,
            "api_roots": [root],
        }
    )


@taxii_view("GET")
def api_root(request: HttpRequest, user: User) -> HttpResponse:
    """Section 4.2."""
    return json_response(
        {
            "title": "JISP",
            "description": _("Indicators and other STIX 2.1 objects shared on JISP."),
            "versions": [TAXII_MEDIA_TYPE],
            "max_content_length": max_content_length(),
        }
    )


@taxii_view("GET")
def status(request: HttpRequest, user: User, status_id: str) -> HttpResponse:
    """Section 4.3: the outcome of an earlier POST, for the person who posted it only."""
    found = TaxiiStatus.objects.filter(pk=_uuid_or_404(status_id), user=user).first()
    if found is None:
        raise TaxiiError(404)
    return json_response(status_resource(found))


def _uuid_or_404(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise TaxiiError(404) from None


def _records(items: Sequence[Any], message: bool) -> list[dict[str, str]]:
    records = []
    for item in items:
        record = {"id": item[0], "version": item[1]}
        if message and len(item) > 2 and item[2]:
            record["message"] = item[2]
        records.append(record)
    return records


def status_resource(found: TaxiiStatus) -> dict[str, Any]:
    """The status resource (section 4.3.1); every request is processed at once ("complete")."""
    data: dict[str, Any] = {
        "id": str(found.id),
        "status": "complete",
        "request_timestamp": timestamp(found.request_timestamp),
        "total_count": found.total_count,
        "success_count": len(found.successes),
        "failure_count": len(found.failures),
        "pending_count": 0,
    }
    if found.successes:
        data["successes"] = _records(found.successes, message=False)
    if found.failures:
        data["failures"] = _records(found.failures, message=True)
    return data


# --- Collections -------------------------------------------------------------------------------


@taxii_view("GET")
def collections(request: HttpRequest, user: User) -> HttpResponse:
    """Section 5.1: the collections the person may read or write (``{}`` when none)."""
    found = [
        collection_resource(
            c, policy.can_read_collection(user, c), policy.can_write_collection(user, c)
        )
        for c in listed_collections(user)
    ]
    return json_response({"collections": found} if found else {})


@taxii_view("GET")
def collection(request: HttpRequest, user: User, key: str) -> HttpResponse:
    """Section 5.2."""
    found, can_read, can_write = find_collection(user, key)
    return json_response(collection_resource(found, can_read, can_write))


def _readable(user: User, key: str) -> TaxiiCollection:
    """The collection, if the person may read it: 404 when they may neither read nor write it,
    403 when they may only write."""
    found, can_read, _can_write = find_collection(user, key)
    if not can_read:
        raise TaxiiError(403, _("You may add objects to this collection but not read it."))
    return found


def _store(user: User, found: TaxiiCollection) -> Any:
    """The collection's objects that the person may see (the policy's answer)."""
    return policy.collection_objects(user, found, StixObject.objects.all())


def _date_headers(rows: Sequence[tuple[Any, ...]]) -> dict[str, str]:
    if not rows:
        return {}
    return {
        "X-TAXII-Date-Added-First": timestamp(rows[0][0]),
        "X-TAXII-Date-Added-Last": timestamp(rows[-1][0]),
    }


def _head(result: paging.Page) -> str:
    """The start of a paged resource: ``more`` and, when true, ``next``."""
    if result.more:
        return '{"more":true,"next":"' + str(result.next) + '",'
    return '{"more":false,'


def _envelope(result: paging.Page) -> str:
    """An envelope of the page's stored bodies (the last field of each row), joined as text."""
    if not result.rows:
        return "{}"
    return _head(result) + '"objects":[' + ",".join(row[-1] for row in result.rows) + "]}"


def _read_audit(
    request: HttpRequest, found: TaxiiCollection, endpoint: str, count: int, **data: Any
) -> None:
    audit.record(
        "intel.taxii.read",
        request=request,
        obj=found,
        endpoint=endpoint,
        count=count,
        collection=found.alias,
        **data,
    )


# --- Manifest and objects ----------------------------------------------------------------------


@taxii_view("GET")
def manifest(request: HttpRequest, user: User, key: str) -> HttpResponse:
    """Section 5.3: one manifest record per object version, in ``date_added`` order."""
    found = _readable(user, key)
    bound = binding("manifest", user, found.pk)
    query = paging.parse_query(request.GET, matches=OBJECT_MATCHES, binding=bound)
    qs = paging.select(_store(user, found), query)
    result = paging.page(qs, query, ("stix_id", "modified", "spec_version"), bound)
    _read_audit(request, found, "manifest", len(result.rows))
    if not result.rows:
        return taxii_response("{}")
    records = ",".join(
        f'{{"id":{json.dumps(stix_id)},"date_added":"{timestamp(as_datetime(added))}",'
        f'"version":"{timestamp(as_datetime(modified))}","media_type":"{STIX_TYPE}{spec}"}}'
        for added, _pk, stix_id, modified, spec in result.rows
    )
    body = _head(result) + '"objects":[' + records + "]}"
    return taxii_response(body, headers=_date_headers(result.rows))


@taxii_view("GET", "POST")
def objects(request: HttpRequest, user: User, key: str) -> HttpResponse:
    """Section 5.4 (GET: an envelope per page) and 5.5 (POST: add objects, 202 and a status)."""
    if request.method == "POST":
        return _add_objects(request, user, key)
    found = _readable(user, key)
    bound = binding("objects", user, found.pk)
    query = paging.parse_query(request.GET, matches=OBJECT_MATCHES, binding=bound)
    qs = paging.select(_store(user, found), query)
    result = paging.page(qs, query, ("body",), bound)
    _read_audit(request, found, "objects", len(result.rows))
    return taxii_response(_envelope(result), headers=_date_headers(result.rows))


@taxii_view("GET", "DELETE")
def one_object(request: HttpRequest, user: User, key: str, object_id: str) -> HttpResponse:
    """Section 5.6 (GET: the object's versions asked for, default the last) and 5.7 (DELETE)."""
    if request.method == "DELETE":
        return _delete_object(request, user, key, object_id)
    found = _readable(user, key)
    bound = binding("object", user, found.pk, object_id)
    query = paging.parse_query(request.GET, matches=ONE_OBJECT_MATCHES, binding=bound)
    store = _store(user, found).filter(stix_id=object_id)
    result = paging.page(paging.select(store, query), query, ("body",), bound)
    if not result.rows and not store.exists():
        raise TaxiiError(404)
    _read_audit(request, found, "object", len(result.rows), object=object_id[:100])
    return taxii_response(_envelope(result), headers=_date_headers(result.rows))


@taxii_view("GET")
def versions(request: HttpRequest, user: User, key: str, object_id: str) -> HttpResponse:
    """Section 5.8: the versions (``modified``) of one object, in ``date_added`` order."""
    found = _readable(user, key)
    bound = binding("versions", user, found.pk, object_id)
    query = paging.parse_query(request.GET, matches=VERSIONS_MATCHES, binding=bound)
    store = _store(user, found).filter(stix_id=object_id)
    qs = paging.select(store, query, default_version="all")
    result = paging.page(qs, query, ("modified",), bound)
    if not result.rows and not store.exists():
        raise TaxiiError(404)
    _read_audit(request, found, "versions", len(result.rows), object=object_id[:100])
    if not result.rows:
        return taxii_response("{}")
    listed = ",".join(f'"{timestamp(as_datetime(row[2]))}"' for row in result.rows)
    body = _head(result) + '"versions":[' + listed + "]}"
    return taxii_response(body, headers=_date_headers(result.rows))


# --- Writing ---------------------------------------------------------------------------------


def _writable(request: HttpRequest, user: User, key: str, *, needs_read: bool) -> TaxiiCollection:
    """The collection, if the person may write it (and read it, for DELETE) with a token of the
    write scope: 404 when they may neither read nor write it, else 403."""
    found, can_read, can_write = find_collection(user, key)
    if not can_write:
        raise TaxiiError(403, _("You may read this collection but not change it."))
    if needs_read and not can_read:
        raise TaxiiError(403, _("Objects can only be deleted from a collection you may read."))
    if not may_write(request):
        raise TaxiiError(403, _("This token may only read: writing needs the write scope."))
    return found


def _read_body(request: HttpRequest) -> bytes:
    """The request body, refusing (413) anything over ``max_content_length`` before reading."""
    limit = max_content_length()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise TaxiiError(400, _("The Content-Length header is not a number.")) from None
    too_big = TaxiiError(
        413,
        _("The request body is larger than this API root's limit of %(limit)s bytes.")
        % {"limit": limit},
    )
    if length > limit:
        raise too_big
    body = request.read(limit + 1)
    if len(body) > limit:
        raise too_big
    return body


def _envelope_objects(body: bytes) -> list[Any]:
    """The ``objects`` of a posted envelope; 422 for anything else."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise TaxiiError(422, _("The body is not valid JSON.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("objects"), list):
        raise TaxiiError(422, _('Send an envelope: a JSON object with an "objects" list.'))
    if data.get("type") == "bundle":
        raise TaxiiError(422, _('Send an envelope, not a STIX bundle: {"objects": [...]}.'))
    if not data["objects"]:
        raise TaxiiError(422, _("The envelope has no objects."))
    return list(data["objects"])


def _add_objects(request: HttpRequest, user: User, key: str) -> HttpResponse:
    from django.core.exceptions import PermissionDenied, ValidationError

    from jisp.intel.services.indicators import source_for
    from jisp.intel.stix.importer import IngestContext, ingest

    found = _writable(request, user, key, needs_read=False)
    check_content_type(request)
    items = _envelope_objects(_read_body(request))
    try:
        organisation = source_for(user)
    except PermissionDenied as exc:
        raise TaxiiError(403, str(exc)) from None
    context = IngestContext(
        user=user,
        organisation=organisation,
        tlp=found.tlp,
        audience=found.audience,
        sectors=[found.sector_id] if found.sector_id else [],
        organisations=[found.organisation_id] if found.organisation_id else [],
    )
    received = timezone.now()
    try:
        with transaction.atomic():
            result = ingest(items, context)
            saved = TaxiiStatus.objects.create(
                collection=found,
                user=user,
                request_timestamp=received,
                total_count=len(items),
                successes=[list(s) for s in result.successes],
                failures=[list(f) for f in result.failures],
            )
    except ValidationError as exc:
        raise TaxiiError(422, " ".join(exc.messages)) from None
    audit.record(
        "intel.taxii.added",
        request=request,
        obj=found,
        collection=found.alias,
        status=str(saved.id),
        total=saved.total_count,
        succeeded=len(result.successes),
        failed=len(result.failures),
    )
    return json_response(status_resource(saved), status=202)


def _delete_object(request: HttpRequest, user: User, key: str, object_id: str) -> HttpResponse:
    """Delete the object's versions in the collection (all of them, or those asked for with
    ``match[version]`` / ``match[spec_version]``). Only versions the person may change
    (``policy.can_change``) are deleted; if any other is among them, nothing is (403)."""
    found = _writable(request, user, key, needs_read=True)
    query = paging.parse_query(request.GET, matches=ONE_OBJECT_MATCHES, paged=False)
    store = _store(user, found).filter(stix_id=object_id)
    if query.versions or query.spec_versions:
        store = store.filter(paging.version_filter(query, default="all"))
    rows = list(store)
    if not rows:
        raise TaxiiError(404)
    if not all(policy.can_change(user, row) for row in rows):
        raise TaxiiError(403, _("You may not delete objects another organisation shared."))
    with transaction.atomic():
        StixObject.objects.filter(pk__in=[row.pk for row in rows]).delete()
        audit.record(
            "intel.taxii.deleted",
            request=request,
            obj=found,
            collection=found.alias,
            object=object_id[:100],
            versions=[timestamp(row.modified) for row in rows],
        )
    return taxii_response("")
