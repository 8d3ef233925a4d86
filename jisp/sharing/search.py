"""Full-text search of topics in Japanese and English, on SQLite and on PostgreSQL.

Japanese is written without spaces between words, so a word-based index cannot find a word inside a
sentence. We index text as tokens that every database tokenises the same way: runs of Japanese
characters become overlapping two-character tokens (bigrams: "不審メール" → "不審 審メ メー ール"),
other text becomes lower-case words of letters and digits. A query word becomes the phrase of its
tokens, so any Japanese word of two or more characters is found wherever it stands; the words of a
query must all match. The tokens are kept in ``Topic.search_text`` and indexed by SQLite's FTS5
(a virtual table kept in step by triggers) or by a PostgreSQL GIN index on the stored column
``search_vector = to_tsvector('simple', search_text)`` (migrations 0002 and 0004).

We wrote this rather than use a library: the bigram scheme is a few lines, needs no extension
or dictionary on either database, and answers in milliseconds over a million topics (bench/).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL

M = TypeVar("M", bound=Model)

#: Hiragana, katakana (with the long-vowel mark), CJK ideographs and the iteration mark.
_CJK = "\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(f"[{_CJK}]+|[0-9a-z]+")
_IS_CJK = re.compile(f"[{_CJK}]")
#: A query longer than this is cut: nobody searches with a paragraph.
MAX_QUERY = 200
#: Search looks among the newest this-many matching topics (ids grow with time): a common word
#: matching a hundred thousand topics still answers in milliseconds, with the newest first.
WINDOW = 1000
#: PostgreSQL's GIN index gives the matching rows in no order, and a phrase of bigrams must be
#: checked again on each row it names (tens of thousands for a common word: ~0.5 s over a million
#: topics). So PostgreSQL first reads the newest ``SCAN_ROWS`` topics backwards by key, checking
#: each (~3 µs a row); when they hold at least ``ENOUGH`` matches (several pages), those are the
#: answer. Otherwise the word is rare there, and the index finds it among the newest topics,
#: widening the span until the window is full (or the whole table has been searched).
SCAN_ROWS = 10_000
ENOUGH = 100
RECENT_SPANS = (20_000, 100_000, 400_000)


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _tokens_of(run: str) -> list[str]:
    if _IS_CJK.match(run):
        if len(run) == 1:
            return [run]
        return [run[i : i + 2] for i in range(len(run) - 1)]
    return [run]


def index_text(*texts: str) -> str:
    """The tokens to index for these texts, separated by spaces."""
    tokens: list[str] = []
    for text in texts:
        for match in _TOKEN.finditer(_normalise(text or "")):
            tokens.extend(_tokens_of(match.group()))
    return " ".join(tokens)


def query_phrases(query: str) -> list[tuple[list[str], bool]]:
    """Each searchable run of the query as (tokens, prefix): all must match.

    A single Japanese character cannot be found by bigrams; it is looked up as a prefix instead.
    """
    phrases = []
    for match in _TOKEN.finditer(_normalise(query[:MAX_QUERY])):
        run = match.group()
        tokens = _tokens_of(run)
        phrases.append((tokens, bool(_IS_CJK.match(run)) and len(run) == 1))
    return phrases


def _fts5(phrases: Iterable[tuple[list[str], bool]]) -> str:
    parts = []
    for tokens, prefix in phrases:
        # Tokens hold only letters, digits and Japanese characters: no quoting to escape.
        parts.append(f'"{tokens[0]}"*' if prefix else '"' + " ".join(tokens) + '"')
    return " AND ".join(parts)


def _tsquery(phrases: Iterable[tuple[list[str], bool]]) -> str:
    parts = []
    for tokens, prefix in phrases:
        if prefix:
            parts.append(f"'{tokens[0]}':*")
        else:
            parts.append("(" + " <-> ".join(f"'{token}'" for token in tokens) + ")")
    return " & ".join(parts)


def search(queryset: QuerySet[M], query: str) -> QuerySet[M]:
    """``queryset`` (of topics) narrowed to those matching every word of ``query``, among the
    newest ``WINDOW`` matching topics."""
    phrases = query_phrases(query)
    if not phrases:
        return queryset.none() if query.strip() else queryset
    table = queryset.model._meta.db_table
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        return queryset.filter(pk__in=_postgres_ids(queryset.db, table, _tsquery(phrases)))
    sql = (
        f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s "  # noqa: S608
        "ORDER BY rowid DESC LIMIT %s"
    )
    return queryset.filter(pk__in=RawSQL(sql, [_fts5(phrases), WINDOW]))  # noqa: S611


def _postgres_ids(db: str, table: str, tsquery: str) -> list[int]:
    """Ids of the newest ``WINDOW`` topics matching ``tsquery``, newest spans first."""
    with connections[db].cursor() as cursor:
        cursor.execute(f"SELECT max(id) FROM {table}")  # noqa: S608
        top = cursor.fetchone()[0] or 0
        # "(... @@ ...) IS TRUE" cannot use the GIN index: the newest rows are read by key.
        cursor.execute(
            f"SELECT id FROM {table} WHERE id > %s AND "  # noqa: S608
            "(search_vector @@ to_tsquery('simple', %s)) IS TRUE ORDER BY id DESC LIMIT %s",
            [top - SCAN_ROWS, tsquery, WINDOW],
        )
        recent = [row[0] for row in cursor.fetchall()]
        if len(recent) >= ENOUGH or top <= SCAN_ROWS:
            return recent
        base = f"SELECT id FROM {table} WHERE search_vector @@ to_tsquery('simple', %s)"  # noqa: S608
        for span in (*RECENT_SPANS, None):
            if span is None or span >= top:
                cursor.execute(f"{base} ORDER BY id DESC LIMIT %s", [tsquery, WINDOW])
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(
                f"{base} AND id > %s ORDER BY id DESC LIMIT %s", [tsquery, top - span, WINDOW]
            )
            ids = [row[0] for row in cursor.fetchall()]
            if len(ids) >= WINDOW:
                return ids
    return []
