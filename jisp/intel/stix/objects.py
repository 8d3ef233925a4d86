"""The STIX 2.1 objects JISP writes for its indicators, and the few parsing helpers they need.

Objects are plain dicts serialised once with ``dumps`` (compact, keys in a fixed order) and kept as
text in ``StixObject.body``: serving and exporting never rebuild them. Patterns are the simple
comparison JISP writes (``[ipv4-addr:value = '198.51.100.7']``); ``parse_pattern`` reads that
form back (and the same form written by other tools) without the full STIX pattern grammar.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from jisp.core.choices import TLP
from jisp.intel.choices import IndicatorKind

SPEC_VERSION = "2.1"

#: The TLP 2.0 marking definitions (the STIX TLP 2.0 extension's fixed ids).
TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_MARKINGS: dict[str, str] = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
#: TLP 1.0 markings of STIX 2.1 itself (read on import; "white" is TLP:CLEAR).
TLP1_MARKINGS: dict[str, str] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLP.CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLP.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLP.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLP.RED,
}
MARKING_TLP: dict[str, str] = {**{v: k for k, v in TLP_MARKINGS.items()}, **TLP1_MARKINGS}

#: Namespace of the deterministic ids (uuid5) JISP gives to objects derived from a value.
NAMESPACE = uuid.UUID("6f0c3f5e-1b8a-4a4e-9f0b-7c2f3d9a4e11")

#: STIX object path per indicator kind (hashes are ``file:hashes.'<algorithm>'``).
_PATHS: dict[str, str] = {
    IndicatorKind.IPV4: "ipv4-addr:value",
    IndicatorKind.IPV6: "ipv6-addr:value",
    IndicatorKind.DOMAIN: "domain-name:value",
    IndicatorKind.URL: "url:value",
    IndicatorKind.EMAIL: "email-addr:value",
    IndicatorKind.MD5: "file:hashes.'MD5'",
    IndicatorKind.SHA1: "file:hashes.'SHA-1'",
    IndicatorKind.SHA256: "file:hashes.'SHA-256'",
}
_KINDS_BY_PATH: dict[str, str] = {
    **{path: kind for kind, path in _PATHS.items()},
    "file:hashes.MD5": IndicatorKind.MD5,
    "file:hashes.'SHA1'": IndicatorKind.SHA1,
    "file:hashes.SHA1": IndicatorKind.SHA1,
    "file:hashes.'SHA256'": IndicatorKind.SHA256,
    "file:hashes.SHA256": IndicatorKind.SHA256,
    "file:hashes.'SHA-1'": IndicatorKind.SHA1,
    "file:hashes.'SHA-256'": IndicatorKind.SHA256,
}
#: ``[path = 'value']`` with nothing else: the only pattern shape turned into an indicator.
_UNQUOTE = re.compile(r"\\(.)")
_SIMPLE = re.compile(r"^\[\s*([a-z0-9-]+:[A-Za-z0-9_.'-]+)\s*=\s*'((?:[^'\\]|\\.)*)'\s*\]$")


def timestamp(value: datetime) -> str:
    """A STIX / TAXII timestamp: UTC with microseconds, ``2021-07-23T11:00:00.000000Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$", re.ASCII)


def parse_timestamp(text: str) -> datetime:
    """A STIX timestamp (``Z``, any number of fraction digits) as an aware datetime; ValueError
    for anything else."""
    if not isinstance(text, str) or not _TIMESTAMP.match(text):
        raise ValueError("not a STIX timestamp")
    # Python 3.11 reads "Z" and truncates fractions beyond microseconds.
    return datetime.fromisoformat(text)


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def pattern_for(kind: str, value: str) -> str:
    """The STIX pattern of one normalised value."""
    if kind == IndicatorKind.CIDR:
        path = "ipv6-addr:value" if ":" in value else "ipv4-addr:value"
    else:
        path = _PATHS[kind]
    return f"[{path} = '{_quote(value)}']"


def parse_pattern(pattern: str) -> tuple[str, str] | None:
    """(kind, raw value) of a one-comparison pattern; None for any other pattern."""
    match = _SIMPLE.match(pattern.strip()) if isinstance(pattern, str) else None
    if match is None:
        return None
    path, quoted = match.groups()
    value = _UNQUOTE.sub(r"\1", quoted) if "\\" in quoted else quoted
    kind = _KINDS_BY_PATH.get(path)
    if kind is None:
        return None
    if kind in (IndicatorKind.IPV4, IndicatorKind.IPV6) and "/" in value:
        kind = IndicatorKind.CIDR
    return kind, value


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# The C encoder made once (``json.dumps`` makes one per call: bulk imports dump every object).
# No cycle check: objects come from parsed JSON or from ``indicator_object``.
_C_ENCODE = (
    c_make_encoder(None, _ENCODER.default, encode_basestring, None, ":", ",", False, False, True)
    if c_make_encoder is not None
    else None
)


def dumps(obj: Any) -> str:
    """Compact JSON, non-ASCII kept (Japanese names stay readable)."""
    if _C_ENCODE is not None and isinstance(obj, dict | list):
        return "".join(_C_ENCODE(obj, 0))
    return _ENCODER.encode(obj)


def indicator_object(indicator: Any) -> dict[str, Any]:
    """The STIX indicator of one ``Indicator`` row, as it is now."""
    valid_from = indicator.valid_from
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": SPEC_VERSION,
        "id": indicator.stix_id,
        "created": timestamp(indicator.created),
        "modified": timestamp(indicator.modified),
        "name": indicator.name or indicator.value,
        "indicator_types": ["malicious-activity"],
        "pattern": pattern_for(indicator.kind, indicator.value),
        "pattern_type": "stix",
        "pattern_version": SPEC_VERSION,
        "valid_from": timestamp(valid_from),
    }
    if indicator.description:
        obj["description"] = indicator.description
    if indicator.valid_until is not None and indicator.valid_until > valid_from:
        obj["valid_until"] = timestamp(indicator.valid_until)
    obj["confidence"] = int(indicator.confidence)
    labels = sorted({str(label) for label in indicator.labels or []})
    if indicator.malware:
        labels = sorted({*labels, indicator.malware})
    if labels:
        obj["labels"] = labels
    if indicator.revoked:
        obj["revoked"] = True
    if indicator.false_positive:
        obj["x_jisp_false_positive"] = True
    if indicator.sources:
        obj["external_references"] = [{"source_name": str(s)} for s in indicator.sources]
    obj["object_marking_refs"] = [TLP_MARKINGS[indicator.tlp]]
    return obj


def new_indicator_id() -> str:
    return f"indicator--{uuid.uuid4()}"
