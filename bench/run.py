"""Run every benchmark and print a summary: ``make bench`` (``.venv/bin/python bench/run.py``).

Each benchmark runs in its own process (Django's settings are per process), in this order:

1. ``data.py``               10,000 organisations / 100,000 people, SQLite and PostgreSQL
                             (kept between runs; ``--fresh`` rebuilds them)
2. ``bench_home_and_api.py`` server time of the home page and the organisation list API
3. ``bench_demo_load.py``    ``jisp demo --reset`` on a fresh SQLite file (with the demo topics)
4. ``sharing_data.py``       1,000,000 topics and 10,000,000 views, SQLite and PostgreSQL (several
                             minutes the first time; kept; ``--no-generate`` skips it and the
                             sharing benchmarks if the data is not there yet)
5. ``bench_sharing.py``      server time of the topic list, search, topic page and record_view
6. ``bench_load.py``         gunicorn + PostgreSQL under 50 concurrent clients (wrk), topic pages
                             vs a bare view returning the same bytes
7. ``incidents_data.py``     100,000 cases and 2,000,000 timeline entries, SQLite and PostgreSQL
                             (kept; ``--no-generate`` skips it and the incidents benchmarks if
                             the data is not there yet)
8. ``bench_incidents.py``    server time of the case queue and its API, submit_report, and the
                             AM situation report drafted from a day of 1,000 cases
9. ``intel_data.py``         people and TAXII collections for the intel benchmark, and STIX
                             bundle files of 1,000,000 (and 10,000) indicators (kept)
10. ``bench_intel.py``       STIX import of 1,000,000 indicators vs the stix2 library, TAXII
                             paging (and medallion at 10,000 objects), product feeds, matching

PostgreSQL is postgres://postgres@127.0.0.1:5432 unless BENCH_DATABASE_URL or DATABASE_URL names
another server; the databases used there are always ``jisp_bench``, ``jisp_bench_sharing``,
``jisp_bench_incidents`` and ``jisp_bench_intel``.
Without a reachable server the PostgreSQL figures are reported as skipped.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402


def step(script: str, *args: str) -> int:
    print(f"\n=== {script} {' '.join(args)}".rstrip(), flush=True)
    return subprocess.run([sys.executable, str(HERE / script), *args], check=False).returncode


def machine() -> str:
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{platform.node()}: {os.cpu_count()} CPUs, load average {load}; Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def summary() -> str:
    rows: list[list[Any]] = []
    for backend in ("sqlite", "postgres"):
        result = common.read_result(f"home_api-{backend}")
        if result is None:
            continue
        if "skipped" in result:
            rows.append([backend, "home page and API", "-", "-", f"skipped: {result['skipped']}"])
            continue
        from bench_home_and_api import verdict

        for label, figures in result["results"].items():
            rows.append([
                result["backend"], label,
                figures.get("p50", "-"), figures.get("p95", "-"), verdict(figures),
            ])  # fmt: skip
    rows += sharing_rows()
    rows += incidents_rows()
    rows += intel_rows()
    demo = common.read_result("demo_load")
    if demo:
        rows.append(["SQLite", "jisp demo --reset (first load), s", "-", demo["first_s"],
                     "met" if demo["first_s"] < demo["target_s"] else "MISSED"])  # fmt: skip
        rows.append(["SQLite", "jisp demo --reset (reload), s", "-", demo["reset_s"],
                     "met" if demo["reset_s"] < demo["target_s"] else "MISSED"])  # fmt: skip
    return common.table(
        ["database", "measure", "p50 ms", "p95 ms / s", "target"],
        rows,
        title="Summary",
    )


def sharing_rows() -> list[list[Any]]:
    """The sharing benchmarks' lines of the summary."""
    rows: list[list[Any]] = []
    for backend in ("sqlite", "postgres"):
        result = common.read_result(f"sharing-{backend}")
        if result is None:
            continue
        if "skipped" in result:
            rows.append([backend, "topics (1,000,000)", "-", "-", f"skipped: {result['skipped']}"])
            continue
        from bench_sharing import verdict

        for label, figures in result["results"].items():
            if label.startswith("service:") and "record_view" not in label:
                continue  # the diagnostics stay in bench_sharing.py's own table
            name = label if "record_view" not in label else f"{label} (mean {figures['mean']:.2f})"
            rows.append([result["backend"], name, figures.get("p50", "-"),
                         figures.get("p95", "-"), verdict(label, figures)])  # fmt: skip
    load = common.read_result("load")
    if load and "skipped" in load:
        rows.append(["PostgreSQL", "load: topic pages", "-", "-", f"skipped: {load['skipped']}"])
    elif load:
        from bench_load import verdict as load_verdict

        page, bare = load["results"]["page"], load["results"]["bare"]
        ok = load_verdict(page) if load["page_kind"] == "sharing:detail" else "pending (404)"
        rows.append(
            [
                "PostgreSQL",
                f"load: {page['rate']:.0f} pages/s, p99 {page['p99']:.0f} ms, "
                f"{page['errors']} errors ({load['page_kind']})",
                page["p50"],
                "-",
                ok,
            ]
        )
        rows.append(["PostgreSQL", f"load: bare view {bare['rate']:.0f} pages/s; ratio "
                     f"{load['ratio']:.2f}", bare["p50"], "-", "-"])  # fmt: skip
    return rows


def incidents_rows() -> list[list[Any]]:
    """The incidents benchmarks' lines of the summary."""
    rows: list[list[Any]] = []
    for backend in ("sqlite", "postgres"):
        result = common.read_result(f"incidents-{backend}")
        if result is None:
            continue
        if "skipped" in result:
            rows.append([backend, "cases (100,000)", "-", "-", f"skipped: {result['skipped']}"])
            continue
        from bench_incidents import verdict as incidents_verdict

        for label, figures in result["results"].items():
            name = label if "mean" not in figures else f"{label} (mean {figures['mean']:.1f})"
            rows.append([result["backend"], name, figures.get("p50", "-"),
                         figures.get("p95", "-"), incidents_verdict(label, figures)])  # fmt: skip
    return rows


def intel_rows() -> list[list[Any]]:
    """The threat-intelligence benchmark's lines of the summary (figures in the last column
    but one: rates, seconds, MB)."""
    from bench_intel import summary_rows

    return [[db, measure, "-", figure, verdict] for db, measure, figure, verdict in summary_rows()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="rebuild the benchmark data")
    parser.add_argument("-n", type=int, default=300, help="timed requests per endpoint")
    parser.add_argument("--no-generate", action="store_true",
                        help="do not generate the (slow) sharing data set if it is missing: "
                             "report the sharing benchmarks as skipped")  # fmt: skip
    parser.add_argument("--duration", type=int, default=20, help="seconds of load (bench_load)")
    args = parser.parse_args()
    for name in ("home_api-sqlite", "home_api-postgres", "demo_load", "sharing-sqlite",
                 "sharing-postgres", "load", "incidents-sqlite", "incidents-postgres",
                 "intel-sqlite", "intel-postgres", "intel-medallion"):  # fmt: skip
        (common.OUT / f"result-{name}.json").unlink(missing_ok=True)
    print(machine())
    fresh = ["--fresh"] if args.fresh else []
    step("data.py", "--backend", "sqlite", *fresh)
    problem = common.ensure_postgres_database(common.postgres_url())
    if problem:
        print(f"PostgreSQL skipped: {problem}")
    else:
        step("data.py", "--backend", "postgres", *fresh)
    step("bench_home_and_api.py", "--backend", "all", "-n", str(args.n))
    step("bench_demo_load.py")
    no_generate = ["--no-generate"] if args.no_generate else []
    if not args.no_generate:
        step("sharing_data.py", "--backend", "sqlite", *fresh)
        if not problem:
            step("sharing_data.py", "--backend", "postgres", *fresh)
    step("bench_sharing.py", "--backend", "all", "-n", str(args.n), *no_generate)
    step("bench_load.py", "--duration", str(args.duration), *no_generate)
    if not args.no_generate:
        step("incidents_data.py", "--backend", "sqlite", *fresh)
        if not problem:
            step("incidents_data.py", "--backend", "postgres", *fresh)
    step("bench_incidents.py", "--backend", "all", "-n", str(args.n), *no_generate)
    if not args.no_generate:
        step("intel_data.py", "--backend", "sqlite", *fresh)
        if not problem:
            step("intel_data.py", "--backend", "postgres", *fresh)
    step("bench_intel.py", "--backend", "all", *no_generate)
    print()
    print(machine())
    print(summary())


if __name__ == "__main__":
    main()
