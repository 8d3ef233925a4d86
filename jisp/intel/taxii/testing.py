"""Test helpers for the TAXII server: credentials and STIX objects stored straight in a scope."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime
from typing import Any

from jisp.core.models import Organisation, User
from jisp.core.services import accounts
from jisp.intel.models import StixObject, TaxiiCollection
from jisp.intel.services.indicators import allocate_dates
from jisp.intel.stix.objects import dumps, timestamp

ROOT = "/taxii2/api/"
TAXII = "application/taxii+json;version=2.1"


def api_token(user: User, scope: str = "read") -> str:
    """A new API token of the person (the full ``jisp_...`` text)."""
    _token, full = accounts.create_api_token(None, user, "taxii test", scope, 30)
    return full


def basic(user: User, scope: str = "read", *, token: str | None = None) -> dict[str, str]:
    """Headers of a TAXII request signed in with HTTP Basic (e-mail address and token)."""
    secret = token or api_token(user, scope)
    raw = base64.b64encode(f"{user.email}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}", "Accept": TAXII}


def bearer(user: User, scope: str = "read") -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(user, scope)}", "Accept": TAXII}


def store(
    collection: TaxiiCollection,
    organisation: Organisation,
    *,
    stix_type: str = "indicator",
    stix_id: str | None = None,
    modified: datetime | None = None,
    created_by: User | None = None,
    spec_version: str = "2.1",
    count: int = 1,
) -> list[StixObject]:
    """``count`` STIX objects (new ids, or versions of ``stix_id``) stored in the collection's
    scope, as if ``organisation`` had shared them."""
    added = allocate_dates(count)
    rows = []
    for i in range(count):
        object_id = stix_id or f"{stix_type}--{uuid.uuid4()}"
        changed = modified or added[i]
        body: dict[str, Any] = {
            "type": stix_type,
            "spec_version": spec_version,
            "id": object_id,
            "created": timestamp(added[0]),
            "modified": timestamp(changed),
        }
        if stix_type == "indicator":
            body |= {
                "name": f"test {i}",
                "pattern": f"[ipv4-addr:value = '198.51.100.{i % 250}']",
                "pattern_type": "stix",
                "valid_from": timestamp(added[0]),
            }
        rows.append(
            StixObject(
                stix_id=object_id,
                stix_type=stix_type,
                spec_version=spec_version,
                created=added[0] if not stix_id else changed,
                modified=changed,
                date_added=added[i],
                body=dumps(body),
                tlp=collection.tlp,
                audience=collection.audience,
                organisation=organisation,
                created_by=created_by,
            )
        )
    StixObject.objects.bulk_create(rows)
    saved = list(StixObject.objects.filter(date_added__in=added).order_by("date_added"))
    for row in saved:
        if collection.sector_id:
            row.audience_sectors.add(collection.sector_id)
        if collection.organisation_id:
            row.audience_organisations.add(collection.organisation_id)
    return saved


def objects_of(response: Any) -> list[dict[str, Any]]:
    return json.loads(response.content).get("objects", [])
