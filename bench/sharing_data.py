"""Sharing benchmark data: 1,000,000 topics and 10,000,000 views over 10,000 organisations.

    .venv/bin/python bench/sharing_data.py [--backend sqlite|postgres] [--fresh]

Into bench/out/bench_sharing.sqlite3 (SQLite) or the PostgreSQL database jisp_bench_sharing (the
foundation's data set lives in jisp_bench / bench.sqlite3 and is not touched). The organisations,
people and memberships are the foundation's (``data.generate``: 10,000 organisations, 100,000
people, the benchmarked member ``member@o00100.bench.example``); on top of them, with set-based
SQL (``INSERT ... SELECT`` over a recursive CTE, the same statements on both databases):

* 1,000,000 topics over three years: 70% for everyone, 20% for 1–3 sectors, 10% for 1–5
  organisations; TLP CLEAR / GREEN / AMBER, AMBER+STRICT only towards organisations; 30% from
  the centre; 1% drafts and 1% waiting for review; 5 pinned. Their text is drawn from 20,000
  variants built in Python from a vocabulary of Japanese and English security terms, with
  ``search.index_text`` (the same tokens the service writes); 2 tags each;
* one version per topic (1,000,000) and 300,000 comments (3 on every tenth topic);
* 10,000,000 recorded views: 5,000,000 readings (``TopicView``: 50 topics for each of the
  100,000 people, counts 1 or 3, 10,000,000 in all) and 2,000,000 hourly tallies (``ViewEvent``:
  two hours per topic, about 10,000,000 in all);

The full-text index is rebuilt once at the end rather than row by row (FTS5 ``rebuild`` on SQLite,
``CREATE INDEX`` on PostgreSQL), then ``ANALYZE``. Kept between runs (``--fresh`` rebuilds); a
marker table ``bench_sharing_done`` records that a generation finished.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import data

NAME = "bench_sharing"
DB_NAME = "jisp_bench_sharing"
TOPICS = 1_000_000
READINGS_PER_PERSON = 50
VIEWS = 10_000_000
VARIANTS = 20_000
COMMENTED_EVERY = 10
COMMENTS_EACH = 3
SEED = 20_21

#: Japanese terms and how often (in % of topics) each is drawn; the benchmarked search terms
#: are given a known frequency, the others share the rest.
JA_TERMS: dict[str, float] = {
    "不正プログラム": 2.0, "フィッシング": 8.0, "ランサムウェア": 3.0, "偽ライブ配信": 1.0,
    "標的型メール": 2.0, "脆弱性": 10.0, "不審ドメイン": 4.0, "攻撃予告": 1.5,
}  # fmt: skip
JA_OTHERS = [
    "マルウェア", "ワイパー", "改ざん", "情報漏えい", "不正アクセス", "不正通信", "遠隔操作",
    "バックドア", "認証情報", "パスワード", "多要素認証", "ダークウェブ", "偽サイト", "偽アプリ",
    "クレジットカード", "個人情報", "サービス妨害", "大量アクセス", "閲覧障害", "システム障害",
    "クラウドサービス", "修正プログラム", "回避策", "攻撃コード", "権限昇格", "任意コード実行",
    "踏み台", "ボットネット", "不審メール", "添付ファイル", "マクロ", "ショートカット",
    "スクリプト", "ログ", "監視", "検知", "遮断", "隔離", "初動対応", "復旧", "影響範囲",
    "注意喚起", "情報提供", "観測情報", "脅威情報", "攻撃者", "攻撃基盤", "通信先", "ハッシュ値",
    "送信元", "なりすまし", "ビジネスメール詐欺", "サプライチェーン", "委託先", "リモートワーク",
    "テレワーク", "ルーター", "ファイアウォール", "仮想専用線", "公開サーバ", "内部不正",
    "暗号化", "身代金", "二重脅迫", "大会関係組織", "競技会場", "公式サイト", "チケット",
    "ライブ配信", "開会式", "閉会式", "聖火リレー", "選手村", "ボランティア", "交通機関",
    "電力供給", "水道", "放送", "通信障害", "決済", "航空", "鉄道", "空港", "病院", "自治体",
]  # fmt: skip
EN_TERMS = [
    "emotet", "trickbot", "mirai", "cobalt", "strike", "ddos", "phishing", "ransomware", "xss",
    "sql", "injection", "vpn", "rdp", "exchange", "proxylogon", "printnightmare", "log", "ioc",
    "c2", "botnet", "wiper", "apt", "spear", "credential", "stuffing", "zero", "day", "patch",
    "cve", "exploit", "webshell", "defacement", "dns", "amplification", "http", "flood",
]  # fmt: skip
EN_FREQUENT = {"emotet": 1.0, "ddos": 5.0}
TITLES = [
    "【重要】{a}に関する注意喚起", "【注意喚起】{a}を悪用した{b}について", "【情報】{a}の観測状況",
    "(プロ)【注意喚起】{a}の{b}について", "【情報】{a}と{b}の動向", "【回答】ご相談の{a}について",
    "(プロ)【情報】{a}に関するレポート", "【重要】{a}による{b}の確認",
]  # fmt: skip
SENTENCES = [
    "{a}に関する情報を確認しました。", "{a}を悪用した{b}が観測されています。",
    "{a}の被害を防ぐため、{b}を確認してください。", "{a}と{b}の関連が疑われます。",
    "現時点で大会運営への影響はありません。", "{a}を検知した場合は対処調整センターへ報告してください。",
]  # fmt: skip
TAGS = ["DDoS", "フィッシング", "マルウェア", "偽ライブ配信", "Emotet", "脆弱性", "ランサムウェア",
        "不審ドメイン", "ダークウェブ", "標的型メール", "IoC", "Webサイト改ざん", "攻撃予告",
        "ワイパー", "観測情報", "クラウド障害", "不正通信", "SNS", "相談", "活動状況"]  # fmt: skip


def url(backend: str) -> str:
    return common.data_set_url(backend, NAME, DB_NAME)


def reset_database(backend: str) -> None:
    common.drop_data_set(backend, NAME, DB_NAME)


def setup(backend: str) -> None:
    """Start Django on the sharing benchmark database (created and migrated if needed)."""
    common.setup_data_set(backend, NAME, DB_NAME)


def is_present() -> bool:
    from django.db import connection

    if "bench_sharing_done" not in connection.introspection.table_names():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bench_sharing_done")
        return bool(cursor.fetchone()[0])


# --- Text ----------------------------------------------------------------------------------------


def _pick(rng: random.Random, frequent: dict[str, float], others: list[str], per_text: int) -> str:
    for term, percent in frequent.items():
        if rng.random() < percent / 100:
            return term
    return rng.choice(others)


def variants(rng: random.Random) -> list[tuple[Any, ...]]:
    """(n, title, summary, body, body_html, actions JSON, search_text) text variants."""
    from jisp.sharing import search
    from jisp.sharing.services.topics import render_markdown

    rows = []
    for n in range(VARIANTS):
        # Every frequent term gets its chance once per text: P(text has it) ~= its percentage.
        chosen = [term for term, pct in JA_TERMS.items() if rng.random() < pct / 100]
        chosen += rng.sample(JA_OTHERS, 4)
        rng.shuffle(chosen)
        english = [term for term, pct in EN_FREQUENT.items() if rng.random() < pct / 100]
        english += rng.sample(EN_TERMS, 3)
        title = rng.choice(TITLES).format(a=chosen[0], b=chosen[1])
        summary = "".join(
            rng.choice(SENTENCES).format(a=chosen[i % len(chosen)], b=chosen[(i + 1) % len(chosen)])
            for i in range(2, 5)
        )
        body = (
            f"## 概要\n\n{summary}\n\n## 関連\n\n- " + "\n- ".join(english) + "\n\n"
            f"| 種別 | 値 |\n|---|---|\n| SHA-256 | `{rng.getrandbits(256):064x}` |\n"
        )
        actions = [f"{chosen[-1]}を確認する", "異常があれば報告する"]
        tags = [TAGS[n % len(TAGS)], TAGS[(n * 7 + 3) % len(TAGS)]]
        text = search.index_text(title, summary, body, " ".join(actions), " ".join(tags))
        rows.append((n, title, summary, body, render_markdown(body),
                     json.dumps(actions, ensure_ascii=False), text))  # fmt: skip
    return rows


# --- Generation ----------------------------------------------------------------------------------


def _series(vendor: str, n: int, start: int = 1, step: int = 1) -> str:
    """A CTE ``s(g)`` of big integers start, start + step, ... <= n (and room for more CTEs)."""
    if vendor == "postgresql":
        return f"WITH RECURSIVE s(g) AS (SELECT generate_series({start}::bigint, {n}, {step}))"
    return (
        f"WITH RECURSIVE s(g) AS (SELECT {start} UNION ALL SELECT g + {step} FROM s "
        f"WHERE g + {step} <= {n})"
    )


def _ts(vendor: str, seconds_expr: str, base: str) -> str:
    """A timestamp ``base`` + ``seconds_expr`` seconds (UTC), as each database stores it."""
    if vendor == "postgresql":
        return f"(TIMESTAMPTZ '{base}+00' + ({seconds_expr}) * INTERVAL '1 second')"
    return f"strftime('%Y-%m-%d %H:%M:%S', '{base}', '+' || ({seconds_expr}) || ' seconds')"


def generate() -> list[tuple[str, int, float]]:
    """Write the topics and views (the foundation's people must be there); (table, rows, s)."""
    from django.db import connection, transaction

    from jisp.core.choices import OrganisationCategory
    from jisp.core.models import Membership, Organisation, User
    from jisp.sharing.models import Tag

    vendor = connection.vendor
    pg = vendor == "postgresql"
    rng = random.Random(SEED)
    report: list[tuple[str, int, float]] = []

    def run(label: str, sql: str, params: Any = None, rows: int | None = None) -> None:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            count = cursor.rowcount if rows is None else rows
            if count < 0 and not pg:  # sqlite3 reports no row count for WITH ... INSERT
                cursor.execute("SELECT changes()")
                count = cursor.fetchone()[0]
        seconds = time.perf_counter() - started
        report.append((label, count, seconds))
        print(f"  {label}: {count:,} rows in {seconds:.1f} s", flush=True)

    centre = Organisation.objects.get(category=OrganisationCategory.CENTRE).pk
    org_rows = list(Organisation.objects.order_by("pk").values_list("pk", "sector_id"))
    admins: dict[int, int] = {}
    for org_id, user_id in Membership.objects.order_by("role", "user_id").values_list(
        "organisation_id", "user_id"
    ):
        admins.setdefault(org_id, user_id)  # "member" sorts before "org_admin": first person
    user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    first_org: dict[int, int] = {}
    for user_id, org_id in Membership.objects.order_by("organisation_id").values_list(
        "user_id", "organisation_id"
    ):
        first_org.setdefault(user_id, org_id)  # as record_view: the smallest organisation id
    sectors = sorted({sector for _pk, sector in org_rows if sector})
    text_rows = variants(rng)

    with transaction.atomic():
        with connection.cursor() as cursor:
            if pg:
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                cursor.execute("SET LOCAL work_mem = '64MB'")
                # The rows are consistent by construction: skip the deferred per-row foreign-key
                # checks (10 million trigger calls at commit). Needs a superuser; else they run.
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if cursor.fetchone()[0]:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            else:
                cursor.execute("PRAGMA cache_size = -1000000")
            for table in ("bench_text", "bench_org", "bench_user", "bench_sector"):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(
                "CREATE TABLE bench_text (n INTEGER PRIMARY KEY, title TEXT, summary TEXT, "
                "body TEXT, body_html TEXT, actions TEXT, search_text TEXT)"
            )
            cursor.executemany("INSERT INTO bench_text VALUES (%s, %s, %s, %s, %s, %s, %s)",
                               text_rows)  # fmt: skip
            cursor.execute("CREATE TABLE bench_org (n INTEGER PRIMARY KEY, id BIGINT, "
                           "admin_id BIGINT)")  # fmt: skip
            cursor.executemany(
                "INSERT INTO bench_org VALUES (%s, %s, %s)",
                [(n, pk, admins.get(pk, user_ids[0])) for n, (pk, _s) in enumerate(org_rows)],
            )
            cursor.execute(
                "CREATE TABLE bench_user (n INTEGER PRIMARY KEY, id BIGINT, org_id BIGINT)"
            )
            cursor.executemany(
                "INSERT INTO bench_user VALUES (%s, %s, %s)",
                [(n, pk, first_org.get(pk)) for n, pk in enumerate(user_ids)],
            )
            cursor.execute("CREATE TABLE bench_sector (n INTEGER PRIMARY KEY, id BIGINT)")
            cursor.executemany("INSERT INTO bench_sector VALUES (%s, %s)", list(enumerate(sectors)))
            # The full-text index is built once at the end, not row by row: keep the definitions
            # the migrations made (GIN indexes; the FTS5 insert trigger), drop, recreate after.
            if pg:
                cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = "
                               "'sharing_topic' AND indexdef LIKE '%%USING gin%%'")  # fmt: skip
            else:
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
                               "name = 'sharing_topic_fts_insert'")  # fmt: skip
            deferred = cursor.fetchall()
            for name, _sql in deferred:
                cursor.execute(f"DROP {'INDEX' if pg else 'TRIGGER'} IF EXISTS {name}")
            for table in ("sharing_comment", "sharing_viewevent", "sharing_topicview",
                          "sharing_topicversion", "sharing_topic_tags",
                          "sharing_topic_audience_sectors", "sharing_topic_audience_organisations",
                          "sharing_topic_audience_people", "sharing_acknowledgement",
                          "sharing_topic", "sharing_tag"):  # fmt: skip
                cursor.execute(f"DELETE FROM {table}")  # a partial earlier run
        orgs, people, nsec = len(org_rows), len(user_ids), len(sectors)
        centre_n = next(n for n, (pk, _s) in enumerate(org_rows) if pk == centre)
        h = "((g * 2654435761) % 1000)"  # a well-mixed 0..999 per topic
        seconds_per_topic = 3 * 365 * 86400 // TOPICS
        published = _ts(vendor, f"g * {seconds_per_topic}", "2023-06-01 00:00:00")
        false = "FALSE"
        actions = "t.actions::jsonb" if pg else "t.actions"
        run("topics", f"""
            {_series(vendor, TOPICS)}
            INSERT INTO sharing_topic (id, tlp, audience, title, summary, actions, body, body_html,
                category, professional, valid_until, pinned, requires_ack, status, anonymous,
                version, review_note, created_at, updated_at, published_at, view_count,
                viewer_count, search_text, created_by_id, organisation_id, reviewed_by_id)
            SELECT g,
                CASE WHEN {h} < 700 THEN
                         CASE WHEN g % 10 = 0 THEN 'clear' WHEN g % 2 = 0 THEN 'green'
                              ELSE 'amber' END
                     WHEN {h} < 900 THEN CASE WHEN g % 2 = 0 THEN 'green' ELSE 'amber' END
                     ELSE CASE WHEN g % 5 < 2 THEN 'amber+strict' ELSE 'amber' END END,
                CASE WHEN {h} < 700 THEN 'everyone' WHEN {h} < 900 THEN 'sectors'
                     ELSE 'organisations' END,
                t.title, t.summary, {actions}, t.body, t.body_html,
                CASE WHEN g % 20 = 0 THEN 'important' WHEN g % 20 < 7 THEN 'alert'
                     WHEN g % 20 < 19 THEN 'information' ELSE 'advisory_answer' END,
                (g % 3 = 0), NULL, (g % 200000 = 0), {false},
                CASE WHEN g % 100 = 0 THEN 'draft' WHEN g % 100 = 1 THEN 'pending_review'
                     ELSE 'published' END,
                (g % 20 = 7 AND (g * 7) % 10 >= 3), 1, '',
                {published}, {published},
                CASE WHEN g % 100 IN (0, 1) THEN NULL ELSE {published} END,
                CASE WHEN g % 100 IN (0, 1) THEN 0 WHEN g % 5 = 0 THEN 5 + g % 13 ELSE 4 + g % 13 END,
                CASE WHEN g % 100 IN (0, 1) THEN 0 ELSE 5 END,
                t.search_text, o.admin_id, o.id, NULL
            FROM s
            JOIN bench_text t ON t.n = (g * 48271) % {VARIANTS}
            JOIN bench_org o ON o.n = CASE WHEN (g * 7) % 10 < 3 THEN {centre_n}
                                           ELSE (g * 7919) % {orgs} END
        """)  # fmt: skip
        if pg:
            run("(sequence)", "SELECT setval(pg_get_serial_sequence('sharing_topic', 'id'), "
                f"{TOPICS})", rows=0)  # fmt: skip
        run("topic sectors", f"""
            {_series(vendor, TOPICS)}, k(j) AS (SELECT 0 UNION ALL SELECT 1 UNION ALL SELECT 2)
            INSERT INTO sharing_topic_audience_sectors (topic_id, sector_id)
            SELECT g, x.id FROM s JOIN k ON j <= g % 3
            JOIN bench_sector x ON x.n = (g + j * 7) % {nsec}
            WHERE {h} >= 700 AND {h} < 900
        """)  # fmt: skip
        run("topic organisations", f"""
            {_series(vendor, TOPICS)}, k(j) AS (SELECT 0 UNION ALL SELECT 1 UNION ALL SELECT 2
                                        UNION ALL SELECT 3 UNION ALL SELECT 4)
            INSERT INTO sharing_topic_audience_organisations (topic_id, organisation_id)
            SELECT g, o.id FROM s JOIN k ON j <= g % 5
            JOIN bench_org o ON o.n = (g * 31 + j * 997) % {orgs}
            WHERE {h} >= 900
        """)  # fmt: skip
        tags = Tag.objects.bulk_create([Tag(name=tag) for tag in TAGS])
        first_tag = min(tag.pk for tag in tags)
        assert [tag.pk - first_tag for tag in tags] == list(range(len(TAGS)))
        run("topic tags", f"""
            {_series(vendor, TOPICS)}, k(j) AS (SELECT 0 UNION ALL SELECT 1)
            INSERT INTO sharing_topic_tags (topic_id, tag_id)
            SELECT g, {first_tag} + CASE WHEN j = 0 THEN ((g * 48271) % {VARIANTS}) % {len(TAGS)}
                ELSE (((g * 48271) % {VARIANTS}) * 7 + 3) % {len(TAGS)} END
            FROM s JOIN k ON j = 0 OR (((g * 48271) % {VARIANTS}) * 7 + 3) % {len(TAGS)}
                                      <> ((g * 48271) % {VARIANTS}) % {len(TAGS)}
        """)  # fmt: skip
        run("versions", """
            INSERT INTO sharing_topicversion (topic_id, number, title, summary, actions, body,
                change_note, created_at, created_by_id)
            SELECT id, 1, title, summary, actions, body, '', created_at, created_by_id
            FROM sharing_topic
        """)  # fmt: skip
        comment_at = _ts(vendor, "3600 * k.j", "2023-06-01 00:00:00")
        run("comments", f"""
            {_series(vendor, TOPICS, COMMENTED_EVERY, COMMENTED_EVERY)},
            k(j) AS (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3)
            INSERT INTO sharing_comment (topic_id, parent_id, author_id, body, created_at,
                                         edited_at)
            SELECT g, NULL, u.id, '情報ありがとうございます。社内に周知しました。', {comment_at}, NULL
            FROM s JOIN k ON k.j <= {COMMENTS_EACH}
            JOIN bench_user u ON u.n = (g * 13 + k.j * 7717) % {people}
        """)  # fmt: skip
        # Readings: person u reads topics (u * 7919 + k * 104729) mod TOPICS, k < 50 (distinct:
        # 104729 is prime to 10^6); counts alternate 1 and 3 so that they add up to 10,000,000.
        readings = people * READINGS_PER_PERSON
        first = _ts(vendor, "((g * 37) % 86400)", "2023-06-01 00:00:00")
        run("readings (TopicView)", f"""
            {_series(vendor, readings)}
            INSERT INTO sharing_topicview (topic_id, user_id, organisation_id, version, count,
                                           first_at, last_at)
            SELECT 1 + ((u.n * 7919 + (g / {people}) * 104729) % {TOPICS}), u.id, u.org_id, 1,
                   CASE WHEN g % 2 = 0 THEN 1 ELSE 3 END, {first}, {first}
            FROM s JOIN bench_user u ON u.n = g % {people}
        """)  # fmt: skip
        if pg:
            hours = "date_trunc('hour', t.published_at) + (k.j * 5) * INTERVAL '1 hour'"
        else:
            hours = ("strftime('%Y-%m-%d %H:00:00', t.published_at, '+' || (k.j * 5) || "
                     "' hours')")  # fmt: skip
        run("hourly tallies (ViewEvent)", f"""
            WITH k(j) AS (SELECT 0 UNION ALL SELECT 1)
            INSERT INTO sharing_viewevent (topic_id, hour, count)
            SELECT t.id, {hours}, CASE WHEN k.j = 0 THEN 1 + t.id % 13 WHEN t.id % 5 = 0 THEN 4 ELSE 3 END
            FROM sharing_topic t JOIN k ON TRUE
            WHERE t.published_at IS NOT NULL
        """)  # fmt: skip
        # The full-text index, once.
        if pg:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # (when the checks do run)
            for name, sql in deferred:
                run(f"full-text index ({name})", sql, rows=TOPICS)
        else:
            run("full-text index (FTS5 rebuild)",
                "INSERT INTO sharing_topic_fts(sharing_topic_fts) VALUES ('rebuild')",
                rows=TOPICS)  # fmt: skip
            with connection.cursor() as cursor:
                for _name, sql in deferred:
                    cursor.execute(sql)  # the insert trigger again
        with connection.cursor() as cursor:
            for table in ("bench_text", "bench_org", "bench_user", "bench_sector"):
                cursor.execute(f"DROP TABLE {table}")
            cursor.execute("CREATE TABLE IF NOT EXISTS bench_sharing_done (done_at TEXT)")
            cursor.execute("INSERT INTO bench_sharing_done VALUES (%s)", [time.ctime()])
    report.append(common.analyze())
    return report


def sizes() -> dict[str, int]:
    """Rows per table and the sums of recorded views (for the reports)."""
    return common.counts(
        [
            ("organisations", "SELECT COUNT(*) FROM core_organisation"),
            ("people", "SELECT COUNT(*) FROM core_user"),
            ("topics", "SELECT COUNT(*) FROM sharing_topic"),
            ("readings (TopicView rows)", "SELECT COUNT(*) FROM sharing_topicview"),
            ("views in readings", "SELECT SUM(count) FROM sharing_topicview"),
            ("hourly tallies (ViewEvent rows)", "SELECT COUNT(*) FROM sharing_viewevent"),
            ("views in hourly tallies", "SELECT SUM(count) FROM sharing_viewevent"),
        ]
    )


def ensure(backend: str, fresh: bool = False) -> list[tuple[str, int, float]]:
    """Django on the sharing benchmark database, with the data generated if it is missing."""
    if fresh:
        reset_database(backend)
    setup(backend)
    if is_present():
        return []
    report: list[tuple[str, int, float]] = []
    if not data.is_present():
        print("Organisations and people (the foundation's generator):", flush=True)
        seconds, people = common.timed(data.generate)
        report += people
        report.append(("organisations and people, total", 0, seconds))
    print("Topics and views:", flush=True)
    seconds, topics = common.timed(generate)
    report += topics
    report.append(("topics and views, total", 0, seconds))
    common.write_result(f"sharing_data-{backend}", {"backend": common.vendor(), "steps": report,
                                                    "sizes": sizes()})  # fmt: skip
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the data")
    args = parser.parse_args()
    report = ensure(args.backend, args.fresh)
    if not report:
        print(f"Sharing benchmark data already present ({common.vendor()}); --fresh rebuilds it.")
        return
    rows = [(name, f"{rows:,}" if rows else "-", seconds) for name, rows, seconds in report]
    print(common.table(["step", "rows", "seconds"], rows,
                       title=f"Sharing benchmark data on {common.vendor()}"))  # fmt: skip
    print(common.table(["table", "rows"], [(k, f"{v:,}") for k, v in sizes().items()]))


if __name__ == "__main__":
    main()
