"""Warninglists: known-benign values that should raise a warning before an indicator is shared
or exported (a public resolver, a private address, a CDN, an empty file's hash, a member's own
domain).

The lists are JSON files in ``warninglists_data/`` (one per list: ``id``, ``description``, and
any of ``networks``, ``domains``, ``hashes``; ``"email": false`` keeps a list of domains from
applying to e-mail addresses). Their titles and reasons, shown to people, are translated here
(``LISTS``); a new file needs an entry there. Plus one list from the database: the members' own
domains and networks (``jisp.intel.models.Asset``).

Matching: a domain matches a listed domain or any subdomain of it; an address or a network
matches a listed network containing it (a network also matches listed networks inside it); a URL
is checked by its host, an e-mail address by its domain; hashes match exactly. Values are
normalised first; a value that is not valid matches nothing.

The static lists are read once per process; ``check_many`` reads the assets once per call and
answers 10,000 values in well under a second (dictionary look-ups per prefix length and per
domain suffix).

Members' assets are confidential (``policy.visible_assets``): pass ``user`` when the hits are
shown to a person, and only the assets that person may see are used, naming their organisation.
Without ``user`` (the system, e.g. before an export) every asset is used and the reason does not
name the organisation.
"""

from __future__ import annotations

import bisect
import functools
import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from jisp.intel.choices import HASH_KINDS, IndicatorKind
from jisp.intel.indicators import normalise

DATA = Path(__file__).with_name("warninglists_data")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The list of the members' own domains and networks (from the database).
OWN_ASSETS = "own-assets"

#: Title and reason of every list, by id.
LISTS: dict[str, tuple[Promise, Promise]] = {
    "public-dns": (
        gettext_lazy("Public DNS resolvers"),
        gettext_lazy(
            "A public DNS resolver used by everyone: traffic to it is normal, and blocking it "
            "breaks name resolution."
        ),
    ),
    "private-networks": (
        gettext_lazy("Private networks"),
        gettext_lazy(
            "A private address (RFC 1918, carrier-grade NAT or IPv6 unique local): it means a "
            "different host in every network."
        ),
    ),
    "special-networks": (
        gettext_lazy("Special-use addresses"),
        gettext_lazy(
            "A loopback, link-local, multicast, broadcast or otherwise reserved address: not a "
            "host on the internet."
        ),
    ),
    "documentation": (
        gettext_lazy("Documentation and example values"),
        gettext_lazy(
            "Reserved for documentation and examples: it does not belong to a real attacker."
        ),
    ),
    "special-domains": (
        gettext_lazy("Special-use domain names"),
        gettext_lazy(
            "A reserved name (localhost, .test, .invalid, .local, home.arpa ...): it does not "
            "resolve on the internet."
        ),
    ),
    "cdn-cloud": (
        gettext_lazy("CDNs and cloud hosting"),
        gettext_lazy(
            "On a content delivery network or a shared cloud platform: its names and addresses "
            "serve many unrelated sites. Make sure the indicator is the specific host or URL."
        ),
    ),
    "popular-domains": (
        gettext_lazy("Popular services"),
        gettext_lazy(
            "A widely used service: blocking it would disrupt ordinary work. Make sure the "
            "indicator is specific (a full URL or host name)."
        ),
    ),
    "empty-file": (
        gettext_lazy("Hashes of empty files"),
        gettext_lazy(
            "The hash of an empty file (or of a single line break): it matches such files "
            "everywhere."
        ),
    ),
    "test-files": (
        gettext_lazy("Anti-virus test files"),
        gettext_lazy("The hash of the EICAR anti-virus test file: harmless by design."),
    ),
    OWN_ASSETS: (
        gettext_lazy("Members' own domains and networks"),
        gettext_lazy("Registered by a member organisation as its own."),
    ),
}


@dataclass(frozen=True)
class Hit:
    """One warninglist entry that a value matches."""

    #: The list's id (``LISTS``), e.g. ``"public-dns"``.
    list_id: str
    #: The list's title, in the active language.
    title: str
    #: Why the value is probably not an indicator, in the active language.
    reason: str
    #: The listed entry that matched (``8.8.8.8/32``, ``google.com``, a hash).
    entry: str
    #: For ``own-assets``: the organisation that registered the entry.
    organisation_id: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class _Entry:
    list_id: str
    entry: str
    organisation_id: int | None = None
    organisation: str = ""


class _Networks:
    """Networks indexed per IP version and prefix length, for "which listed networks contain
    this address or network" (one dictionary look-up per prefix length) and "which lie inside
    this network" (a bisection on the sorted starts)."""

    def __init__(self, items: Iterable[tuple[IPNetwork, _Entry]]) -> None:
        self.tables: dict[int, dict[int, dict[int, list[_Entry]]]] = {4: {}, 6: {}}
        ranges: dict[int, list[tuple[int, int, int, _Entry]]] = {4: [], 6: []}
        for network, entry in items:
            bits = network.max_prefixlen
            start = int(network.network_address)
            table = self.tables[network.version].setdefault(network.prefixlen, {})
            table.setdefault(start >> (bits - network.prefixlen), []).append(entry)
            end = int(network.broadcast_address)
            ranges[network.version].append((start, end, network.prefixlen, entry))
        self.ranges = {v: sorted(r, key=lambda x: (x[0], x[1])) for v, r in ranges.items()}
        self.starts = {v: [r[0] for r in rs] for v, rs in self.ranges.items()}

    def containing(self, network: IPNetwork) -> list[_Entry]:
        bits = network.max_prefixlen
        start = int(network.network_address)
        found: list[_Entry] = []
        for length, table in self.tables[network.version].items():
            if length <= network.prefixlen:
                found.extend(table.get(start >> (bits - length), ()))
        return found

    def inside(self, network: IPNetwork) -> list[_Entry]:
        start, end = int(network.network_address), int(network.broadcast_address)
        ranges = self.ranges[network.version]
        i = bisect.bisect_left(self.starts[network.version], start)
        found: list[_Entry] = []
        while i < len(ranges) and ranges[i][0] <= end:
            if ranges[i][1] <= end and ranges[i][2] > network.prefixlen:
                found.append(ranges[i][3])
            i += 1
        return found


@dataclass
class _Index:
    networks: _Networks
    domains: dict[str, list[_Entry]]
    hashes: dict[str, list[_Entry]]
    not_for_email: frozenset[str] = frozenset()


@functools.cache
def _static() -> _Index:
    """The lists from ``warninglists_data/``, read once per process."""
    networks: list[tuple[IPNetwork, _Entry]] = []
    domains: dict[str, list[_Entry]] = {}
    hashes: dict[str, list[_Entry]] = {}
    not_for_email: set[str] = set()
    for path in sorted(DATA.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        list_id = data["id"]
        if list_id not in LISTS:
            raise ValueError(f"{path.name}: no title for the warninglist {list_id!r} in LISTS")
        if data.get("email", True) is False:
            not_for_email.add(list_id)
        for value in data.get("networks", ()):
            network = ipaddress.ip_network(value)
            networks.append((network, _Entry(list_id, network.with_prefixlen)))
        for value in data.get("domains", ()):
            domains.setdefault(value, []).append(_Entry(list_id, value))
        for value in data.get("hashes", ()):
            hashes.setdefault(value, []).append(_Entry(list_id, value))
    return _Index(_Networks(networks), domains, hashes, frozenset(not_for_email))


def _assets(user: Any) -> _Index:
    """The members' own domains and networks: those ``user`` may see, or all without a user."""
    from jisp.core import policy
    from jisp.intel.choices import AssetKind
    from jisp.intel.models import Asset

    queryset = Asset.objects.all()
    if user is not None:
        queryset = policy.visible_assets(user, queryset)
    english = (get_language() or "ja").startswith("en")
    networks: list[tuple[IPNetwork, _Entry]] = []
    domains: dict[str, list[_Entry]] = {}
    rows = queryset.values_list(
        "kind", "value", "organisation_id", "organisation__name", "organisation__name_en"
    )
    for kind, value, organisation_id, name, name_en in rows:
        organisation = (name_en if english and name_en else name) if user is not None else ""
        if kind == AssetKind.NETWORK:
            try:
                network = ipaddress.ip_network(value.strip(), strict=False)
            except ValueError:
                continue
            entry = _Entry(OWN_ASSETS, network.with_prefixlen, organisation_id, organisation)
            networks.append((network, entry))
        elif kind == AssetKind.DOMAIN:
            try:
                domain = normalise(IndicatorKind.DOMAIN, value)
            except ValidationError:
                continue
            domains.setdefault(domain, []).append(
                _Entry(OWN_ASSETS, domain, organisation_id, organisation)
            )
    return _Index(_Networks(networks), domains, {})


def check(kind: str, value: str, *, user: Any = None) -> list[Hit]:
    """The warninglist entries ``value`` (an indicator of type ``kind``) matches."""
    return check_many([(kind, value)], user=user)[(kind, value)]


def check_many(
    pairs: Iterable[tuple[str, str]], *, user: Any = None
) -> dict[tuple[str, str], list[Hit]]:
    """``check`` for many ``(kind, value)`` pairs at once, keyed by the pairs as given (every
    pair has a key; an empty list when nothing matches). Reads the assets once."""
    indexes = [_static(), _assets(user)]
    reasons: dict[tuple[str, str], Hit] = {}
    result: dict[tuple[str, str], list[Hit]] = {}
    for pair in pairs:
        if pair in result:
            continue
        entries: list[_Entry] = []
        for index in indexes:
            entries.extend(_match(index, *pair))
        hits: list[Hit] = []
        seen: set[tuple[str, str]] = set()
        for entry in entries:
            if (entry.list_id, entry.entry) in seen:
                continue
            seen.add((entry.list_id, entry.entry))
            hits.append(_hit(entry, reasons))
        result[pair] = hits
    return result


def _hit(entry: _Entry, cache: dict[tuple[str, str], Hit]) -> Hit:
    if entry.organisation:
        return Hit(
            entry.list_id,
            str(LISTS[entry.list_id][0]),
            _("Registered by %(organisation)s as its own.") % {"organisation": entry.organisation},
            entry.entry,
            entry.organisation_id,
        )
    key = (entry.list_id, entry.entry)
    if key not in cache:
        title, reason = LISTS[entry.list_id]
        cache[key] = Hit(entry.list_id, str(title), str(reason), entry.entry)
    hit = cache[key]
    if entry.organisation_id is not None:
        hit = Hit(hit.list_id, hit.title, hit.reason, hit.entry, entry.organisation_id)
    return hit


def listed(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The ``(kind, value)`` pairs, values *already normalised*, that are on some list, every
    member's assets included: the fast form for exports of many values (no normalising, no
    hits built; a few microseconds a value)."""
    indexes = [_static(), _assets(None)]
    found: set[tuple[str, str]] = set()
    for kind, value in pairs:
        try:
            if any(_entries(index, kind, value) for index in indexes):
                found.add((kind, value))
        except ValueError:  # not normalised after all
            continue
    return found


def _match(index: _Index, kind: str, value: str) -> list[_Entry]:
    try:
        value = normalise(kind, value)
    except ValidationError:
        return []
    return _entries(index, kind, value)


def _entries(index: _Index, kind: str, value: str) -> list[_Entry]:
    """The entries of ``index`` a normalised value matches."""
    if kind in (IndicatorKind.IPV4, IndicatorKind.IPV6, IndicatorKind.CIDR):
        return _match_network(index, ipaddress.ip_network(value))
    if kind in HASH_KINDS:
        return list(index.hashes.get(value, ()))
    if kind == IndicatorKind.URL:
        host = urlsplit(value).hostname or ""
        try:
            return _match_network(index, ipaddress.ip_network(host))
        except ValueError:
            return _match_domain(index, host)
    if kind == IndicatorKind.EMAIL:
        found = _match_domain(index, value.rpartition("@")[2])
        return [e for e in found if e.list_id not in index.not_for_email]
    return _match_domain(index, value)


def _match_network(index: _Index, network: IPNetwork) -> list[_Entry]:
    found = index.networks.containing(network)
    if network.prefixlen < network.max_prefixlen:
        found += index.networks.inside(network)
    return found


def _match_domain(index: _Index, domain: str) -> list[_Entry]:
    found: list[_Entry] = []
    labels = domain.split(".")
    for i in range(len(labels)):
        found.extend(index.domains.get(".".join(labels[i:]), ()))
    return found
