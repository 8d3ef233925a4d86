"""Shared by the benchmarks: Django set-up against a dedicated database, timing and tables.

Django's settings are read once per process, so each benchmark process works on one database;
``bench/run.py`` starts one process per database (SQLite, then PostgreSQL) and prints a summary.

The environment is set *before* ``django.setup()``:

* ``JISP_DATA_DIR``   bench/out/<name>/ (secret key, Huey file, media), never the real ./data
* ``DATABASE_URL``    sqlite:///bench/out/<name>.sqlite3, or the PostgreSQL database ``jisp_bench``
                      on the server of BENCH_DATABASE_URL / DATABASE_URL (default
                      postgres://postgres@127.0.0.1:5432), created if missing
* ``JISP_STATIC_ROOT`` bench/out/static (collected once: the production static storage needs its
                      manifest, and DEBUG stays off so that timings are production-like)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
TARGET_MS = 30.0
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432"
BENCH_DB_NAME = "jisp_bench"

if str(ROOT) not in sys.path:
    sys.path.insert(1, str(ROOT))  # after the script's folder (bench/), so `data` is ours


def postgres_url() -> str:
    """The benchmark's PostgreSQL URL: the configured server, always the database jisp_bench."""
    for name in ("BENCH_DATABASE_URL", "DATABASE_URL"):
        value = os.environ.get(name, "")
        if value.split(":", 1)[0].lower() in {"postgres", "postgresql", "pgsql"}:
            break
    else:
        value = DEFAULT_POSTGRES
    parts = urlsplit(value)
    return urlunsplit((parts.scheme, parts.netloc, "/" + BENCH_DB_NAME, parts.query, ""))


def ensure_postgres_database(url: str) -> str | None:
    """Create the benchmark database if needed; None if ready, else why PostgreSQL is unusable."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover
        return "psycopg is not installed"
    parts = urlsplit(url)
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    name = parts.path.lstrip("/")
    try:
        with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True,
                             connect_timeout=5) as conn:  # fmt: skip
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # any connection problem means: skip PostgreSQL
        return f"PostgreSQL unreachable at {parts.hostname}:{parts.port or 5432} ({exc.__class__.__name__})"
    return None


def database_url(backend: str, name: str = "bench") -> str:
    if backend == "sqlite":
        return f"sqlite:///{OUT / (name + '.sqlite3')}"
    if backend == "postgres":
        return postgres_url()
    raise SystemExit(f"unknown backend {backend!r}: use sqlite or postgres")


def setup_django(backend: str, *, name: str = "bench", url: str | None = None,
                 migrate: bool = True) -> None:  # fmt: skip
    """Point JISP at the benchmark database, start Django, migrate, collect static files."""
    OUT.mkdir(parents=True, exist_ok=True)
    data_dir = OUT / f"data-{name}-{backend}"
    os.environ["JISP_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = url or database_url(backend, name)
    os.environ["JISP_STATIC_ROOT"] = str(OUT / "static")
    os.environ["DJANGO_SETTINGS_MODULE"] = "jisp.settings"
    os.environ.setdefault("JISP_LOG_LEVEL", "WARNING")
    os.environ.pop("DEBUG", None)
    import django

    django.setup()
    from django.core.management import call_command

    if migrate:
        call_command("migrate", verbosity=0, interactive=False)
    if not (OUT / "static" / "staticfiles.json").exists():
        call_command("collectstatic", verbosity=0, interactive=False)


def data_set_url(backend: str, name: str, db_name: str) -> str:
    """The database of a large data set kept between runs: ``bench/out/<name>.sqlite3``, or the
    PostgreSQL database ``db_name`` on the benchmark server."""
    if backend == "sqlite":
        return database_url("sqlite", name)
    parts = urlsplit(postgres_url())
    return urlunsplit((parts.scheme, parts.netloc, "/" + db_name, parts.query, ""))


def drop_data_set(backend: str, name: str, db_name: str) -> None:
    """Delete a data set's database (``--fresh``)."""
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (OUT / f"{name}.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    parts = urlsplit(data_set_url("postgres", name, db_name))
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def setup_data_set(backend: str, name: str, db_name: str) -> None:
    """Start Django on a data set's database (created and migrated if needed), with the static
    files collected (quick when nothing changed: a new app's files would otherwise be missing
    from the manifest, and every page would fail)."""
    url = data_set_url(backend, name, db_name)
    if backend == "postgres":
        problem = ensure_postgres_database(url)
        if problem:
            raise SystemExit(problem)
    setup_django(backend, name=name, url=url)
    from django.core.management import call_command

    call_command("collectstatic", verbosity=0, interactive=False)


def analyze() -> tuple[str, int, float]:
    """``ANALYZE`` the whole database after a bulk load (PostgreSQL: ``VACUUM ANALYZE``, as
    autovacuum would soon do: the visibility map and the rows' hint bits set now rather than by
    the first readers, or by autovacuum in the middle of a measurement): its report line."""
    from django.db import connection

    started = time.perf_counter()
    command = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(command)
    return (command, 0, time.perf_counter() - started)


def counts(queries: Iterable[tuple[str, str]]) -> dict[str, int]:
    """``label -> number`` for (label, ``SELECT COUNT(*)`` or ``SUM``) pairs: a data set's sizes."""
    from django.db import connection

    result = {}
    with connection.cursor() as cursor:
        for label, sql in queries:
            cursor.execute(sql)
            result[label] = int(cursor.fetchone()[0] or 0)
    return result


def vendor() -> str:
    from django.db import connection

    return "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "n": float(len(ordered)),
        "mean": statistics.fmean(ordered),
        "p50": cuts[49],
        "p95": cuts[94],
        "p99": cuts[98],
        "max": ordered[-1],
    }


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "") -> str:
    """A plain-text table (numbers right-aligned)."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max(len(str(h)), *(len(row[i]) for row in cells)) if cells else len(str(h))
              for i, h in enumerate(headers)]  # fmt: skip
    numeric = [all(_is_number(row[i]) for row in cells) if cells else False
               for i in range(len(headers))]  # fmt: skip

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(
            value.rjust(width) if num else value.ljust(width)
            for value, width, num in zip(row, widths, numeric, strict=True)
        ).rstrip()

    lines = [title] if title else []
    lines.append(fmt([str(h) for h in headers]))
    lines.append(fmt(["-" * w for w in widths]))
    lines.extend(fmt(row) for row in cells)
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}" if value >= 10 else f"{value:.2f}"
    return str(value)


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return text in {"-", ""}
    return True


def write_result(name: str, payload: dict[str, Any]) -> None:
    """Keep a benchmark's figures for ``run.py``'s summary (bench/out/result-<name>.json)."""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"result-{name}.json").write_text(json.dumps(payload, indent=2, default=str))


def read_result(name: str) -> dict[str, Any] | None:
    path = OUT / f"result-{name}.json"
    return json.loads(path.read_text()) if path.exists() else None
