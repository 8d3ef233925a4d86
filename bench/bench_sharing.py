"""Server time of the topic pages and services on 1,000,000 topics and 10,000,000 views.

    .venv/bin/python bench/bench_sharing.py [--backend sqlite|postgres|all] [-n 300] [--no-generate]

On the sharing data set (``sharing_data.py``), as the plain member ``member@o00100.bench.example``
(who may see about 700,000 of the million topics):

* **topic list** — the first page of the member's topic list (URL name ``sharing:list``), through
  the WSGI application as in ``bench_home_and_api.py``; target p95 < 30 ms;
* **search** — the same list with ``?q=不正プログラム`` (a Japanese word inside sentences), through
  WSGI; target p95 < 100 ms;
* **unread** — the list with ``?unread=on`` (not a target: shows the cost of that filter);
* **topic page** — one topic (``sharing:detail``) of the member's, a different one each time;
* **record a view** — ``services.topics.record_view`` on a topic the member may see, a different
  one each time (half already read by the member, half not); target mean and p95 < 2 ms.

A page that still answers 404 is reported as *pending*. Besides the pages, the queries a list view
needs are timed at the service level, so that the figures exist before the views do and show
where time goes: the first page of ``readable_topics(member)`` in the model's order, the same
narrowed by ``search.search`` for several terms (with how many topics match), and the count of
the member's visible topics (what a paginator showing "page 1 of N" would add).

Each measurement: warm-up calls, then ``-n`` timed calls one after another; p50 / p95 / p99 and,
for service calls, the mean. For the services, the person is fetched once with their access
computed (as during a request, after the view has authorised).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_home_and_api as wsgi
import common
import data
import sharing_data

PAGE = 25
WARMUP = 20
SEARCH_TERM = "不正プログラム"
SEARCH_TERMS = ["不正プログラム", "フィッシング", "偽ライブ配信", "ランサムウェア", "Emotet",
                "標的型メール 脆弱性"]  # fmt: skip
TARGETS_MS = {"list": 30.0, "search": 100.0, "record_view": 2.0, "detail": 30.0}


class _Progress(dict[str, dict[str, Any]]):
    """The results, printing each as it comes (a run takes minutes)."""

    def __setitem__(self, key: str, value: dict[str, Any]) -> None:
        super().__setitem__(key, value)
        figures = ", ".join(f"{k} {value[k]:.2f}" for k in ("mean", "p50", "p95") if k in value)
        print(f"  {key}: HTTP {value['status']} {figures}", flush=True)


def measure_calls(function: Callable[[int], Any], n: int, warmup: int = WARMUP) -> dict[str, Any]:
    """Time ``function(i)`` for i in range(n) after warm-up; percentiles and the db share."""
    from django.db import connection

    for i in range(warmup):
        function(i)
    samples, db_samples = [], []
    db_time = [0.0]

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_time[0] += time.perf_counter() - started

    with connection.execute_wrapper(timer):
        for i in range(warmup, warmup + n):
            db_time[0] = 0.0
            started = time.perf_counter()
            result = function(i)
            samples.append((time.perf_counter() - started) * 1000)
            db_samples.append(db_time[0] * 1000)
    outcome: dict[str, Any] = {"status": 200, **common.percentiles(samples)}
    outcome["db_p50"] = common.percentiles(db_samples)["p50"]
    if isinstance(result, int):
        outcome["rows"] = result
    return outcome


def measure_pages(handler: Any, envs: list[dict[str, Any]], n: int) -> dict[str, Any]:
    """Like ``bench_home_and_api.measure`` but cycling through several requests."""
    status, body, _ = wsgi.call(handler, envs[0])
    if status != 200:
        return {"status": status, "bytes": len(body)}

    def one(i: int) -> int:
        code, _body, _s = wsgi.call(handler, envs[i % len(envs)])
        if code != 200:
            raise RuntimeError(f"HTTP {code} for {envs[i % len(envs)]['PATH_INFO']}")
        return 0

    outcome = measure_calls(one, n)
    outcome.pop("rows", None)
    outcome["bytes"] = len(body)
    return outcome


def run(backend: str, n: int) -> dict[str, Any]:
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from jisp.core import policy
    from jisp.core.models import User
    from jisp.sharing import search
    from jisp.sharing.models import LIST_ORDER, Topic, TopicView
    from jisp.sharing.services import topics as service

    member = User.objects.get(email=data.MEMBER_EMAIL)
    policy.access(member)  # computed once, as the view does before calling a service
    client = Client()
    client.force_login(member)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    handler = WSGIHandler()
    rng = random.Random(7)
    order = LIST_ORDER

    visible = service.readable_topics(member)
    candidates = rng.sample(range(1, sharing_data.TOPICS + 1), 6000)
    mine = list(visible.filter(pk__in=candidates).values_list("pk", flat=True))
    read = set(TopicView.objects.filter(user=member).values_list("topic_id", flat=True)[:500])
    unread = [pk for pk in mine if pk not in read]
    view_targets = [pk for pair in zip(list(read)[:300], unread, strict=False) for pk in pair]
    view_targets += unread[len(view_targets) : len(view_targets) + n + WARMUP]
    topics_by_pk = Topic.objects.in_bulk(view_targets)

    results: dict[str, dict[str, Any]] = _Progress()
    list_path = reverse("sharing:list")
    page_env = wsgi.environ(list_path, HTTP_COOKIE=cookie)
    results["topic list, first page (sharing:list)"] = wsgi.measure(handler, page_env, n)
    search_env = wsgi.environ(list_path, urlencode({"q": SEARCH_TERM}), HTTP_COOKIE=cookie)
    results[f"search ?q={SEARCH_TERM} (sharing:list)"] = wsgi.measure(handler, search_env, n)
    unread_env = wsgi.environ(list_path, "unread=on", HTTP_COOKIE=cookie)
    results["topic list, unread only (sharing:list?unread=on)"] = wsgi.measure(
        handler, unread_env, n
    )
    detail_envs = [wsgi.environ(reverse("sharing:detail", args=[pk]), HTTP_COOKIE=cookie)
                   for pk in mine[:500]]  # fmt: skip
    results["topic page (sharing:detail)"] = measure_pages(handler, detail_envs, n)

    def first_page(_i: int) -> int:
        # As the list page reads it: the published topics the member may see, in list order.
        published = service.readable_topics(member).filter(status="published")
        return len(list(published.order_by(*order)[:PAGE]))

    results["service: readable_topics first page"] = measure_calls(first_page, n)

    def visible_count(_i: int) -> int:
        return service.readable_topics(member).count()

    results["service: readable_topics count()"] = measure_calls(visible_count, 5, warmup=1)
    for term in SEARCH_TERMS:

        def searched(_i: int, term: str = term) -> int:
            qs = search.search(service.readable_topics(member), term).order_by(*order)
            return len(list(qs[:PAGE]))

        # The target term gets -n calls; the other terms are diagnostics: fewer.
        outcome = measure_calls(searched, n if term == SEARCH_TERM else max(20, n // 10), 5)
        # Count every match: no window, no shortcut through the newest rows.
        saved = {name: getattr(search, name) for name in ("WINDOW", "SCAN_ROWS", "ENOUGH",
                                                          "RECENT_SPANS")}  # fmt: skip
        search.WINDOW, search.SCAN_ROWS, search.ENOUGH, search.RECENT_SPANS = 10**9, 0, 10**9, ()
        try:
            outcome["matches"] = search.search(Topic.objects.all(), term).count()
        finally:
            for name, value in saved.items():
                setattr(search, name, value)
        results[f"service: search {term!r} first page"] = outcome

    def record(i: int) -> int:
        service.record_view(member, topics_by_pk[view_targets[i % len(view_targets)]])
        return 0

    outcome = measure_calls(record, n * 3)
    outcome.pop("rows", None)
    results["service: record_view"] = outcome
    payload = {
        "search_window": getattr(search, "WINDOW", None),
        "backend": common.vendor(),
        "n": n,
        "sizes": sharing_data.sizes(),
        "visible_to_member": service.readable_topics(member).count(),
        "results": results,
        "server": connection.cursor().connection.__class__.__module__,
    }
    common.write_result(f"sharing-{backend}", payload)
    return payload


def target_of(label: str) -> float:
    if "record_view" in label:
        return TARGETS_MS["record_view"]
    if "search" in label:
        return TARGETS_MS["search"]
    if "detail" in label:
        return TARGETS_MS["detail"]
    return TARGETS_MS["list"]


def verdict(label: str, result: dict[str, Any]) -> str:
    status = result["status"]
    if status == 404:
        return "pending: the view still answers 404"
    if status != 200:
        return f"error: HTTP {status}"
    if "count()" in label or "unread" in label or "detail" in label:
        return "(information: no target)"
    target = target_of(label)
    if "record_view" in label:
        met = result["mean"] <= target and result["p95"] <= target
        return f"{'met' if met else 'MISSED'} (mean and p95 < {target:g} ms)"
    return f"{'met' if result['p95'] <= target else 'MISSED'} (p95 < {target:g} ms)"


HEADERS = ["database", "measure", "HTTP", "n", "mean ms", "p50 ms", "p95 ms", "p99 ms",
           "p50 in db ms", "matches", "target"]  # fmt: skip


def rows_of(payload: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for label, result in payload["results"].items():
        timed = "p50" in result
        rows.append([
            payload["backend"], label, result["status"],
            int(result["n"]) if timed else "-",
            result["mean"] if timed else "-", result["p50"] if timed else "-",
            result["p95"] if timed else "-", result["p99"] if timed else "-",
            result.get("db_p50", "-"), result.get("matches", "-"), verdict(label, result),
        ])  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument("-n", type=int, default=300, help="timed calls per measure (>= 200)")
    parser.add_argument("--no-generate", action="store_true",
                        help="skip (report as skipped) if the data set is not there yet")  # fmt: skip
    args = parser.parse_args()
    if args.backend == "all":
        for backend in ("sqlite", "postgres"):
            if backend == "postgres" and (problem := common.ensure_postgres_database(
                    sharing_data.url("postgres"))):  # fmt: skip
                print(f"PostgreSQL skipped: {problem}")
                common.write_result("sharing-postgres", {"skipped": problem})
                continue
            extra = ["--no-generate"] if args.no_generate else []
            subprocess.run([sys.executable, __file__, "--backend", backend, "-n", str(args.n),
                            *extra], check=False)  # fmt: skip
        return
    sharing_data.setup(args.backend)
    if not sharing_data.is_present():
        if args.no_generate:
            problem = "no data set yet (run bench/sharing_data.py, or run.py without --no-generate)"
            print(f"{args.backend}: skipped: {problem}")
            common.write_result(f"sharing-{args.backend}", {"skipped": problem})
            return
        sharing_data.ensure(args.backend)
    payload = run(args.backend, args.n)
    sizes = payload["sizes"]
    print(common.table(HEADERS, rows_of(payload), title=(
        f"Topics, signed-in member, {payload['backend']}: {sizes['topics']:,} topics "
        f"({payload['visible_to_member']:,} visible to the member), {sizes['organisations']:,} "
        f"organisations, {sizes['people']:,} people, {sizes['views in readings']:,} views in "
        f"{sizes['readings (TopicView rows)']:,} readings and {sizes['views in hourly tallies']:,} "
        f"in {sizes['hourly tallies (ViewEvent rows)']:,} hourly tallies")))  # fmt: skip


if __name__ == "__main__":
    main()
