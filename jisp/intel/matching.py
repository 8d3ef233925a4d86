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

Speed: values are normalised in Python, looked up in large chunks passed as ONE parameter
(``value_in``: ``= ANY(array)`` on PostgreSQL, ``IN (SELECT value FROM json_each(?))`` on
SQLite; index (value, kind)) rather than thousands of placeholders, which the drivers parse
slowly; networks are read once and held per prefix length, so an address costs one dictionary
look-up per prefix length in use. The answer is made of plain dicts with times already as text
and JSON columns decoded once per distinct text, so one ``json.dumps`` in C writes it.
"""

from __future__ import annotations

import gc
import ipaddress
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, Q, Sum, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from jisp.core import policy
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
    "first_seen",
    "last_seen",
    "valid_until",
    "false_positive",
    "sources_text",
)


def value_in(column: str, values: Sequence[Any]) -> Q | RawSQL:
    """``column IN values`` with the values as one parameter (``column`` is a quoted
    ``"table"."column"``), whatever their number; ``__in`` on other databases. ``column`` is
    made from a model's table name by the callers, never from input; the values are bound."""
    if connection.vendor == "postgresql":
        sql = f"{column} = ANY(%s)"
        return RawSQL(sql, (list(values),), output_field=BooleanField())  # noqa: S611
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
        return [(kind, value, "exact"), *_host_lookups(urlsplit(value).hostname or "", "host")]
    if kind == EMAIL:
        domain = value.rpartition("@")[2]
        return [
            (kind, value, "exact"),
            (DOMAIN, domain, "email_domain"),
            *((DOMAIN, p, "email_domain") for p in parents(domain)),
        ]
    return [(kind, value, "exact")]


#: Values already in their normalised form, recognised without ``indicators.parse`` (which costs
#: ~15 µs a value): an IPv4 address without leading zeros, a lower-case ASCII domain name (no
#: ``xn--`` label: those are validated by ``parse``), a lower-case hash. ``normalise`` returns
#: such a value unchanged, so the short cut gives the same answer, ~1 µs.
_CANONICAL = re.compile(
    r"(?P<ipv4>(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))"
    r"|(?P<domain>(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z]{2,63})"
    r"|(?P<md5>[0-9a-f]{32})|(?P<sha1>[0-9a-f]{40})|(?P<sha256>[0-9a-f]{64})",
    re.ASCII,
)


def read(value: str) -> tuple[str, str] | None:
    """(kind, normalised value) of one input, or None when it is no indicator value."""
    if not isinstance(value, str) or len(value) > indicators.MAX_LENGTH:
        return None
    m = _CANONICAL.fullmatch(value)
    if m is not None and len(value) <= 253 and "xn--" not in value:
        return str(m.lastgroup), value
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
    # labels and sources as their JSON text: decoded once per distinct text (``_decoder``).
    return (
        Indicator.objects.order_by()
        .filter(revoked=False)
        .filter(policy.visibility_q(user, Indicator))
        .annotate(
            labels_text=Cast("labels", TextField()), sources_text=Cast("sources", TextField())
        )
    )


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """The cyclic garbage collector held while ~10^5 acyclic dicts and tuples are made: each
    of its passes would walk them all again (a third of the time of a large match)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def match(user: Any, inputs: Sequence[str], now: datetime | None = None) -> list[dict[str, Any]]:
    """The known values among ``inputs`` with the indicators the person may see (see above)."""
    with _no_gc_pauses():
        return _match(user, inputs, now)


def _match(user: Any, inputs: Sequence[str], now: datetime | None) -> list[dict[str, Any]]:
    now = now or timezone.now()
    read_inputs: list[tuple[str, str, str]] = []  # (input, kind, value)
    seen: set[str] = set()
    for text in inputs:
        if text in seen:
            continue
        seen.add(text)
        parsed = read(text)
        if parsed is not None:
            read_inputs.append((text, parsed[0], parsed[1]))
    if not read_inputs:
        return []

    wanted: dict[str, list[tuple[int, str, str]]] = defaultdict(list)  # value -> (no, kind, via)
    addresses: list[tuple[int, str, str]] = []  # (input no, address, via) for the networks
    ip_kinds = (IPV4, IPV6)
    for number, (_text, kind, value) in enumerate(read_inputs):
        for look_kind, look_value, via in lookups(kind, value):
            wanted[look_value].append((number, look_kind, via))
            if look_kind in ip_kinds:
                addresses.append((number, look_value, "network" if via == "exact" else via))

    visible = _visible(user)
    hits: dict[int, list[tuple[tuple[Any, ...], str]]] = defaultdict(list)
    values = list(wanted)
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
        return []
    ids = sorted({row[0] for found in hits.values() for row, _via in found})
    seen_counts = sighting_counts(user, ids)
    warned = _warninglists(user, [(read_inputs[n][1], read_inputs[n][2]) for n in hits])
    result = []
    made = _Maker(now)
    for number in sorted(hits):
        text, kind, value = read_inputs[number]
        rows: dict[int, dict[str, Any]] = {}
        for row, via in hits[number]:
            if row[0] not in rows:
                rows[row[0]] = made(row, via)
        result.append(
            {
                "input": text,
                "kind": kind,
                "value": value,
                "indicators": list(rows.values()),
                "sightings": sum(seen_counts.get(pk, 0) for pk in rows) if seen_counts else 0,
                "warninglists": warned.get((kind, value), []),
            }
        )
    return result


def json_time(moment: datetime | None) -> str | None:
    """A time as ``DjangoJSONEncoder`` writes it (milliseconds, ``Z`` for UTC)."""
    if moment is None:
        return None
    text = moment.isoformat()
    if moment.microsecond:
        text = text[:23] + text[26:]
    if text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return text


class _Maker:
    """One matched indicator as a plain dict: JSON columns decoded once per distinct text."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.decoded: dict[Any, list[Any]] = {}

    def _list(self, raw: Any) -> list[Any]:
        if raw is None:
            return []
        found = self.decoded.get(raw)
        if found is None:
            value = json.loads(raw) if isinstance(raw, str | bytes) else raw
            found = self.decoded[raw] = list(value or [])
        return list(found)

    def __call__(self, row: tuple[Any, ...], via: str) -> dict[str, Any]:
        (pk, kind, value, stix_id, confidence, tlp, labels, malware, first_seen, last_seen,
         valid_until, false_positive, sources) = row  # fmt: skip
        return {
            "id": pk,
            "kind": kind,
            "value": value,
            "via": via,
            "stix_id": stix_id,
            "confidence": indicators.effective_confidence(confidence, last_seen, kind, self.now),
            "tlp": tlp,
            "labels": self._list(labels),
            "malware": malware,
            "first_seen": json_time(first_seen),
            "last_seen": json_time(last_seen),
            "valid_until": json_time(valid_until),
            "false_positive": bool(false_positive),
            "sources": self._list(sources),
        }


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
