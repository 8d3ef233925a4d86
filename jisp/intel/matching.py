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

Speed: values are normalised in Python, looked up in chunks with ``value__in`` (index
(value, kind)); networks are read once and held per prefix length, so an address costs one
dictionary look-up per prefix length in use.
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db.models import Sum
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
#: Values per ``value__in`` query.
CHUNK = 5_000

FIELDS = (
    "id",
    "kind",
    "value",
    "stix_id",
    "confidence",
    "tlp",
    "labels",
    "malware",
    "first_seen",
    "last_seen",
    "valid_until",
    "false_positive",
    "sources",
)


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
    return (
        Indicator.objects.order_by()
        .filter(revoked=False)
        .filter(policy.visibility_q(user, Indicator))
    )


def match(user: Any, inputs: Sequence[str], now: datetime | None = None) -> list[dict[str, Any]]:
    """The known values among ``inputs`` with the indicators the person may see (see above)."""
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
    for start in range(0, len(values), CHUNK):
        chunk = values[start : start + CHUNK]
        for row in visible.filter(value__in=chunk).values_list(*FIELDS):
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
    for number in sorted(hits):
        text, kind, value = read_inputs[number]
        rows: dict[int, dict[str, Any]] = {}
        for row, via in hits[number]:
            if row[0] not in rows:
                rows[row[0]] = _indicator(row, via, now)
        result.append(
            {
                "input": text,
                "kind": kind,
                "value": value,
                "indicators": list(rows.values()),
                "sightings": sum(seen_counts.get(pk, 0) for pk in rows),
                "warninglists": warned.get((kind, value), []),
            }
        )
    return result


def _indicator(row: tuple[Any, ...], via: str, now: datetime) -> dict[str, Any]:
    (pk, kind, value, stix_id, confidence, tlp, labels, malware, first_seen, last_seen,
     valid_until, false_positive, sources) = row  # fmt: skip
    return {
        "id": pk,
        "kind": kind,
        "value": value,
        "via": via,
        "stix_id": stix_id,
        "confidence": indicators.effective_confidence(confidence, last_seen, kind, now),
        "tlp": tlp,
        "labels": list(labels or []),
        "malware": malware,
        "first_seen": first_seen,
        "last_seen": last_seen,
        "valid_until": valid_until,
        "false_positive": false_positive,
        "sources": list(sources or []),
    }


def sighting_counts(user: Any, indicator_ids: Sequence[int]) -> dict[int, int]:
    """indicator id -> times seen, over the sightings the person may see."""
    totals: dict[int, int] = {}
    for start in range(0, len(indicator_ids), CHUNK):
        chunk = list(indicator_ids[start : start + CHUNK])
        rows = (
            policy.visible(user, Sighting.objects.filter(indicator_id__in=chunk))
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
