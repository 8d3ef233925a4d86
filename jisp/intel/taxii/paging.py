"""The query parameters of the TAXII object endpoints (sections 3.4, 3.5) and keyset paging.

``parse_query`` reads ``added_after``, ``limit``, ``next`` and the ``match[...]`` filters an
endpoint supports, refusing anything malformed with 400; ``select`` turns them into one
queryset over the STIX store. Pages are keyset pages in ``date_added`` order (``date_added`` is
unique, so it is the whole key; the row id rides along in the token). ``next`` is stateless and
never expires: the position plus a keyed digest of the endpoint, the filters and the caller, so a
token is refused (400) when it comes back with other filters, on another endpoint or from
someone else; the caller's rights are applied afresh to every page anyway.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from jisp.intel.models import StixObject
from jisp.intel.stix.objects import parse_timestamp
from jisp.intel.taxii.errors import TaxiiError

#: Most objects (or manifest entries, versions) in one page, whatever the client asks.
DEFAULT_MAX_PAGE_SIZE = 10_000
#: Most values in one match[...] filter, and longest value.
MAX_MATCH_VALUES = 100
MAX_MATCH_LENGTH = 250

KEYWORDS = ("last", "first", "all")
_SPEC_VERSION = re.compile(r"^[0-9]{1,3}\.[0-9]{1,3}$")
_SALT = "jisp.intel.taxii.next"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def max_page_size() -> int:
    return int(getattr(settings, "TAXII_MAX_PAGE_SIZE", DEFAULT_MAX_PAGE_SIZE))


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended."""

    date_added: datetime
    pk: int


@dataclass(frozen=True)
class Query:
    """The parsed parameters of one request (``versions`` empty means the endpoint default)."""

    limit: int
    added_after: datetime | None = None
    cursor: Cursor | None = None
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    spec_versions: tuple[str, ...] = ()

    def signature(self) -> str:
        """The filters in a canonical form (what a ``next`` token is bound to)."""
        after = self.added_after.isoformat() if self.added_after else ""
        parts = [after, *(",".join(sorted(v)) for v in self._lists())]
        return "|".join(parts)

    def _lists(self) -> tuple[tuple[str, ...], ...]:
        return (self.ids, self.types, self.versions, self.spec_versions)


def _bad(message: str) -> TaxiiError:
    return TaxiiError(400, message)


def _single(params: Mapping[str, Any], name: str) -> str | None:
    values = params.getlist(name) if hasattr(params, "getlist") else [params[name]]
    if len(values) > 1:
        raise _bad(_("The parameter %(name)s may be given only once.") % {"name": name})
    return values[0]


def _timestamp(value: str, name: str) -> datetime:
    try:
        return parse_timestamp(value)
    except (ValueError, TypeError):
        raise _bad(
            _("%(name)s must be a timestamp such as 2021-07-23T11:00:00.000000Z.") % {"name": name}
        ) from None


def _values(raw: str, name: str) -> tuple[str, ...]:
    items = raw.split(",")
    if any(not item or item != item.strip() for item in items):
        raise _bad(
            _("%(name)s takes values separated by commas, without spaces or empty values.")
            % {"name": name}
        )
    if len(items) > MAX_MATCH_VALUES or any(len(item) > MAX_MATCH_LENGTH for item in items):
        raise _bad(
            _("%(name)s takes at most %(count)s values of at most %(length)s characters.")
            % {"name": name, "count": MAX_MATCH_VALUES, "length": MAX_MATCH_LENGTH}
        )
    return tuple(items)


def _versions(raw: str) -> tuple[str, ...]:
    items = _values(raw, "match[version]")
    if len(set(items)) != len(items):
        raise _bad(_("match[version] may not name the same version twice."))
    if "all" in items and len(items) > 1:
        raise _bad(_("match[version]=all cannot be combined with other versions."))
    normalised = []
    for item in items:
        if item in KEYWORDS:
            normalised.append(item)
        else:
            normalised.append(_timestamp(item, "match[version]").isoformat())
    if len(set(normalised)) != len(normalised):
        raise _bad(_("match[version] may not name the same version twice."))
    return tuple(normalised)


def parse_query(
    params: Mapping[str, Any],
    *,
    matches: frozenset[str],
    paged: bool = True,
    binding: str = "",
) -> Query:
    """Read the parameters; ``matches`` are the match fields this endpoint supports (others are
    ignored, as the specification allows), ``binding`` names the endpoint and the caller for
    ``next``. Raises ``TaxiiError(400)`` for anything malformed."""
    limit = max_page_size()
    added_after = None
    cursor = None
    found: dict[str, tuple[str, ...]] = {}
    for name in params:
        if name.startswith("match[") and name.endswith("]"):
            key = name[6:-1]
            raw = _single(params, name) or ""
            if key not in matches:
                continue
            if key == "version":
                found[key] = _versions(raw)
            else:
                found[key] = _values(raw, name)
                if key == "spec_version" and not all(_SPEC_VERSION.match(v) for v in found[key]):
                    raise _bad(_("match[spec_version] takes versions such as 2.1."))
        elif not paged:
            continue
        elif name == "added_after":
            added_after = _timestamp(_single(params, name) or "", "added_after")
        elif name == "limit":
            raw = (_single(params, name) or "").strip()
            if not raw.isdigit() or int(raw) < 1 or len(raw) > 12:
                raise _bad(_("limit must be a whole number greater than zero."))
            limit = min(int(raw), limit)
    query = Query(
        limit=limit,
        added_after=added_after,
        ids=found.get("id", ()),
        types=found.get("type", ()),
        versions=found.get("version", ()),
        spec_versions=found.get("spec_version", ()),
    )
    if paged and "next" in params:
        token = _single(params, "next") or ""
        cursor = decode_next(token, query, binding)
        query = replace(query, cursor=cursor)
    return query


# --- next tokens ------------------------------------------------------------------------------


def _digest(position: str, query: Query, binding: str) -> str:
    value = f"{position}|{binding}|{query.signature()}"
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()[:24]


def encode_next(cursor: Cursor, query: Query, binding: str) -> str:
    """The opaque ``next`` of a page that ended at ``cursor``."""
    micros = (cursor.date_added - _EPOCH) // _MICROSECOND
    position = f"{micros:x}.{cursor.pk:x}"
    raw = f"{position}.{_digest(position, query, binding)}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_next(token: str, query: Query, binding: str) -> Cursor:
    """The cursor of a ``next`` token; 400 if it is not one this server gave for this query."""
    invalid = _bad(_("This next value is unknown: repeat the first request's parameters."))
    if not token or len(token) > 200:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
        micros_hex, pk_hex, digest = raw.split(".")
        position = f"{micros_hex}.{pk_hex}"
        micros, pk = int(micros_hex, 16), int(pk_hex, 16)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid from None
    if not constant_time_compare(digest, _digest(position, query, binding)):
        raise invalid
    try:
        when = _EPOCH + micros * _MICROSECOND
    except OverflowError:
        raise invalid from None
    return Cursor(date_added=when, pk=pk)


# --- selecting rows ---------------------------------------------------------------------------


def _versions_of_same_object() -> QuerySet[StixObject]:
    return StixObject.objects.filter(stix_id=OuterRef("stix_id"))


def _later_spec() -> Q:
    return Q(spec_version__gt=OuterRef("spec_version"))


def version_filter(query: Query, default: str = "last") -> Q:
    """The ``match[version]`` / ``match[spec_version]`` rule as a filter.

    "last" and "first" are decided per STIX id over the whole store (an index probe on
    ``(stix_id, modified)`` per row, ``NOT EXISTS``): a row is the last version when no version
    of the same object is newer. So when an object's newest version moved to another scope (say
    from TLP:GREEN to TLP:AMBER), the older scope's collection no longer lists it as current.
    Without ``match[spec_version]`` only the latest specification version of each object counts;
    with it, only the named ones, and "last"/"first" are taken among them."""
    versions = query.versions or (default,)
    others = _versions_of_same_object()
    if query.spec_versions:
        others = others.filter(spec_version__in=query.spec_versions)
        newer = Q(modified__gt=OuterRef("modified"))
        older = Q(modified__lt=OuterRef("modified"))
        base = Q(spec_version__in=query.spec_versions)
        later_spec = None
    else:
        same = Q(spec_version=OuterRef("spec_version"))
        newer = _later_spec() | (same & Q(modified__gt=OuterRef("modified")))
        older = _later_spec() | (same & Q(modified__lt=OuterRef("modified")))
        base = Q()
        later_spec = _later_spec()
    if "all" in versions:
        if later_spec is None:
            return base
        return base & Q(~Exists(others.filter(later_spec)))
    chosen = Q(pk__in=[])
    stamps = [datetime.fromisoformat(v) for v in versions if v not in KEYWORDS]
    if "last" in versions:
        chosen |= Q(~Exists(others.filter(newer)))
    if "first" in versions:
        chosen |= Q(~Exists(others.filter(older)))
    if stamps:
        exact = Q(modified__in=stamps)
        if later_spec is not None:
            exact &= Q(~Exists(others.filter(later_spec)))
        chosen |= exact
    return base & chosen


def select(
    queryset: QuerySet[StixObject], query: Query, *, default_version: str = "last"
) -> QuerySet[StixObject]:
    """The rows of ``queryset`` (already narrowed by the policy) that the query asks for, in
    ``date_added`` order, from the cursor on (not yet cut to a page)."""
    qs = queryset
    if query.ids:
        qs = qs.filter(stix_id__in=query.ids)
    if query.types:
        qs = qs.filter(stix_type__in=query.types)
    start = query.added_after
    if query.cursor is not None and (start is None or query.cursor.date_added >= start):
        start = query.cursor.date_added
    if start is not None:
        qs = qs.filter(date_added__gt=start)
    qs = qs.filter(version_filter(query, default_version))
    return qs.order_by("date_added")


@dataclass
class Page:
    """One page: its rows (tuples of the fields asked for), whether more follow, and ``next``."""

    rows: list[tuple[Any, ...]]
    more: bool
    next: str | None


def as_datetime(value: Any) -> datetime:
    """A ``DateTimeField`` value as the database driver returned it (SQLite: text), aware UTC."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"not a stored date: {value!r}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def page(qs: QuerySet[StixObject], query: Query, fields: tuple[str, ...], binding: str) -> Page:
    """One query: up to ``limit`` rows of ``date_added``, ``id`` and ``fields``, plus one to know
    whether more follow.

    The rows come straight from the database cursor, without Django's per-row conversion (on
    SQLite that is parsing every ``date_added`` text, half the time of a 10,000-row page): only
    the first and last ``date_added`` are converted here; callers convert other dates they use
    with ``as_datetime``."""
    sliced = qs.values_list("date_added", "id", *fields)[: query.limit + 1]
    sql, params = sliced.query.get_compiler(using=qs.db).as_sql()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = [tuple(row) for row in cursor.fetchall()]
    more = len(rows) > query.limit
    if more:
        rows = rows[: query.limit]
    if rows:
        rows[0] = (as_datetime(rows[0][0]), *rows[0][1:])
        rows[-1] = (as_datetime(rows[-1][0]), *rows[-1][1:])
    token = encode_next(Cursor(rows[-1][0], rows[-1][1]), query, binding) if more else None
    return Page(rows=rows, more=more, next=token)
