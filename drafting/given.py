"""Rows handed to one statement as one set of parameters whatever their number (a batch of votes'
new rows, its people's weights): a multi-row ``INSERT … SELECT`` built and prepared once
(``drafting.db.Prepared``), on PostgreSQL and on SQLite alike.

On PostgreSQL each column goes as one array written as text (``{1,2,3}``, cast to the column's array
type in SQL): psycopg adapting a Python list looks up a dumper for its elements at each execute, which
cost a batch of votes more than its statements' own SQL."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import String, bindparam, cast, func, literal_column, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import Select
from sqlalchemy.types import TypeDecorator


def given_rows(dialect: str, columns: dict[str, Any], *extra) -> Select:
    """The SELECT, for ``INSERT … SELECT``, of rows handed to one statement as one set of parameters
    whatever their number (``given_parameters``), so a multi-row statement is built and prepared once:
    on PostgreSQL one array per column (``unnest``, each array given as text), elsewhere (SQLite) one JSON array of rows
    (``json_each``); ``columns``: name → type, each value passed through its type; ``extra``: more
    columns, the same for every row."""
    if dialect == "postgresql":
        rows = func.unnest(*(cast(bindparam(name, type_=_ArrayText(kind)), ARRAY(kind))
                             for name, kind in columns.items())).table_valued(
            *columns).render_derived(name="given")
        return select(*rows.c, *extra)
    rows = func.json_each(bindparam(_GIVEN, type_=_JSONRows(tuple(columns.values())))).table_valued("value")
    # The WHERE clause SQLite needs to read ``INSERT … SELECT … ON CONFLICT`` without ambiguity.
    return select(*(func.json_extract(rows.c.value, literal_column(f"'$[{i}]'")).label(name)
                    for i, name in enumerate(columns)), *extra).where(true())


def given_parameters(dialect: str, names: tuple[str, ...] | list[str], rows: list[tuple]) -> dict[str, Any]:
    """The parameters of a ``given_rows`` statement for ``rows`` (tuples in the order of ``names``)."""
    if dialect == "postgresql":
        return {name: [row[i] for row in rows] for i, name in enumerate(names)}
    return {_GIVEN: rows}


_GIVEN = "given_rows"


class _JSONRows(TypeDecorator):
    """Rows as one JSON array of arrays (SQLite's ``json_each``), each value stored as its column's type
    stores it (a date as its text, a boolean as 0 or 1)."""

    impl = String
    cache_ok = True

    def __init__(self, kinds: tuple) -> None:
        super().__init__()
        self.kinds = tuple(kind() if isinstance(kind, type) else kind for kind in kinds)
        self._processors: dict[str, list] = {}  # by dialect

    def process_bind_param(self, rows, dialect):
        processors = self._processors.get(dialect.name)
        if processors is None:
            processors = self._processors[dialect.name] = [kind.dialect_impl(dialect).bind_processor(dialect)
                                                           for kind in self.kinds]
        return json.dumps([[value if process is None or value is None else process(value)
                            for process, value in zip(processors, row)] for row in rows])


class _ArrayText(TypeDecorator):
    """A list of values as PostgreSQL's text of an array (``{1,"a b",NULL}``), each value first stored as
    its column's type stores it: one string for the driver, whatever the list's length."""

    impl = String
    cache_ok = True

    def __init__(self, kind) -> None:
        super().__init__()
        self.kind = kind() if isinstance(kind, type) else kind
        self._processors: dict[str, Any] = {}  # by dialect

    def process_bind_param(self, values, dialect):
        if values is None:
            return None
        if dialect.name not in self._processors:
            self._processors[dialect.name] = self.kind.dialect_impl(dialect).bind_processor(dialect)
        process = self._processors[dialect.name]
        return "{" + ",".join(_element(value if process is None or value is None else process(value))
                              for value in values) + "}"


def _element(value: Any) -> str:
    """One value of an array's text: NULL, a boolean as t or f, a number as is, anything else quoted."""
    if value is None:
        return "NULL"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
