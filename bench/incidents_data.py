"""Incidents benchmark data: 100,000 cases and 2,000,000 timeline entries over 10,000 organisations.

    .venv/bin/python bench/incidents_data.py [--backend sqlite|postgres] [--fresh]
                                             [--cases 100000] [--entries 2000000]

Into bench/out/bench_incidents.sqlite3 (SQLite) or the PostgreSQL database jisp_bench_incidents
(the foundation's data set in jisp_bench / bench.sqlite3 is not touched). The organisations,
people and memberships are the foundation's (``data.generate``: 10,000 organisations, 100,000
people, 100 centre staff in every centre role); on top of them, with set-based SQL
(``INSERT ... SELECT`` over a number series, the same statements on both databases):

* 100,000 reports (5% consultations; 12 categories; TLP mostly AMBER; 1 in 40 received by
  telephone and entered by the centre) and their 100,000 cases, ids 1..N. Cases 1..1,000 were
  all opened in the AM period of the benchmark day (``BENCH_DAY``: 17:00 the day before to
  09:00, Tokyo), the others over the 400 days before it. About 5% of the older cases and 40% of
  the benchmark day's are still open (new, triage, in progress, waiting): the centre's queue
  holds about 5,000 cases; the rest are resolved or closed. Assignees among the centre's staff;
* 2,000,000 timeline entries (20 per case: opened, routed, assigned, state changes, messages
  both ways, internal notes), 133,000 report recipients, 95,000 participants, 5,000 support
  requests to agencies and vendors, 10,000 tasks;
* 30 routing rules: the ministry in charge of each of the 22 sectors, law enforcement, the
  organiser, agencies; five of them match the report ``bench_incidents.py`` submits (the
  benchmarked member's sector, category DoS): ``MATCHING_RULES``.

Then ``ANALYZE``. Kept between runs (``--fresh`` rebuilds); a marker table
``bench_incidents_done`` records that a generation finished. ``--cases`` / ``--entries`` make a
smaller set for a quick check (the benchmark day keeps at most half the cases).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import data
from sharing_data import _series, _ts

NAME = "bench_incidents"
DB_NAME = "jisp_bench_incidents"
CASES = 100_000
ENTRIES = 2_000_000
BUSY = 1_000  # cases of the benchmark day's AM period
DAYS = 400
#: The day whose AM situation report is drafted; the data ends at its 09:00 (Tokyo).
BENCH_DAY = date(2026, 6, 1)
#: The AM period's start in UTC (17:00 Tokyo the day before) and the first day of the data.
BUSY_START_UTC = "2026-05-31 08:00:00"
EARLY_UTC = "2025-04-26 08:00:00"  # BUSY_START_UTC - 400 days
MATCHING_RULES = 5
CATEGORIES = ["cloud_outage", "system_failure", "site_unreachable", "dos", "defacement",
              "phishing", "malware", "unauthorised_access", "information_leak", "vulnerability",
              "physical_cyber", "other"]  # fmt: skip
OPEN = ["new", "triage", "in_progress", "waiting"]

TITLES = [
    "{a}の障害により{b}が利用しにくい", "{a}に対する{b}の疑い", "{a}で{b}を検知",
    "{a}の{b}について（相談）", "{a}のWebサイトで{b}", "{a}における{b}の発生",
]  # fmt: skip
WORDS_A = ["公式Webサイト", "クラウドサービス", "チケット販売サイト", "業務システム", "メールサーバ",
           "DNSサーバ", "入場管理システム", "ライブ配信", "会員サイト", "運行情報サイト",
           "予約システム", "社内ネットワーク"]  # fmt: skip
WORDS_B = ["閲覧障害", "DDoS攻撃", "不正アクセス", "改ざん", "不審な通信", "マルウェア感染",
           "アクセス集中", "情報漏えい", "フィッシング", "サービス停止"]  # fmt: skip
BODIES = [
    "受領しました。状況をお知らせください。", "復旧を確認しました。", "ログの保全をお願いします。",
    "影響範囲を確認中です。", "所管省庁に連絡済み。", "大会組織委員会と影響を確認。",
    "原因はクラウド事業者側の障害とのことです。", "攻撃元IPアドレスを共有します。",
]  # fmt: skip


def url(backend: str) -> str:
    return common.data_set_url(backend, NAME, DB_NAME)


def reset_database(backend: str) -> None:
    common.drop_data_set(backend, NAME, DB_NAME)


def setup(backend: str) -> None:
    """Start Django on the incidents benchmark database (created and migrated if needed)."""
    common.setup_data_set(backend, NAME, DB_NAME)


def is_present(cases: int = CASES) -> bool:
    """Whether a generation of ``cases`` cases finished (a smaller test set does not count)."""
    from django.db import connection

    if "bench_incidents_done" not in connection.introspection.table_names():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bench_incidents_done WHERE cases = %s", [cases])
        return bool(cursor.fetchone()[0])


def _plus(vendor: str, column: str, seconds_expr: str) -> str:
    """``column`` (a stored timestamp) plus ``seconds_expr`` seconds, as the database stores it."""
    if vendor == "postgresql":
        return f"({column} + ({seconds_expr}) * INTERVAL '1 second')"
    return f"strftime('%Y-%m-%d %H:%M:%S', {column}, '+' || ({seconds_expr}) || ' seconds')"


def people() -> dict[str, Any]:
    """Who the benchmark acts as, and the organisations the rules send to."""
    from jisp.core.choices import OrganisationCategory as Cat
    from jisp.core.choices import Role
    from jisp.core.models import Membership, Organisation, User

    centre = Organisation.objects.get(category=Cat.CENTRE)
    staff = Membership.objects.filter(organisation=centre).order_by("user_id")
    member = User.objects.get(email=data.MEMBER_EMAIL)
    first = {
        category: Organisation.objects.filter(category=category).order_by("pk").first()
        for category in (Cat.LAW_ENFORCEMENT, Cat.ORGANISER, Cat.AGENCY, Cat.SECURITY_CENTRE,
                         Cat.VENDOR)
    }  # fmt: skip
    return {
        "centre": centre,
        "handlers": list(
            staff.filter(role__in=[Role.INCIDENT_HANDLER, Role.INCIDENT_CONTROLLER]).values_list(
                "user_id", flat=True
            )
        ),
        "handler": User.objects.get(pk=staff.filter(role=Role.INCIDENT_HANDLER)[0].user_id),
        "controller": User.objects.get(pk=staff.filter(role=Role.INCIDENT_CONTROLLER)[0].user_id),
        "member": member,
        "member_org": member.memberships.order_by("organisation_id")[0].organisation,
        "first": first,
    }


def rules() -> int:
    """The routing rules: the 22 sector ministries, and five matching the benchmark's report."""
    from jisp.core.models import Sector
    from jisp.incidents.models import RoutingRule

    cast = people()
    sector = cast["member_org"].sector_id
    first = cast["first"]
    rows = [
        RoutingRule(name=f"所管省庁へ連絡（{s.name_ja}）", sector=s, sector_ministry=True,
                    kind="incident")
        for s in Sector.objects.order_by("position")
    ]  # fmt: skip
    rows += [
        RoutingRule(name="治安機関へ連絡（DoS）", category="dos", recipient=first["law_enforcement"]),
        RoutingRule(name="大会組織委員会へ連絡（DoS）", category="dos",
                    recipient=first["organiser"], grant="redacted"),
        RoutingRule(name="分野の情報センターへ連絡", sector_id=sector,
                    recipient=first["security_centre"], grant="redacted"),
        RoutingRule(name="情報セキュリティ関係機関へ連絡", kind="incident", recipient=first["agency"]),
        # Not matching the benchmark's report (another category, consultations only, inactive).
        RoutingRule(name="治安機関へ連絡（改ざん）", category="defacement",
                    recipient=first["law_enforcement"]),
        RoutingRule(name="CTI事業者へ連絡（マルウェア）", category="malware", recipient=first["vendor"]),
        RoutingRule(name="相談の共有", kind="consultation", recipient=first["agency"]),
        RoutingRule(name="旧ルール", recipient=first["vendor"], is_active=False),
    ]  # fmt: skip
    RoutingRule.objects.bulk_create(rows)
    return len(rows)


def generate(cases: int = CASES, entries: int = ENTRIES) -> list[tuple[str, int, float]]:
    """Write the reports, cases and timelines (the foundation's people must be there)."""
    from django.db import connection, transaction

    from jisp.core.choices import OrganisationCategory as Cat
    from jisp.core.models import Organisation

    vendor = connection.vendor
    pg = vendor == "postgresql"
    busy = min(BUSY, cases // 2)
    per_case = max(1, entries // cases)
    spacing = max(1, (DAYS * 86400 - 7200) // max(1, cases - busy))  # older cases: 1 h margins
    report: list[tuple[str, int, float]] = []

    def run(label: str, sql: str, params: Any = None, rows: int | None = None) -> None:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            count = cursor.rowcount if rows is None else rows
            if count < 0 and not pg:
                cursor.execute("SELECT changes()")
                count = cursor.fetchone()[0]
        seconds = time.perf_counter() - started
        report.append((label, count, seconds))
        print(f"  {label}: {count:,} rows in {seconds:.1f} s", flush=True)

    cast = people()
    members = [
        (pk, admin)
        for pk, admin in Organisation.objects.exclude(category=Cat.CENTRE)
        .order_by("pk")
        .values_list("pk", "memberships__user_id")
        .distinct()
    ]
    first_admin: dict[int, int] = {}
    for pk, user_id in members:
        if user_id is not None:
            first_admin.setdefault(pk, user_id)
    orgs = sorted(first_admin.items())
    helpers = list(
        Organisation.objects.filter(
            category__in=[Cat.AGENCY, Cat.VENDOR, Cat.LAW_ENFORCEMENT, Cat.SECURITY_CENTRE]
        ).order_by("pk").values_list("pk", flat=True)
    )  # fmt: skip
    texts = [
        (n, TITLES[n % len(TITLES)].format(a=WORDS_A[n % len(WORDS_A)],
                                           b=WORDS_B[(n // 7) % len(WORDS_B)]))
        for n in range(len(TITLES) * len(WORDS_A) * len(WORDS_B))
    ]  # fmt: skip
    opened_s = (f"(CASE WHEN g <= {busy} THEN {DAYS * 86400} + g * {57600 // max(busy, 1)} "
                f"ELSE 3600 + ({cases} - g) * {spacing} END)")  # fmt: skip
    jsonb = "::jsonb" if pg else ""

    with transaction.atomic():
        with connection.cursor() as cursor:
            if pg:
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if cursor.fetchone()[0]:  # consistent by construction: skip per-row FK checks
                    cursor.execute("SET LOCAL session_replication_role = replica")
            else:
                cursor.execute("PRAGMA cache_size = -1000000")
            for name in ("bench_org", "bench_staff", "bench_text", "bench_helper", "bench_cat",
                         "bench_body"):  # fmt: skip
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
            cursor.execute("CREATE TABLE bench_org (n INTEGER PRIMARY KEY, id BIGINT, "
                           "admin_id BIGINT)")  # fmt: skip
            cursor.executemany("INSERT INTO bench_org VALUES (%s, %s, %s)",
                               [(n, pk, admin) for n, (pk, admin) in enumerate(orgs)])  # fmt: skip
            cursor.execute("CREATE TABLE bench_staff (n INTEGER PRIMARY KEY, id BIGINT)")
            cursor.executemany("INSERT INTO bench_staff VALUES (%s, %s)",
                               list(enumerate(cast["handlers"])))  # fmt: skip
            cursor.execute("CREATE TABLE bench_helper (n INTEGER PRIMARY KEY, id BIGINT)")
            cursor.executemany("INSERT INTO bench_helper VALUES (%s, %s)", list(enumerate(helpers)))
            cursor.execute("CREATE TABLE bench_text (n INTEGER PRIMARY KEY, title TEXT)")
            cursor.executemany("INSERT INTO bench_text VALUES (%s, %s)", texts)
            cursor.execute("CREATE TABLE bench_cat (n INTEGER PRIMARY KEY, name TEXT)")
            cursor.executemany("INSERT INTO bench_cat VALUES (%s, %s)", list(enumerate(CATEGORIES)))
            cursor.execute("CREATE TABLE bench_body (n INTEGER PRIMARY KEY, body TEXT)")
            cursor.executemany("INSERT INTO bench_body VALUES (%s, %s)", list(enumerate(BODIES)))
            if "bench_incidents_done" in connection.introspection.table_names():
                cursor.execute("DELETE FROM bench_incidents_done")
            for table in ("incidents_timelineentry", "incidents_task", "incidents_caselink",
                          "incidents_supportrequest", "incidents_caseparticipant",
                          "incidents_situationreport_cases", "incidents_situationreport",
                          "incidents_case_topics", "incidents_case", "incidents_reportrecipient",
                          "incidents_reportupdate", "incidents_reportattachment",
                          "incidents_report", "incidents_routingrule",
                          "incidents_sitreprecipient"):  # fmt: skip
                cursor.execute(f"DELETE FROM {table}")  # a partial earlier run
        norgs, nstaff, ntext, nhelp = len(orgs), len(cast["handlers"]), len(texts), len(helpers)
        opened = _ts(vendor, opened_s, EARLY_UTC)
        before = lambda s: _ts(vendor, f"{opened_s} - {s}", EARLY_UTC)  # noqa: E731
        run("reports", f"""
            {_series(vendor, cases)}
            INSERT INTO incidents_report (id, kind, organisation_id, reporter_id, title,
                description, category, started_at, detected_at, affected_services,
                affected_systems, event_impact, public_awareness, support_wanted, indicators,
                tlp, channel, entered_by_id, status, created_at, updated_at, submitted_at)
            SELECT g, CASE WHEN g % 20 = 7 THEN 'consultation' ELSE 'incident' END, o.id,
                o.admin_id, t.title, t.title || '。' || b.body, c.name, {before(1800)},
                {before(600)}, '公式Webサイト', 'Webサーバ', 'unknown', 'unknown',
                '[]'{jsonb}, '',
                CASE WHEN g % 10 = 0 THEN 'green' WHEN g % 50 = 3 THEN 'amber+strict'
                     ELSE 'amber' END,
                CASE WHEN g % 40 = 0 THEN 'phone' ELSE 'platform' END,
                CASE WHEN g % 40 = 0 THEN st.id END,
                'submitted', {before(300)}, {opened}, {opened}
            FROM s
            JOIN bench_org o ON o.n = (g * 7919) % {norgs}
            JOIN bench_text t ON t.n = (g * 31) % {ntext}
            JOIN bench_body b ON b.n = g % {len(BODIES)}
            JOIN bench_cat c ON c.n = (g * 7) % {len(CATEGORIES)}
            JOIN bench_staff st ON st.n = g % {nstaff}
        """)  # fmt: skip
        open_when = f"(g <= {busy} AND g % 10 < 4) OR (g > {busy} AND g % 20 = 0)"
        state = (f"CASE WHEN {open_when} THEN CASE (g / 20) % 4 WHEN 0 THEN 'new' "
                 "WHEN 1 THEN 'triage' WHEN 2 THEN 'in_progress' ELSE 'waiting' END "
                 "WHEN g % 20 IN (18, 19) THEN 'resolved' ELSE 'closed' END")  # fmt: skip
        new = f"({open_when}) AND (g / 20) % 4 = 0"
        ended = f"NOT ({open_when})"
        run("cases", f"""
            {_series(vendor, cases)}
            INSERT INTO incidents_case (id, report_id, kind, title, organisation_id, category,
                tlp, state, severity, assignee_id, event_impact, impact_note, impact_assessed_at,
                impact_assessed_by_id, public_awareness, for_sitrep, merged_into_id, opened_at,
                acknowledged_at, first_response_at, resolved_at, closed_at, updated_at)
            SELECT g, g, r.kind, r.title, r.organisation_id, r.category, r.tlp, {state},
                CASE g % 4 WHEN 0 THEN 'low' WHEN 1 THEN 'medium' WHEN 2 THEN 'high'
                     ELSE 'critical' END,
                CASE WHEN {new} THEN NULL ELSE st.id END,
                CASE WHEN g % 50 = 0 THEN 'no' ELSE 'unknown' END, '', NULL, NULL,
                CASE WHEN g % 50 = 0 THEN 'yes' ELSE 'unknown' END, (g % 50 = 0), NULL, {opened},
                CASE WHEN {new} THEN NULL ELSE {_ts(vendor, f"{opened_s} + 600", EARLY_UTC)} END,
                CASE WHEN {new} OR g % 3 = 0 THEN NULL
                     ELSE {_ts(vendor, f"{opened_s} + 1800", EARLY_UTC)} END,
                CASE WHEN {ended} THEN {_ts(vendor, f"{opened_s} + 7200", EARLY_UTC)} END,
                CASE WHEN {ended} AND g % 20 NOT IN (18, 19)
                     THEN {_ts(vendor, f"{opened_s} + 86400", EARLY_UTC)} END,
                {_ts(vendor, f"{opened_s} + 3600", EARLY_UTC)}
            FROM s JOIN incidents_report r ON r.id = g
            JOIN bench_staff st ON st.n = (g * 13) % {nstaff}
        """)  # fmt: skip
        if pg:
            for table in ("incidents_report", "incidents_case"):
                run(
                    f"({table} sequence)",
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {cases})",
                    rows=0,
                )
        run("report recipients", f"""
            {_series(vendor, cases)}, k(j) AS (SELECT 1 UNION ALL SELECT 2)
            INSERT INTO incidents_reportrecipient (report_id, organisation_id, "grant", rule_id,
                added_by_id, routed_at)
            SELECT g, o.id, CASE WHEN j = 1 THEN 'full' ELSE 'redacted' END, NULL, NULL,
                {opened}
            FROM s JOIN k ON j = 1 OR g % 3 = 0
            JOIN bench_org o ON o.n = (g * 31 + j) % {norgs}
        """)  # fmt: skip
        run("participants", f"""
            {_series(vendor, cases)}
            INSERT INTO incidents_caseparticipant (case_id, user_id, role, added_at)
            SELECT c.id, c.assignee_id, 'handler', c.opened_at
            FROM s JOIN incidents_case c ON c.id = g WHERE c.assignee_id IS NOT NULL
        """)  # fmt: skip
        at = _plus(vendor, "c.opened_at", "k.j * 900")
        run("timeline entries", f"""
            {_series(vendor, cases)}, k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k
                                               WHERE j + 1 < {per_case})
            INSERT INTO incidents_timelineentry (case_id, kind, audience, support_request_id,
                author_id, body, data, created_at)
            SELECT c.id,
                CASE WHEN k.j = 0 THEN 'created' WHEN k.j = 1 THEN 'routed'
                     WHEN k.j = 2 THEN 'assigned' WHEN k.j % 5 = 3 THEN 'state'
                     WHEN k.j % 3 = 1 THEN 'note' ELSE 'message' END,
                CASE WHEN k.j = 0 OR k.j % 5 = 3 THEN 'reporter'
                     WHEN k.j IN (1, 2) OR k.j % 3 = 1 THEN 'centre' ELSE 'reporter' END,
                NULL,
                CASE WHEN k.j = 0 OR (k.j > 2 AND k.j % 2 = 0) THEN r.reporter_id
                     ELSE st.id END,
                CASE WHEN k.j < 3 OR k.j % 5 = 3 THEN '' ELSE b.body END,
                '{{}}'{jsonb}, {at}
            FROM s JOIN incidents_case c ON c.id = g
            JOIN incidents_report r ON r.id = g
            JOIN bench_staff st ON st.n = (g * 13) % {nstaff}
            JOIN k ON TRUE
            JOIN bench_body b ON b.n = (g + k.j) % {len(BODIES)}
        """)  # fmt: skip
        run("support requests", f"""
            {_series(vendor, cases)}
            INSERT INTO incidents_supportrequest (case_id, organisation_id, kinds, message, state,
                requested_by_id, requested_at, answered_by_id, answered_at, answer_note, findings,
                closed_at)
            SELECT c.id, h.id, '["advice"]'{jsonb}, '助言をお願いします。',
                CASE (g / 20) % 5 WHEN 0 THEN 'requested' WHEN 1 THEN 'accepted'
                     WHEN 2 THEN 'declined' WHEN 3 THEN 'reported' ELSE 'closed' END,
                c.assignee_id, c.opened_at, NULL, NULL, '', '', NULL
            FROM s JOIN incidents_case c ON c.id = g
            JOIN bench_helper h ON h.n = g % {max(nhelp, 1)}
            WHERE g % 20 = 5
        """)  # fmt: skip
        run("tasks", f"""
            {_series(vendor, cases)}
            INSERT INTO incidents_task (case_id, title, assignee_id, due_at, done_at,
                created_by_id, created_at)
            SELECT c.id, 'ログの保全を依頼', c.assignee_id, c.updated_at,
                CASE WHEN c.state IN ('resolved', 'closed') THEN c.updated_at END,
                c.assignee_id, c.opened_at
            FROM s JOIN incidents_case c ON c.id = g WHERE g % 10 = 1
        """)  # fmt: skip
        started = time.perf_counter()
        count = rules()
        report.append(("routing rules", count, time.perf_counter() - started))
        from jisp.incidents.models import SitrepRecipient

        SitrepRecipient.objects.bulk_create([
            SitrepRecipient(kind="situation", name="セキュリティ調整センター",
                            email="scc@scc.bench.example"),
            SitrepRecipient(kind="organiser", name="大会組織委員会", email="cyber@org.bench.example"),
        ])  # fmt: skip
        with connection.cursor() as cursor:
            for name in ("bench_org", "bench_staff", "bench_text", "bench_helper", "bench_cat",
                         "bench_body"):  # fmt: skip
                cursor.execute(f"DROP TABLE {name}")
            cursor.execute("CREATE TABLE IF NOT EXISTS bench_incidents_done (done_at TEXT, "
                           "cases INTEGER)")  # fmt: skip
            cursor.execute("INSERT INTO bench_incidents_done VALUES (%s, %s)",
                           [time.ctime(), cases])  # fmt: skip
    report.append(common.analyze())
    return report


def sizes() -> dict[str, int]:
    """Rows per table (for the reports)."""
    return common.counts(
        [
            ("organisations", "SELECT COUNT(*) FROM core_organisation"),
            ("people", "SELECT COUNT(*) FROM core_user"),
            ("reports", "SELECT COUNT(*) FROM incidents_report"),
            ("cases", "SELECT COUNT(*) FROM incidents_case"),
            ("open cases", "SELECT COUNT(*) FROM incidents_case WHERE state IN "
                           "('new', 'triage', 'in_progress', 'waiting')"),
            ("timeline entries", "SELECT COUNT(*) FROM incidents_timelineentry"),
            ("report recipients", "SELECT COUNT(*) FROM incidents_reportrecipient"),
            ("support requests", "SELECT COUNT(*) FROM incidents_supportrequest"),
            ("routing rules", "SELECT COUNT(*) FROM incidents_routingrule"),
        ]
    )  # fmt: skip


def ensure(
    backend: str, fresh: bool = False, cases: int = CASES, entries: int = ENTRIES
) -> list[tuple[str, int, float]]:
    """Django on the incidents benchmark database, with the data generated if it is missing."""
    if fresh:
        reset_database(backend)
    setup(backend)
    if is_present(cases):
        return []
    report: list[tuple[str, int, float]] = []
    if not data.is_present():
        print("Organisations and people (the foundation's generator):", flush=True)
        seconds, made = common.timed(data.generate)
        report += made
        report.append(("organisations and people, total", 0, seconds))
    print("Reports, cases and timelines:", flush=True)
    seconds, made = common.timed(lambda: generate(cases, entries))
    report += made
    report.append(("reports, cases and timelines, total", 0, seconds))
    common.write_result(f"incidents_data-{backend}", {"backend": common.vendor(), "steps": report,
                                                      "sizes": sizes()})  # fmt: skip
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the data")
    parser.add_argument("--cases", type=int, default=CASES, help="cases (and reports) to make")
    parser.add_argument("--entries", type=int, default=None,
                        help="timeline entries (default: 20 per case)")  # fmt: skip
    args = parser.parse_args()
    entries = args.entries if args.entries is not None else args.cases * (ENTRIES // CASES)
    report = ensure(args.backend, args.fresh, args.cases, entries)
    if not report:
        print(f"Incidents benchmark data already present ({common.vendor()}); --fresh rebuilds it.")
        return
    rows = [(name, f"{rows:,}" if rows else "-", seconds) for name, rows, seconds in report]
    print(common.table(["step", "rows", "seconds"], rows,
                       title=f"Incidents benchmark data on {common.vendor()}"))  # fmt: skip
    print(common.table(["table", "rows"], [(k, f"{v:,}") for k, v in sizes().items()]))


if __name__ == "__main__":
    main()
