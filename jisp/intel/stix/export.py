"""STIX 2.1 export: any selection of indicators as one streamed bundle.

``bundle_chunks(user, indicators)`` yields the text of a bundle piece by piece (memory bounded by
one chunk of rows): for each indicator its current STIX object, its observable (an SCO with the
deterministic id STIX 2.1 prescribes), a ``based-on`` relationship between them, the malware
family (an SDO with a deterministic id) with an ``indicates`` relationship, then a ``report`` per
linked topic the person may read, and the TLP 2.0 marking definitions used.

Every object JISP derives here has a deterministic id (uuid5), so two exports of the same data
give the same ids. The policy is applied again here, whatever the caller did.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import groupby, islice
from typing import Any

from django.db.models import QuerySet

from jisp.core import policy
from jisp.core.choices import TLP, TLP_ORDER
from jisp.intel.choices import IndicatorKind
from jisp.intel.models import Indicator, StixObject
from jisp.intel.stix.objects import (
    NAMESPACE,
    SPEC_VERSION,
    TLP_EXTENSION,
    TLP_MARKINGS,
    dumps,
    indicator_object,
    timestamp,
)

#: The namespace STIX 2.1 prescribes for the ids of cyber-observable objects.
SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
#: Indicators read per query.
CHUNK = 2000
#: The time given to malware families (a fixed version: the object never changes).
FAMILY_TIME = "2020-01-01T00:00:00.000Z"
MARKING_TIME = "2022-10-01T00:00:00.000Z"

_HASH_NAMES: dict[str, str] = {
    IndicatorKind.MD5: "MD5",
    IndicatorKind.SHA1: "SHA-1",
    IndicatorKind.SHA256: "SHA-256",
}


def marking_definition(tlp: str) -> dict[str, Any]:
    """The TLP 2.0 marking definition of one level (as the STIX TLP 2.0 extension defines it)."""
    return {
        "type": "marking-definition",
        "spec_version": SPEC_VERSION,
        "id": TLP_MARKINGS[tlp],
        "created": MARKING_TIME,
        "name": TLP(tlp).label,
        "extensions": {
            TLP_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": str(tlp)},
        },
    }


def _canonical(value: dict[str, Any]) -> str:
    """JSON canonical form (RFC 8785) of the simple objects used for ids: sorted keys, no
    spaces, strings as they are."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def observable(kind: str, value: str) -> dict[str, Any]:
    """The SCO of one value, with its deterministic id (uuid5 of the id-contributing
    properties in the STIX namespace)."""
    if kind in _HASH_NAMES:
        contributing: dict[str, Any] = {"hashes": {_HASH_NAMES[kind]: value}}
        sco_type = "file"
    else:
        types: dict[str, str] = {
            IndicatorKind.IPV4: "ipv4-addr",
            IndicatorKind.IPV6: "ipv6-addr",
            IndicatorKind.CIDR: "ipv6-addr" if ":" in value else "ipv4-addr",
            IndicatorKind.DOMAIN: "domain-name",
            IndicatorKind.URL: "url",
            IndicatorKind.EMAIL: "email-addr",
        }
        sco_type = types[kind]
        contributing = {"value": value}
    sco_id = f"{sco_type}--{uuid.uuid5(SCO_NAMESPACE, _canonical(contributing))}"
    return {"type": sco_type, "spec_version": SPEC_VERSION, "id": sco_id, **contributing}


def _derived_id(stix_type: str, *parts: str) -> str:
    """A deterministic id shaped as a UUIDv4 (STIX wants v4 for objects other than SCOs): the
    bits of a uuid5 of the parts, with the version set to 4."""
    hashed = uuid.uuid5(NAMESPACE, "|".join([stix_type, *parts]))
    return f"{stix_type}--{uuid.UUID(bytes=hashed.bytes, version=4)}"


def malware_object(name: str) -> dict[str, Any]:
    """A malware family named by indicators (public knowledge: marked TLP:CLEAR)."""
    return {
        "type": "malware",
        "spec_version": SPEC_VERSION,
        "id": _derived_id("malware", name.strip().lower()),
        "created": FAMILY_TIME,
        "modified": FAMILY_TIME,
        "name": name,
        "is_family": True,
        "object_marking_refs": [TLP_MARKINGS[TLP.CLEAR]],
    }


def relationship(kind: str, source: dict[str, Any], target_id: str) -> dict[str, Any]:
    """``source`` (an indicator) ``kind`` ``target_id``, versioned and marked like the source."""
    return {
        "type": "relationship",
        "spec_version": SPEC_VERSION,
        "id": _derived_id("relationship", kind, source["id"], target_id),
        "created": source["created"],
        "modified": source["modified"],
        "relationship_type": kind,
        "source_ref": source["id"],
        "target_ref": target_id,
        "object_marking_refs": [TLP_MARKINGS[_tlp_of(source)]],
    }


def _tlp_of(obj: dict[str, Any]) -> str:
    for ref in obj.get("object_marking_refs") or []:
        for level, marking in TLP_MARKINGS.items():
            if marking == ref:
                return level
    return TLP.CLEAR


def _current(indicators: list[Indicator]) -> dict[int, dict[str, Any]]:
    """The STIX object of each indicator as it is now: its stored version when that version is
    the current one and marked at the row's TLP, else one made from the row."""
    wanted = {(i.stix_id, i.modified): i for i in indicators}
    found: dict[int, dict[str, Any]] = {}
    rows = StixObject.objects.filter(stix_id__in=[i.stix_id for i in indicators]).values_list(
        "stix_id", "modified", "body"
    )
    for stix_id, modified, body in rows:
        indicator = wanted.get((stix_id, modified))
        if indicator is None:
            continue
        obj = json.loads(body)
        if obj.get("object_marking_refs") == [TLP_MARKINGS[indicator.tlp]]:
            found[indicator.pk] = obj
    return {i.pk: found.get(i.pk) or indicator_object(i) for i in indicators}


def _chunks(queryset: QuerySet[Indicator]) -> Iterator[list[Indicator]]:
    rows = queryset.iterator(chunk_size=CHUNK)
    while chunk := list(islice(rows, CHUNK)):
        yield chunk


def bundle_chunks(user: Any, indicators: QuerySet[Indicator]) -> Iterator[str]:
    """The text of a STIX 2.1 bundle of the indicators the person may see, in pieces."""
    from jisp.sharing.services.topics import can_read

    selection = policy.visible(user, indicators).order_by("value", "kind", "pk")
    yield '{"type":"bundle","id":"bundle--%s","objects":[' % uuid.uuid4()  # noqa: UP031
    first = True

    def emit(obj: dict[str, Any]) -> str:
        nonlocal first
        text = dumps(obj) if first else "," + dumps(obj)
        first = False
        return text

    markings: set[str] = set()
    families: set[str] = set()
    topic_refs: dict[int, list[str]] = {}
    last_sco = ""
    through = Indicator.topics.through
    for chunk in _chunks(selection):
        current = _current(chunk)
        links: dict[int, list[int]] = {}
        for indicator_id, topic_id in through.objects.filter(
            indicator_id__in=[i.pk for i in chunk]
        ).values_list("indicator_id", "topic_id"):
            links.setdefault(indicator_id, []).append(topic_id)
        out: list[str] = []
        for (kind, value), group in groupby(chunk, key=lambda i: (i.kind, i.value)):
            members = list(group)
            sco = observable(kind, value)
            if sco["id"] != last_sco:
                # The observable once per value, marked at the highest TLP of its indicators.
                highest = max((m.tlp for m in members), key=lambda t: TLP_ORDER.index(TLP(t)))
                sco["object_marking_refs"] = [TLP_MARKINGS[highest]]
                markings.add(highest)
                out.append(emit(sco))
                last_sco = sco["id"]
            for indicator in members:
                obj = current[indicator.pk]
                markings.add(_tlp_of(obj))
                out.append(emit(obj))
                out.append(emit(relationship("based-on", obj, sco["id"])))
                if indicator.malware:
                    family = malware_object(indicator.malware)
                    if family["id"] not in families:
                        families.add(family["id"])
                        markings.add(TLP.CLEAR)
                        out.append(emit(family))
                    out.append(emit(relationship("indicates", obj, family["id"])))
                for topic_id in links.get(indicator.pk, []):
                    topic_refs.setdefault(topic_id, []).append(obj["id"])
        yield "".join(out)
    if topic_refs:
        from jisp.sharing.models import Topic

        for topic in Topic.objects.filter(pk__in=list(topic_refs)).order_by("pk"):
            if not can_read(user, topic):
                continue
            markings.add(topic.tlp)
            yield emit(_report(topic, topic_refs[topic.pk]))
    for level in sorted(markings, key=lambda t: TLP_ORDER.index(TLP(t))):
        yield emit(marking_definition(level))
    yield "]}"


def _report(topic: Any, refs: Iterable[str]) -> dict[str, Any]:
    """A topic as a STIX report of the exported indicators it is linked to."""
    published: datetime = topic.published_at or topic.created_at
    created = timestamp(topic.created_at)
    modified = timestamp(max(topic.updated_at, topic.created_at))
    return {
        "type": "report",
        "spec_version": SPEC_VERSION,
        "id": _derived_id("report", "topic", str(topic.pk)),
        "created": created,
        "modified": modified,
        "name": topic.title,
        "report_types": ["threat-report"],
        "published": timestamp(published),
        "object_refs": sorted(set(refs)),
        "object_marking_refs": [TLP_MARKINGS[topic.tlp]],
    }
