"""Queries sent ahead of their rows being needed, for ``jisp.intel.matching``: on PostgreSQL
the server works on them while Python does something else."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection

from jisp.intel.match_json import Row


class Queries:
    """Read-only queries sent ahead of their rows being needed. On PostgreSQL they run in a
    second thread on the request's own connection (its transaction, so what it sees; psycopg
    connections may be shared between threads, each query taking the connection's lock), the
    server working while this thread reads inputs and processes rows; elsewhere each runs when
    its rows are asked for. ``close`` (always) waits for the thread."""

    def __init__(self) -> None:
        self.pool: ThreadPoolExecutor | None = None
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            self.raw = connection.connection
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="jisp-match")

    def send(self, queryset: Any) -> Callable[[], list[Row]]:
        """The queryset's rows (``values_list``: tuples), when the answer is called."""
        if self.pool is None:
            return lambda: list(queryset)
        try:
            sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:  # nothing to ask (say, nothing visible), as Django would answer
            return list
        future = self.pool.submit(self._fetch, sql, params)

        def rows() -> list[Row]:
            with connection.wrap_database_errors:
                found: list[Row] = future.result()
            if connection.queries_logged:  # as Django's cursor would have logged it
                connection.queries_log.append({"sql": _shown(sql, params), "time": "0.000"})
            return found

        return rows

    def _fetch(self, sql: str, params: Sequence[Any]) -> list[Row]:
        with self.raw.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _shown(sql: str, params: Sequence[Any]) -> str:
    try:
        return sql % tuple(params)
    except (TypeError, ValueError):  # pragma: no cover - a literal "%" in the SQL
        return sql
