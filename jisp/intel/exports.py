"""Product exports: the blocklists that products and firewalls pull every few minutes.

A feed is one format (``FORMATS``) over the indicators the token's person may see
(``policy.visibility_q``) that are active: not withdrawn, not a false positive, not expired.
Values on a warninglist are left out unless asked for (``include_warninglisted``).

Two shapes of answer:

* **full**: everything active now, streamed in id order in chunks of tuples (no model objects);
* **delta** (``since``): what changed after ``since``. *Added* are indicators changed since then
  that are active and visible now; *removed* are those changed since then that are no longer
  active or visible (false positive, withdrawn, sharing narrowed) and those whose ``valid_until``
  passed between ``since`` and now. A removal is only ever told to someone who could see the
  indicator now or in one of its STIX versions, so a delta never names a value the person never
  saw. Values (plain lists, RPZ) are removed only when no other active, visible indicator still
  carries them; CSV rows and rules are per indicator.

Every answer carries ``state()``: ``Last-Modified`` (the newest change or expiry the person can
know of), a weak ``ETag`` over that, the person's access and the request, and ``next_since``, the
value to pass as ``since`` next time. ``next_since`` lies ``FEED_OVERLAP`` before the answer's
time so that a change written by a transaction still open while the feed was read is not missed;
the overlap makes consecutive deltas repeat a little, which is harmless (every line says what is
true now).

Rules (Suricata, Snort 2.9): one or more rules per indicator, ``sid = INTEL_FEED_SID_BASE +
indicator id * 10 + slot`` (slot 0-9 per rule of that indicator), ``rev`` = seconds from
2020-01-01 to the indicator's last change (grows with every change). File hashes are not rules:
Suricata's ``filemd5`` / ``filesha1`` / ``filesha256`` read list files, which are the plain
``md5`` / ``sha1`` / ``sha256`` feeds (the rules file names the rule to add, commented out).
"""

from __future__ import annotations

import csv
import hashlib
import io
import ipaddress
import socket
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

import idna
from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from jisp.core import policy
from jisp.intel.choices import HASH_KINDS, IndicatorKind
from jisp.intel.indicators import effective_confidence, normalised_url_host
from jisp.intel.models import Asset, Indicator, StixObject

K = IndicatorKind

#: The plain lists: their name in the URL and the kinds they hold.
PLAIN_LISTS: dict[str, tuple[str, ...]] = {
    **{str(kind): (str(kind),) for kind in K},
    "ip": (K.IPV4.value, K.IPV6.value, K.CIDR.value),
}
ALL_KINDS: tuple[str, ...] = tuple(str(kind) for kind in K)
RULE_KINDS: tuple[str, ...] = (K.IPV4, K.IPV6, K.CIDR, K.DOMAIN, K.URL)

#: The formats, with the kinds each serves by default and those it may be narrowed to.
FORMAT_KINDS: dict[str, tuple[str, ...]] = {
    "plain": ALL_KINDS,
    "csv": ALL_KINDS,
    "suricata": RULE_KINDS,
    "snort": RULE_KINDS,
    "rpz": (K.DOMAIN.value,),
    "stix": ALL_KINDS,
}
CONTENT_TYPES: dict[str, str] = {
    "plain": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "suricata": "text/plain; charset=utf-8",
    "snort": "text/plain; charset=utf-8",
    "rpz": "text/dns; charset=utf-8",
    "stix": "application/stix+json;version=2.1",
}
FILE_NAMES: dict[str, str] = {
    "csv": "jisp-indicators.csv",
    "suricata": "jisp.rules",
    "snort": "jisp-snort.rules",
    "rpz": "jisp.rpz.zone",
    "stix": "jisp-indicators.json",
}

#: Rows read from the database at a time.
CHUNK = 10_000
#: Changes in the ``FEED_OVERLAP`` before an answer are sent again in the next delta.
FEED_OVERLAP = timedelta(seconds=getattr(settings, "INTEL_FEED_OVERLAP_SECONDS", 120))
#: Bump when a format's output changes shape, so that cached copies are fetched again.
FORMAT_VERSION = "1"
#: ``rev`` of a rule counts seconds from here.
REV_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)

CSV_HEADER = [
    "kind",
    "value",
    "confidence",
    "tlp",
    "first_seen",
    "last_seen",
    "valid_until",
    "labels",
    "malware",
    "stix_id",
]


def sid_base() -> int:
    return int(getattr(settings, "INTEL_FEED_SID_BASE", 1_000_000_000))


def rpz_zone() -> str:
    return str(getattr(settings, "INTEL_RPZ_ZONE", "rpz.jisp.invalid")).strip(".").lower()


@dataclass(frozen=True)
class Feed:
    """One pull: who, which format and kinds, since when, at what time."""

    user: Any
    format: str
    kinds: tuple[str, ...]
    since: datetime | None = None
    include_warninglisted: bool = False
    now: datetime | None = None
    zone: str = ""

    @property
    def at(self) -> datetime:
        return self.now or timezone.now()


@dataclass(frozen=True)
class State:
    """What the polling headers say."""

    last_modified: datetime | None
    etag: str
    next_since: datetime


# --- Selection ------------------------------------------------------------------------------


def active_q(now: datetime) -> Q:
    """Shared in exports: not withdrawn, not a false positive, not expired."""
    return Q(revoked=False, false_positive=False) & (
        Q(valid_until__isnull=True) | Q(valid_until__gt=now)
    )


def _visible_q(user: Any) -> Q:
    return policy.visibility_q(user, Indicator)


def _was_visible_q(user: Any) -> Q:
    """Visible now, or in one of its STIX versions (which carry the sharing of their time)."""
    versions = StixObject.objects.filter(indicator_id=OuterRef("pk")).filter(
        policy.visibility_q(user, StixObject)
    )
    return _visible_q(user) | Q(Exists(versions))


def _base(feed: Feed) -> QuerySet[Indicator]:
    qs = Indicator.objects.order_by()
    if len(feed.kinds) == 1:
        return qs.filter(kind=feed.kinds[0])
    return qs.filter(kind__in=feed.kinds)


def current(feed: Feed) -> QuerySet[Indicator]:
    """The active indicators of the feed's kinds the person may see."""
    return _base(feed).filter(active_q(feed.at)).filter(_visible_q(feed.user))


def state(feed: Feed) -> State:
    """Last-Modified, ETag and the next ``since`` (three small index-ordered queries)."""
    now = feed.at
    changed = (
        _base(feed)
        .filter(_was_visible_q(feed.user))
        .order_by("-changed_at")
        .values_list("changed_at", flat=True)
        .first()
    )
    expired = (
        _base(feed)
        .filter(valid_until__lte=now)
        .filter(_visible_q(feed.user))
        .order_by("-valid_until")
        .values_list("valid_until", flat=True)
        .first()
    )
    moments = [m for m in (changed, expired) if m is not None]
    last = max(moments) if moments else None
    a = policy.access(feed.user)
    key = "|".join(
        str(part)
        for part in (
            FORMAT_VERSION,
            a.user_id,
            sorted(a.organisation_ids),
            sorted(a.sector_ids),
            sorted(a.roles),
            feed.format,
            ",".join(feed.kinds),
            feed.since.isoformat() if feed.since else "",
            feed.include_warninglisted,
            feed.zone,
            changed.isoformat() if changed else "",
            expired.isoformat() if expired else "",
            _warninglists_version(),
        )
    )
    etag = 'W/"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    return State(last_modified=last, etag=etag, next_since=now - FEED_OVERLAP)


#: Fields read for every changed indicator of a delta (few rows).
DELTA_FIELDS = (
    "id",
    "kind",
    "value",
    "stix_id",
    "confidence",
    "tlp",
    "first_seen",
    "last_seen",
    "valid_until",
    "labels",
    "malware",
    "changed_at",
    "revoked",
    "false_positive",
    "vis",
)
_I = {name: i for i, name in enumerate(DELTA_FIELDS)}


@dataclass
class Delta:
    added: list[tuple[Any, ...]]  # DELTA_FIELDS rows, active and visible now
    removed: list[tuple[Any, ...]]  # DELTA_FIELDS rows (only id, kind, value, stix_id are told)


def delta(feed: Feed) -> Delta:
    """What changed after ``feed.since``: two index range reads (changed_at, valid_until)."""
    assert feed.since is not None
    now, since = feed.at, feed.since
    vis = ExpressionWrapper(_visible_q(feed.user), output_field=BooleanField())
    rows: dict[int, tuple[Any, ...]] = {}
    for q in (Q(changed_at__gt=since), Q(valid_until__gt=since, valid_until__lte=now)):
        qs = _base(feed).filter(q).filter(_was_visible_q(feed.user)).annotate(vis=vis)
        for row in qs.values_list(*DELTA_FIELDS):
            rows[row[0]] = row
    added: list[tuple[Any, ...]] = []
    removed: list[tuple[Any, ...]] = []
    for row_id in sorted(rows):
        row = rows[row_id]
        valid_until = row[_I["valid_until"]]
        active = (
            not row[_I["revoked"]]
            and not row[_I["false_positive"]]
            and (valid_until is None or valid_until > now)
        )
        (added if active and row[_I["vis"]] else removed).append(row)
    return Delta(added=added, removed=removed)


def still_listed(feed: Feed, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Of these (kind, value) pairs, those another active, visible indicator still carries."""
    pairs = set(pairs)
    found: set[tuple[str, str]] = set()
    values = sorted({value for _kind, value in pairs})
    for start in range(0, len(values), 2000):
        chunk = values[start : start + 2000]
        for kind, value in current(feed).filter(value__in=chunk).values_list("kind", "value"):
            if (kind, value) in pairs:
                found.add((kind, value))
    return found


def full_rows(feed: Feed, fields: Sequence[str]) -> Iterator[list[tuple[Any, ...]]]:
    """Chunks of ``fields`` tuples of ``current(feed)`` in id order, warninglisted ones out.

    ``fields`` must start with ``kind``, ``value``."""
    rows = current(feed).order_by("id").values_list(*fields).iterator(chunk_size=CHUNK)
    while True:
        chunk = list(islice(rows, CHUNK))
        if not chunk:
            return
        if not feed.include_warninglisted:
            listed = warninglisted((row[0], row[1]) for row in chunk)
            if listed:
                chunk = [row for row in chunk if (row[0], row[1]) not in listed]
        yield chunk


# --- Warninglists (jisp.intel.warninglists) ----------------------------------------------------


def warninglisted(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (kind, value) pairs, values already normalised, on some warninglist (every member's
    assets count: a member's own domain is blocked for nobody).

    ``warninglists.check_many`` normalises each value again and builds its hits (~15 µs a
    value); here the lists' indexes are merged once per call into flat sets (listed domains,
    listed network numbers per prefix length, hashes), so a value costs a few set look-ups
    (about 1 µs: a million fit in an export's time). The rules are ``warninglists._match``'s,
    checked against ``check_many`` by the tests. If the indexes change shape, ``check_many``
    answers instead."""
    from jisp.intel import warninglists

    pairs = list(pairs)
    try:
        flat = _Flat([warninglists._static(), warninglists._assets(None)])
    except (AttributeError, TypeError, KeyError):  # pragma: no cover - the indexes changed
        hits = warninglists.check_many(pairs)
        return {pair for pair, found in hits.items() if found}
    return {pair for pair in pairs if flat.listed(*pair)}


class _Flat:
    """The warninglists' indexes merged into plain sets for fast membership tests."""

    def __init__(self, indexes: Sequence[Any]) -> None:
        self.domains: set[str] = set()
        self.email_domains: set[str] = set()
        self.hashes: set[str] = set()
        self.networks: dict[int, list[tuple[int, set[int]]]] = {4: [], 6: []}
        self.indexes = indexes
        tables: dict[int, dict[int, set[int]]] = {4: {}, 6: {}}
        for index in indexes:
            self.hashes.update(index.hashes)
            for domain, entries in index.domains.items():
                self.domains.add(domain)
                if any(e.list_id not in index.not_for_email for e in entries):
                    self.email_domains.add(domain)
            for version in (4, 6):
                for length, table in index.networks.tables[version].items():
                    tables[version].setdefault(length, set()).update(table)
        # The listed networks merged into spans [start, end) of addresses, in order: whether a
        # single address is listed is then one binary search (not one look-up per length).
        self.spans: dict[int, tuple[list[int], list[int]]] = {}
        for version, bits in ((4, 32), (6, 128)):
            self.networks[version] = sorted(tables[version].items())
            starts: list[int] = []
            ends: list[int] = []
            for start, end in sorted(
                (n << (bits - length), (n + 1) << (bits - length))
                for length, numbers in tables[version].items()
                for n in numbers
            ):
                if ends and start <= ends[-1]:
                    ends[-1] = max(ends[-1], end)
                else:
                    starts.append(start)
                    ends.append(end)
            self.spans[version] = (starts, ends)

    def listed(self, kind: str, value: str) -> bool:
        if kind in HASH_KINDS:
            return value in self.hashes
        if kind == K.DOMAIN:
            return _suffix_in(value, self.domains)
        if kind == K.EMAIL:
            return _suffix_in(value.rpartition("@")[2], self.email_domains)
        if kind == K.URL:
            host = normalised_url_host(value)
            if _looks_like_ip(host):
                return self.address_listed(host)
            return _suffix_in(host, self.domains)
        return self.address_listed(value)

    def address_listed(self, value: str) -> bool:
        address, _slash, prefix = value.partition("/")
        version, bits = (6, 128) if ":" in address else (4, 32)
        try:
            packed = socket.inet_pton(socket.AF_INET6 if version == 6 else socket.AF_INET, address)
            length_of = int(prefix) if prefix else bits
        except (OSError, ValueError):
            return False
        number = int.from_bytes(packed, "big")
        if length_of == bits:
            starts, ends = self.spans[version]
            at = bisect_right(starts, number) - 1
            return at >= 0 and number < ends[at]
        for length, numbers in self.networks[version]:
            if length > length_of:
                break
            if (number >> (bits - length)) in numbers:
                return True
        if length_of < bits:  # a network: does it hold a listed one?
            network = ipaddress.ip_network(value, strict=False)
            return any(index.networks.inside(network) for index in self.indexes)
        return False


def _suffix_in(domain: str, listed: set[str]) -> bool:
    """``domain`` or one of its parent domains is in ``listed``."""
    while True:
        if domain in listed:
            return True
        dot = domain.find(".")
        if dot < 0:
            return False
        domain = domain[dot + 1 :]


def _looks_like_ip(host: str) -> bool:
    return ":" in host or host.replace(".", "").isdigit()


def _warninglists_version() -> str:
    """Moves when the warninglists may have changed: the static lists change with a release
    (``FORMAT_VERSION``), the members' own assets at any time."""
    assets = Asset.objects.aggregate(n=Count("id"), last=Max("id"), at=Max("created_at"))
    return f"{assets['n']}-{assets['last']}-{assets['at']}"


# --- Formatting helpers -----------------------------------------------------------------------


def iso(moment: datetime | None) -> str:
    """ISO 8601 in UTC with ``Z`` ('' for none)."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _filter_warninglisted(feed: Feed, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    if feed.include_warninglisted or not rows:
        return rows
    listed = warninglisted((row[_I["kind"]], row[_I["value"]]) for row in rows)
    return [row for row in rows if (row[_I["kind"]], row[_I["value"]]) not in listed]


class Output:
    """A streamed body and the number of indicators in it (known once streamed)."""

    def __init__(self, feed: Feed, chunks: Callable[[Output], Iterator[str]]) -> None:
        self.feed = feed
        self.count = 0
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        for text in self._chunks(self):
            if text:
                yield text.encode("utf-8")


# --- Plain lists ------------------------------------------------------------------------------


def plain(feed: Feed) -> Output:
    """One value per line; a delta is ``-value`` lines, then ``+value`` lines."""

    def full(out: Output) -> Iterator[str]:
        seen: set[str] = set()
        for chunk in full_rows(feed, ("kind", "value")):
            lines = []
            for _kind, value in chunk:
                if value not in seen:
                    seen.add(value)
                    lines.append(value)
            out.count += len(lines)
            if lines:
                yield "\n".join(lines) + "\n"

    def changes(out: Output) -> Iterator[str]:
        d = delta(feed)
        added_rows = _filter_warninglisted(feed, d.added)
        added = list(dict.fromkeys(row[_I["value"]] for row in added_rows))
        gone = {(row[_I["kind"]], row[_I["value"]]) for row in d.removed}
        gone -= still_listed(feed, gone)
        added_set = set(added)
        removed = sorted({value for _kind, value in gone} - added_set)
        out.count = len(added) + len(removed)
        yield "".join(f"-{value}\n" for value in removed)
        yield "".join(f"+{value}\n" for value in added)

    return Output(feed, changes if feed.since else full)


# --- CSV --------------------------------------------------------------------------------------


def _csv_text(rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


CSV_FIELDS = (
    "kind",
    "value",
    "confidence",
    "tlp",
    "first_seen",
    "last_seen",
    "valid_until",
    "labels",
    "malware",
    "stix_id",
)


def _csv_row(now: datetime, *row: Any) -> list[Any]:
    kind, value, confidence, tlp, first, last, until, labels, malware, stix_id = row
    return [
        kind,
        value,
        effective_confidence(confidence, last, kind, now),
        tlp,
        iso(first),
        iso(last),
        iso(until),
        ";".join(str(label) for label in labels or ()),
        malware,
        stix_id,
    ]


def csv_feed(feed: Feed) -> Output:
    """One row per indicator (``CSV_HEADER``); a delta adds a first column ``action``
    (``add`` / ``remove``); a removed row tells only kind, value and stix_id."""
    now = feed.at

    def full(out: Output) -> Iterator[str]:
        yield _csv_text([CSV_HEADER])
        for chunk in full_rows(feed, CSV_FIELDS):
            out.count += len(chunk)
            yield _csv_text(_csv_row(now, *row) for row in chunk)

    def changes(out: Output) -> Iterator[str]:
        d = delta(feed)
        added = _filter_warninglisted(feed, d.added)
        out.count = len(added) + len(d.removed)
        yield _csv_text([["action", *CSV_HEADER]])
        yield _csv_text(
            [
                "remove",
                row[_I["kind"]],
                row[_I["value"]],
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                row[_I["stix_id"]],
            ]
            for row in d.removed
        )
        yield _csv_text(
            ["add", *_csv_row(now, *(row[_I[name]] for name in CSV_FIELDS))] for row in added
        )

    return Output(feed, changes if feed.since else full)


# --- Suricata and Snort rules -----------------------------------------------------------------

_PLAIN_CONTENT = frozenset(
    chr(c) for c in range(0x20, 0x7F) if chr(c) not in ';"\\|'
)  # printable ASCII but the four characters that end or escape a content string


def content(text: str) -> str:
    """A rule ``content`` string: printable ASCII as is; ``;`` ``"`` ``\\`` ``|``, controls and
    non-ASCII bytes (UTF-8) as ``|hex|`` (both engines read that form)."""
    out: list[str] = []
    hexes: list[str] = []
    for char in text:
        if char in _PLAIN_CONTENT:
            if hexes:
                out.append("|" + " ".join(hexes) + "|")
                hexes = []
            out.append(char)
        else:
            hexes.extend(f"{b:02X}" for b in char.encode("utf-8"))
    if hexes:
        out.append("|" + " ".join(hexes) + "|")
    return "".join(out)


def msg(text: str) -> str:
    """A rule ``msg``: ``\\``, ``"`` and ``;`` escaped with a backslash, controls dropped."""
    text = "".join(c if c.isprintable() else " " for c in text)
    return text.replace("\\", "\\\\").replace('"', '\\"').replace(";", "\\;")


def _wire_name(domain: str) -> str:
    """A domain in DNS wire form as a Snort content: ``|04|evil|07|example|00|``."""
    parts = []
    for label in domain.split("."):
        parts.append(f"|{len(label):02X}|" + content(label))
    return "".join(parts) + "|00|"


def rev(changed_at: datetime) -> int:
    return max(1, int((changed_at - REV_EPOCH).total_seconds()))


def sid(indicator_id: int, slot: int) -> int:
    return sid_base() + indicator_id * 10 + slot


def _slots(kind: str, engine: str) -> int:
    if kind in (K.IPV4, K.IPV6, K.CIDR):
        return 2
    if kind == K.DOMAIN:
        return 3 if engine == "suricata" else 1
    if kind == K.URL:
        return 1
    return 0


def rules_for(engine: str, row: Sequence[Any]) -> list[str]:
    """The rules of one indicator: (id, kind, value, changed_at, malware, tlp, stix_id)."""
    indicator_id, kind, value, changed_at, malware, tlp, stix_id = row
    r = rev(changed_at)
    tail_meta = f"metadata:jisp_indicator {indicator_id}, tlp {tlp}, stix_id {stix_id};"
    family = f" ({malware})" if malware else ""

    def rule(slot: int, header: str, what: str, options: str) -> str:
        text = msg(f"JISP {kind} {value}{family} {what}")
        return (
            f'alert {header} (msg:"{text}"; {options}classtype:bad-unknown; '
            f"sid:{sid(indicator_id, slot)}; rev:{r}; {tail_meta})"
        )

    if kind in (K.IPV4, K.IPV6, K.CIDR):
        return [
            rule(0, f"ip $HOME_NET any -> {value} any", "outbound", ""),
            rule(1, f"ip {value} any -> $HOME_NET any", "inbound", ""),
        ]
    if kind == K.DOMAIN:
        dotted = content("." + value)
        if engine == "snort":
            return [
                rule(
                    0,
                    "udp $HOME_NET any -> any 53",
                    "DNS query",
                    f'content:"{_wire_name(value)}"; nocase; fast_pattern; ',
                )
            ]
        return [
            rule(0, "dns $HOME_NET any -> any any", "DNS query",
                 f'dns.query; dotprefix; content:"{dotted}"; nocase; endswith; '),
            rule(1, "tls $HOME_NET any -> any any", "TLS SNI",
                 f'tls.sni; dotprefix; content:"{dotted}"; nocase; endswith; '),
            rule(2, "http $HOME_NET any -> any any", "HTTP host",
                 f'flow:established,to_server; http.host; dotprefix; content:"{dotted}"; '
                 "endswith; "),
        ]  # fmt: skip
    if kind == K.URL:
        parts = urlsplit(value)
        host = parts.hostname or ""
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if engine == "snort":
            hostport = parts.netloc.rpartition("@")[2]
            return [
                rule(
                    0,
                    "tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS",
                    "HTTP request",
                    f'flow:established,to_server; content:"{content(target)}"; http_uri; '
                    f'content:"Host|3A 20|{content(hostport)}|0D 0A|"; http_header; nocase; ',
                )
            ]
        port_free = len(host.encode())
        return [
            rule(0, "http $HOME_NET any -> any any", "HTTP request",
                 f'flow:established,to_server; http.host; content:"{content(host)}"; '
                 f'bsize:{port_free}; http.uri; content:"{content(target)}"; '
                 f"bsize:{len(target.encode())}; "),
        ]  # fmt: skip
    return []


def _rules_header(feed: Feed, engine: str) -> str:
    name = "Suricata" if engine == "suricata" else "Snort 2.9"
    lines = [
        f"# JISP indicators as {name} rules, {iso(feed.at)}",
        f"# sid = {sid_base()} + indicator id * 10 + rule number; rev grows with every change.",
    ]
    if engine == "suricata":
        lines += [
            "# File hashes: fetch the plain md5 / sha1 / sha256 feeds as list files and add:",
            *(
                f'#   alert http any any -> any any (msg:"JISP {algo} on list"; '
                f"file{algo}:jisp-{algo}.txt; classtype:bad-unknown; "
                f"sid:{sid_base() + slot}; rev:1;)"
                for slot, algo in enumerate(("md5", "sha1", "sha256"), start=1)
            ),
        ]
    if feed.since:
        lines.append(f"# Changes since {iso(feed.since)}: removed rules as '#removed sid:N'.")
    return "\n".join(lines) + "\n"


def rules(feed: Feed, engine: str) -> Output:
    fields = ("kind", "value", "id", "changed_at", "malware", "tlp", "stix_id")

    def full(out: Output) -> Iterator[str]:
        yield _rules_header(feed, engine)
        for chunk in full_rows(feed, fields):
            lines = []
            for kind, value, pk, changed_at, malware, tlp, stix_id in chunk:
                made = rules_for(engine, (pk, kind, value, changed_at, malware, tlp, stix_id))
                if made:
                    out.count += 1
                    lines.extend(made)
            if lines:
                yield "\n".join(lines) + "\n"

    def changes(out: Output) -> Iterator[str]:
        d = delta(feed)
        added = _filter_warninglisted(feed, d.added)
        yield _rules_header(feed, engine)
        lines = []
        for row in d.removed:
            for slot in range(_slots(row[_I["kind"]], engine)):
                lines.append(f"#removed sid:{sid(row[_I['id']], slot)}")
            out.count += 1
        for row in added:
            made = rules_for(
                engine,
                tuple(
                    row[_I[n]]
                    for n in ("id", "kind", "value", "changed_at", "malware", "tlp", "stix_id")
                ),
            )
            out.count += 1 if made else 0
            lines.extend(made)
        yield "\n".join(lines) + ("\n" if lines else "")

    return Output(feed, changes if feed.since else full)


# --- DNS RPZ ----------------------------------------------------------------------------------

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")


def rpz_name(domain: str, zone: str) -> str | None:
    """The domain as an RPZ owner name (punycode), or None when it cannot be one: characters a
    zone file cannot carry, an empty or over-long label, or ``*.name.zone`` over 253 characters."""
    name = domain.strip(".").lower()
    if not name.isascii():
        try:
            name = idna.encode(name, uts46=True).decode("ascii")
        except idna.IDNAError:
            return None
    if not name or not set(name) <= _NAME_CHARS:
        return None
    if any(not 0 < len(label) <= 63 for label in name.split(".")):
        return None
    if len("*." + name) + 1 + len(zone) > 253:
        return None
    return name


def rpz(feed: Feed, serial_from: datetime | None) -> Output:
    """A zone file (relative names, so any zone name fits) with ``CNAME .`` (NXDOMAIN) for each
    domain and its subdomains. A delta is an ``nsupdate`` script for ``feed.zone``."""
    zone = feed.zone or rpz_zone()
    ns = str(getattr(settings, "INTEL_RPZ_NS", "localhost."))
    contact = str(getattr(settings, "INTEL_RPZ_CONTACT", "hostmaster.localhost."))
    serial = int(serial_from.timestamp()) if serial_from else 1

    def full(out: Output) -> Iterator[str]:
        yield (
            f"; JISP response policy zone, {iso(feed.at)}\n$TTL 300\n"
            f"@ IN SOA {ns} {contact} {serial} 3600 600 604800 300\n@ IN NS {ns}\n"
        )
        seen: set[str] = set()
        for chunk in full_rows(feed, ("kind", "value")):
            lines = []
            for _kind, value in chunk:
                name = rpz_name(value, zone)
                if name is None or name in seen:
                    continue
                seen.add(name)
                lines.append(f"{name} CNAME .\n*.{name} CNAME .\n")
            out.count += len(lines)
            yield "".join(lines)

    def changes(out: Output) -> Iterator[str]:
        d = delta(feed)
        added_rows = _filter_warninglisted(feed, d.added)
        gone = {(row[_I["kind"]], row[_I["value"]]) for row in d.removed}
        gone -= still_listed(feed, gone)
        added = {rpz_name(row[_I["value"]], zone) for row in added_rows} - {None}
        removed = {rpz_name(value, zone) for _kind, value in gone} - {None} - added
        out.count = len(added) + len(removed)
        lines = [f"zone {zone}."]
        for name in sorted(n for n in removed if n):
            lines += [
                f"update delete {name}.{zone}. CNAME",
                f"update delete *.{name}.{zone}. CNAME",
            ]
        for name in sorted(n for n in added if n):
            lines += [
                f"update add {name}.{zone}. 300 CNAME .",
                f"update add *.{name}.{zone}. 300 CNAME .",
            ]
        lines.append("send")
        yield "\n".join(lines) + "\n"

    return Output(feed, changes if feed.since else full)


# --- STIX (jisp.intel.stix.export) ------------------------------------------------------------


def stix(feed: Feed) -> Output:
    """A STIX 2.1 bundle by ``jisp.intel.stix.export.bundle_chunks``: the active indicators; with
    ``since``, every indicator the person may see changed since then (withdrawn ones carry
    ``revoked``; false positives their last version)."""
    from jisp.intel.stix import export

    if feed.since:
        qs = (
            _base(feed)
            .filter(changed_at__gt=feed.since)
            .filter(_visible_q(feed.user))
            .order_by("id")
        )
    else:
        qs = current(feed).order_by("id")

    def chunks(out: Output) -> Iterator[str]:
        out.count = qs.count()
        yield from export.bundle_chunks(feed.user, qs)

    return Output(feed, chunks)


def render(feed: Feed, serial_from: datetime | None = None) -> Output:
    if feed.format == "plain":
        return plain(feed)
    if feed.format == "csv":
        return csv_feed(feed)
    if feed.format in ("suricata", "snort"):
        return rules(feed, feed.format)
    if feed.format == "rpz":
        return rpz(feed, serial_from)
    if feed.format == "stix":
        return stix(feed)
    raise ValueError(feed.format)


__all__ = [
    "ALL_KINDS",
    "FORMAT_KINDS",
    "HASH_KINDS",
    "PLAIN_LISTS",
    "Feed",
    "State",
    "content",
    "current",
    "delta",
    "render",
    "rpz_name",
    "state",
]
