"""Matching: which of many values (or the values in log lines) are known indicators.

``match(user, inputs)`` reads each input as an indicator value (``indicators.parse``: the type
guessed, the value normalised; what is not a value is skipped) and returns, in input order, those
that the person may see an indicator for (``policy.visibility_q``; withdrawn indicators are not
matched, false positives are, with their flag). Besides the value itself (``via: "exact"``):

* a domain also matches the indicators of its parent domains (``a.b.evil.example`` matches
  ``evil.example``; ``via: "parent_domain"``);
* an IP address matches the networks (CIDR indicators) holding it (``via: "network"``);
* a URL matches its host: the domain and its parents, or the IP address and its networks
  (``via: "host"``); an e-mail address its domain and parents (``via: "email_domain"``).

Speed: values are normalised in Python (already normal ones recognised by one regular
expression, ``_CANONICAL``), looked up in large sorted chunks passed as ONE text parameter
(``value_in``: ``= ANY(ARRAY(SELECT json_array_elements_text(?)))`` on PostgreSQL, whose
client-side binding would quote a list element by element in Python, ``IN (SELECT value FROM
json_each(?))`` on SQLite; an index led by value) rather than thousands of placeholders, which
the drivers parse slowly; networks are read once and held per prefix length, so an address costs
one dictionary look-up per prefix length in use. Times are read as text already in the answer's
form (``TimeText``), JSON columns decoded once per distinct text, and ``match_json`` writes the
answer's JSON from the rows with one %-format per indicator, no dict between.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import NotSupportedError, connection
from django.db.models import BooleanField, Func, Q, Sum, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from jisp.core import policy
from jisp.core.bulk import gc_paused
from jisp.intel import indicators
from jisp.intel.choices import IndicatorKind
from jisp.intel.models import Indicator, Sighting

K = IndicatorKind
# Plain strings: comparing with the enum's members costs an attribute look-up each time.
DOMAIN, URL, EMAIL, IPV4, IPV6, CIDR = (
    str(k.value) for k in (K.DOMAIN, K.URL, K.EMAIL, K.IPV4, K.IPV6, K.CIDR)
)

#: At most this many values per request.
MAX_VALUES = 100_000
#: Values per look-up query (one parameter each, see ``value_in``).
CHUNK = 50_000

FIELDS = (
    "id",
    "kind",
    "value",
    "stix_id",
    "confidence",
    "tlp",
    "labels_text",
    "malware",
    "first_seen_json",
    "last_seen_json",
    "valid_until_json",
    "false_positive",
    "sources_text",
    "last_seen_text",
)


def value_in(column: str, values: Sequence[Any]) -> Q | RawSQL:
    """``column IN values`` with the values as one parameter (``column`` is a quoted
    ``"table"."column"``), whatever their number; ``__in`` on other databases. ``column`` is
    made from a model's table name by the callers, never from input; the values are bound."""
    if not values:
        return Q(pk__in=[])  # nothing: Django answers without asking the database
    if connection.vendor == "postgresql":
        # One text parameter, not a list: Django's cursors bind on the client, and psycopg
        # quotes a list element by element in Python (~0.4 s for 10^5 values).
        if all(type(v) is int for v in values):
            sql = f"{column} = ANY(%s::bigint[])"
            array = "{" + ",".join(map(str, values)) + "}"
            return RawSQL(sql, (array,), output_field=BooleanField())  # noqa: S611
        sql = f"{column} = ANY(ARRAY(SELECT json_array_elements_text(%s::json)))"
        return RawSQL(sql, (json.dumps(list(values)),), output_field=BooleanField())  # noqa: S611
    if connection.vendor == "sqlite":
        sql = f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        return RawSQL(  # noqa: S611
            sql,
            (json.dumps(list(values)),),
            output_field=BooleanField(),
        )
    name = column.rpartition(".")[2].strip('"')  # pragma: no cover - other databases
    return Q(**{f"{name}__in": list(values)})  # pragma: no cover


#: One look-up: (kind, value, via).
Lookup = tuple[str, str, str]


def parents(domain: str) -> list[str]:
    """``a.b.evil.example`` -> ``b.evil.example``, ``evil.example`` (at least two labels)."""
    found = []
    dot = domain.find(".")
    while dot != -1:
        rest = domain[dot + 1 :]
        if "." not in rest:
            break
        found.append(rest)
        dot = domain.find(".", dot + 1)
    return found


def url_host(url: str) -> str:
    """The host of a normalised URL, as ``urlsplit(url).hostname`` gives it (~4 times faster):
    normalised, a URL has a path, no white space and its host in lower case."""
    rest = url.partition("://")[2]
    end = len(rest)
    for stop in "/?#":
        at = rest.find(stop, 0, end)
        if at >= 0:
            end = at
    netloc = rest[:end].rpartition("@")[2]
    if netloc.startswith("["):
        return netloc[1 : netloc.find("]")]
    return netloc.partition(":")[0]


def _host_lookups(host: str, via: str) -> list[Lookup]:
    if not host:
        return []
    if ":" not in host and not host[-1].isdigit():  # a domain (a TLD never ends in a digit)
        return [(DOMAIN, host, via), *((DOMAIN, p, via) for p in parents(host))]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return [(DOMAIN, host, via), *((DOMAIN, p, via) for p in parents(host))]
    return [(IPV4 if address.version == 4 else IPV6, str(address), via)]


def lookups(kind: str, value: str) -> list[Lookup]:
    """The (kind, value, via) look-ups for one normalised value (networks aside)."""
    if kind == DOMAIN:
        return [(kind, value, "exact"), *((DOMAIN, p, "parent_domain") for p in parents(value))]
    if kind == URL:
        return [(kind, value, "exact"), *_host_lookups(url_host(value), "host")]
    if kind == EMAIL:
        domain = value.rpartition("@")[2]
        return [
            (kind, value, "exact"),
            (DOMAIN, domain, "email_domain"),
            *((DOMAIN, p, "email_domain") for p in parents(domain)),
        ]
    return [(kind, value, "exact")]


_IPV4_RE = r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_DOMAIN_RE = r"(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z]{2,63}"
#: The characters ``indicators._pct`` leaves as they are in a URL's path (and query: ``?`` too).
_PATH_CHARS = r"A-Za-z0-9\-._~!$&'()*+,;=:@/"

#: Values already in their normalised form, recognised without ``indicators.parse`` (which costs
#: ~15 µs a value, ~20 µs a URL): an IPv4 address without leading zeros, a lower-case ASCII
#: domain name (no ``xn--`` label: those are validated by ``parse``), a lower-case hash, and a URL
#: made of these: a lower-case accepted scheme, such a host (no user, no port), a path of
#: characters that need no escape (no ``%``, no ``.`` or ``..`` segment: ``read`` checks ``/.``)
#: and a non-empty query of the same, no fragment. ``normalise`` returns such a value unchanged,
#: so the short cut gives the same answer, ~1 µs.
#: (The kinds exclude one another; hashes come first: the domain branch backtracks long on them.)
_CANONICAL = re.compile(
    r"(?P<md5>[0-9a-f]{32})|(?P<sha1>[0-9a-f]{40})|(?P<sha256>[0-9a-f]{64})"
    rf"|(?P<ipv4>{_IPV4_RE})"
    rf"|(?P<domain>{_DOMAIN_RE})"
    rf"|(?P<url>(?:https?|ftps?|sftp|wss?)://(?:{_IPV4_RE}|{_DOMAIN_RE})"
    rf"/[{_PATH_CHARS}]*(?:\?[{_PATH_CHARS}?]+)?)",
    re.ASCII,
)


def read(value: str) -> tuple[str, str] | None:
    """(kind, normalised value) of one input, or None when it is no indicator value."""
    if not isinstance(value, str) or len(value) > indicators.MAX_LENGTH:
        return None
    m = _CANONICAL.fullmatch(value)
    if m is not None and len(value) <= 253 and "xn--" not in value:
        kind = str(m.lastgroup)
        if kind != URL or "/." not in value:
            return kind, value
    if not value.strip():
        return None
    try:
        return indicators.parse(value)
    except ValidationError:
        return None


class Networks:
    """The CIDR indicators the person may see, by IP version and prefix length."""

    def __init__(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self.by_prefix: dict[int, dict[int, dict[int, list[tuple[Any, ...]]]]] = {
            4: defaultdict(lambda: defaultdict(list)),
            6: defaultdict(lambda: defaultdict(list)),
        }
        for row in rows:
            try:
                network = ipaddress.ip_network(row[2], strict=False)
            except ValueError:
                continue
            self.by_prefix[network.version][network.prefixlen][int(network.network_address)].append(
                row
            )
        self.lengths = {
            v: sorted((p, (~0 << (bits - p)) & ((1 << bits) - 1)) for p in self.by_prefix[v])
            for v, bits in ((4, 32), (6, 128))
        }

    def containing(self, address: str) -> list[tuple[Any, ...]]:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return []
        number = int(ip)
        table = self.by_prefix[ip.version]
        found: list[tuple[Any, ...]] = []
        for prefix, mask in self.lengths[ip.version]:
            found += table[prefix].get(number & mask, ())
        return found


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


def _visible(user: Any) -> Any:
    # labels and sources as their JSON text: decoded once per distinct text (``_Maker``); the
    # times as text: as the answer writes them, and the last one exactly for the decay.
    return (
        Indicator.objects.order_by()
        .filter(revoked=False)
        .filter(policy.visibility_q(user, Indicator))
        .annotate(
            labels_text=Cast("labels", TextField()),
            sources_text=Cast("sources", TextField()),
            first_seen_json=TimeText("first_seen", for_json=True),
            last_seen_json=TimeText("last_seen", for_json=True),
            valid_until_json=TimeText("valid_until", for_json=True),
            last_seen_text=TimeText("last_seen", for_json=False),
        )
    )


def match(user: Any, inputs: Sequence[str], now: datetime | None = None) -> list[dict[str, Any]]:
    """The known values among ``inputs`` with the indicators the person may see (see above)."""
    with gc_paused():
        found = _find(user, inputs)
        if found is None:
            return []
        made = _Maker(now or timezone.now())
        return [
            {
                "input": text,
                "kind": kind,
                "value": value,
                "indicators": [made(row, via) for row, via in rows],
                "sightings": sightings,
                "warninglists": warned,
            }
            for text, kind, value, rows, sightings, warned in found.matches()
        ]


def match_json(user: Any, inputs: Sequence[str], now: datetime | None = None) -> tuple[int, str]:
    """(number of matches, ``{"count": n, "matches": match(...)}`` as JSON): the very text
    ``json.dumps(..., ensure_ascii=False, separators=(",", ":"))`` writes of ``match``'s answer,
    written from the rows without building a dict per match and per indicator (twice faster
    for 10^5 values)."""
    with gc_paused():
        found = _find(user, inputs)
        if found is None:
            return 0, '{"count":0,"matches":[]}'
        write = _Writer(now or timezone.now())
        parts = [
            _MATCH_JSON
            % (
                quote(text),
                quote(kind),
                quote(value),
                ",".join([write(row, via) for row, via in rows]),
                sightings,
                _dumps(warned) if warned else "[]",
            )
            for text, kind, value, rows, sightings, warned in found.matches()
        ]
        # Freed while the collector is held: once it runs again it would walk them all.
        del found, write
        return len(parts), f'{{"count":{len(parts)},"matches":[{",".join(parts)}]}}'


#: One indicator's row: the columns of ``FIELDS``.
Row = tuple[Any, ...]


class _Found:
    """The inputs read and, by input number, the rows they matched (with ``via``)."""

    def __init__(
        self,
        read_inputs: list[tuple[str, str, str]],
        hits: dict[int, list[tuple[Row, str]]],
        seen_counts: dict[int, int],
        warned: dict[tuple[str, str], list[Any]],
    ) -> None:
        self.read_inputs = read_inputs
        self.hits = hits
        self.seen_counts = seen_counts
        self.warned = warned

    def matches(self) -> Iterator[tuple[str, str, str, list[tuple[Row, str]], int, list[Any]]]:
        """(input, kind, value, [(row, via)] one per indicator, sightings, warninglist hits)
        in input order."""
        seen_counts, warned = self.seen_counts, self.warned
        for number in sorted(self.hits):
            text, kind, value = self.read_inputs[number]
            rows = self.hits[number]
            if len(rows) > 1:  # an indicator reached twice (say, exact and via a network)
                first: dict[int, tuple[Row, str]] = {}
                for row, via in rows:
                    first.setdefault(row[0], (row, via))
                rows = list(first.values())
            sightings = sum(seen_counts.get(row[0], 0) for row, _via in rows) if seen_counts else 0
            yield text, kind, value, rows, sightings, warned.get((kind, value), [])


#: Kinds whose only look-up is the value itself.
_EXACT_ONLY = frozenset(k for k in (str(k.value) for k in K) if k not in {DOMAIN, URL, EMAIL})


def _find(user: Any, inputs: Sequence[str]) -> _Found | None:
    read_inputs: list[tuple[str, str, str]] = []  # (input, kind, value)
    for text in dict.fromkeys(inputs):  # each input once, in order
        parsed = read(text)
        if parsed is not None:
            read_inputs.append((text, *parsed))
    if not read_inputs:
        return None

    wanted: dict[str, list[tuple[int, str, str]]] = defaultdict(list)  # value -> (no, kind, via)
    addresses: list[tuple[int, str, str]] = []  # (input no, address, via) for the networks
    ip_kinds = (IPV4, IPV6)
    for number, (_text, kind, value) in enumerate(read_inputs):
        if kind in _EXACT_ONLY:
            wanted[value].append((number, kind, "exact"))
            if kind in ip_kinds:
                addresses.append((number, value, "network"))
            continue
        for look_kind, look_value, via in lookups(kind, value):
            wanted[look_value].append((number, look_kind, via))
            if look_kind in ip_kinds:
                addresses.append((number, look_value, "network" if via == "exact" else via))

    visible = _visible(user)
    hits: dict[int, list[tuple[Row, str]]] = defaultdict(list)
    # In order: the index is read page after page (on PostgreSQL, the array needs no sorting).
    values = sorted(wanted)
    column = f'"{Indicator._meta.db_table}"."value"'
    for start in range(0, len(values), CHUNK):
        chunk = values[start : start + CHUNK]
        for row in visible.filter(value_in(column, chunk)).values_list(*FIELDS):
            for number, look_kind, via in wanted[row[2]]:
                if look_kind == row[1]:
                    hits[number].append((row, via))

    if addresses:
        networks = Networks(visible.filter(kind=CIDR).values_list(*FIELDS))
        if networks.lengths[4] or networks.lengths[6]:
            for number, address, via in addresses:
                for row in networks.containing(address):
                    hits[number].append((row, via))

    if not hits:
        return None
    ids = sorted({row[0] for found in hits.values() for row, _via in found})
    seen_counts = sighting_counts(user, ids)
    warned = _warninglists(user, [(read_inputs[n][1], read_inputs[n][2]) for n in hits])
    return _Found(read_inputs, hits, seen_counts, warned)


class _Maker:
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
        (pk, kind, value, stix_id, _confidence, tlp, labels, malware, first_seen, last_seen,
         valid_until, false_positive, sources, _last_seen_text) = row  # fmt: skip
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


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


#: A string as JSON, as ``json.dumps(..., ensure_ascii=False)`` writes it (the same C function).
quote = json.encoder.encode_basestring

_MATCH_JSON = '{"input":%s,"kind":%s,"value":%s,"indicators":[%s],"sightings":%d,"warninglists":%s}'
_INDICATOR_JSON = (
    '{"id":%d,"kind":%s,"value":%s,"via":%s,"stix_id":%s,"confidence":%d,"tlp":%s,"labels":%s,'
    '"malware":%s,"first_seen":%s,"last_seen":%s,"valid_until":%s,"false_positive":%s,'
    '"sources":%s}'
)


class _Writer(_Maker):
    """One matched indicator as the JSON text of ``_Maker``'s dict."""

    def __init__(self, now: datetime) -> None:
        super().__init__(now)
        self.written: dict[Any, str] = {}

    def _json_list(self, raw: Any) -> str:
        if raw is None:
            return "[]"
        text = self.written.get(raw)
        if text is None:
            text = self.written[raw] = _dumps(self._list(raw))
        return text

    def __call__(self, row: Row, via: str) -> str:  # type: ignore[override]
        (pk, kind, value, stix_id, _confidence, tlp, labels, malware, first_seen, last_seen,
         valid_until, false_positive, sources, _last_seen_text) = row  # fmt: skip
        return _INDICATOR_JSON % (
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


def sighting_counts(user: Any, indicator_ids: Sequence[int]) -> dict[int, int]:
    """indicator id -> times seen, over the sightings the person may see."""
    totals: dict[int, int] = {}
    column = f'"{Sighting._meta.db_table}"."indicator_id"'
    for start in range(0, len(indicator_ids), CHUNK):
        chunk = list(indicator_ids[start : start + CHUNK])
        rows = (
            policy.visible(user, Sighting.objects.filter(value_in(column, chunk)))
            .order_by()
            .values("indicator_id")
            .annotate(total=Sum("count"))
            .values_list("indicator_id", "total")
        )
        totals.update({pk: int(total or 0) for pk, total in rows})
    return totals


def _warninglists(user: Any, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], list[Any]]:
    """(kind, value) -> the warninglist entries it matches (only the members' assets the person
    may see are used)."""
    from jisp.intel import warninglists
    from jisp.intel.exports import warninglisted

    listed = warninglisted(pairs)  # fast; then the hits as the person may see them
    hits = warninglists.check_many([pair for pair in pairs if pair in listed], user=user)
    return {
        pair: [
            {"list": hit.list_id, "title": hit.title, "reason": hit.reason, "entry": hit.entry}
            for hit in found
        ]
        for pair, found in hits.items()
        if found
    }
