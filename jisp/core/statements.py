"""Querysets compiled once per database and process, then run with new values.

Django builds and compiles a queryset's SQL on every call. For the queries that every signed-in
request makes (its session, its person, their memberships) that was most of a request's own
Python time: 3.2 ms of CPU for a view that returns a page from memory, of which building and
compiling three querysets took about 2 ms (PostgreSQL; docs/sharing.md, "Reading,
acknowledging, finding").

A ``Statement`` is made from a function that builds the queryset from its arguments, and the
arguments' types. The first call on a database builds the queryset with marker values, compiles
it once, and notes where each marker landed among the SQL parameters. Every call after that only
puts the values in those places, executes the SQL through Django's cursor (query logging and
execute wrappers see it), applies the columns' converters as the ORM does, and builds the rows as
the ORM would: model instances through ``Model.from_db`` with their ``select_related`` objects, or
``values_list`` tuples, or flat values.

Only for querysets whose SQL does not depend on the values: equality and membership filters on
integers and strings. A marker that does not reach the parameters unchanged (``__contains``
wraps it in ``%``, for instance) is refused when the statement is first compiled, so a statement
that would run with the wrong values cannot be written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]  # get_related_populators
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)

_KINDS: dict[type, str] = {
    ModelIterable: "models",
    ValuesListIterable: "tuples",
    FlatValuesListIterable: "flat",
}


def _marker(kind: type, index: int) -> int | str:
    if kind is int:
        return -7_310_000_001 - index
    if kind is str:
        return f"jisp-statement-marker-{index}"
    raise TypeError(f"a statement's parameters are int or str, not {kind.__name__}")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    places: tuple[tuple[int, ...], ...]  # for each argument, where it goes among the params
    kind: str
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # (column, converters, expression)
    model: Any
    fields: slice
    init_list: tuple[str, ...]
    populators: tuple[Any, ...]


class Statement:
    """A queryset shape compiled once per database: ``Statement(build, int)(42)`` runs
    ``build(42)``'s SQL and answers its rows (a list)."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], *types: type) -> None:
        self._build = build
        self._types = types
        self._compiled: dict[str, _Compiled] = {}

    def __call__(self, *values: Any, using: str = DEFAULT_DB_ALIAS) -> list[Any]:
        compiled = self._compiled.get(using) or self._compile(using)
        if len(values) != len(compiled.places):
            raise TypeError(f"expected {len(compiled.places)} values, got {len(values)}")
        params = list(compiled.params)
        for value, kind, places in zip(values, self._types, compiled.places, strict=True):
            if not isinstance(value, kind) or isinstance(value, bool):
                raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
            for place in places:
                params[place] = value
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = [_convert(row, compiled.converters, connection) for row in rows]
        if compiled.kind == "flat":
            return [row[0] for row in rows]
        if compiled.kind == "tuples":
            return [tuple(row) for row in rows]
        objects = []
        model, fields, init_list = compiled.model, compiled.fields, compiled.init_list
        for row in rows:
            obj = model.from_db(using, init_list, row[fields])
            for populator in compiled.populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects

    def first(self, *values: Any, using: str = DEFAULT_DB_ALIAS) -> Any:
        """The first row, or None."""
        rows = self(*values, using=using)
        return rows[0] if rows else None

    def _compile(self, using: str) -> _Compiled:
        markers = [_marker(kind, i) for i, kind in enumerate(self._types)]
        queryset = self._build(*markers)
        kind = _KINDS.get(queryset._iterable_class)
        if kind is None:
            raise TypeError("a statement answers model instances or values_list rows")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        params = tuple(params)
        places = []
        for marker in markers:
            found = tuple(
                i for i, p in enumerate(params) if type(p) is type(marker) and p == marker
            )
            if not found:
                raise ValueError(f"the value of parameter {marker!r} is changed on its way to SQL")
            places.append(found)
        columns = [s[0] for s in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(columns):
            raise TypeError("composite fields are not supported")
        converters = tuple(
            (column, tuple(convs), expression)
            for column, (convs, expression) in compiler.get_converters(columns).items()
        )
        model, fields, init_list, populators = None, slice(0), (), ()
        if kind == "models":
            info = compiler.klass_info
            if compiler.annotation_col_map:
                raise TypeError("annotations are not supported")
            model = info["model"]
            start, end = info["select_fields"][0], info["select_fields"][-1] + 1
            fields = slice(start, end)
            init_list = tuple(f[0].target.attname for f in compiler.select[start:end])
            populators = tuple(get_related_populators(info, compiler.select, using))
        compiled = _Compiled(
            sql, params, tuple(places), kind, converters, model, fields, init_list, populators
        )
        self._compiled[using] = compiled
        return compiled


def _convert(row: tuple[Any, ...], converters: Any, connection: Any) -> list[Any]:
    values = list(row)
    for column, convs, expression in converters:
        value = values[column]
        for convert in convs:
            value = convert(value, expression, connection)
        values[column] = value
    return values
