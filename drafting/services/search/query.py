"""Searching: the checked query, the dialect's ranked statement (at most MAX_RANKED matches ranked) and the hits."""
from __future__ import annotations

import functools
import re
import sys
import threading
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

import snowballstemmer
from sqlalchemy import Select, TextClause, bindparam, case, delete, func, insert, literal, select, text, tuple_
from sqlalchemy.orm import Session, aliased

from amendments.models import Amendment, Argument
from drafting.errors import Invalid
from drafting.ids import MAX_ID
from drafting.models import SEARCH_KINDS, Article, ArticleVersion, Bill, SearchEntry
from drafting.services.search.text import (LANGUAGES, MAX_QUERY, DEFAULT_LIMIT, MAX_LIMIT, MAX_RANKED, bill_language, fold, words, query_stems)
from drafting.services.search.index import _postgres
from drafting.services.search.postgres import _postgres_search

# --- searching ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    """One item found, with what its result shows: its words, its bill, and where it lives."""

    kind: str
    id: int
    bill: str
    language: str
    title: str
    body: str
    status: str | None = None  # an amendment's
    target: tuple[str, int] | None = None  # an argument's article or amendment


def check_query(q: str | None) -> str:
    q = (q or "").strip()
    if not q:
        raise Invalid("q", "must not be empty")
    if len(q) > MAX_QUERY:
        raise Invalid("q", "must be at most 200 characters")
    return q


def check_kind(kind: str | None) -> str | None:
    if kind in (None, ""):
        return None
    if kind not in SEARCH_KINDS:
        raise Invalid("kind", "must be one of bill, article, amendment, argument")
    return kind


def check_bill(session: Session, slug: str | None) -> Bill | None:
    """The bill a search is limited to; a slug naming no bill is a 400 naming ``bill``."""
    if slug in (None, ""):
        return None
    found = session.scalar(select(Bill).where(Bill.slug == slug))
    if found is None:
        raise Invalid("bill", "names no bill")
    return found


def check_page(limit: int | None, offset: int | None) -> tuple[int, int]:
    limit = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid("limit", "must be between 1 and 500")
    if offset is None or offset < 0:
        raise Invalid("offset", "must not be negative")
    if offset > MAX_ID:  # no table holds more rows, and the database refuses a far larger OFFSET
        raise Invalid("offset", "must be at most {bound}", bound=MAX_ID)
    return limit, offset


@dataclass(frozen=True)
class Found:
    hits: list[Hit]
    more: bool  # whether more items follow this page


def search(session: Session, q: str | None, *, bill: Bill | None = None, kind: str | None = None,
           limit: int | None = None, offset: int | None = 0) -> Found:
    """The items matching every word of ``q``, best first, ``limit`` of them from ``offset``: the first
    ``MAX_RANKED`` matches in the order of the entries (of one kind: in the order of that kind's items)
    are ranked and the page kept (SQLite: one statement, the words matched first; PostgreSQL:
    ``_postgres_search``); then the page's rows by id. Snippets are made by the caller for that page only."""
    q, kind = check_query(q), check_kind(kind)
    limit, offset = check_page(limit, offset)
    languages = [bill_language(bill)] if bill is not None else list(LANGUAGES)
    if _postgres(session):
        ids = _postgres_search(session, languages, bill, kind, q, limit + 1, offset)
        return Found(_hits(session, ids[:limit]), len(ids) > limit)
    filters, values = "", {"limit": limit + 1, "offset": offset, "ranked": MAX_RANKED}
    if bill is not None:
        filters += " AND e.bill_id = :bill_id"
        values["bill_id"] = bill.id
    if kind is not None:
        filters += " AND e.kind = :kind"
        values["kind"] = kind
    statement = _sqlite_query(languages, filters, values, q)
    if statement is None:
        return Found([], False)
    ids = list(session.scalars(text(statement), values))
    return Found(_hits(session, ids[:limit]), len(ids) > limit)


def _sqlite_query(languages: list[str], filters: str, values: dict, q: str) -> str | None:
    """bm25 weights: language 0 (a filter), title 4, body 1; lower is better. Languages whose stemmers
    read the query alike share one clause, with no language filter when all do (the usual case: a
    filter on a token of every row costs more than the words themselves)."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for language in languages:
        groups.setdefault(tuple(sorted(query_stems(language, q))), []).append(language)
    if not any(groups):
        return None
    clauses = []
    for terms, group in groups.items():
        wanted = "{title body} : (" + " AND ".join(f'"{term}"' for term in terms) + ")"  # letters, digits
        if len(groups) == 1 and len(group) == len(LANGUAGES):
            clauses.append(wanted)
        elif terms:
            clauses.append("(language : (" + " OR ".join(f'"{lang}"' for lang in group) + f") AND {wanted})")
    values["match"] = " OR ".join(clauses)
    return ("SELECT id FROM (SELECT e.id AS id, bm25(search_index, 0.0, 4.0, 1.0) AS score FROM search_index "
            # CROSS JOIN keeps this order: the index first, never a MATCH per entry of a kind or bill
            f"CROSS JOIN search_entries e ON e.id = search_index.rowid WHERE search_index MATCH :match{filters} "
            "ORDER BY search_index.rowid LIMIT :ranked) ORDER BY score, id LIMIT :limit OFFSET :offset")


def _hits(session: Session, ids: list[int]) -> list[Hit]:
    """The page's hits, in the order of ``ids``: one statement for the entries with their bill's slug, an
    amendment's status and an argument's article or amendment (one round trip, whatever the kinds)."""
    if not ids:
        return []
    rows = {row.id: row for row in session.execute(_HITS, {"ids": ids})}
    hits = []
    for entry_id in ids:
        row = rows[entry_id]
        target = None
        if row.argument is not None:
            target = ("article", row.article_id) if row.article_id is not None else ("amendment", row.amendment_id)
        hits.append(Hit(row.kind, row.target_id, row.slug, row.language, row.title, row.body, row.status, target))
    return hits


_ON_AMENDMENT = aliased(Amendment)
_ON_ARGUMENT = aliased(Argument)
_HITS = (select(SearchEntry.id, SearchEntry.kind, SearchEntry.target_id, SearchEntry.language, SearchEntry.title,
                SearchEntry.body, Bill.slug, _ON_AMENDMENT.status, _ON_ARGUMENT.id.label("argument"),
                _ON_ARGUMENT.article_id, _ON_ARGUMENT.amendment_id)
         .join(Bill, Bill.id == SearchEntry.bill_id)
         .outerjoin(_ON_AMENDMENT, (SearchEntry.kind == "amendment") & (_ON_AMENDMENT.id == SearchEntry.target_id))
         .outerjoin(_ON_ARGUMENT, (SearchEntry.kind == "argument") & (_ON_ARGUMENT.id == SearchEntry.target_id))
         .where(SearchEntry.id.in_(bindparam("ids", expanding=True))))
