"""Threat intelligence at 1,000,000 indicators: STIX import, TAXII paging, product feeds, matching.

    .venv/bin/python bench/bench_intel.py [--backend sqlite|postgres|all] [--indicators 1000000]
                                          [--skip-import] [--no-medallion] [--medallion-cap 600]

On the intel data set (``intel_data.py``: the foundation's 10,000 organisations and 100,000
people, the standard TAXII collections, STIX bundle files in bench/out/), each in one run:

1. **STIX import** — the store is emptied, then the bundle of N indicators is imported with
   ``jisp.intel.stix.importer.import_bundle`` (as the centre's analyst, for the centre, TLP:GREEN
   to everyone) in a child process: indicators a second (target >= 20,000/s) and the child's peak
   RSS; the same for a bundle a tenth the size first, into an empty store too, so that the two
   peaks show whether memory grows with the file. Side by side, the ``stix2`` library alone
   parses the first ``--stix2-sample`` objects of the same file: both its forms are timed,
   ``stix2.parse(obj, allow_custom=True)`` per object over dicts already decoded (the JSON
   decoding not counted) and ``stix2.parse(bundle_text, allow_custom=True)`` of a bundle of those
   objects; the faster gives the ratio (target: the import >= 5x faster). Then the 10,000-object
   TLP:CLEAR bundle served side by side with medallion is imported the same way (TLP:CLEAR).
2. **TAXII** — gunicorn as ``jisp web`` starts it (2 gthread workers x 4 threads, the product's
   settings on this database); the OASIS ``taxii2-client`` (``v21.Collection`` +
   ``as_pages(per_request=--page-size)``, HTTP Basic with the analyst's e-mail address and a read
   token) pages through the whole "TLP:GREEN (all members)" collection: total time (target < 2
   min) and the sum of the server's times per request (gunicorn's access log, ``%(D)s``). Then
   the "TLP:CLEAR" collection (the 10,000 objects) with ``--small-page-size``; medallion 3.0.0
   (its own venv, bench/out/medallion-venv; memory backend holding the same 10,000 objects) is
   paged the same way in the ``--backend all`` run (``--medallion-only``).
3. **Feeds** — as the benchmarked member with a read token, through the WSGI application
   in-process (as ``bench_home_and_api.py``): the four full plain lists (``/intel/feeds/plain/
   ipv4|domain|url|sha256/``; together the N values), the sum of their times (target < 5 s); then
   ~100 indicators are changed with the product's services (50 confidence changes, 50 false
   positives) and the delta of each list ``?since=`` a moment before is timed (target p95 < 100
   ms).
4. **Matching** — ``POST /api/v1/intel/match`` with 100,000 values, half of them known, same
   member and token (target < 1 s).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import resource
import subprocess
import sys
import time
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_home_and_api as wsgi
import common
import intel_data
from bench_load import free_port, stop_server

HERE = Path(__file__).resolve().parent
LOGS = common.OUT / "intel"
MEDALLION_VENV = common.OUT / "medallion-venv"
MEDALLION_DIR = HERE / "medallion"
TARGETS = {"import_rate": 20_000.0, "import_ratio": 5.0, "taxii_s": 120.0, "full_s": 5.0,
           "delta_ms": 100.0, "match_s": 1.0}  # fmt: skip
PLAIN_LISTS = ("ipv4", "domain", "url", "sha256")
MATCH_VALUES = 100_000


def _mb(kilobytes: float) -> float:
    return round(kilobytes / 1024, 1)


# --- 1. Import ------------------------------------------------------------------------------


def _status_kb(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def import_child(backend: str, path: str, tlp: str) -> None:
    """In a child process: import one bundle file; print the figures as one JSON line.

    The peak RSS is the kernel's high-water mark (``VmHWM``), reset just before the import
    (``/proc/self/clear_refs``), so it is the import's own peak, not Django's start-up."""
    common.setup_django(backend, name=intel_data.NAME, url=intel_data.url(backend), migrate=False)
    from jisp.core.choices import Audience
    from jisp.intel.stix.importer import IngestContext, import_bundle

    cast = intel_data.people()
    ctx = IngestContext(user=cast["analyst"], organisation=cast["centre"], tlp=tlp,
                        audience=Audience.EVERYONE)  # fmt: skip
    before = _status_kb("VmRSS")
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        reset = True
    except OSError:
        reset = False
    started = time.perf_counter()
    with open(path, "rb") as fileobj:
        run = import_bundle(fileobj, ctx, name=Path(path).name)
    seconds = time.perf_counter() - started
    peak = _status_kb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "seconds": seconds, "objects": run.objects_read, "added": run.indicators_added,
        "unchanged": run.unchanged, "errors": len(run.errors), "first_errors": run.errors[:3],
        "state": run.state, "rss_before_mb": _mb(before), "peak_mb": _mb(peak),
        "peak_kind": "VmHWM reset before the import" if reset else "ru_maxrss of the process",
    }))  # fmt: skip


def run_import(backend: str, path: Path, tlp: str = "green") -> dict[str, Any]:
    command = [sys.executable, __file__, "--backend", backend, "--import-child", str(path),
               "--tlp", tlp]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        raise SystemExit(f"the import of {path.name} failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(lines[-1])
    result["rate"] = result["objects"] / result["seconds"]
    print(f"  import {path.name}: {result['objects']:,} objects in {result['seconds']:.1f} s "
          f"({result['rate']:,.0f}/s), {result['added']:,} indicators, {result['errors']} errors, "
          f"peak RSS {result['peak_mb']} MB (before: {result['rss_before_mb']} MB)",
          flush=True)  # fmt: skip
    return result


def stix2_parse(path: Path, sample: int) -> dict[str, Any]:
    """The ``stix2`` library alone on the file's first ``sample`` objects, in its two forms."""
    import ijson
    import stix2

    with path.open("rb") as fileobj:
        objs = []
        for obj in ijson.items(fileobj, "objects.item", use_float=True):
            objs.append(obj)
            if len(objs) >= sample:
                break
    text = json.dumps({"type": "bundle", "id": "bundle--0b6e2f5c-2f4b-4b7e-9a51-1b2c3d4e5f60",
                       "objects": objs})  # fmt: skip
    started = time.perf_counter()
    for obj in objs:
        stix2.parse(obj, allow_custom=True)
    per_object = time.perf_counter() - started
    started = time.perf_counter()
    parsed = stix2.parse(text, allow_custom=True)
    whole = time.perf_counter() - started
    assert len(parsed.objects) == len(objs)
    best = min(per_object, whole)
    return {"sample": len(objs), "per_object_s": per_object, "bundle_text_s": whole,
            "per_object_rate": len(objs) / per_object, "bundle_text_rate": len(objs) / whole,
            "rate": len(objs) / best,
            "form": "per object (dicts)" if per_object <= whole else "bundle text"}  # fmt: skip


# --- 2. TAXII ---------------------------------------------------------------------------------


def start_gunicorn(port: int, log: Path) -> subprocess.Popen[Any]:
    from jisp.core.management.commands.serve import web_command

    command = web_command(f"127.0.0.1:{port}", 2, 4)
    command += ["--access-logformat", '%(D)s %(s)s "%(r)s"',
                "--error-logfile", str(LOGS / "gunicorn-error.log")]  # fmt: skip
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jisp.settings", "PYTHONUNBUFFERED": "1"}
    out = log.open("wb")
    # Our own fixed command line (sys.executable -m gunicorn ...), no shell.
    server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    _wait(server, f"http://127.0.0.1:{port}/taxii2/", "gunicorn")
    return server


def _wait(server: subprocess.Popen[Any], url: str, name: str, timeout: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{name} stopped (exit {server.returncode}); see {LOGS}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit(f"{name} did not answer within {timeout:.0f} s")


def page_through(url: str, user: str, password: str, per_request: int,
                 cap_s: float | None = None) -> dict[str, Any]:  # fmt: skip
    """Every object of a collection with taxii2-client: objects, pages, seconds.

    With ``cap_s`` the client runs in a thread and is abandoned after ``cap_s`` seconds (the
    caller then stops the server); ``capped`` says so, with the pages done by then."""
    import threading

    from taxii2client.v21 import Collection, as_pages

    state: dict[str, Any] = {"objects": 0, "pages": 0, "page_times": [], "error": None}

    def client() -> None:
        try:
            collection = Collection(url, user=user, password=password)
            last = time.perf_counter()
            for envelope in as_pages(collection.get_objects, per_request=per_request):
                state["pages"] += 1
                state["objects"] += len(envelope.get("objects", []))
                now = time.perf_counter()
                state["page_times"].append(round(now - last, 3))
                last = now
        except Exception as exc:  # reported, not raised: the benchmark goes on
            state["error"] = f"{exc.__class__.__name__}: {str(exc)[:200]}"

    started = time.perf_counter()
    if cap_s is None:
        client()
        capped = False
    else:
        thread = threading.Thread(target=client, daemon=True)
        thread.start()
        thread.join(cap_s)
        capped = thread.is_alive()
    seconds = time.perf_counter() - started
    return {"objects": state["objects"], "pages": state["pages"], "seconds": seconds,
            "capped": capped, "per_request": per_request, "error": state["error"],
            "page_times": state["page_times"][:50]}  # fmt: skip


def server_time(log: Path, since_line: int) -> tuple[float, int, int]:
    """(seconds, requests, lines) of the access log's lines after ``since_line``."""
    lines = log.read_text(errors="replace").splitlines()
    total = 0
    count = 0
    for line in lines[since_line:]:
        match = re.match(r"^(\d+) (\d{3}) ", line)
        if match:
            total += int(match.group(1))
            count += 1
    return total / 1e6, count, len(lines)


def taxii(backend: str, secret: str, email: str, page_size: int,
          small_page_size: int) -> dict[str, dict[str, Any]]:  # fmt: skip
    from django.db import connections

    from jisp.intel.models import TaxiiCollection

    ids = {c.alias: str(c.id) for c in TaxiiCollection.objects.all()}
    connections.close_all()
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"gunicorn-access-{backend}.log"
    port = free_port()
    server = start_gunicorn(port, log)
    base = f"http://127.0.0.1:{port}/taxii2/api/collections/"
    results: dict[str, dict[str, Any]] = {}
    try:
        page_through(base + ids["tlp-clear"] + "/", email, secret, small_page_size)  # warm-up
        for label, alias, size in (("all", "tlp-green", page_size),
                                   ("small", "tlp-clear", small_page_size)):  # fmt: skip
            mark = server_time(log, 0)[2]
            result = page_through(base + ids[alias] + "/", email, secret, size)
            time.sleep(0.5)  # the last access-log lines
            result["server_s"], result["requests"], _n = server_time(log, mark)
            result["collection"] = alias
            results[label] = result
            print(f"  TAXII {alias}: {result['objects']:,} objects in {result['pages']} pages of "
                  f"{size:,}: {result['seconds']:.2f} s (server {result['server_s']:.2f} s)",
                  flush=True)  # fmt: skip
    finally:
        stop_server(server)
    return results


def _medallion_once(count: int | None, page_size: int, cap_s: float) -> dict[str, Any]:
    sys.path.insert(0, str(MEDALLION_DIR))
    import medallion_config

    port = free_port()
    path, _s = intel_data.write_bundle(intel_data.SMALL, small=True)
    config, collection_id, served = medallion_config.write(
        path, LOGS / "medallion", port, page_size=page_size, limit=count
    )
    out = (LOGS / "medallion.log").open("ab")
    binary = MEDALLION_VENV / "bin" / "medallion"
    # Our own fixed command line (medallion's script in its venv), no shell.
    server = subprocess.Popen([str(binary), "--host", "127.0.0.1", "--port", str(port),
                               str(config)], stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        _wait(server, f"http://127.0.0.1:{port}/taxii2/", "medallion")
        url = f"http://127.0.0.1:{port}/{medallion_config.API_ROOT}/collections/{collection_id}/"
        result = page_through(url, medallion_config.USER, medallion_config.PASSWORD, page_size,
                              cap_s=cap_s)  # fmt: skip
    finally:
        stop_server(server)
    result["served"] = served
    print(f"  medallion, {served:,} objects: {result['objects']:,} read in {result['pages']} "
          f"pages of {page_size:,}: {result['seconds']:.1f} s"
          + (" (capped)" if result["capped"] else ""), flush=True)  # fmt: skip
    return result


def medallion(page_size: int, cap_s: float) -> dict[str, Any]:
    """medallion 3.0.0's memory backend serving the small bundle's 10,000 indicators, paged with
    ``page_size``. If that takes more than ``cap_s``, it is stopped, and medallion is timed on
    2,000 and 4,000 of the objects: its time grows with the square of the objects (each first
    page filters and sorts the whole collection against its whole manifest), so the 10,000-object
    time is *extrapolated* as t(4,000) x (10,000 / 4,000)^2, and reported as such."""
    if not (MEDALLION_VENV / "bin" / "medallion").exists():
        return {"skipped": f"medallion is not installed in {MEDALLION_VENV} "
                           "(python3 -m venv ...; pip install medallion==3.0.0)"}  # fmt: skip
    LOGS.mkdir(parents=True, exist_ok=True)
    result = _medallion_once(None, page_size, cap_s)
    if result["capped"]:
        smaller = {n: _medallion_once(n, page_size, cap_s) for n in (2_000, 4_000)}
        result["smaller"] = smaller
        done = [n for n, r in smaller.items() if not r["capped"] and r["objects"] == n]
        if done:
            n = max(done)
            result["extrapolated_s"] = smaller[n]["seconds"] * (result["served"] / n) ** 2
            result["extrapolated_from"] = n
            print(
                f"  medallion, {result['served']:,} objects: extrapolated "
                f"{result['extrapolated_s']:.0f} s (from {n:,} objects, quadratic)",
                flush=True,
            )
    return result


# --- 3. Feeds and 4. matching -----------------------------------------------------------------


def _get(handler: Any, path: str, query: str, secret: str) -> tuple[int, bytes, float]:
    return wsgi.call(handler, wsgi.environ(path, query, HTTP_AUTHORIZATION=f"Bearer {secret}"))


def _post(handler: Any, path: str, body: bytes, secret: str) -> tuple[int, bytes, float]:
    status: list[str] = []

    def start_response(line: str, headers: list[Any], exc_info: Any = None) -> None:
        status.append(line)

    env = wsgi.environ(path, "", HTTP_AUTHORIZATION=f"Bearer {secret}")
    env.update({"REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/json",
                "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)})  # fmt: skip
    started = time.perf_counter()
    result = handler(env, start_response)
    try:
        out = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return int(status[0].split()[0]), out, time.perf_counter() - started


def _lines(body: bytes) -> int:
    return sum(1 for line in body.splitlines() if line and not line.startswith(b"#"))


def feeds(handler: Any, secret: str, analyst: Any, count: int, repeats: int) -> dict[str, Any]:
    """The full plain lists, then their deltas after ~100 changes."""
    from django.utils import timezone

    from jisp.intel.models import Indicator
    from jisp.intel.services import indicators as service

    results: dict[str, Any] = {}
    _get(handler, "/intel/feeds/plain/ipv4/", "", secret)  # warm-up
    total = 0.0
    values = 0
    for name in PLAIN_LISTS:
        times = []
        for _r in range(repeats):
            status, body, seconds = _get(handler, f"/intel/feeds/plain/{name}/", "", secret)
            times.append(seconds)
        times.sort()
        median = times[len(times) // 2]
        total += median
        values += _lines(body)
        results[f"full plain/{name}"] = {"status": status, "seconds": median, "max": times[-1],
                                         "lines": _lines(body), "bytes": len(body)}  # fmt: skip
        print(f"  full plain/{name}: {status}, {_lines(body):,} lines, {len(body) / 1e6:.1f} MB, "
              f"median {median:.2f} s", flush=True)  # fmt: skip
    results["full plain, all four lists"] = {"seconds": total, "lines": values, "status": status}

    # ~100 changes a moment after `since`.
    since = timezone.now()
    time.sleep(0.01)
    step = count // 100 + 1  # every kind in turn
    first = Indicator.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    wanted = range(first, first + count, step)
    picked = list(Indicator.objects.filter(pk__in=wanted).order_by("pk")[:100])
    changes = 0
    for n, indicator in enumerate(picked):
        if n % 2:
            service.mark_false_positive(None, analyst, indicator, "bench: a harmless value")
        else:
            data = service.IndicatorInput(
                kind=indicator.kind, value=indicator.value, name=indicator.name,
                labels=indicator.labels, confidence=(indicator.confidence + 7) % 100,
                valid_until=indicator.valid_until, tlp=indicator.tlp,
                audience=indicator.audience,
            )  # fmt: skip
            service.update_indicator(None, analyst, indicator, data)
        changes += 1
    query = "since=" + quote(since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    for name in PLAIN_LISTS:
        path = f"/intel/feeds/plain/{name}/"
        _get(handler, path, query, secret)
        samples = []
        for _r in range(max(20, repeats * 10)):
            status, body, seconds = _get(handler, path, query, secret)
            samples.append(seconds * 1000)
        figures = common.percentiles(samples)
        figures.update({"status": status, "lines": _lines(body), "changes": changes})
        results[f"delta plain/{name}"] = figures
        print(f"  delta plain/{name}: {status}, {_lines(body)} lines, p50 {figures['p50']:.1f} "
              f"ms, p95 {figures['p95']:.1f} ms", flush=True)  # fmt: skip
    return results


def match(handler: Any, secret: str, count: int, repeats: int) -> dict[str, Any]:
    """100,000 values, half known (spread over the store), half unknown (values of indicators
    past N). Timed as configured; if the request is refused for its size (the API's
    ``jisp.api.MAX_BODY_BYTES``, Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``), timed again with
    both limits raised in this process for the measurement (and the refusal reported)."""
    from django.test import override_settings

    from jisp import api

    known = MATCH_VALUES // 2
    step = max(1, count // known)
    values = [intel_data.value(i)[1] for i in range(0, step * known, step)][:known]
    values += [intel_data.value(count + 10 + i)[1] for i in range(MATCH_VALUES - len(values))]
    body = json.dumps({"values": values}).encode()
    status, out, _s = _post(handler, "/api/v1/intel/match", body, secret)
    result: dict[str, Any] = {"values": len(values), "known": known, "request_bytes": len(body),
                              "status_as_configured": status}  # fmt: skip
    limit = None
    if status == 413:
        result["detail_as_configured"] = out[:300].decode(errors="replace")
        limit = max(len(body) * 2, 32 * 1024 * 1024)
        result["raised_limit"] = limit
    configured = api.MAX_BODY_BYTES
    from django.conf import settings

    api.MAX_BODY_BYTES = limit or configured
    try:
        with override_settings(
            DATA_UPLOAD_MAX_MEMORY_SIZE=limit or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        ):
            if limit:
                _post(handler, "/api/v1/intel/match", body, secret)  # warm-up
            times = []
            for _r in range(repeats):
                status, out, seconds = _post(handler, "/api/v1/intel/match", body, secret)
                times.append(seconds)
    finally:
        api.MAX_BODY_BYTES = configured
    times.sort()
    answer = json.loads(out) if out.startswith(b"{") else {}
    result.update({"status": status, "seconds": times[len(times) // 2], "max": times[-1],
                   "matched": answer.get("count", 0), "response_bytes": len(out)})  # fmt: skip
    if status != 200:
        result["detail"] = out[:300].decode(errors="replace")
    note = f" (refused as configured: {result['status_as_configured']})" if limit else ""
    print(f"  match: {status}, {result['matched']:,} of {len(values):,} values matched, median "
          f"{result['seconds']:.2f} s, max {result['max']:.2f} s{note}", flush=True)  # fmt: skip
    return result


# --- The run ----------------------------------------------------------------------------------


def run(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    from django.core.handlers.wsgi import WSGIHandler

    count = args.indicators
    report = intel_data.ensure(backend, count=count)
    cast = intel_data.people()
    payload: dict[str, Any] = {"backend": common.vendor(), "indicators": count,
                               "load_before": os.getloadavg()}  # fmt: skip
    results: dict[str, Any] = {}
    path = intel_data.bundle_path(count)
    small_path = intel_data.bundle_path(intel_data.SMALL, small=True)
    if not args.skip_import:
        tenth, _s = intel_data.write_bundle(max(1000, count // 10))
        cleared = intel_data.clear_store()
        print(f"  store emptied in {cleared:.1f} s", flush=True)
        results["import_tenth"] = run_import(backend, tenth)
        intel_data.clear_store()
        results["import"] = run_import(backend, path)
        results["import_small"] = run_import(backend, small_path, tlp="clear")
        results["analyze_s"] = common.analyze()[2]
    results["stix2"] = stix2_parse(path, args.stix2_sample)
    print(f"  stix2 alone: {results['stix2']['sample']:,} objects, per object "
          f"{results['stix2']['per_object_rate']:,.0f}/s, bundle text "
          f"{results['stix2']['bundle_text_rate']:,.0f}/s", flush=True)  # fmt: skip
    payload["sizes"] = intel_data.sizes()

    analyst_secret = intel_data.token(cast["analyst"])
    member_secret = intel_data.token(cast["member"])
    results["taxii"] = taxii(backend, analyst_secret, cast["analyst"].email, args.page_size,
                             args.small_page_size)  # fmt: skip
    handler = WSGIHandler()
    results["feeds"] = feeds(handler, member_secret, cast["analyst"], count, args.repeats)
    results["match"] = match(handler, member_secret, count, args.repeats)
    payload["results"] = results
    payload["generation"] = report
    payload["load_after"] = os.getloadavg()
    common.write_result(f"intel-{backend}", payload)
    return payload


def verdicts(payload: dict[str, Any], medallion_result: dict[str, Any] | None) -> list[list[Any]]:
    """[database, measure, figure, target verdict] rows of one backend's results."""
    db = payload["backend"]
    r = payload["results"]
    rows: list[list[Any]] = []

    def met(ok: bool, target: str) -> str:
        return f"{'met' if ok else 'MISSED'} ({target})"

    if "import" in r:
        imp, stix2 = r["import"], r["stix2"]
        ratio = imp["rate"] / stix2["rate"]
        rows.append([db, f"STIX import, {imp['objects']:,} objects", f"{imp['rate']:,.0f}/s",
                     met(imp["rate"] >= TARGETS["import_rate"] and imp["errors"] == 0,
                         ">= 20,000/s")])  # fmt: skip
        rows.append([db, f"  vs stix2 alone ({stix2['form']}, {stix2['sample']:,} objects: "
                     f"{stix2['rate']:,.0f}/s)", f"x {ratio:.1f}",
                     met(ratio >= TARGETS["import_ratio"], ">= 5x")])  # fmt: skip
        tenth = r["import_tenth"]
        rows.append(
            [
                db,
                f"  peak RSS: {tenth['objects']:,} / {imp['objects']:,} objects",
                f"{tenth['peak_mb']:.0f} / {imp['peak_mb']:.0f} MB",
                met(imp["peak_mb"] <= tenth["peak_mb"] * 1.25 + 20, "about the same"),
            ]
        )
    whole = r["taxii"]["all"]
    rows.append([db, f"TAXII: page through {whole['objects']:,} objects "
                 f"({whole['pages']} pages of {whole['per_request']:,})",
                 f"{whole['seconds']:.1f} s (server {whole['server_s']:.1f} s)",
                 met(whole["seconds"] < TARGETS["taxii_s"], "< 2 min")])  # fmt: skip
    small = r["taxii"]["small"]
    mine = f"{small['seconds']:.2f} s (server {small['server_s']:.2f} s)"
    if medallion_result and "seconds" in medallion_result:
        theirs = medallion_result.get("extrapolated_s")
        if not medallion_result.get("capped"):
            theirs, label = medallion_result["seconds"], f"{medallion_result['seconds']:.1f} s"
        elif theirs:
            label = (f"~{theirs:.0f} s extrapolated (stopped after "
                     f"{medallion_result['seconds']:.0f} s)")  # fmt: skip
        else:
            theirs = medallion_result["seconds"]
            label = f"> {theirs:.0f} s (stopped)"
        rows.append([db, f"TAXII {small['objects']:,} objects, pages of "
                     f"{small['per_request']:,}: ours vs medallion 3.0.0",
                     f"{mine} vs {label}: x {theirs / small['seconds']:.0f}",
                     met(small["server_s"] < 1.0, "server < 1 s")])  # fmt: skip
    else:
        rows.append([db, f"TAXII {small['objects']:,} objects (medallion not measured)", mine,
                     met(small["server_s"] < 1.0, "server < 1 s")])  # fmt: skip
    full = r["feeds"]["full plain, all four lists"]
    rows.append(
        [
            db,
            f"full plain lists ({full['lines']:,} values)",
            f"{full['seconds']:.2f} s",
            met(full["status"] == 200 and full["seconds"] < TARGETS["full_s"], "< 5 s"),
        ]
    )
    worst = max((v for k, v in r["feeds"].items() if k.startswith("delta")),
                key=lambda v: v["p95"])  # fmt: skip
    rows.append([db, f"delta of the plain lists after {worst['changes']} changes (worst p95)",
                 f"{worst['p95']:.1f} ms", met(worst["status"] == 200 and worst["p95"] <
                                               TARGETS["delta_ms"], "< 100 ms")])  # fmt: skip
    m = r["match"]
    refused = m.get("status_as_configured", m["status"]) != 200
    figure = f"{m['seconds']:.2f} s" if m["status"] == 200 else f"HTTP {m['status']}"
    if refused and m["status"] == 200:
        figure += f" (limit raised; as configured HTTP {m['status_as_configured']})"
    rows.append([db, f"match {m['values']:,} values ({m['matched']:,} matched)", figure,
                 met(not refused and m["status"] == 200 and m["seconds"] < TARGETS["match_s"],
                     "< 1 s")])  # fmt: skip
    return rows


def summary_rows() -> list[list[Any]]:
    rows: list[list[Any]] = []
    medallion_result = common.read_result("intel-medallion")
    for backend in ("sqlite", "postgres"):
        payload = common.read_result(f"intel-{backend}")
        if payload is None:
            continue
        if "skipped" in payload:
            rows.append([backend, "intel (1,000,000 indicators)", "-",
                         f"skipped: {payload['skipped']}"])  # fmt: skip
            continue
        rows += verdicts(payload, medallion_result)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument("--indicators", type=int, default=intel_data.INDICATORS)
    parser.add_argument("--skip-import", action="store_true",
                        help="keep the store as it is (no import figures)")  # fmt: skip
    parser.add_argument("--stix2-sample", type=int, default=20_000)
    parser.add_argument("--page-size", type=int, default=10_000)
    parser.add_argument("--small-page-size", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=3, help="timed calls of the slow requests")
    parser.add_argument("--no-medallion", action="store_true")
    parser.add_argument(
        "--no-generate",
        action="store_true",
        help="skip (report as skipped) if the people of the data set are not there yet",
    )
    parser.add_argument("--medallion-only", action="store_true")
    parser.add_argument(
        "--medallion-cap",
        type=float,
        default=600.0,
        help="seconds after which medallion's paging stops (extrapolated)",
    )
    parser.add_argument("--import-child", help=argparse.SUPPRESS)
    parser.add_argument("--tlp", default="green", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_child:
        import_child(args.backend, args.import_child, args.tlp)
        return
    if args.medallion_only:
        result = medallion(args.small_page_size, args.medallion_cap)
        result["load"] = os.getloadavg()
        common.write_result("intel-medallion", result)
        return
    if args.backend == "all":
        for backend in ("sqlite", "postgres"):
            (common.OUT / f"result-intel-{backend}.json").unlink(missing_ok=True)
            if backend == "postgres" and (problem := common.ensure_postgres_database(
                    intel_data.url("postgres"))):  # fmt: skip
                print(f"PostgreSQL skipped: {problem}")
                common.write_result("intel-postgres", {"skipped": problem})
                continue
            forwarded = [
                "--indicators",
                str(args.indicators),
                "--stix2-sample",
                str(args.stix2_sample),
                "--page-size",
                str(args.page_size),
                "--small-page-size",
                str(args.small_page_size),
                "--repeats",
                str(args.repeats),
            ] + (["--skip-import"] if args.skip_import else [])
            print(f"\n--- intel, {backend}", flush=True)
            subprocess.run([sys.executable, __file__, "--backend", backend, *forwarded],
                           check=False)  # fmt: skip
        if not args.no_medallion:
            print("\n--- medallion 3.0.0, memory backend", flush=True)
            subprocess.run([sys.executable, __file__, "--medallion-only", "--small-page-size",
                            str(args.small_page_size), "--medallion-cap",
                            str(args.medallion_cap)], check=False)  # fmt: skip
        print(common.table(["database", "measure", "figure", "target"], summary_rows(),
                           title="Threat intelligence"))  # fmt: skip
        return
    if args.no_generate:
        import data

        intel_data.setup(args.backend)
        if not data.is_present() or not intel_data.bundle_path(args.indicators).exists():
            problem = "no data set yet (run bench/intel_data.py, or run.py without --no-generate)"
            print(f"{args.backend}: skipped: {problem}")
            common.write_result(f"intel-{args.backend}", {"skipped": problem})
            return
    payload = run(args.backend, args)
    print(common.table(["database", "measure", "figure", "target"],
                       verdicts(payload, common.read_result("intel-medallion")),
                       title=f"Threat intelligence, {payload['backend']}: {args.indicators:,} "
                             f"indicators; load {payload['load_before']}"))  # fmt: skip


if __name__ == "__main__":
    main()
