"""Build and load the demo data set: deterministic, at the seed's scale, in a few seconds.

``build_plan(seed)`` draws everything from ``random.Random(seed)`` and a fixed base date, so two
loads with the same seed give the same organisations, people, e-mail addresses and TOTP secrets.
``load(plan)`` writes it with ``bulk_create`` only; one demo password is hashed once and the same
encoded hash is given to everyone (hashing 1,800 passwords with Argon2 would take minutes).

The sign-in history (audit events) is the one part anchored to the load day, not to the base date,
so that the sign-in statistics show the last 30 days. The audit log is append-only: ``delete_demo``
never touches it, and a reload only adds history after the newest demo sign-in already recorded.
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.db.models.deletion import Collector
from django.urls import reverse
from django.utils import timezone

from jisp.core import audit, reference
from jisp.core.choices import TWO_FACTOR_ROLES, OrganisationCategory, Role
from jisp.core.demo import names, organisations
from jisp.core.demo.organisations import OrgSpec
from jisp.core.models import AuditEvent, Membership, Notification, Organisation, Sector, User

DEFAULT_SEED = 2020
DEMO_PASSWORD = "jisp-demo-2020"  # noqa: S105  (printed on purpose: the demo's shared password)
TOKYO = ZoneInfo("Asia/Tokyo")
#: Everything but the sign-in history is dated relative to the opening of the (fictional) Games.
BASE_DATE = datetime(2021, 7, 21, 9, 0, tzinfo=TOKYO)
HISTORY_DAYS = 30
TOTAL_PEOPLE = 1800

#: The roles printed after a load, one demo account each, in this order.
FEATURED_ROLES = [
    Role.MEMBER,
    Role.ORG_ADMIN,
    Role.COMMANDER,
    Role.INCIDENT_CONTROLLER,
    Role.INCIDENT_HANDLER,
    Role.ORGANISER_LIAISON,
    Role.DUTY_OFFICER,
    Role.ANALYST,
    Role.AGENCY_RESPONDER,
    Role.VENDOR_ANALYST,
    Role.AUDITOR,
]

#: The coordination centre's staff by role (the seed's 24-hour incident-response set-up).
CENTRE_STAFF: list[tuple[str, int]] = [
    (Role.ORG_ADMIN, 2),
    (Role.COMMANDER, 2),
    (Role.INCIDENT_CONTROLLER, 4),
    (Role.INCIDENT_HANDLER, 12),
    (Role.ORGANISER_LIAISON, 4),
    (Role.DUTY_OFFICER, 12),
    (Role.ANALYST, 14),
    (Role.AUDITOR, 3),
]

#: Staff size ranges by category (the organising committee takes the remainder up to 1,800).
SIZES: dict[str, tuple[int, int]] = {
    OrganisationCategory.ORGANISER: (4, 10),
    OrganisationCategory.OPERATOR: (3, 7),
    OrganisationCategory.VENUE: (2, 5),
    OrganisationCategory.SPORTS: (2, 4),
    OrganisationCategory.MINISTRY: (3, 9),
    OrganisationCategory.AGENCY: (8, 14),
    OrganisationCategory.LAW_ENFORCEMENT: (3, 7),
    OrganisationCategory.SECURITY_CENTRE: (3, 6),
    OrganisationCategory.VENDOR: (5, 9),
}

#: Which role most staff of a category hold (besides members and administrators).
MAIN_ROLE: dict[str, str] = {
    OrganisationCategory.AGENCY: Role.AGENCY_RESPONDER,
    OrganisationCategory.LAW_ENFORCEMENT: Role.AGENCY_RESPONDER,
    OrganisationCategory.SECURITY_CENTRE: Role.AGENCY_RESPONDER,
    OrganisationCategory.VENDOR: Role.VENDOR_ANALYST,
}

#: Addresses at these reserved names (RFC 2606 ".example", JPRS "example.jp") reach nobody.
DEMO_SUFFIXES = (".example", ".example.jp")

#: Documentation address ranges (RFC 5737) for the sign-in history.
_NETWORKS = ("192.0.2.", "198.51.100.", "203.0.113.")
_USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36 Edg/124.0",
)
#: Relative weight of each hour (Tokyo time) for office sign-ins: morning and after-lunch peaks.
_HOUR_WEIGHTS = [0, 0, 0, 0, 0, 0, 1, 3, 10, 16, 12, 8, 5, 12, 10, 8, 7, 6, 4, 2, 2, 1, 1, 0]


def is_demo_address(email: str) -> bool:
    """Whether an e-mail address is on a reserved example domain (only demo accounts are)."""
    domain = email.rsplit("@", 1)[-1].lower()
    return domain == "example.jp" or domain.endswith(DEMO_SUFFIXES)


def totp_secret_for(seed: int, email: str) -> str:
    """A deterministic base32 TOTP secret (160 bits) for a demo account."""
    digest = hashlib.sha256(f"jisp-demo:{seed}:{email}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()


@dataclass
class PersonSpec:
    email: str
    name: str
    name_en: str
    language: str
    org: int  # index into Plan.orgs
    role: str
    date_joined: datetime
    weekday_rate: float  # chance of signing in on a weekday
    weekend_rate: float
    totp_secret: str = ""


@dataclass
class Plan:
    seed: int
    orgs: list[OrgSpec]
    people: list[PersonSpec]
    featured: dict[str, int] = field(default_factory=dict)  # role -> index into people

    @property
    def emails(self) -> list[str]:
        return [person.email for person in self.people]


@dataclass
class LoadResult:
    organisations: int
    people: int
    memberships: int
    signins: int
    notifications: int
    history_skipped: int = 0  # sign-ins already in the audit log from an earlier load


# --- Building the plan (pure Python, no database) --------------------------------------------


def build_plan(seed: int = DEFAULT_SEED) -> Plan:
    rng = random.Random(seed)
    orgs = organisations.build(rng)
    sizes = _sizes(rng, orgs)
    people: list[PersonSpec] = []
    used: set[str] = set()
    for index, (org, size) in enumerate(zip(orgs, sizes, strict=True)):
        for role in _roles(rng, org, size):
            people.append(_person(rng, seed, org, index, role, used))
    plan = Plan(seed=seed, orgs=orgs, people=people)
    plan.featured = _featured(plan)
    return plan


def _sizes(rng: random.Random, orgs: list[OrgSpec]) -> list[int]:
    sizes = []
    for org in orgs:
        if org.category == OrganisationCategory.CENTRE:
            sizes.append(sum(count for _role, count in CENTRE_STAFF))
        else:
            low, high = SIZES[org.category]
            sizes.append(rng.randint(low, high))
    # The organising committee (the first organiser) takes what is left up to the seed's 1,800.
    committee = next(
        i for i, org in enumerate(orgs) if org.category == OrganisationCategory.ORGANISER
    )
    rest = sum(sizes) - sizes[committee]
    sizes[committee] = max(40, TOTAL_PEOPLE - rest)
    return sizes


def _roles(rng: random.Random, org: OrgSpec, size: int) -> list[str]:
    if org.category == OrganisationCategory.CENTRE:
        return [role for role, count in CENTRE_STAFF for _ in range(count)]
    admins = 1 if size <= 5 else 2 if size <= 15 else 3
    others = size - admins
    main = MAIN_ROLE.get(org.category)
    specialists = max(1, round(others * 0.75)) if main else 0
    return (
        [Role.ORG_ADMIN] * admins
        + [main or Role.MEMBER] * specialists
        + [Role.MEMBER] * (others - specialists)
    )


def _person(
    rng: random.Random, seed: int, org: OrgSpec, index: int, role: str, used: set[str]
) -> PersonSpec:
    if org.english:
        given = rng.choice(names.ENGLISH_GIVEN_NAMES)
        family = rng.choice(names.ENGLISH_FAMILY_NAMES)
        name = name_en = f"{given} {family}"
        local, language = f"{given}.{family}".lower(), "en"
    else:
        family_ja, family_r = rng.choice(names.FAMILY_NAMES)
        given_ja, given_r = rng.choice(names.GIVEN_NAMES)
        name, name_en = f"{family_ja} {given_ja}", f"{given_r} {family_r}"
        local = f"{given_r}.{family_r}".lower()
        language = "en" if rng.random() < 0.03 else "ja"
    email = f"{local}@{org.domain}"
    number = 2
    while email in used:
        email = f"{local}{number}@{org.domain}"
        number += 1
    used.add(email)
    joined = BASE_DATE - timedelta(days=rng.randint(20, 840), minutes=rng.randint(0, 600))
    if role in {Role.COMMANDER, Role.INCIDENT_CONTROLLER, Role.INCIDENT_HANDLER,
                Role.ORGANISER_LIAISON, Role.ANALYST}:  # fmt: skip
        weekday, weekend = 0.9, 0.3
    elif role == Role.DUTY_OFFICER:
        weekday = weekend = 0.8
    elif role in {Role.AGENCY_RESPONDER, Role.VENDOR_ANALYST, Role.AUDITOR}:
        weekday, weekend = 0.45, 0.05
    else:  # regular, occasional or dormant members
        weekday = rng.choices([0.22, 0.05, 0.0], weights=[25, 45, 30])[0]
        weekend = weekday * 0.15
    secret = totp_secret_for(seed, email) if role in TWO_FACTOR_ROLES else ""
    return PersonSpec(email, name, name_en, language, index, role, joined, weekday, weekend, secret)


def _featured(plan: Plan) -> dict[str, int]:
    """One account per role to print, from fixed organisations (the first person in that role)."""
    wanted_org = {
        Role.MEMBER: "東都電力株式会社",
        Role.ORG_ADMIN: "東都電力株式会社",
        Role.AGENCY_RESPONDER: "一般社団法人JPCERTコーディネーションセンター",
        Role.VENDOR_ANALYST: "ノースウインド・インテリジェンス",
    }
    featured: dict[str, int] = {}
    for role in FEATURED_ROLES:
        org_name = wanted_org.get(role, reference.CENTRE_NAME)
        featured[role] = next(
            i
            for i, person in enumerate(plan.people)
            if person.role == role and plan.orgs[person.org].name == org_name
        )
    return featured


def signin_history(
    plan: Plan, end: date, now: datetime | None = None
) -> list[tuple[datetime, int, bool]]:
    """Sign-ins of the ``HISTORY_DAYS`` days up to ``end`` (Tokyo): (when, person, failed first).

    Drawn from its own ``random.Random(seed)`` so it does not shift the rest of the plan; events
    after ``now`` are dropped (today is only partly over).
    """
    rng = random.Random(plan.seed * 7919 + 1)
    events: list[tuple[datetime, int, bool]] = []
    hours = list(range(24))
    for offset in range(HISTORY_DAYS - 1, -1, -1):
        day = end - timedelta(days=offset)
        weekday = day.weekday() < 5
        for index, person in enumerate(plan.people):
            rate = person.weekday_rate if weekday else person.weekend_rate
            if rng.random() >= rate:
                continue
            if person.role == Role.DUTY_OFFICER:
                hour = rng.randrange(24)
            else:
                hour = rng.choices(hours, weights=_HOUR_WEIGHTS)[0]
            moment = time(hour, rng.randrange(60), rng.randrange(60))
            failed = rng.random() < 0.02
            events.append((datetime.combine(day, moment, tzinfo=TOKYO), index, failed))
            if person.weekday_rate >= 0.8 and hour < 15 and rng.random() < 0.3:
                # Centre staff often sign in again after the session ends or on another device.
                later = time(rng.randrange(hour + 1, 24), rng.randrange(60), rng.randrange(60))
                events.append((datetime.combine(day, later, tzinfo=TOKYO), index, False))
    if now is not None:
        events = [event for event in events if event[0] <= now]
    events.sort(key=lambda event: event[0])
    return events


# --- The database ------------------------------------------------------------------------------


def demo_people(plan: Plan) -> QuerySet[User]:
    return User.objects.filter(email__in=plan.emails)


def is_loaded(plan: Plan) -> bool:
    names_ = [org.name for org in plan.orgs if not org.reference]
    return demo_people(plan).exists() or Organisation.objects.filter(name__in=names_).exists()


def delete_demo(plan: Plan) -> tuple[int, int]:
    """Delete the demo people and organisations (not the reference ones, not the audit log).

    People are those on a demo organisation's domain; organisations those with a demo name and no
    member outside the demo. Returns (organisations, people) deleted.
    """
    domains = {org.domain for org in plan.orgs}
    candidates = User.objects.filter(
        Q(email__iendswith=DEMO_SUFFIXES[0]) | Q(email__iendswith=DEMO_SUFFIXES[1])
    ).values_list("pk", "email")
    user_ids = [pk for pk, email in candidates if email.rsplit("@", 1)[-1].lower() in domains]
    wanted = {(org.category, org.name) for org in plan.orgs if not org.reference}
    org_ids = [
        pk
        for pk, category, name in Organisation.objects.values_list("pk", "category", "name")
        if (category, name) in wanted
    ]
    keep = set(
        Membership.objects.filter(organisation_id__in=org_ids)
        .exclude(user_id__in=user_ids)
        .values_list("organisation_id", flat=True)
    )
    org_ids = [pk for pk in org_ids if pk not in keep]
    with transaction.atomic():
        _delete_keeping_audit(User.objects.filter(pk__in=user_ids))
        _delete_keeping_audit(Organisation.objects.filter(pk__in=org_ids))
    return len(org_ids), len(user_ids)


def _delete_keeping_audit(queryset: QuerySet[Any]) -> None:
    """Delete with Django's collector, minus its SET NULL updates of the append-only audit log.

    Audit events keep the id of a deleted person or organisation (their foreign keys have no
    database constraint), and the database refuses any UPDATE of them anyway.
    """
    collector = Collector(using=queryset.db, origin=queryset)
    collector.collect(queryset)  # type: ignore[arg-type]  # Django accepts a queryset
    for key in [key for key in collector.field_updates if key[0].model is AuditEvent]:
        del collector.field_updates[key]
    collector.delete()


@transaction.atomic
def load(plan: Plan, *, history_end: date | None = None, now: datetime | None = None) -> LoadResult:
    """Write the plan (after ``reference.load``); the caller checks ``is_loaded`` first."""
    now = now or timezone.now()
    end = history_end or timezone.localtime(now, TOKYO).date()
    reference.load(Organisation, Sector)
    sectors = dict(Sector.objects.values_list("code", "pk"))

    org_objects: list[Organisation] = []
    new_orgs: list[Organisation] = []
    for spec in plan.orgs:
        if spec.reference:
            org = Organisation.objects.get(category=spec.category, short_name=spec.short_name)
        else:
            org = Organisation(
                name=spec.name,
                name_en=spec.name_en,
                short_name=spec.short_name,
                category=spec.category,
                sector_id=sectors[spec.sector] if spec.sector else None,
            )
            new_orgs.append(org)
        org_objects.append(org)
    Organisation.objects.bulk_create(new_orgs, batch_size=500)

    history = signin_history(plan, end, now)
    last_signin: dict[int, datetime] = {}
    for at, index, _failed in history:
        last_signin[index] = at
    encoded = make_password(DEMO_PASSWORD)  # once: every demo account shares this hash
    users = [
        User(
            email=person.email,
            name=person.name,
            name_en=person.name_en,
            language=person.language,
            password=encoded,
            date_joined=person.date_joined,
            last_login=last_signin.get(index),
            totp_secret=person.totp_secret,
            totp_confirmed_at=(person.date_joined + timedelta(days=1))
            if person.totp_secret
            else None,
        )
        for index, person in enumerate(plan.people)
    ]
    User.objects.bulk_create(users, batch_size=500)
    if any(user.pk is None for user in users):  # databases that do not return ids
        ids = dict(User.objects.filter(email__in=plan.emails).values_list("email", "pk"))
        for user in users:
            user.pk = ids[user.email]
    memberships = [
        Membership(user_id=user.pk, organisation_id=org_objects[person.org].pk, role=person.role)
        for user, person in zip(users, plan.people, strict=True)
    ]
    Membership.objects.bulk_create(memberships, batch_size=1000)

    signins = _write_history(plan, history, users, org_objects)
    notifications = _write_notifications(plan, users, now)
    return LoadResult(
        len(new_orgs), len(users), len(memberships), signins, notifications, len(history) - signins
    )


def _write_history(
    plan: Plan,
    history: list[tuple[datetime, int, bool]],
    users: list[User],
    org_objects: list[Organisation],
) -> int:
    """Append the sign-in history, skipping what an earlier demo load already recorded."""
    latest = AuditEvent.objects.filter(action=audit.SIGNIN_SUCCEEDED, data__demo=True).aggregate(
        latest=Max("at")
    )["latest"]
    events: list[AuditEvent] = []
    for at, index, failed in history:
        if latest is not None and at <= latest:
            continue
        person, user = plan.people[index], users[index]
        org_index = person.org
        common = {
            "actor_id": user.pk,
            "actor_email": user.email,
            "organisation_id": org_objects[org_index].pk,
            "via": AuditEvent.Via.WEB,
            "ip": f"{_NETWORKS[org_index % 3]}{org_index // 3 + 1}",
            "user_agent": _USER_AGENTS[index % len(_USER_AGENTS)],
        }
        if failed:
            events.append(
                AuditEvent(
                    at=at - timedelta(seconds=40),
                    action=audit.SIGNIN_FAILED,
                    data={"reason": "password", "demo": True},
                    **common,
                )
            )
        events.append(
            AuditEvent(at=at, action=audit.SIGNIN_SUCCEEDED, data={"demo": True}, **common)
        )
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return sum(1 for event in events if event.action == audit.SIGNIN_SUCCEEDED)


_NOTICES = {
    "ja": [
        ("demo.welcome", "JISPへようこそ（デモ環境）",
         "このデモの組織と人物はすべて架空です。自由に操作してください。", "core:home", False),
        ("demo.bulletin",
         "(プロ)【重要】大会関連の被害報告を装う不正プログラムを確認。開かないように注意を。",
         "対処調整センターからの情報提供です（デモ）。", "core:home", True),
        ("demo.bulletin", "(プロ)【重要】DDoS 攻撃キャンペーンに関する注意喚起",
         "対処調整センターからの情報提供です（デモ）。", "core:home", False),
    ],
    "en": [
        ("demo.welcome", "Welcome to JISP (demo)",
         "Every organisation and person in this demo is fictional. Feel free to try anything.",
         "core:home", False),
        ("demo.bulletin",
         "(Pro) [Important] Malware posing as a damage report about the Games: do not open it.",
         "Information from the coordination centre (demo).", "core:home", True),
        ("demo.bulletin", "(Pro) [Important] Alert on a DDoS attack campaign",
         "Information from the coordination centre (demo).", "core:home", False),
    ],
}  # fmt: skip


def _write_notifications(plan: Plan, users: list[User], now: datetime) -> int:
    """A few in-app notifications for the printed accounts (one already read)."""
    notes: list[Notification] = []
    for role in FEATURED_ROLES:
        index = plan.featured[role]
        user = users[index]
        for kind, title, body, url_name, read in _NOTICES[plan.people[index].language]:
            notes.append(
                Notification(
                    recipient_id=user.pk,
                    kind=kind,
                    title=title,
                    body=body,
                    url=reverse(url_name),
                    read_at=now if read else None,
                )
            )
    Notification.objects.bulk_create(notes)
    return len(notes)


def featured_accounts(plan: Plan) -> list[tuple[str, str, str]]:
    """(role, e-mail, TOTP secret or "") of the printed accounts."""
    return [
        (role, plan.people[index].email, plan.people[index].totp_secret)
        for role, index in plan.featured.items()
    ]
