"""TAXII collections: the standard set, lookup for a caller, and the collection resource.

A collection is one sharing scope (TLP x audience, with a sector or an organisation); who may
list, read and write it is the policy's answer (``can_read_collection``,
``can_write_collection``); nothing here filters on TLP or audience.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from jisp.core import policy
from jisp.core.choices import TLP, Audience
from jisp.core.models import Sector
from jisp.intel.models import TaxiiCollection
from jisp.intel.taxii.errors import TaxiiError

#: What a collection holds (every object JISP stores is STIX 2.1).
MEDIA_TYPES = ["application/stix+json;version=2.1"]

#: The standard collections: (alias, title, description, tlp, audience), sectors added after.
STANDARD = [
    (
        "tlp-clear",
        "TLP:CLEAR",
        "Objects anyone may see. / 公開可能な情報（TLP:CLEAR）。",
        TLP.CLEAR,
        Audience.EVERYONE,
    ),
    (
        "tlp-green",
        "TLP:GREEN (all members)",
        "Objects shared with every member. / すべての参加組織に共有された情報（TLP:GREEN）。",
        TLP.GREEN,
        Audience.EVERYONE,
    ),
    (
        "tlp-amber",
        "TLP:AMBER (all members)",
        "Objects shared with every member, not beyond. / "
        "すべての参加組織に限って共有された情報（TLP:AMBER）。",
        TLP.AMBER,
        Audience.EVERYONE,
    ),
    (
        "centre",
        "TLP:AMBER (coordination centre)",
        "Objects shared with the coordination centre only. / "
        "対処調整センターのみに共有された情報（TLP:AMBER）。",
        TLP.AMBER,
        Audience.CENTRE,
    ),
]


@transaction.atomic
def ensure_default_collections(sectors: QuerySet[Sector] | None = None) -> list[TaxiiCollection]:
    """Create the standard collections that are missing (existing ones are left as they are):
    TLP:CLEAR, TLP:GREEN and TLP:AMBER for everyone, the centre's TLP:AMBER, and one TLP:GREEN
    collection per sector. Returns the collections created. Safe to call repeatedly (a data
    migration may pass ``apps.get_model``'s sectors)."""
    created: list[TaxiiCollection] = []
    position = 0
    for alias, title, description, tlp, audience in STANDARD:
        position += 10
        collection, made = TaxiiCollection.objects.get_or_create(
            alias=alias,
            defaults={
                "title": title,
                "description": description,
                "tlp": tlp,
                "audience": audience,
                "position": position,
            },
        )
        if made:
            created.append(collection)
    for sector in sectors if sectors is not None else Sector.objects.order_by("position", "code"):
        position += 10
        collection, made = TaxiiCollection.objects.get_or_create(
            alias=f"sector-{sector.code}"[:64],
            defaults={
                "title": f"TLP:GREEN ({sector.name_en})",
                "description": (
                    f"Objects shared with the {sector.name_en} sector. / "
                    f"{sector.name_ja}分野に共有された情報（TLP:GREEN）。"
                ),
                "tlp": TLP.GREEN,
                "audience": Audience.SECTORS,
                "sector_id": sector.pk,
                "position": position,
            },
        )
        if made:
            created.append(collection)
    return created


def listed_collections(user: Any) -> list[TaxiiCollection]:
    """The collections the person may read or write, in a stable order."""
    return [
        c
        for c in TaxiiCollection.objects.order_by("position", "alias", "id")
        if policy.can_read_collection(user, c) or policy.can_write_collection(user, c)
    ]


def find_collection(user: Any, key: str) -> tuple[TaxiiCollection, bool, bool]:
    """The collection named by id or alias with (can_read, can_write); 404 when it does not
    exist or the person may neither read nor write it (no hint that it exists)."""
    collection = None
    with contextlib.suppress(ValueError):
        collection = TaxiiCollection.objects.filter(pk=uuid.UUID(key)).first()
    if collection is None:
        collection = TaxiiCollection.objects.filter(alias=key).first()
    if collection is None:
        raise TaxiiError(404)
    can_read = policy.can_read_collection(user, collection)
    can_write = policy.can_write_collection(user, collection)
    if not can_read and not can_write:
        raise TaxiiError(404)
    return collection, can_read, can_write


def collection_resource(collection: TaxiiCollection, can_read: bool, can_write: bool) -> dict:
    """The collection resource (section 5.2.1) as the person sees it."""
    data: dict[str, Any] = {
        "id": str(collection.id),
        "title": collection.title,
    }
    if collection.description:
        data["description"] = collection.description
    data["alias"] = collection.alias
    data["can_read"] = can_read
    data["can_write"] = can_write
    data["media_types"] = MEDIA_TYPES
    return data
