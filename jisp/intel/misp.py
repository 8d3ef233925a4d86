"""MISP import: MISP JSON events and MISP feed folders (``manifest.json`` plus ``<uuid>.json``).

Each attribute of a type JISP keeps becomes a STIX indicator (id ``indicator--<attribute uuid>``,
version = the attribute's ``timestamp``), stored through ``stix.importer`` like any STIX object:
the same attribute imported twice is stored once, a changed attribute (newer timestamp) updates
the indicator. The event's and the attribute's tags become labels; ``tlp:*`` tags become the TLP
marking (which raises, never lowers, the import's TLP).

Choices:

* attributes with ``to_ids`` false are *skipped* (MISP marks context there, not detection
  material; putting them in blocklists would make false positives), as are deleted ones;
* attribute types JISP does not keep (``comment``, ``text``, ``regkey``...) are counted as
  skipped, and unknown fields are ignored;
* confidence comes from the event's threat level (high 80, medium 60, low 40, undefined 50);
* a malformed file or event (not JSON, not an event, wrong types) is a fatal error: nothing of the
  file is kept.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from jisp.core import policy
from jisp.core.choices import TLP, TLP_ORDER
from jisp.intel import indicators as values
from jisp.intel.choices import ImportFormat, IndicatorKind
from jisp.intel.models import ImportRun
from jisp.intel.stix.importer import (
    MAX_ERRORS,
    IngestContext,
    Ingester,
    failed_run,
    finish_run,
)
from jisp.intel.stix.objects import SPEC_VERSION, TLP_MARKINGS, pattern_for, timestamp

#: Largest MISP JSON file read (events are read whole).
MAX_FILE_BYTES = 50 * 1024 * 1024

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

#: MISP attribute type -> (indicator kind or "ip", which part of a "a|b" value).
TYPES: dict[str, tuple[str, int]] = {
    "ip-src": ("ip", 0),
    "ip-dst": ("ip", 0),
    "ip-src|port": ("ip", 0),
    "ip-dst|port": ("ip", 0),
    "domain": (IndicatorKind.DOMAIN, 0),
    "hostname": (IndicatorKind.DOMAIN, 0),
    "domain|ip": (IndicatorKind.DOMAIN, 0),
    "hostname|port": (IndicatorKind.DOMAIN, 0),
    "url": (IndicatorKind.URL, 0),
    "uri": (IndicatorKind.URL, 0),
    "link": (IndicatorKind.URL, 0),
    "email": (IndicatorKind.EMAIL, 0),
    "email-src": (IndicatorKind.EMAIL, 0),
    "email-dst": (IndicatorKind.EMAIL, 0),
    "email-reply-to": (IndicatorKind.EMAIL, 0),
    "md5": (IndicatorKind.MD5, 0),
    "sha1": (IndicatorKind.SHA1, 0),
    "sha256": (IndicatorKind.SHA256, 0),
    "filename|md5": (IndicatorKind.MD5, 1),
    "filename|sha1": (IndicatorKind.SHA1, 1),
    "filename|sha256": (IndicatorKind.SHA256, 1),
}

TLP_TAGS: dict[str, str] = {
    "tlp:white": TLP.CLEAR,
    "tlp:clear": TLP.CLEAR,
    "tlp:green": TLP.GREEN,
    "tlp:amber": TLP.AMBER,
    "tlp:amber+strict": TLP.AMBER_STRICT,
    "tlp:red": TLP.RED,
}

CONFIDENCE_BY_THREAT_LEVEL = {"1": 80, "2": 60, "3": 40, "4": 50}


class _Malformed(ValidationError):
    pass


def _malformed(message: str) -> _Malformed:
    return _Malformed(message)


# --- Reading ------------------------------------------------------------------------------------


def load(data_or_fileobj: Any) -> Any:
    """JSON from a file (at most ``MAX_FILE_BYTES``), or data already parsed."""
    if not hasattr(data_or_fileobj, "read"):
        return data_or_fileobj
    raw = data_or_fileobj.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise _malformed(
            _("The file is larger than %(limit)s MB.") % {"limit": MAX_FILE_BYTES // 1024 // 1024}
        )
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        message = _("The file is not valid JSON: %(error)s") % {"error": str(exc)[:200]}
        raise _malformed(message) from None


def events_of(data: Any) -> list[dict[str, Any]]:
    """The events of a MISP export: ``{"Event": {...}}``, a list of them, or a search answer
    ``{"response": [...]}``."""
    if isinstance(data, dict) and isinstance(data.get("response"), list):
        data = data["response"]
    items = data if isinstance(data, list) else [data]
    events = []
    for item in items:
        event = item.get("Event") if isinstance(item, dict) else None
        if not isinstance(event, dict):
            raise _malformed(_('This is not a MISP event: each event must be {"Event": {...}}.'))
        events.append(event)
    return events


def _list(container: dict[str, Any], name: str, where: str) -> list[Any]:
    value = container.get(name, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise _malformed(_("%(where)s: %(name)s must be a list.") % {"where": where, "name": name})
    return value


def _tags(container: dict[str, Any], where: str) -> list[str]:
    names = []
    for tag in _list(container, "Tag", where):
        name = tag.get("name") if isinstance(tag, dict) else None
        if not isinstance(name, str):
            raise _malformed(_("%(where)s: each tag needs a name.") % {"where": where})
        names.append(name.strip())
    return names


def _tlp(tags: list[str]) -> str | None:
    found = [TLP_TAGS[t.lower()] for t in tags if t.lower() in TLP_TAGS]
    return max(found, key=lambda level: TLP_ORDER.index(TLP(level))) if found else None


def _time(value: Any, where: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise _malformed(
            _("%(where)s: the timestamp must be seconds since 1970.") % {"where": where}
        ) from None


def _uuid(container: dict[str, Any], where: str) -> str:
    value = container.get("uuid")
    if not isinstance(value, str) or not _UUID.match(value):
        raise _malformed(_("%(where)s: uuid is missing or not a UUID.") % {"where": where})
    return value.lower()


class _Counts:
    def __init__(self) -> None:
        self.skipped: Counter[str] = Counter()


def indicators_of(event: dict[str, Any], counts: _Counts) -> Iterator[dict[str, Any]]:
    """The STIX indicators of one event's attributes (those of its objects included)."""
    event_uuid = _uuid(event, _("The event"))
    where = _("Event %(uuid)s") % {"uuid": event_uuid}
    info = event.get("info", "")
    if not isinstance(info, str):
        raise _malformed(_("%(where)s: info must be a text.") % {"where": where})
    event_tags = _tags(event, where)
    confidence = CONFIDENCE_BY_THREAT_LEVEL.get(str(event.get("threat_level_id", "4")), 50)
    attributes = list(_list(event, "Attribute", where))
    for obj in _list(event, "Object", where):
        if not isinstance(obj, dict):
            raise _malformed(_("%(where)s: each object must be a JSON object.") % {"where": where})
        attributes.extend(_list(obj, "Attribute", where))
    for attribute in attributes:
        if not isinstance(attribute, dict):
            raise _malformed(
                _("%(where)s: each attribute must be a JSON object.") % {"where": where}
            )
        made = _indicator(attribute, event_uuid, info, event_tags, confidence, counts)
        if made is not None:
            yield made


def _indicator(
    attribute: dict[str, Any],
    event_uuid: str,
    info: str,
    event_tags: list[str],
    confidence: int,
    counts: _Counts,
) -> dict[str, Any] | None:
    attr_uuid = _uuid(attribute, _("An attribute"))
    where = _("Attribute %(uuid)s") % {"uuid": attr_uuid}
    kind_name, raw = attribute.get("type"), attribute.get("value")
    if not isinstance(kind_name, str) or not isinstance(raw, str):
        raise _malformed(_("%(where)s: type and value must be texts.") % {"where": where})
    changed = _time(attribute.get("timestamp", 0), where)
    tags = _tags(attribute, where)
    if attribute.get("deleted") in (True, "1", 1):
        counts.skipped["deleted"] += 1
        return None
    if attribute.get("to_ids") in (False, "0", 0):
        counts.skipped["to_ids false"] += 1
        return None
    mapping = TYPES.get(kind_name)
    if mapping is None:
        counts.skipped[kind_name[:40]] += 1
        return None
    kind, part = mapping
    parts = raw.split("|")
    value = parts[part] if part < len(parts) else ""
    if kind == "ip":
        kind = (
            IndicatorKind.CIDR
            if "/" in value
            else IndicatorKind.IPV6
            if ":" in value
            else IndicatorKind.IPV4
        )
    try:
        value = values.normalise(kind, value)
    except ValidationError:
        counts.skipped[kind_name[:40]] += 1
        return None
    all_tags = [*event_tags, *tags]
    labels = sorted({t for t in all_tags if t.lower() not in TLP_TAGS and 0 < len(t) <= 50})
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": SPEC_VERSION,
        "id": f"indicator--{attr_uuid}",
        "created": timestamp(changed),
        "modified": timestamp(changed),
        "name": (info or value)[:200],
        "indicator_types": ["malicious-activity"],
        "pattern": pattern_for(kind, value),
        "pattern_type": "stix",
        "pattern_version": SPEC_VERSION,
        "valid_from": timestamp(changed),
        "confidence": confidence,
        "x_misp_event_uuid": event_uuid,
        "x_misp_type": kind_name,
    }
    comment = attribute.get("comment")
    if isinstance(comment, str) and comment.strip():
        obj["description"] = comment.strip()[:20_000]
    if labels:
        obj["labels"] = labels[:20]
    level = _tlp(all_tags)
    if level is not None:
        obj["object_marking_refs"] = [TLP_MARKINGS[level]]
    return obj


# --- Importing ----------------------------------------------------------------------------------


def _check_rights(ctx: IngestContext) -> None:
    if not policy.can_manage_intel(ctx.user):
        raise PermissionDenied(_("Only the coordination centre's staff import files."))


def _run(ctx: IngestContext, fmt: str, name: str) -> ImportRun:
    return ImportRun.objects.create(
        format=fmt,
        name=name[:255],
        organisation_id=getattr(ctx.organisation, "pk", ctx.organisation),
        created_by=ctx.user,
    )


def _finish(
    run: ImportRun, ingester: Ingester, counts: _Counts, ctx: IngestContext, request: Any
) -> ImportRun:
    result = ingester.result
    if counts.skipped:
        skipped = ", ".join(f"{name} ({n})" for name, n in sorted(counts.skipped.items()))
        result.failures.insert(0, ("", "", _("Attributes skipped: %(types)s") % {"types": skipped}))
        del result.failures[MAX_ERRORS:]
    return finish_run(run, result, ctx, request, "intel.import.misp")


def import_misp_event(
    data_or_fileobj: Any,
    ctx: IngestContext,
    *,
    name: str = "",
    request: HttpRequest | None = None,
) -> ImportRun:
    """Import MISP JSON events (a file or parsed data), all or nothing."""
    _check_rights(ctx)
    ingester = Ingester(ctx, keep=False, max_failures=MAX_ERRORS)
    counts = _Counts()
    run = _run(ctx, ImportFormat.MISP, name)
    try:
        with transaction.atomic():
            for event in events_of(load(data_or_fileobj)):
                for obj in indicators_of(event, counts):
                    ingester.add(obj)
            ingester.finish()
    except ValidationError as exc:
        raise failed_run(run, exc, ctx, request, "intel.import.misp") from None
    return _finish(run, ingester, counts, ctx, request)


def import_misp_feed(
    folder: Path, ctx: IngestContext, *, request: HttpRequest | None = None
) -> ImportRun:
    """Import a MISP feed folder: the events listed in ``manifest.json`` (others are ignored),
    each from ``<uuid>.json``. An event listed but missing is reported and skipped."""
    _check_rights(ctx)
    ingester = Ingester(ctx, keep=False, max_failures=MAX_ERRORS)
    counts = _Counts()
    run = _run(ctx, ImportFormat.MISP_FEED, folder.name)
    try:
        with transaction.atomic():
            try:
                with (folder / "manifest.json").open("rb") as fileobj:
                    manifest = load(fileobj)
            except FileNotFoundError:
                raise _malformed(_("The folder has no manifest.json.")) from None
            if not isinstance(manifest, dict):
                raise _malformed(_("manifest.json must map event UUIDs to their summary."))
            for event_uuid in sorted(manifest):
                if not _UUID.match(event_uuid):
                    raise _malformed(
                        _("manifest.json lists %(name)s, which is not a UUID.")
                        % {"name": event_uuid[:60]}
                    )
                path = folder / f"{event_uuid}.json"
                if not path.is_file():
                    ingester.fail(
                        event_uuid,
                        "",
                        _("The event file %(name)s is missing.") % {"name": path.name},
                    )
                    continue
                with path.open("rb") as fileobj:
                    for event in events_of(load(fileobj)):
                        for obj in indicators_of(event, counts):
                            ingester.add(obj)
            ingester.finish()
    except ValidationError as exc:
        raise failed_run(run, exc, ctx, request, "intel.import.misp") from None
    return _finish(run, ingester, counts, ctx, request)
