"""Run every benchmark and print a summary: ``make bench`` (``.venv/bin/python bench/run.py``).

Each benchmark runs in its own process (Django's settings are per process), in this order:

1. ``data.py``               10,000 organisations / 100,000 people, SQLite and PostgreSQL
                             (kept between runs; ``--fresh`` rebuilds them)
2. ``bench_home_and_api.py`` server time of the home page and the organisation list API
3. ``bench_demo_load.py``    ``jisp demo --reset`` on a fresh SQLite file

PostgreSQL is postgres://postgres@127.0.0.1:5432 unless BENCH_DATABASE_URL or DATABASE_URL names
another server; the database used there is always ``jisp_bench``. Without a reachable server the
PostgreSQL figures are reported as skipped.
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
    demo = common.read_result("demo_load")
    if demo:
        rows.append(["SQLite", "jisp demo --reset (first load), s", "-", demo["first_s"],
                     "met" if demo["first_s"] < demo["target_s"] else "MISSED"])  # fmt: skip
        rows.append(["SQLite", "jisp demo --reset (reload), s", "-", demo["reset_s"],
                     "met" if demo["reset_s"] < demo["target_s"] else "MISSED"])  # fmt: skip
    return common.table(
        ["database", "measure", "p50 ms", "p95 ms / s", "target (30 ms p95; demo 30 s)"],
        rows,
        title="Summary",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="rebuild the benchmark data")
    parser.add_argument("-n", type=int, default=300, help="timed requests per endpoint")
    args = parser.parse_args()
    for name in ("home_api-sqlite", "home_api-postgres", "demo_load"):
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
    print()
    print(machine())
    print(summary())


if __name__ == "__main__":
    main()
