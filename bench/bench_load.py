"""Topic pages under sustained load: gunicorn and PostgreSQL, 50 clients on loopback, vs a bare view.

    .venv/bin/python bench/bench_load.py [--duration 20] [--connections 50] [--workers 2]
                                         [--threads 4] [--no-generate]

On the sharing data set in PostgreSQL (``sharing_data.py``, database jisp_bench_sharing), gunicorn
is started as ``jisp web`` starts it (``python -m gunicorn jisp.wsgi:application``, gthread
workers, the access log written to bench/out/load/) on a free port of 127.0.0.1, with
``bench_settings`` (the product's settings plus one bare view, see ``bench_urls.py``). Then, in
the same run and against the same server:

1. **topic pages** — ``GET /topics/<pk>/`` (URL name ``sharing:detail``) as the signed-in member
   (a real session cookie), cycling through 1,000 topics the member may see;
2. **bare view** — ``GET /bench/bare/<pk>/`` with the same cookie and headers: the bytes of a topic
   page, from memory (the product's middleware, no view work).

Each for ``--duration`` seconds (after a 3-second warm-up) with ``wrk`` (Debian package, 2
threads, ``--connections`` open connections), only to 127.0.0.1. Without ``wrk`` a Python asyncio
client (httpx) does the same, less precisely: it competes with the server for the 2 CPUs.
Reported: pages a second, p50 / p99 latency, errors (non-2xx answers, socket errors and timeouts)
and the ratio of topic pages to bare pages a second. Targets: >= 400 pages/s, p99 < 250 ms, no
errors. If the topic page still answers 404, its figures are *pending*, and the signed-in home
page (``core:home``) is loaded in its place to show that the harness works.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_home_and_api as wsgi
import common
import data
import sharing_data

HERE = Path(__file__).resolve().parent

LOAD = common.OUT / "load"
TOPICS_IN_ROTATION = 1000
TARGET_RATE = 400.0
TARGET_P99_MS = 250.0

LUA = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local counter = 0
wrk.headers["Cookie"] = "%(cookie)s"
wrk.headers["Accept-Language"] = "ja"
setup = function(thread) thread:set("offset", math.random(1, #paths)) end
init = function(args) counter = tonumber(offset) or 0 end
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(paths_kind: str) -> dict[str, Any]:
    """In this process: the session cookie, the topics to fetch, one page's bytes."""
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connections
    from django.test import Client
    from django.urls import reverse

    from jisp.core.models import User
    from jisp.sharing.services.topics import readable_topics

    member = User.objects.get(email=data.MEMBER_EMAIL)
    client = Client()
    client.force_login(member)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    ids = list(
        readable_topics(member)
        .filter(status="published", pk__gt=sharing_data.TOPICS - 200_000)
        .order_by("pk")
        .values_list("pk", flat=True)[: TOPICS_IN_ROTATION * 3 : 3]
    )
    handler = WSGIHandler()
    paths = [reverse("sharing:detail", args=[pk]) for pk in ids]
    status, body, _s = wsgi.call(handler, wsgi.environ(paths[0], HTTP_COOKIE=cookie))
    page = "sharing:detail"
    if status != 200:
        page = "core:home"
        paths = [reverse("core:home")]
        status_home, body, _s = wsgi.call(handler, wsgi.environ(paths[0], HTTP_COOKIE=cookie))
        if status_home != 200:
            raise SystemExit(f"neither the topic page ({status}) nor home ({status_home}) answer")
    bare = [f"/bench/bare/{pk}/" for pk in ids]
    connections.close_all()
    return {"cookie": cookie, "paths": paths, "bare": bare, "body": body, "page": page,
            "detail_status": status}  # fmt: skip


def start_server(port: int, workers: int, threads: int, body_file: Path) -> subprocess.Popen[Any]:
    from jisp.core.management.commands.serve import web_command

    command = web_command(f"127.0.0.1:{port}", workers, threads)
    command += ["--error-logfile", str(LOAD / "gunicorn-error.log")]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(HERE), str(common.ROOT)]),
        "BENCH_BARE_BODY": str(body_file),
        "PYTHONUNBUFFERED": "1",
    }
    access = (LOAD / "gunicorn-access.log").open("wb")
    # Our own fixed command line (sys.executable -m gunicorn ...), no shell.
    server = subprocess.Popen(command, env=env, stdout=access, stderr=subprocess.STDOUT)
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {server.returncode}); see {LOAD}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/bench/bare/1/", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen[Any]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(text)
    return float(match.group(1)) * _UNITS[match.group(2)]


def run_wrk(url: str, paths: list[str], cookie: str, connections: int, seconds: int,
            name: str) -> dict[str, Any]:  # fmt: skip
    paths_file = LOAD / f"{name}-paths.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    script = LOAD / f"{name}.lua"
    script.write_text(LUA % {"paths": paths_file, "cookie": cookie})
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency",
               "-s", str(script), url]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    (LOAD / f"{name}-wrk.txt").write_text(output)
    result: dict[str, Any] = {"tool": "wrk", "seconds": seconds, "connections": connections}
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    result["rate"] = float(rate.group(1)) if rate else 0.0
    result["requests"] = int(total.group(1)) if total else 0
    for pct in ("50", "75", "90", "99"):
        match = re.search(rf"^\s+{pct}%\s+(\S+)", output, re.MULTILINE)
        result[f"p{pct}"] = _ms(match.group(1)) if match else float("nan")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                     output)  # fmt: skip
    result["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    result["socket_errors"] = sum(int(x) for x in sock.groups()) if sock else 0
    result["errors"] = result["non_2xx"] + result["socket_errors"]
    return result


def run_python(url: str, paths: list[str], cookie: str, connections: int, seconds: int,
               name: str) -> dict[str, Any]:  # fmt: skip
    """The fallback load generator: ``connections`` asyncio clients for ``seconds``."""
    import httpx

    latencies: list[float] = []
    errors = [0]

    async def client(index: int, stop: float) -> None:
        async with httpx.AsyncClient(base_url=url, headers={"Cookie": cookie,
                                     "Accept-Language": "ja"}, timeout=5) as http:  # fmt: skip
            i = index * 7
            while time.monotonic() < stop:
                i += 1
                started = time.perf_counter()
                try:
                    response = await http.get(paths[i % len(paths)])
                    if response.status_code >= 400:
                        errors[0] += 1
                except httpx.HTTPError:
                    errors[0] += 1
                latencies.append((time.perf_counter() - started) * 1000)

    async def main() -> None:
        stop = time.monotonic() + seconds
        await asyncio.gather(*(client(i, stop) for i in range(connections)))

    started = time.monotonic()
    asyncio.run(main())
    elapsed = time.monotonic() - started
    cuts = common.percentiles(latencies) if len(latencies) > 1 else {}
    return {"tool": "python-httpx", "seconds": seconds, "connections": connections,
            "rate": len(latencies) / elapsed, "requests": len(latencies),
            "p50": cuts.get("p50", float("nan")), "p99": cuts.get("p99", float("nan")),
            "non_2xx": errors[0], "socket_errors": 0, "errors": errors[0]}  # fmt: skip


def ensure_wrk() -> bool:
    return shutil.which("wrk") is not None


def verdict(result: dict[str, Any]) -> str:
    met = (result["rate"] >= TARGET_RATE and result["p99"] < TARGET_P99_MS
           and result["errors"] == 0)  # fmt: skip
    return "met" if met else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per target")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-generate", action="store_true")
    args = parser.parse_args()
    if problem := common.ensure_postgres_database(sharing_data.url("postgres")):
        print(f"PostgreSQL skipped: {problem}")
        common.write_result("load", {"skipped": problem})
        return
    sharing_data.setup("postgres")
    if not sharing_data.is_present():
        if args.no_generate:
            common.write_result("load", {"skipped": "no data set yet"})
            print("skipped: the sharing data set is not there yet")
            return
        sharing_data.ensure("postgres")
    LOAD.mkdir(parents=True, exist_ok=True)
    prepared = prepare("detail")
    sizes = sharing_data.sizes()
    body_file = LOAD / "page.html"
    body_file.write_bytes(prepared["body"])
    port = free_port()
    load = run_wrk if ensure_wrk() else run_python
    server = start_server(port, args.workers, args.threads, body_file)
    url = f"http://127.0.0.1:{port}"
    results: dict[str, dict[str, Any]] = {}
    try:
        for name, paths in (("page", prepared["paths"]), ("bare", prepared["bare"])):
            load(url, paths, prepared["cookie"], args.connections, 3, f"{name}-warmup")
            results[name] = load(url, paths, prepared["cookie"], args.connections,
                                 args.duration, name)  # fmt: skip
    finally:
        stop_server(server)
    errors_logged = (LOAD / "gunicorn-error.log").read_text(errors="replace").count("Traceback")
    page, bare = results["page"], results["bare"]
    label = ("topic page (sharing:detail)" if prepared["page"] == "sharing:detail"
             else "home page (core:home), standing in: the topic page answers "
                  f"{prepared['detail_status']}")  # fmt: skip
    ratio = page["rate"] / bare["rate"] if bare["rate"] else 0.0
    payload = {
        "backend": "PostgreSQL", "workers": args.workers, "threads": args.threads,
        "connections": args.connections, "duration_s": args.duration, "sizes": sizes,
        "page_kind": prepared["page"], "detail_status": prepared["detail_status"],
        "page_bytes": len(prepared["body"]), "results": results, "ratio": ratio,
        "tracebacks_in_server_log": errors_logged, "label": label,
    }  # fmt: skip
    common.write_result("load", payload)
    rows = [
        [label, f"{page['requests']:,}", page["rate"], page["p50"], page["p99"], page["errors"],
         verdict(page) if prepared["page"] == "sharing:detail" else "pending"],
        ["bare view, same bytes from memory", f"{bare['requests']:,}", bare["rate"],
         bare["p50"], bare["p99"], bare["errors"], "-"],
    ]  # fmt: skip
    print(common.table(
        ["target", "requests", "pages/s", "p50 ms", "p99 ms", "errors",
         f">= {TARGET_RATE:g}/s, p99 < {TARGET_P99_MS:g} ms, 0 errors"], rows,
        title=(f"gunicorn {args.workers} workers x {args.threads} threads, PostgreSQL, "
               f"{args.connections} connections for {args.duration} s ({page['tool']}), "
               f"{len(prepared['body']):,}-byte page; {sizes['topics']:,} topics, "
               f"{sizes['people']:,} people, {sizes['views in readings']:,} views")))  # fmt: skip
    print(f"Ratio topic page / bare view: {ratio:.2f} ({page['rate']:.0f} / {bare['rate']:.0f} "
          f"pages/s); tracebacks in the server log: {errors_logged}.")  # fmt: skip


if __name__ == "__main__":
    main()
