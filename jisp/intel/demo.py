"""Demo threat intelligence: the Games (21 July – 5 September 2021) as the seed's sections 3 and 5
tell it.

Called by ``jisp demo`` after the organisations, people and topics are loaded (``load(plan)``)
and before they are deleted on ``--reset`` (``delete(plan)``). Deterministic for a given seed:
organisations are taken in name order and people in e-mail order, never in id order.

What the seed reports, and what is loaded:

- the centre's survey found 5,542 suspicious domains, 45 of them phishing sites, and 36 fake
  live-streaming sites: here 600 suspicious domains (the share the centre shared as indicators),
  the 36 fake streaming sites and the 45 phishing sites (each a domain and its login URL), and
  the fake vaccination-booking site;
- the wiper disguised as a damage report, and the program using the Games' name: file hashes
  (SHA-256, SHA-1, MD5 of invented samples), their download and C2 addresses, linked to their
  topics;
- the five CTI vendors' observations (Emotet, Trickbot, Mirai, XSS, SQL injection): addresses
  and URLs, some the same value as another source's (correlation links them);
- DDoS sources seen around the opening ceremony, from the agencies, linked to the DDoS topic;
- members' sightings (at the centre only), verdict requests to the five vendors with their
  answers (the seed's "harmful / harmless" determinations), and members' own domains and
  networks as assets.

Every address is in a documentation range (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
2001:db8::/32) and every domain ends in ``.example``: nothing points at a real third party.
Written with ``bulk_create``, one STIX version per indicator (about a second); the audit log is
not touched.
"""

from __future__ import annotations

import hashlib
import random
import uuid
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from jisp.core.choices import TLP, Audience, OrganisationCategory, Role
from jisp.core.models import Membership
from jisp.intel.choices import IndicatorKind, Verdict, VerdictState
from jisp.intel.models import (
    Asset,
    Indicator,
    Sighting,
    StixObject,
    VerdictAnswer,
    VerdictRequest,
)
from jisp.intel.services.indicators import allocate_dates
from jisp.intel.stix.objects import dumps, indicator_object

TOKYO = ZoneInfo("Asia/Tokyo")
START = datetime(2021, 7, 21, 0, 0, tzinfo=TOKYO)
DAYS = 47  # 21 July – 5 September
#: How many of the seed's 5,542 suspicious domains the demo shares as indicators.
SUSPICIOUS_DOMAINS = 600
FAKE_STREAMING = 36
PHISHING = 45

K = IndicatorKind

#: Topic key -> words its demo title contains (``jisp.sharing.demo``).
TOPIC_TITLES = {
    "wiper": "被害報告を装う不正プログラム",
    "program": "騙るプログラム",
    "ddos": "DDoS",
    "live": "偽ライブ配信",
    "vaccine": "ワクチン",
}


# --- What is loaded (pure Python) ----------------------------------------------------------------


@dataclass
class Spec:
    kind: str
    value: str
    source: str  # "centre", "vendor:<n>", "agency:<n>", "member:<n>"
    day: float  # days after 21 July 00:00 Tokyo
    labels: tuple[str, ...] = ()
    malware: str = ""
    confidence: int = 60
    tlp: str = TLP.GREEN
    audience: str = Audience.EVERYONE
    name: str = ""
    description: str = ""
    sources: tuple[str, ...] = ()
    topic: str = ""
    valid_days: int | None = None
    false_positive: str = ""
    revoked: bool = False


_WORDS = ["toto2020", "toto-games", "totogames", "games2020", "toto-olympic", "toto-paralympic",
          "tigoc", "toto2020-tickets", "toto-2020", "olympic-toto", "toto-games2020"]  # fmt: skip
_PARTS = ["live", "stream", "watch", "tv", "hd", "free", "official", "ticket", "tickets", "shop",
          "goods", "news", "login", "account", "verify", "support", "gift", "vote", "jp", "info",
          "online", "replay", "app", "portal", "secure"]  # fmt: skip
_TAILS = ["", "-jp", "-2021", "24", "-now", "-hd", "-live", "-official", "-go", "-plus"]


def _domains(rng: random.Random, count: int) -> list[str]:
    """Invented look-alike domains of the Games' name, all under ``.example``."""
    found: dict[str, None] = {}
    while len(found) < count:
        word, part, tail = rng.choice(_WORDS), rng.choice(_PARTS), rng.choice(_TAILS)
        found[f"{word}-{part}{tail}.example"] = None
    return list(found)


def _hashes(text: str) -> dict[str, str]:
    data = text.encode()
    return {
        K.SHA256: hashlib.sha256(data).hexdigest(),
        K.SHA1: hashlib.sha1(data).hexdigest(),  # noqa: S324 - a demo value, not security
        K.MD5: hashlib.md5(data).hexdigest(),  # noqa: S324 - a demo value, not security
    }


def _ips(rng: random.Random, prefixes: tuple[str, ...], count: int, taken: set[str]) -> list[str]:
    result: list[str] = []
    while len(result) < count:
        value = f"{rng.choice(prefixes)}{rng.randint(1, 254)}"
        if value not in taken:
            taken.add(value)
            result.append(value)
    return result


def build_specs(seed: int) -> list[Spec]:
    """Every demo indicator, in the order they are written."""
    rng = random.Random(seed * 7919 + 5)
    specs: list[Spec] = []
    domains = _domains(rng, SUSPICIOUS_DOMAINS)
    watch = ("ドメイン監視",)
    for i, domain in enumerate(domains):
        day = rng.uniform(0, DAYS - 0.5)
        if i < FAKE_STREAMING:
            specs.append(Spec(
                K.DOMAIN, domain, "centre", 2 + i * (DAYS - 4) / FAKE_STREAMING,
                ("偽ライブ配信サイト", "不審ドメイン"), confidence=80,
                name="大会の偽ライブ配信サイト",
                description="視聴のためと称してアカウント登録やクレジットカード情報の入力を求める。",
                sources=watch, topic="live",
            ))  # fmt: skip
        elif i < FAKE_STREAMING + PHISHING:
            specs.append(Spec(
                K.DOMAIN, domain, "centre", day, ("フィッシングサイト", "不審ドメイン"),
                confidence=85, tlp=TLP.AMBER, name="大会公式サイトに類似したフィッシングサイト",
                sources=watch,
            ))  # fmt: skip
            specs.append(Spec(
                K.URL, f"https://{domain}/login/index.php?ref=toto2020", "centre", day,
                ("フィッシングサイト",), confidence=85, tlp=TLP.AMBER,
                name="フィッシングサイトのログイン画面", sources=watch, valid_days=120,
            ))  # fmt: skip
        else:
            specs.append(Spec(
                K.DOMAIN, domain, "centre", day, ("不審ドメイン",),
                confidence=rng.choice([30, 40, 50, 60]), sources=watch,
            ))  # fmt: skip
    specs += [
        Spec(K.DOMAIN, "vaccine-navi-toto.example", "centre", 24.4,
             ("フィッシングサイト", "コロナワクチンナビ"), confidence=90, tlp=TLP.AMBER,
             name="コロナワクチンナビを装った不正サイト", topic="vaccine", sources=watch),
        Spec(K.URL, "https://vaccine-navi-toto.example/reserve/login", "centre", 24.4,
             ("フィッシングサイト", "コロナワクチンナビ"), confidence=90, tlp=TLP.AMBER,
             name="コロナワクチンナビを装った不正サイト", topic="vaccine", sources=watch),
    ]  # fmt: skip
    # The wiper disguised as a damage report, and the program using the Games' name.
    for n, (filename, day) in enumerate(
        [("被害報告_0723.exe", 2.6), ("被害状況一覧_0724.exe", 3.4), ("Incident_Report.exe", 4.1)]
    ):
        for kind, digest in _hashes(f"jisp-demo-wiper-{n}-{filename}").items():
            specs.append(Spec(
                kind, digest, "centre", day, ("ワイパー", "被害報告偽装"), malware="Wiper",
                confidence=95, tlp=TLP.AMBER, name=f"ワイパー型不正プログラム（{filename}）",
                description="大会関連のサイバー攻撃による被害報告を装った実行ファイル。実行すると"
                "PC内のファイルを削除する。",
                sources=("検体解析",), topic="wiper",
            ))  # fmt: skip
    specs += [
        Spec(K.URL, "http://toto2020-report.example/files/higai_houkoku.zip", "centre", 2.6,
             ("ワイパー",), malware="Wiper", confidence=90, tlp=TLP.AMBER, topic="wiper",
             name="ワイパーの配布元", valid_days=60),
        Spec(K.DOMAIN, "update-toto2020.example", "centre", 2.6, ("ワイパー", "C2"),
             malware="Wiper", confidence=85, tlp=TLP.AMBER, topic="wiper"),
        Spec(K.IPV4, "203.0.113.66", "centre", 2.6, ("ワイパー", "C2"), malware="Wiper",
             confidence=80, tlp=TLP.AMBER, topic="wiper", valid_days=45),
        Spec(K.EMAIL, "higai-houkoku@toto2020-report.example", "centre", 2.6,
             ("ワイパー", "送信元"), malware="Wiper", confidence=85, tlp=TLP.AMBER,
             topic="wiper"),
    ]  # fmt: skip
    for n, day in enumerate([8.5, 9.2]):
        for kind, digest in _hashes(f"jisp-demo-program-{n}").items():
            specs.append(Spec(
                kind, digest, "centre", day, ("不正プログラム", "大会名称悪用"),
                confidence=70, tlp=TLP.GREEN, name="東都2020大会を騙るプログラム",
                sources=("CTI事業者",), topic="program",
            ))  # fmt: skip
    # The five vendors' observations.
    taken: set[str] = {"203.0.113.66"}
    families = [
        ("Emotet", 0, ("192.0.2.",), 14, True),
        ("Trickbot", 1, ("192.0.2.", "198.51.100."), 10, False),
        ("Mirai", 2, ("203.0.113.",), 24, False),
        ("XSS", 3, ("198.51.100.",), 8, False),
        ("SQLインジェクション", 4, ("198.51.100.", "203.0.113."), 8, False),
    ]
    mirai: list[str] = []
    for family, vendor, prefixes, count, urls in families:
        is_malware = family in ("Emotet", "Trickbot", "Mirai")
        label = family if is_malware else f"{family}攻撃元"
        for ip in _ips(rng, prefixes, count, taken):
            specs.append(Spec(
                K.IPV4, ip, f"vendor:{vendor}", rng.uniform(0, DAYS - 1), (label, "観測情報"),
                malware=family if is_malware else "", confidence=rng.choice([60, 70, 80, 90]),
                tlp=TLP.AMBER, sources=("CTI事業者観測",), valid_days=30,
            ))  # fmt: skip
            if family == "Mirai":
                mirai.append(ip)
        if urls:
            for i in range(8):
                host = rng.choice(["shop-kanda", "minato-dental", "sakura-print", "hikari-ya"])
                specs.append(Spec(
                    K.URL, f"http://{host}{i}.example/wp-content/{rng.randrange(16**6):06x}/",
                    f"vendor:{vendor}", rng.uniform(0, DAYS - 1), ("Emotet", "配布URL"),
                    malware="Emotet", confidence=80, tlp=TLP.AMBER, valid_days=60,
                ))  # fmt: skip
    for i in range(6):
        specs.append(Spec(
            K.IPV6, f"2001:db8:{0x2020 + i:x}::{rng.randint(1, 0xFFFF):x}", "vendor:2",
            rng.uniform(0, DAYS - 1), ("Mirai", "観測情報"), malware="Mirai", confidence=70,
            tlp=TLP.AMBER, valid_days=30,
        ))  # fmt: skip
    # DDoS sources around the opening ceremony, from the agencies; some also Mirai bots.
    for n, ip in enumerate(_ips(rng, ("203.0.113.", "198.51.100."), 60, taken) + mirai[:8]):
        specs.append(Spec(
            K.IPV4, ip, f"agency:{n % 4}", 1.8 + rng.uniform(0, 3.5), ("DDoS", "攻撃元"),
            confidence=rng.choice([50, 60, 70]), sources=("DDoS攻撃の監視",), topic="ddos",
            valid_days=14,
        ))  # fmt: skip
    specs += [
        Spec(K.CIDR, "198.51.100.128/25", "agency:2", 2.2, ("DDoS", "攻撃元"), confidence=50,
             topic="ddos", valid_days=14, name="DDoS攻撃の送信元ネットワーク"),
        Spec(K.IPV4, "192.0.2.53", "agency:0", 2.4, ("DDoS",), confidence=30,
             false_positive="大手CDNのキャッシュサーバであり、攻撃元ではなかった。"),
        Spec(K.IPV4, "192.0.2.80", "agency:1", 2.5, ("DDoS",), confidence=30, revoked=True),
    ]  # fmt: skip
    # Members' own reports: phishing mails received by the organiser.
    for i in range(6):
        specs.append(Spec(
            K.EMAIL, f"ticket-support{i}@toto2020-tickets-info.example", f"member:{i % 3}",
            5 + i * 6.5, ("フィッシングメール",), confidence=75, tlp=TLP.AMBER,
            audience=Audience.CENTRE, sources=("受信メール",),
        ))  # fmt: skip
    return specs


# --- Who is in the demo --------------------------------------------------------------------------


@dataclass
class Cast:
    centre: int
    analysts: list[int]
    people_of: dict[int, list[int]]
    vendors: list[int]
    agencies: list[int]
    members: list[int]  # operators and the organiser's organisations, in name order
    organiser: list[int]
    domain_of: dict[int, str]
    topics: dict[str, list[int]] = field(default_factory=dict)


def _cast(plan: Any) -> Cast:
    domains = {org.name: org.domain for org in plan.orgs}
    rows = (
        Membership.objects.filter(user__email__in=plan.emails)
        .values_list(
            "user_id", "organisation_id", "organisation__name", "organisation__category", "role"
        )
        .order_by("organisation__name", "user__email")
    )
    people_of: dict[int, list[int]] = defaultdict(list)
    by_category: dict[str, dict[int, str]] = defaultdict(dict)
    centre, analysts = 0, []
    domain_of: dict[int, str] = {}
    for user_id, org_id, name, category, role in rows:
        if role == Role.AUDITOR:
            continue
        people_of[org_id].append(user_id)
        by_category[category][org_id] = name
        domain_of[org_id] = domains.get(name, "")
        if category == OrganisationCategory.CENTRE:
            centre = org_id
            if role in (Role.ANALYST, Role.INCIDENT_HANDLER):
                analysts.append(user_id)

    def ordered(category: str) -> list[int]:
        names = by_category.get(category, {})
        return [pk for pk, _n in sorted(names.items(), key=lambda item: item[1])]

    organiser = ordered(OrganisationCategory.ORGANISER)
    return Cast(
        centre=centre,
        analysts=analysts,
        people_of=dict(people_of),
        vendors=ordered(OrganisationCategory.VENDOR),
        agencies=ordered(OrganisationCategory.AGENCY),
        members=organiser + ordered(OrganisationCategory.OPERATOR),
        organiser=organiser,
        domain_of=domain_of,
        topics=_topics(plan),
    )


def _topics(plan: Any) -> dict[str, list[int]]:
    """The demo topics each group of indicators belongs to (by title)."""
    from jisp.sharing import demo as sharing_demo

    found: dict[str, list[int]] = {}
    topics = sharing_demo.demo_topics(plan).order_by("published_at", "id")
    for key, words in TOPIC_TITLES.items():
        found[key] = list(topics.filter(title__contains=words).values_list("pk", flat=True)[:40])
    return found


# --- Loading and deleting ------------------------------------------------------------------------


@dataclass
class IntelLoadResult:
    indicators: int
    versions: int
    sightings: int
    verdict_requests: int
    answers: int
    assets: int


def demo_indicators(plan: Any) -> QuerySet[Indicator]:
    """The demo's indicators: written by demo people or coming from a demo organisation."""
    names = [org.name for org in plan.orgs if not org.reference]
    return Indicator.objects.filter(
        Q(created_by__email__in=plan.emails) | Q(organisation__name__in=names)
    )


def is_loaded(plan: Any) -> bool:
    return demo_indicators(plan).exists()


def delete(plan: Any) -> int:
    """Delete the demo's indicators (with their STIX versions and sightings), verdict requests
    and assets, so that the demo organisations can be deleted; returns how many indicators."""
    names = [org.name for org in plan.orgs if not org.reference]
    ids = list(demo_indicators(plan).values_list("pk", flat=True))
    with transaction.atomic():
        VerdictRequest.objects.filter(
            Q(requested_by__email__in=plan.emails) | Q(answers__vendor__name__in=names)
        ).delete()
        Sighting.objects.filter(
            Q(organisation__name__in=names) | Q(created_by__email__in=plan.emails)
        ).delete()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            StixObject.objects.filter(indicator_id__in=chunk).delete()
            Indicator.objects.filter(pk__in=chunk).delete()
        StixObject.objects.filter(
            Q(organisation__name__in=names) | Q(created_by__email__in=plan.emails)
        ).delete()
        Asset.objects.filter(organisation__name__in=names).delete()
    return len(ids)


def load(plan: Any, *, now: datetime | None = None) -> IntelLoadResult | None:
    """Write the demo intelligence after the core and sharing demos; None if it is there already
    (or the core demo is not loaded). ``now`` dates the STIX versions' ``date_added``."""
    if is_loaded(plan):
        return None
    cast = _cast(plan)
    if not cast.centre or not cast.analysts or len(cast.vendors) < 5 or len(cast.agencies) < 4:
        return None
    rng = random.Random(plan.seed * 104723 + 11)
    specs = build_specs(plan.seed)
    with transaction.atomic():
        indicators = _write_indicators(specs, cast, rng)
        versions = _write_versions(indicators, now)
        sightings = _write_sightings(indicators, specs, cast, rng)
        requests, answers = _write_verdicts(indicators, specs, cast, rng)
        assets = _write_assets(cast, rng)
    return IntelLoadResult(len(indicators), versions, sightings, requests, answers, assets)


def _at(day: float) -> datetime:
    return START + timedelta(days=day)


def _source(spec: Spec, cast: Cast) -> tuple[int, int]:
    """(organisation, author) of a spec."""
    group, _sep, number = spec.source.partition(":")
    if group == "centre":
        return cast.centre, cast.analysts[int(spec.day * 7) % len(cast.analysts)]
    pool = {"vendor": cast.vendors, "agency": cast.agencies, "member": cast.organiser}[group]
    org = pool[int(number) % len(pool)]
    people = cast.people_of[org]
    return org, people[int(spec.day * 3) % len(people)]


def _write_indicators(specs: list[Spec], cast: Cast, rng: random.Random) -> list[Indicator]:
    rows: list[Indicator] = []
    for spec in specs:
        org, author = _source(spec, cast)
        created = _at(spec.day)
        changed = created
        if spec.false_positive or spec.revoked:
            changed = created + timedelta(hours=rng.randint(3, 30))
        rows.append(
            Indicator(
                kind=spec.kind,
                value=spec.value,
                stix_id=f"indicator--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
                name=spec.name,
                description=spec.description,
                labels=sorted(set(spec.labels)),
                malware=spec.malware,
                confidence=spec.confidence,
                sources=list(spec.sources),
                first_seen=created - timedelta(hours=rng.randint(1, 48)),
                last_seen=created + timedelta(hours=rng.randint(0, 72)),
                valid_from=created,
                valid_until=(
                    created + timedelta(days=spec.valid_days) if spec.valid_days else None
                ),
                false_positive=bool(spec.false_positive),
                false_positive_note=spec.false_positive,
                revoked=spec.revoked,
                created=created,
                modified=changed,
                changed_at=changed,
                tlp=spec.tlp,
                audience=spec.audience,
                organisation_id=org,
                created_by_id=author,
            )
        )
    Indicator.objects.bulk_create(rows, batch_size=500)
    links: Any = Indicator.topics.through
    topic_rows = []
    for indicator, spec in zip(rows, specs, strict=True):
        topics = cast.topics.get(spec.topic) or []
        if topics:
            live = spec.topic == "live"
            topic = topics[zlib.crc32(spec.value.encode()) % len(topics)] if live else None
            for pk in [topic] if topic else topics[:3]:
                topic_rows.append(links(indicator_id=indicator.pk, topic_id=pk))
    links.objects.bulk_create(topic_rows, ignore_conflicts=True)
    return rows


def _write_versions(indicators: list[Indicator], now: datetime | None) -> int:
    dates = allocate_dates(len(indicators), now or timezone.now())
    versions = [
        StixObject(
            stix_id=i.stix_id,
            stix_type="indicator",
            created=i.created,
            modified=i.modified,
            date_added=added,
            body=dumps(indicator_object(i)),
            indicator_id=i.pk,
            tlp=i.tlp,
            audience=i.audience,
            organisation_id=i.organisation_id,
            created_by_id=i.created_by_id,
        )
        for i, added in zip(indicators, dates, strict=True)
    ]
    StixObject.objects.bulk_create(versions, batch_size=500)
    return len(versions)


def _write_sightings(
    indicators: list[Indicator], specs: list[Spec], cast: Cast, rng: random.Random
) -> int:
    """Members saw DDoS sources, phishing sites and Emotet / Mirai addresses: about 150
    sightings, at TLP:AMBER for the centre only."""
    seen = [
        i
        for i, spec in zip(indicators, specs, strict=True)
        if not spec.revoked
        and (
            {"DDoS", "フィッシングサイト", "Emotet", "Mirai", "偽ライブ配信サイト"}
            & set(spec.labels)
        )
    ]
    members = cast.members[:60]
    rows = []
    for indicator in rng.sample(seen, min(70, len(seen))):
        for org in rng.sample(members, rng.randint(1, 4)):
            people = cast.people_of.get(org) or []
            if not people:
                continue
            first = indicator.created + timedelta(hours=rng.randint(1, 96))
            rows.append(
                Sighting(
                    indicator_id=indicator.pk,
                    count=rng.choice([1, 1, 2, 3, 5, 12, 40, 250]),
                    first_seen=first,
                    last_seen=first + timedelta(minutes=rng.randint(0, 600)),
                    where=rng.choice(_WHERE),
                    note="",
                    created_at=first + timedelta(hours=1),
                    tlp=TLP.AMBER,
                    audience=Audience.CENTRE,
                    organisation_id=org,
                    created_by_id=people[0],
                )
            )
    _bulk_keeping_times(Sighting, rows)
    return len(rows)


_WHERE = [
    "Webプロキシ",
    "DNSサーバ",
    "ファイアウォール",
    "メールゲートウェイ",
    "WAF",
    "本社ネットワーク",
]

_ANSWER_NOTES = {
    Verdict.HARMFUL: [
        "Emotetの配布に使われているURLを当社センサーで観測しています。",
        "Mirai亜種のボットとして国内外への大量スキャンを観測しています。",
        "Trickbotの通信先として登録済みです。",
        "WebサイトへのXSS攻撃の送信元として観測しています。",
        "SQLインジェクションを試行する通信の送信元です。",
        "フィッシングキットが設置されており、有害と判断します。",
    ],
    Verdict.HARMLESS: [
        "大手CDNの共有アドレスです。攻撃元ではありません。",
        "正規の配信事業者のドメインです。",
    ],
    Verdict.UNKNOWN: ["当社では観測がなく、判断できません。"],
}


def _write_verdicts(
    indicators: list[Indicator], specs: list[Spec], cast: Cast, rng: random.Random
) -> tuple[int, int]:
    """Eight requests to the five vendors: the two suspicious sites the seed names, the DDoS
    trend question, Emotet, Trickbot, Mirai, XSS and SQL injection sources."""
    by_label: dict[str, list[Indicator]] = defaultdict(list)
    for indicator, spec in zip(indicators, specs, strict=True):
        for label in spec.labels:
            by_label[label].append(indicator)
    picks = [
        (by_label["不審ドメイン"][100], "大会関係者から通報のあったサイトです。有害でしょうか。",
         Verdict.HARMFUL, True),
        (by_label["不審ドメイン"][101], "類似ドメインですが、正規の配信事業者の可能性があります。",
         Verdict.HARMLESS, True),
        (by_label["DDoS"][0], "開会式前後のDDoS攻撃の送信元と思われます。傾向をご存じですか。",
         Verdict.HARMFUL, False),
        (by_label["Emotet"][0], "", Verdict.HARMFUL, False),
        (by_label["Trickbot"][0], "", Verdict.HARMFUL, False),
        (by_label["Mirai"][0], "", Verdict.HARMFUL, False),
        (by_label["XSS攻撃元"][0], "会場WebサイトへのXSS攻撃の送信元です。", Verdict.HARMFUL,
         False),
        (by_label["SQLインジェクション攻撃元"][0], "", Verdict.HARMFUL, False),
    ]  # fmt: skip
    requests: list[VerdictRequest] = []
    for n, (indicator, question, _verdict, member) in enumerate(picks):
        requests.append(
            VerdictRequest(
                kind=indicator.kind,
                value=indicator.value,
                indicator_id=indicator.pk,
                question=question,
                requested_by_id=cast.analysts[n % len(cast.analysts)],
                on_behalf_of_id=cast.organiser[0] if member and cast.organiser else None,
                share_with_member=member,
                state=VerdictState.CLOSED if n < 6 else VerdictState.ANSWERED,
                created_at=indicator.created + timedelta(hours=2),
                closed_at=indicator.created + timedelta(days=2) if n < 6 else None,
            )
        )
    _bulk_keeping_times(VerdictRequest, requests)
    answers = []
    for vr, (_indicator, _question, verdict, _member) in zip(requests, picks, strict=True):
        for vendor in cast.vendors[:5]:
            people = cast.people_of[vendor]
            said = verdict if rng.random() < 0.8 else Verdict.UNKNOWN
            waiting = vr.state == VerdictState.ANSWERED and rng.random() < 0.3
            answers.append(
                VerdictAnswer(
                    request_id=vr.pk,
                    vendor_id=vendor,
                    verdict="" if waiting else said,
                    confidence=None if waiting else rng.choice([60, 70, 80, 90]),
                    notes="" if waiting else rng.choice(_ANSWER_NOTES[said]),
                    answered_by_id=None if waiting else people[0],
                    answered_at=None
                    if waiting
                    else vr.created_at + timedelta(hours=rng.randint(1, 20)),
                )
            )
    VerdictAnswer.objects.bulk_create(answers)
    return len(requests), len(answers)


def _write_assets(cast: Cast, rng: random.Random) -> int:
    """The first forty members' own domains, and networks for some (documentation ranges)."""
    rows = []
    for n, org in enumerate(cast.members[:40]):
        domain = cast.domain_of.get(org)
        people: list[int | None] = [*cast.people_of.get(org, []), None]
        if domain:
            rows.append(
                Asset(organisation_id=org, kind="domain", value=domain, note="コーポレートサイト",
                      created_by_id=people[0], created_at=START - timedelta(days=30))
            )  # fmt: skip
        if n < 16:
            rows.append(
                Asset(organisation_id=org, kind="network", value=f"198.51.100.{n * 16}/28",
                      note="公開サーバのネットワーク", created_by_id=people[0],
                      created_at=START - timedelta(days=30))
            )  # fmt: skip
    _bulk_keeping_times(Asset, rows)
    return len(rows)


def _bulk_keeping_times(model: Any, rows: list[Any]) -> None:
    """bulk_create that keeps our 2021 timestamps instead of auto_now_add's current time."""
    changed = []
    for f in model._meta.concrete_fields:
        if getattr(f, "auto_now_add", False):
            f.auto_now_add = False
            changed.append(f)
    try:
        model.objects.bulk_create(rows, batch_size=500)
    finally:
        for f in changed:
            f.auto_now_add = True
