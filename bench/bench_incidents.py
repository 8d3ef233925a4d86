"""Server time of the centre's case queue, report submission and AM report drafting.

    .venv/bin/python bench/bench_incidents.py [--backend sqlite|postgres|all] [-n 300]
                                              [--no-generate] [--cases 100000]

On the incidents data set (``incidents_data.py``: 100,000 cases, 2,000,000 timeline entries over
the foundation's 10,000 organisations and 100,000 people):

* **case queue** — the centre's queue page (URL name ``incidents:case_queue``) as an incident
  handler: the open cases, newest first, and the same filtered by a category and sorted by
  severity; through the WSGI application as in ``bench_home_and_api.py``; target p95 < 50 ms;
* **case list API** — ``GET /api/v1/incidents/cases`` with the same filter and sort, with a read
  token of the same person; target p95 < 50 ms;
* **submit a report** — ``services.reports.submit_report`` of a member's draft (category DoS) that
  five routing rules send to five organisations: the case opened, the recipients written, the
  centre and the recipients notified (notifications queued); the drafts are made beforehand with
  ``create_report``; target mean and p95 < 200 ms;
* **draft the AM report** — ``services.sitreps.draft_sitrep`` of the situation report for the
  benchmark day's AM period, which holds 1,000 new cases (and the thousands still open from
  before); the first call makes the draft, the next ones refresh it; target mean and p95 < 2 s.

The reports and cases the submissions make are deleted afterwards (the audit log keeps its records),
so the data set stays the same from run to run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_home_and_api as wsgi
import common
import incidents_data
from bench_sharing import measure_calls

TARGETS_MS = {"queue": 50.0, "submit": 200.0, "sitrep": 2000.0}
FILTER = {"category": "cloud_outage", "sort": "severity"}


class _Progress(dict[str, dict[str, Any]]):
    def __setitem__(self, key: str, value: dict[str, Any]) -> None:
        super().__setitem__(key, value)
        figures = ", ".join(f"{k} {value[k]:.1f}" for k in ("mean", "p50", "p95") if k in value)
        print(f"  {key}: {value.get('status', '-')} {figures}", flush=True)


def _queries(function: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def run(backend: str, n: int) -> dict[str, Any]:
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from jisp.core import policy
    from jisp.core.services import accounts

    cast = incidents_data.people()
    handler_user, member = cast["handler"], cast["member"]
    client = Client()
    client.force_login(handler_user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    _token, secret = accounts.create_api_token(None, handler_user, "bench", "read", 1)
    handler = WSGIHandler()
    results: dict[str, dict[str, Any]] = _Progress()

    # The queue page and the API.
    queue_path = reverse("incidents:case_queue")
    results["case queue, open cases (incidents:case_queue)"] = wsgi.measure(
        handler, wsgi.environ(queue_path, HTTP_COOKIE=cookie), n
    )
    results["case queue, ?category=cloud_outage&sort=severity"] = wsgi.measure(
        handler, wsgi.environ(queue_path, urlencode(FILTER), HTTP_COOKIE=cookie), n
    )
    results["GET /api/v1/incidents/cases?category=…&sort=severity"] = wsgi.measure(
        handler,
        wsgi.environ("/api/v1/incidents/cases", urlencode(FILTER),
                     HTTP_AUTHORIZATION=f"Bearer {secret}"),
        n,
    )  # fmt: skip

    # Submitting a report routed by five rules.
    from jisp.incidents.services import reports, routing, sitreps

    results["service: submit_report (5 rules)"] = _submit(reports, routing, member, n)

    # Drafting the AM report of a day of 1,000 cases.
    controller = cast["controller"]
    policy.access(controller)
    calls = max(5, n // 30)

    def draft(_i: int) -> int:
        sitrep = sitreps.draft_sitrep(controller, "situation", incidents_data.BENCH_DAY, "am")
        return int(sitrep.figures["counts"]["new"])

    outcome = measure_calls(draft, calls, warmup=1)
    outcome["queries"] = _queries(lambda: draft(0))
    outcome["new_cases"] = outcome.pop("rows", None)
    results["service: draft_sitrep AM (1,000 cases)"] = outcome

    payload = {
        "backend": common.vendor(),
        "n": n,
        "sizes": incidents_data.sizes(),
        "results": results,
        "server": connection.cursor().connection.__class__.__module__,
    }
    common.write_result(f"incidents-{backend}", payload)
    return payload


def _submit(reports: Any, routing: Any, member: Any, n: int) -> dict[str, Any]:
    """Time ``submit_report`` on drafts made beforehand; delete what it made afterwards."""
    from datetime import timedelta

    from django.db.models import Max
    from django.utils import timezone

    from jisp.core import policy
    from jisp.core.models import Notification
    from jisp.incidents.models import Case, Report

    policy.access(member)
    now = timezone.now()
    notes_before = Notification.objects.aggregate(m=Max("pk"))["m"] or 0
    drafts = []
    for i in range(n + 21):
        data = reports.ReportInput(
            title=f"公式サイトに対するDDoS攻撃 {i}",
            description="13時頃から公式サイトに大量のアクセスがあり、閲覧しにくい状態です。",
            category="dos",
            started_at=now - timedelta(hours=1),
            detected_at=now - timedelta(minutes=40),
            affected_services="公式Webサイト",
            tlp="amber",
        )
        drafts.append(reports.create_report(member, data))
    matching = len(routing.matching_rules(drafts[0]))
    cases: list[int] = []

    def submit(i: int) -> int:
        case = reports.submit_report(member, drafts[i])
        cases.append(case.pk)
        return 0

    try:
        outcome = measure_calls(submit, n, warmup=20)
        outcome.pop("rows", None)
        outcome["queries"] = _queries(lambda: submit(n + 20))
        outcome["matching_rules"] = matching
        outcome["recipients"] = drafts[0].recipients.count()
        made = Notification.objects.filter(pk__gt=notes_before).count()
        outcome["notifications_per_report"] = round(made / max(1, len(cases)), 1)
    finally:
        Case.objects.filter(pk__in=cases).delete()
        Report.objects.filter(pk__in=[d.pk for d in drafts]).delete()
        Notification.objects.filter(pk__gt=notes_before).delete()
    return outcome


def verdict(label: str, result: dict[str, Any]) -> str:
    status = result.get("status")
    if status != 200:
        return f"error: HTTP {status}"
    if "submit" in label or "sitrep" in label:
        target = TARGETS_MS["submit" if "submit" in label else "sitrep"]
        met = result["mean"] <= target and result["p95"] <= target
        return f"{'met' if met else 'MISSED'} (mean and p95 < {target:g} ms)"
    if "open cases" in label:
        return "(information)" if result["p95"] <= TARGETS_MS["queue"] else "(information: slow)"
    target = TARGETS_MS["queue"]
    return f"{'met' if result['p95'] <= target else 'MISSED'} (p95 < {target:g} ms)"


HEADERS = ["database", "measure", "HTTP", "n", "mean ms", "p50 ms", "p95 ms", "p99 ms",
           "queries", "p50 in db ms", "target"]  # fmt: skip


def rows_of(payload: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for label, result in payload["results"].items():
        timed = "p50" in result
        rows.append([
            payload["backend"], label, result.get("status", "-"),
            int(result["n"]) if timed else "-",
            result["mean"] if timed else "-", result["p50"] if timed else "-",
            result["p95"] if timed else "-", result["p99"] if timed else "-",
            result.get("queries", "-"), result.get("db_p50", "-"), verdict(label, result),
        ])  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument("-n", type=int, default=300, help="timed calls per measure (>= 200)")
    parser.add_argument(
        "--no-generate",
        action="store_true",
        help="skip (report as skipped) if the data set is not there yet",
    )
    parser.add_argument(
        "--cases",
        type=int,
        default=incidents_data.CASES,
        help="the size of the data set to use (a smaller one for a quick check)",
    )
    args = parser.parse_args()  # fmt: skip
    if args.backend == "all":
        for backend in ("sqlite", "postgres"):
            if backend == "postgres" and (problem := common.ensure_postgres_database(
                    incidents_data.url("postgres"))):  # fmt: skip
                print(f"PostgreSQL skipped: {problem}")
                common.write_result("incidents-postgres", {"skipped": problem})
                continue
            extra = ["--no-generate"] if args.no_generate else []
            subprocess.run([sys.executable, __file__, "--backend", backend, "-n", str(args.n),
                            "--cases", str(args.cases), *extra], check=False)  # fmt: skip
        return
    incidents_data.setup(args.backend)
    if not incidents_data.is_present(args.cases):
        if args.no_generate:
            problem = (
                "no data set yet (run bench/incidents_data.py, or run.py without --no-generate)"
            )
            print(f"{args.backend}: skipped: {problem}")
            common.write_result(f"incidents-{args.backend}", {"skipped": problem})
            return
        entries = args.cases * (incidents_data.ENTRIES // incidents_data.CASES)
        incidents_data.ensure(args.backend, cases=args.cases, entries=entries)
    payload = run(args.backend, args.n)
    sizes = payload["sizes"]
    print(common.table(HEADERS, rows_of(payload), title=(
        f"Incidents, {payload['backend']}: {sizes['cases']:,} cases ({sizes['open cases']:,} open), "
        f"{sizes['timeline entries']:,} timeline entries, {sizes['organisations']:,} "
        f"organisations, {sizes['people']:,} people")))  # fmt: skip


if __name__ == "__main__":
    main()
