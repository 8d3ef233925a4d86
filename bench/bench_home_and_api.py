"""Server time of a member's home page and of the organisation list API, on 10,000 organisations.

    .venv/bin/python bench/bench_home_and_api.py [--backend sqlite|postgres|all] [-n 300]

What is timed: the Django WSGI application itself (``django.core.handlers.wsgi.WSGIHandler``),
called in-process with a ready-made WSGI environ, from the call until the response body has been
fully produced and closed. That is every middleware (sessions read from the database, the
person's language, two-factor check, security headers), URL resolution, the view, its queries
and template rendering or JSON encoding — what a WSGI server would wait for. Not timed: building
the environ, HTTP parsing and the network. The Django test ``Client`` is deliberately not used
for the timed requests: it hooks template rendering (to record contexts for assertions) and
handles cookies, which adds its own overhead to every request.

Each endpoint gets warm-up requests first (connections, caches, compiled templates), then ``-n``
timed requests one after another; the table reports p50 / p95 / p99 against the 30 ms target
(met when p95 <= 30 ms). Query counts come from one extra request with query capture on; "p50 in
db ms" is the median time spent inside the database driver's execute (measured with
``connection.execute_wrapper``, which costs a few microseconds per query).
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import data

WARMUP = 30


def environ(path: str, query: str = "", **headers: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT_LANGUAGE": "ja",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **headers,
    }


def call(handler: Any, env: dict[str, Any]) -> tuple[int, bytes, float]:
    """One request through the WSGI app: (status, body, seconds)."""
    status: list[str] = []

    def start_response(line: str, headers: list[Any], exc_info: Any = None) -> None:
        status.append(line)

    env = dict(env, **{"wsgi.input": io.BytesIO(b"")})
    started = time.perf_counter()
    result = handler(env, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    elapsed = time.perf_counter() - started
    return int(status[0].split()[0]), body, elapsed


def measure(handler: Any, env: dict[str, Any], n: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    status, body, _ = call(handler, env)
    outcome: dict[str, Any] = {"status": status, "bytes": len(body)}
    if status != 200:
        return outcome
    for _ in range(WARMUP):
        call(handler, env)
    samples, db_samples = [], []
    db_time = [0.0]

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_time[0] += time.perf_counter() - started

    with connection.execute_wrapper(timer):
        for _ in range(n):
            db_time[0] = 0.0
            status, _body, seconds = call(handler, env)
            if status != 200:
                outcome["status"] = status
                return outcome
            samples.append(seconds * 1000)
            db_samples.append(db_time[0] * 1000)
    with CaptureQueriesContext(connection) as queries:
        call(handler, env)
    outcome.update(common.percentiles(samples))
    outcome["db_p50"] = common.percentiles(db_samples)["p50"]
    outcome["queries"] = len(queries)
    return outcome


def run(backend: str, n: int) -> dict[str, Any]:
    data.ensure(backend)
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import Client
    from django.urls import reverse

    from jisp.core.models import User
    from jisp.core.services import accounts

    member = User.objects.get(email=data.MEMBER_EMAIL)
    client = Client()
    client.force_login(member)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    _token, secret = accounts.create_api_token(None, member, "bench", "read", 1)
    handler = WSGIHandler()

    endpoints = [
        ("home page (core:home)", environ(reverse("core:home"), HTTP_COOKIE=cookie)),
        ("GET /api/v1/organisations",
         environ("/api/v1/organisations", HTTP_AUTHORIZATION=f"Bearer {secret}")),
    ]  # fmt: skip
    results = {}
    for label, env in endpoints:
        results[label] = measure(handler, env, n)
    payload = {"backend": common.vendor(), "n": n, "target_ms": common.TARGET_MS,
               "results": results}  # fmt: skip
    common.write_result(f"home_api-{backend}", payload)
    return payload


def verdict(result: dict[str, Any]) -> str:
    status = result["status"]
    if status == 404:
        return "pending: the view still answers 404"
    if status != 200:
        return f"error: HTTP {status}"
    return "met" if result["p95"] <= common.TARGET_MS else "MISSED"


def rows_of(payload: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for label, result in payload["results"].items():
        timed = "p50" in result
        rows.append([
            payload["backend"], label, result["status"],
            int(result["n"]) if timed else "-",
            result["p50"] if timed else "-", result["p95"] if timed else "-",
            result["p99"] if timed else "-", result["max"] if timed else "-",
            result.get("queries", "-"), result.get("db_p50", "-"), verdict(result),
        ])  # fmt: skip
    return rows


HEADERS = ["database", "request", "HTTP", "n", "p50 ms", "p95 ms", "p99 ms", "max ms",
           "queries", "p50 in db ms", "30 ms target (p95)"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument("-n", type=int, default=300, help="timed requests per endpoint (>= 200)")
    args = parser.parse_args()
    if args.backend == "all":
        for backend in ("sqlite", "postgres"):
            if backend == "postgres" and (problem := common.ensure_postgres_database(
                    common.postgres_url())):  # fmt: skip
                print(f"PostgreSQL skipped: {problem}")
                common.write_result("home_api-postgres", {"skipped": problem})
                continue
            subprocess.run([sys.executable, __file__, "--backend", backend, "-n", str(args.n)],
                           check=False)  # fmt: skip
        return
    payload = run(args.backend, args.n)
    print(common.table(HEADERS, rows_of(payload),
                       title=f"Server time, signed-in member, {payload['backend']} "
                             f"(10,000 organisations, 100,000 people)"))  # fmt: skip


if __name__ == "__main__":
    main()
