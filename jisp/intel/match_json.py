"""The match answer's pieces written without Python objects between: times read as text already
in the answer's form (``TimeText``), and matched indicators as dicts (``Maker``, for ``match``)
or straight as JSON text (``Writer``, for ``match_json``), JSON columns decoded once per
distinct text. See ``jisp.intel.matching``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.db import NotSupportedError
from django.db.models import Func, TextField

from jisp.intel import indicators
from jisp.intel.stix.objects import dumps

#: One indicator's row: the columns of ``matching.FIELDS``.
Row = tuple[Any, ...]


class TimeText(Func):
    """A time column read as text, with no conversion in Python: ``for_json=True`` as
    ``DjangoJSONEncoder`` writes it (``2026-05-01T12:34:56.789Z``: milliseconds, none when the
    time has no fraction of a second), else as Django stores it on SQLite
    (``2026-05-01 12:34:56.789012``: naive UTC, no fraction when there is none), which
    ``datetime.fromisoformat`` reads back exactly. NULL stays NULL."""

    arity = 1
    output_field = TextField()

    def __init__(self, expression: Any, *, for_json: bool) -> None:
        super().__init__(expression)
        self.for_json = for_json

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        if not self.for_json:
            return f"CAST({sql} AS text)", list(params)
        # Stored as "YYYY-MM-DD HH:MM:SS[.ffffff]": the date, "T", the time to the millisecond.
        text = f"(substr({sql}, 1, 10) || 'T' || substr({sql}, 12, 12) || 'Z')"
        return text, [*params, *params]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        utc = f"({sql} AT TIME ZONE 'UTC')"
        whole, fraction, end = (
            ('YYYY-MM-DD"T"HH24:MI:SS', ".MS", "Z")
            if self.for_json
            else ("YYYY-MM-DD HH24:MI:SS", ".US", "")
        )
        text = (
            f"(to_char({utc}, '{whole}') || CASE WHEN date_trunc('second', {utc}) = {utc} "
            f"THEN '' ELSE to_char({utc}, '{fraction}') END || '{end}')"
        )
        return text, [*params] * 5

    def as_sql(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - other databases
        raise NotSupportedError("TimeText is written for SQLite and PostgreSQL.")


class Maker:
    """One matched indicator as a plain dict: JSON columns decoded once per distinct text."""

    def __init__(self, now: datetime) -> None:
        # naive UTC, as the times read back from ``last_seen_text``
        self.now = now.astimezone(UTC).replace(tzinfo=None)
        self.decoded: dict[Any, list[Any]] = {}

    def _list(self, raw: Any) -> list[Any]:
        if raw is None:
            return []
        found = self.decoded.get(raw)
        if found is None:
            value = json.loads(raw) if isinstance(raw, str | bytes) else raw
            found = self.decoded[raw] = list(value or [])
        return list(found)

    def confidence(self, row: Row) -> int:
        last_seen = row[13]
        seen = None if last_seen is None else datetime.fromisoformat(last_seen)
        return indicators.effective_confidence(row[4], seen, row[1], self.now)

    def __call__(self, row: Row, via: str) -> dict[str, Any]:
        (pk, kind, value, stix_id, _confidence, tlp, malware, false_positive, labels, sources,
         first_seen, last_seen, valid_until, _last_seen_text) = row  # fmt: skip
        return {
            "id": pk,
            "kind": kind,
            "value": value,
            "via": via,
            "stix_id": stix_id,
            "confidence": self.confidence(row),
            "tlp": tlp,
            "labels": self._list(labels),
            "malware": malware,
            "first_seen": first_seen,
            "last_seen": last_seen,
            "valid_until": valid_until,
            "false_positive": bool(false_positive),
            "sources": self._list(sources),
        }


#: A string as JSON, as ``json.dumps(..., ensure_ascii=False)`` writes it (the same C function).
quote = json.encoder.encode_basestring

MATCH_JSON = '{"input":%s,"kind":%s,"value":%s,"indicators":[%s],"sightings":%d,"warninglists":%s}'
INDICATOR_JSON = (
    '{"id":%d,"kind":%s,"value":%s,"via":%s,"stix_id":%s,"confidence":%d,"tlp":%s,"labels":%s,'
    '"malware":%s,"first_seen":%s,"last_seen":%s,"valid_until":%s,"false_positive":%s,'
    '"sources":%s}'
)


class Writer(Maker):
    """One matched indicator as the JSON text of ``Maker``'s dict."""

    def __init__(self, now: datetime) -> None:
        super().__init__(now)
        self.written: dict[Any, str] = {}

    def _json_list(self, raw: Any) -> str:
        if raw is None:
            return "[]"
        text = self.written.get(raw)
        if text is None:
            text = self.written[raw] = dumps(self._list(raw))
        return text

    def __call__(self, row: Row, via: str) -> str:  # type: ignore[override]
        (pk, kind, value, stix_id, _confidence, tlp, malware, false_positive, labels, sources,
         first_seen, last_seen, valid_until, _last_seen_text) = row  # fmt: skip
        return INDICATOR_JSON % (
            int(pk),
            quote(kind),
            quote(value),
            quote(via),
            quote(stix_id),
            self.confidence(row),
            quote(tlp),
            self._json_list(labels),
            quote(malware),
            "null" if first_seen is None else quote(first_seen),
            "null" if last_seen is None else quote(last_seen),
            "null" if valid_until is None else quote(valid_until),
            "true" if false_positive else "false",
            self._json_list(sources),
        )
