"""Benchmark data: 10,000 organisations and 100,000 people with memberships, in a dedicated database.

    .venv/bin/python bench/data.py [--backend sqlite|postgres] [--fresh]

Into bench/out/bench.sqlite3 (SQLite) or the PostgreSQL database jisp_bench (see common.py). Made
with bulk_create in batches inside one transaction; every person gets the same password hash
(computed once), as in the demo. Besides people and memberships: 100,000 notifications and
100,000 sign-in audit events over 30 days, so that the tables the pages read are not empty.
Kept between runs: if the data is there already, nothing is done (use --fresh to rebuild).

The benchmarked member is ``member@o00100.bench.example``: a plain member of a 25-person operator,
with 30 notifications (10 unread).
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

ORGANISATIONS = 10_000
PEOPLE = 100_000
NOTIFICATIONS = 100_000
SIGNINS = 100_000
BATCH = 2_000
SEED = 10_000
MEMBER_EMAIL = "member@o00100.bench.example"
MEMBER_ORG_SIZE = 25
PASSWORD = "bench-password-2020"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

CATEGORY_WEIGHTS = {
    "operator": 60, "venue": 12, "sports": 8, "organiser": 6, "ministry": 2, "agency": 1,
    "law_enforcement": 3, "security_centre": 2, "vendor": 2,
}  # fmt: skip


def reset_database(backend: str) -> None:
    """Drop the benchmark database (before Django starts)."""
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            path = common.OUT / f"bench.sqlite3{suffix}"
            path.unlink(missing_ok=True)
        return
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(common.postgres_url())
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{common.BENCH_DB_NAME}" WITH (FORCE)')


def is_present() -> bool:
    from jisp.core.models import Organisation, User

    return (
        User.objects.filter(email=MEMBER_EMAIL).exists()
        and Organisation.objects.count() >= ORGANISATIONS
        and User.objects.count() >= PEOPLE
    )


def generate() -> list[tuple[str, int, float]]:
    """Write everything; returns (table, rows, seconds) for the report."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from jisp.core import audit
    from jisp.core.choices import CENTRE_ROLES, TWO_FACTOR_ROLES, Role
    from jisp.core.demo import names
    from jisp.core.demo.organisations import PREFIXES
    from jisp.core.models import AuditEvent, Membership, Notification, Organisation, Sector, User

    rng = random.Random(SEED)
    report: list[tuple[str, int, float]] = []
    now = timezone.now()
    with transaction.atomic():
        # Organisations (the reference ones from migration 0003 count towards the 10,000).
        sectors = list(Sector.objects.values_list("pk", "name_ja"))
        existing = list(Organisation.objects.order_by("pk"))
        categories = list(CATEGORY_WEIGHTS)
        weights = list(CATEGORY_WEIGHTS.values())
        new_orgs = []
        for n in range(len(existing), ORGANISATIONS):
            category = "operator" if n == 100 else rng.choices(categories, weights)[0]
            sector = rng.choice(sectors) if category == "operator" else None
            prefix, romaji = rng.choice(PREFIXES)
            label = sector[1] if sector else category
            new_orgs.append(
                Organisation(
                    name=f"{prefix}{label}サービス株式会社 第{n:05d}",
                    name_en=f"{romaji} Services No. {n:05d} Co., Ltd.",
                    category=category,
                    sector_id=sector[0] if sector else None,
                    listed=rng.random() > 0.02,
                )
            )
        seconds, _ = common.timed(
            lambda: Organisation.objects.bulk_create(new_orgs, batch_size=BATCH)
        )
        orgs = existing + new_orgs
        report.append(("organisations", len(new_orgs), seconds))

        # People: one per organisation first (its administrator), the rest skewed to large ones.
        centre_index = next(i for i, org in enumerate(orgs) if org.category == "centre")
        owner = list(range(ORGANISATIONS))
        sizes = [rng.paretovariate(1.3) for _ in range(ORGANISATIONS)]
        sizes[100] = 0.0  # the benchmarked member's organisation gets exactly MEMBER_ORG_SIZE
        sizes[centre_index] = 0.0
        rest = PEOPLE - ORGANISATIONS - (MEMBER_ORG_SIZE - 1) - 99
        owner += rng.choices(range(ORGANISATIONS), weights=sizes, k=rest)
        owner += [100] * (MEMBER_ORG_SIZE - 1) + [centre_index] * 99
        encoded = make_password(PASSWORD)
        seen_org: dict[int, int] = {}
        users: list[User] = []
        roles: list[str] = []
        centre_roles = [*sorted(CENTRE_ROLES), Role.AUDITOR]
        member_placed = False
        for i, org_index in enumerate(owner):
            count = seen_org.get(org_index, 0)
            seen_org[org_index] = count + 1
            if org_index == centre_index and count > 1:
                role = centre_roles[count % len(centre_roles)]
            elif count == 0 or (count == 1 and rng.random() < 0.3):
                role = Role.ORG_ADMIN
            else:
                role = Role.MEMBER
            family, family_r = rng.choice(names.FAMILY_NAMES)
            given, given_r = rng.choice(names.GIVEN_NAMES)
            email = f"u{i:06d}@o{org_index:05d}.bench.example"
            if org_index == 100 and role == Role.MEMBER and not member_placed:
                email, member_placed = MEMBER_EMAIL, True
            two_factor = role in TWO_FACTOR_ROLES
            users.append(
                User(
                    email=email,
                    name=f"{family} {given}",
                    name_en=f"{given_r} {family_r}",
                    password=encoded,
                    date_joined=now - timedelta(days=rng.randint(1, 900)),
                    totp_secret=TOTP_SECRET if two_factor else "",
                    totp_confirmed_at=now if two_factor else None,
                )
            )
            roles.append(role)
        seconds, _ = common.timed(lambda: User.objects.bulk_create(users, batch_size=BATCH))
        report.append(("people", len(users), seconds))

        memberships = [
            Membership(user_id=user.pk, organisation_id=orgs[org_index].pk, role=role)
            for user, org_index, role in zip(users, owner, roles, strict=True)
        ]
        # About 5% also belong to a second organisation (partners, shared services).
        for user in rng.sample(users, PEOPLE // 20):
            if user.email == MEMBER_EMAIL:
                continue
            memberships.append(
                Membership(user_id=user.pk, organisation_id=rng.choice(orgs).pk, role=Role.MEMBER)
            )
        seconds, _ = common.timed(
            lambda: Membership.objects.bulk_create(
                memberships, batch_size=BATCH, ignore_conflicts=True
            )
        )
        report.append(("memberships", len(memberships), seconds))

        member = next(user for user in users if user.email == MEMBER_EMAIL)
        notes = [
            Notification(
                recipient_id=member.pk if n < 30 else rng.choice(users).pk,
                kind="bench.notice",
                title=f"(プロ)【注意喚起】ベンチマーク用のお知らせ {n}",
                body="ベンチマーク用のデータです。",
                url="/",
                read_at=None if (n < 10 or (n >= 30 and rng.random() < 0.4)) else now,
            )
            for n in range(NOTIFICATIONS)
        ]
        seconds, _ = common.timed(lambda: Notification.objects.bulk_create(notes, batch_size=BATCH))
        report.append(("notifications", len(notes), seconds))

        events = []
        for _n in range(SIGNINS):
            index = rng.randrange(len(users))
            user = users[index]
            events.append(
                AuditEvent(
                    at=now - timedelta(seconds=rng.randrange(30 * 86400)),
                    action=audit.SIGNIN_SUCCEEDED,
                    actor_id=user.pk,
                    actor_email=user.email,
                    organisation_id=orgs[owner[index]].pk,
                    ip=f"198.51.100.{index % 250 + 1}",
                    user_agent="Mozilla/5.0 (bench)",
                    data={"bench": True},
                )
            )
        seconds, _ = common.timed(lambda: AuditEvent.objects.bulk_create(events, batch_size=BATCH))
        report.append(("sign-in audit events", len(events), seconds))
    return report


def ensure(backend: str, fresh: bool = False) -> list[tuple[str, int, float]]:
    """Set up Django on the benchmark database and make sure the data is there."""
    if fresh:
        reset_database(backend)
    if backend == "postgres":
        problem = common.ensure_postgres_database(common.postgres_url())
        if problem:
            raise SystemExit(problem)
    common.setup_django(backend)
    if is_present():
        return []
    from django.db import connection

    seconds, report = common.timed(generate)
    report.append(("total", sum(rows for _t, rows, _s in report), seconds))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics for the query planner, on both databases
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the data")
    args = parser.parse_args()
    report = ensure(args.backend, args.fresh)
    if not report:
        print(f"Benchmark data already present ({common.vendor()}); use --fresh to rebuild.")
        return
    rows = [(name, f"{rows:,}", seconds, rows / seconds if seconds else 0.0)
            for name, rows, seconds in report]  # fmt: skip
    print(common.table(["table", "rows", "seconds", "rows/s"], rows,
                       title=f"Benchmark data on {common.vendor()}"))  # fmt: skip


if __name__ == "__main__":
    main()
