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

A match's indicators come in the order of their values, then those through networks.

Speed: values are normalised in Python (already normal ones recognised by one regular
expression, ``_CANONICAL``), looked up in large sorted chunks passed as ONE text parameter
(``value_in``: ``= ANY(ARRAY(SELECT json_array_elements_text(?)))`` on PostgreSQL, whose
client-side binding would quote a list element by element in Python, ``IN (SELECT value FROM
json_each(?))`` on SQLite; an index led by value) rather than thousands of placeholders, which
the drivers parse slowly; networks are read once and held per prefix length, so an address costs
one dictionary look-up per prefix length in use. On PostgreSQL the queries run in a second
thread on the same connection (``Queries``), the inputs sent in slices: the server looks up one
slice while Python reads the next and processes the rows already come. Times are read as text
already in the answer's form (``TimeText``), JSON columns decoded once per distinct text, and
``match_json`` writes the answer's JSON from the rows with one %-format per indicator, no dict
between (``jisp.intel.match_json``).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, Q, Sum, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from jisp.core import policy
from jisp.core.bulk import gc_paused
from jisp.intel import indicators
from jisp.intel.choices import IndicatorKind
from jisp.intel.match_json import MATCH_JSON, Maker, Row, TimeText, Writer, quote
from jisp.intel.match_queries import Queries
from jisp.intel.models import Indicator, Sighting
from jisp.intel.stix.objects import dumps

K = IndicatorKind
# Plain strings: comparing with the enum's members costs an attribute look-up each time.
DOMAIN, URL, EMAIL, IPV4, IPV6, CIDR = (
    str(k.value) for k in (K.DOMAIN, K.URL, K.EMAIL, K.IPV4, K.IPV6, K.CIDR)
)

#: At most this many values per request.
MAX_VALUES = 100_000
#: Values per look-up query (one parameter each, see ``value_in``).
CHUNK = 50_000

#: The columns read, model fields first then annotations, in the order Django selects them
#: (``values_list`` would reorder them in Python otherwise; ``Queries`` reads them as sent).
FIELDS = (
    "id",
    "kind",
    "value",
    "stix_id",
    "confidence",
    "tlp",
    "malware",
    "false_positive",
    "labels_text",
    "sources_text",
    "first_seen_json",
    "last_seen_json",
    "valid_until_json",
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
        host = indicators.normalised_url_host(value)
        return [(kind, value, "exact"), *_host_lookups(host, "host")]
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


def _visible(user: Any) -> Any:
    # labels and sources as their JSON text: decoded once per distinct text (``Maker``); the
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
        made = Maker(now or timezone.now())
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
        write = Writer(now or timezone.now())
        parts = [
            MATCH_JSON
            % (
                quote(text),
                quote(kind),
                quote(value),
                ",".join([write(row, via) for row, via in rows]),
                sightings,
                dumps(warned) if warned else "[]",
            )
            for text, kind, value, rows, sightings, warned in found.matches()
        ]
        # Freed while the collector is held: once it runs again it would walk them all.
        del found, write
        return len(parts), f'{{"count":{len(parts)},"matches":[{",".join(parts)}]}}'


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


#: Inputs read between two look-up queries sent (on PostgreSQL the server looks up the values
#: of one slice while the next one is read).
SLICE = 25_000


def _find(user: Any, inputs: Sequence[str]) -> _Found | None:
    visible = _visible(user)
    column = f'"{Indicator._meta.db_table}"."value"'
    queries = Queries()
    try:
        return _find_with(user, inputs, visible, column, queries)
    finally:
        queries.close()


def _find_with(
    user: Any, inputs: Sequence[str], visible: Any, column: str, queries: Queries
) -> _Found | None:
    read_inputs: list[tuple[str, str, str]] = []  # (input, kind, value)
    wanted: dict[str, list[tuple[int, str, str]]] = defaultdict(list)  # value -> (no, kind, via)
    addresses: list[tuple[int, str, str]] = []  # (input no, address, via) for the networks
    ip_kinds = (IPV4, IPV6)
    pending: list[Callable[[], list[Row]]] = []  # the look-ups' rows, to come
    sent = 0  # values of ``wanted`` (in insertion order) already sent
    unique = list(dict.fromkeys(inputs))  # each input once, in order
    step = SLICE if queries.pool is not None else len(unique)  # nothing to overlap without
    for start in range(0, len(unique), step):
        for text in unique[start : start + step]:
            parsed = read(text)
            if parsed is None:
                continue
            number = len(read_inputs)
            read_inputs.append((text, *parsed))
            kind, value = parsed
            if kind in _EXACT_ONLY:
                wanted[value].append((number, kind, "exact"))
                if kind in ip_kinds:
                    addresses.append((number, value, "network"))
                continue
            for look_kind, look_value, via in lookups(kind, value):
                wanted[look_value].append((number, look_kind, via))
                if look_kind in ip_kinds:
                    addresses.append((number, look_value, "network" if via == "exact" else via))
        # In order: the index is read page after page (on PostgreSQL, the array needs no sorting).
        values = sorted(islice(wanted, sent, None))
        sent = len(wanted)
        for at in range(0, len(values), CHUNK):
            chunk = values[at : at + CHUNK]
            pending.append(
                queries.send(visible.filter(value_in(column, chunk)).values_list(*FIELDS))
            )
    if not read_inputs:
        return None
    network_rows = (
        queries.send(visible.filter(kind=CIDR).values_list(*FIELDS)) if addresses else None
    )

    hits: dict[int, list[tuple[Row, str]]] = defaultdict(list)
    for rows in pending:
        for row in rows():
            for number, look_kind, via in wanted[row[2]]:
                if look_kind == row[1]:
                    hits[number].append((row, via))
    for found in hits.values():  # by value, whatever the slices and the query plans
        if len(found) > 1:
            found.sort(key=_by_value)

    if network_rows is not None:
        networks = Networks(network_rows())
        if networks.lengths[4] or networks.lengths[6]:
            for number, address, via in addresses:
                for row in networks.containing(address):
                    hits[number].append((row, via))

    if not hits:
        return None
    ids = sorted({row[0] for found in hits.values() for row, _via in found})
    counted = [
        queries.send(_sighting_totals(user, ids[at : at + CHUNK]))
        for at in range(0, len(ids), CHUNK)
    ]
    pairs = [(read_inputs[n][1], read_inputs[n][2]) for n in hits]
    listed = _listed(pairs)  # while the server counts the sightings
    seen_counts = {pk: int(total or 0) for rows in counted for pk, total in rows()}
    warned = _warninglists(user, listed)
    return _Found(read_inputs, hits, seen_counts, warned)


def _by_value(hit: tuple[Row, str]) -> str:
    return str(hit[0][2])


def sighting_counts(user: Any, indicator_ids: Sequence[int]) -> dict[int, int]:
    """indicator id -> times seen, over the sightings the person may see."""
    totals: dict[int, int] = {}
    for start in range(0, len(indicator_ids), CHUNK):
        rows = _sighting_totals(user, list(indicator_ids[start : start + CHUNK]))
        totals.update({pk: int(total or 0) for pk, total in rows})
    return totals


def _sighting_totals(user: Any, indicator_ids: Sequence[int]) -> Any:
    """(indicator id, times seen) rows over the sightings the person may see."""
    column = f'"{Sighting._meta.db_table}"."indicator_id"'
    return (
        policy.visible(user, Sighting.objects.filter(value_in(column, indicator_ids)))
        .order_by()
        .values("indicator_id")
        .annotate(total=Sum("count"))
        .values_list("indicator_id", "total")
    )


def _listed(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (kind, value) pairs on some warninglist (fast, see ``exports.warninglisted``)."""
    from jisp.intel.exports import warninglisted

    listed = warninglisted(pairs)
    return [pair for pair in pairs if pair in listed]


def _warninglists(user: Any, listed: list[tuple[str, str]]) -> dict[tuple[str, str], list[Any]]:
    """(kind, value) -> the warninglist entries it matches, for pairs ``_listed`` (only the
    members' assets the person may see are used)."""
    from jisp.intel import warninglists

    hits = warninglists.check_many(listed, user=user)
    return {
        pair: [
            {"list": hit.list_id, "title": hit.title, "reason": hit.reason, "entry": hit.entry}
            for hit in found
        ]
        for pair, found in hits.items()
        if found
    }
