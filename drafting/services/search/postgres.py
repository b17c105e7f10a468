"""Searching on PostgreSQL: the first ``MAX_RANKED`` matches in order, found at a bounded cost whether the
words are common or rare, with or without the kind and bill filters (bench/ANALYSIS.md, "the kind filter
at Grand Débat scale")."""
from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from drafting.models import Bill
from drafting.services.search import index
from drafting.services.search.index import kind_mark, word_in_block, words_in_blocks
from drafting.services.search.text import LANGUAGES, MAX_RANKED, bill_language, fold

# Of one kind: a word the planner expects in at most FEW index rows (all kinds together) is looked up in
# the GIN index alone, with the kind's lexeme. A more common one is asked of the GIN index by groups of
# blocks of the kind's items in order (phase 2), unless it could be in a DENSE share (half) of them: it
# is then counted among the kind's first SAMPLED items, and if it is that dense there, those first items
# are walked in order, at most WALKED of them (phase 1), where MAX_RANKED matches end the search. The walk
# tests every item it reads (5 µs an item: a word in 29% of the arguments, 3,496 read, 18 ms at Grand
# Débat scale) and the blocks read every match of the blocks they ask (1.7 µs a match: 2,343 in two
# blocks for that word, 4 ms), so each way is taken where it costs least (bench/ANALYSIS.md, "wordblocks").
FEW, DENSE, SAMPLED = 5_000, 0.5, 200
WALKED = round(2 * MAX_RANKED / DENSE)
# Blocks asked of the GIN index in one scan at most: each scan reads the posting lists of the words in its
# blocks (their matches there, migration 0016_wordblocks) and the table's rows of all those matches, so the
# blocks likely to hold MAX_RANKED matches are asked together, and the groups double after the first.
MAX_GROUP = 64


def _postgres_search(session: Session, languages: list[str], bill: Bill | None, kind: str | None, q: str,
                     limit: int, offset: int) -> list[int]:
    """The page's entry ids, best first, from the first ``MAX_RANKED`` matches in order (of one kind: in
    the order of that kind's items). Of every kind (of one bill or all), one statement, the planner
    choosing between a walk of the entries in order and the GIN index on its estimate of the words: the
    walk reads the index in the order it is stored, and wins until the matches are few. Of one kind, the
    planner's estimate of the words' rows, all kinds together, bounds the matches of that kind (its own
    estimate of a word of one kind would assume the two unrelated: it walked 248,000 items for a word
    mostly in amendments), and over the kind's item ids it bounds their density there, which sets the
    first group of blocks; only where that bound allows a dense word are the kind's first items counted.
    Phase 1 walks the kind's first ``WALKED`` items (of the bill's) in order, by the (kind, target id)
    index: when ``MAX_RANKED`` of them match, those are the first matches. Phase 2, for words not dense
    in that kind, or when phase 1 found fewer: a GIN index finds the matches (the kind's lexeme with the
    words, which each index row carries with its item's id, migration 0013_search; or the words in the
    kind's blocks, the second GIN index, 0016_wordblocks), sorted."""
    values = {"q": fold(q), "limit": limit, "offset": offset, "ranked": MAX_RANKED, "walked": WALKED}
    of_bill = bill is not None
    if of_bill:
        values["bill_id"] = bill.id
    else:
        languages = _written_in(session, languages)
        if not languages:
            return []
    queries = {language: f"plainto_tsquery('{LANGUAGES[language]}', :q)" for language in languages}
    with _searching(session):
        if kind is None:
            return _every_match(session, queries, values, None, of_bill)
        values["kind"] = kind
        expected = _expected_rows(session, queries, values)
        ids = _kind_ids(session, values) if expected > FEW else 0
        if not ids:  # rare words, or no item of the kind: one GIN condition (one scan, not one a group)
            return _every_match(session, queries, values, kind, of_bill)
        # The words' density in the kind, were all their rows of it; the planner estimates a word its
        # statistics do not hold at half their least frequent one's, so twice its estimate bounds it.
        density = min(1.0, expected / ids)
        if 2 * expected >= DENSE * ids:
            sampled = _sampled(session, queries, values, of_bill)
            if sampled >= DENSE * SAMPLED:
                first = (f"SELECT w.id, i.language, i.vector FROM {_first_items(of_bill, ':walked')} "
                         f"WHERE {_matching(queries, None, walking=True)} "
                         f"ORDER BY w.target_id LIMIT :ranked")
                rows = session.execute(text(_ranked(first, queries, counted=True)), values).all()
                if rows and rows[0][1] == MAX_RANKED:
                    return [row[0] for row in rows]
                density = (rows[0][1] if rows else 0) / WALKED
            elif sampled:
                density = sampled / SAMPLED
        groups = _groups(_blocks_per_scan(density), (ids - 1) // index.BLOCK)  # the writer's BLOCK: one place
        return _every_match(session, queries, values, kind, of_bill, groups)


def _blocks_per_scan(density: float) -> int:
    """How many blocks the first GIN scan asks for, for words held by this share of the kind's items:
    enough for a quarter more than ``MAX_RANKED`` matches at that density, at least one and at most
    ``MAX_GROUP`` (the most for a density of 0: none of the items walked held them, the matches are
    further on)."""
    if density <= 0:
        return MAX_GROUP
    return max(1, min(MAX_GROUP, math.ceil(1.25 * MAX_RANKED / (density * index.BLOCK))))


def _groups(first: int, last_block: int) -> list[tuple[int, int]]:
    """The groups of blocks asked one after another, as (first block, last block) up to ``last_block``:
    ``first`` blocks, then each group twice the one before."""
    groups, start, size = [], 0, first
    while start <= last_block:
        groups.append((start, min(start + size - 1, last_block)))
        start, size = start + size, 2 * size
    return groups


def _every_match(session: Session, queries: dict[str, str], values: dict, kind: str | None, of_bill: bool,
                 by_blocks: list[tuple[int, int]] | None = None) -> list[int]:
    """Phase 2, or a search of every kind: the first matches in order (of the entries; of one kind, of
    its items). Of every kind, the planner chooses how, a walk of the index in order or the GIN index,
    on its estimate of the words (and of the bill). Of one kind, never by a walk (``+ 0``): the words
    are not dense there; with the kind's lexeme, or (``by_blocks``: the words are known to be spread
    through the kind's items) by these groups of blocks of the kind's target ids (``BLOCK``: the words
    in each block, ``word_in_block``, migration 0016_wordblocks), in order, each group one GIN scan of
    the words in its blocks, its matches sorted, until ``MAX_RANKED`` are found. The nested loop keeps
    the groups' order and the outer ``LIMIT`` stops it, so only the rows of the groups read are fetched
    from the table (about ``MAX_RANKED`` rows and a few hundred more for a word spread through the
    items, where all its matches were read before), and each scan reads the posting lists of the words
    in its blocks, their matches there only, in the second GIN index (a block's own lexeme,
    0015_kindsearch's, listed every item of the block, and each scan decoded it whole: 1.65 ms a block of
    65,536 at Grand Débat scale)."""
    source = "search_index i JOIN search_entries e ON e.id = i.entry_id" if of_bill else "search_index i"
    of_bill_only = _OF_BILL if of_bill else ""
    if not by_blocks:
        order = "i.target_id + 0" if kind is not None else "i.entry_id"
        every = (f"SELECT i.entry_id AS id, i.language, i.vector FROM {source} "
                 f"WHERE {_matching(queries, kind_mark(':kind') if kind is not None else None)}{of_bill_only} "
                 f"ORDER BY {order} LIMIT :ranked")
    else:
        values = {**values, "firsts": [g[0] for g in by_blocks], "finals": [g[1] for g in by_blocks]}
        groups = "unnest(CAST(:firsts AS integer[]), CAST(:finals AS integer[])) AS b(first, final)"
        every = (f"SELECT m.id, m.language, m.vector FROM {groups} CROSS JOIN LATERAL ("
                 f"SELECT i.entry_id AS id, i.language, i.vector FROM {source} "
                 f"WHERE {_matching(queries, None, in_blocks=True)}{of_bill_only} "
                 f"ORDER BY i.target_id + 0 LIMIT :ranked) m LIMIT :ranked")
    return list(session.scalars(text(_ranked(every, queries)), values))


def _written_in(session: Session, languages: list[str]) -> list[str]:
    """Of these languages, those some bill is written in (an item's is its bill's, ``bill_language``):
    each language asked is one more arm of every statement, and where two stem a word alike (French and
    English ``quinziem``) both arms scan the same posting lists of the GIN index."""
    written = {bill_language(row) for row in session.execute(select(Bill.language).distinct())}
    return [language for language in languages if language in written]


@contextmanager
def _searching(session: Session) -> Iterator[None]:
    """The search's statements planned for these words each time, as unnamed statements: psycopg prepares
    a statement run five times, and PostgreSQL then plans it once for any word, walking every item for a
    rare word or reading every match of a common one. And, for this transaction, never compiled (``jit``:
    the planner's cost of a search by blocks at Grand Débat scale passes ``jit_above_cost``, and compiling
    took 16 ms of a 30 ms search, bench/ANALYSIS.md, "searchcost") nor run by parallel workers (starting
    two for each group of blocks took 10 ms of a 12 ms group, "wordblocks")."""
    session.execute(text("SELECT set_config('jit', 'off', true), "
                         "set_config('max_parallel_workers_per_gather', '0', true)"))
    driver = session.connection().connection.driver_connection
    threshold = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = threshold


_OF_BILL = " AND e.bill_id = :bill_id"


def _first_items(of_bill: bool, limit: str) -> str:
    """The kind's first ``limit`` items (of the bill's) in order, by the (kind, target id) index, as ``w``,
    each with its index row as ``i``, read by its key one item after another (``LIMIT 1`` keeps the
    planner from joining them otherwise: on a table of some thousand rows it read them all, with their
    vectors, to count 200 items, 8 ms where 0.3 ms do)."""
    return (f"(SELECT e.id, e.target_id FROM search_entries e WHERE e.kind = :kind{_OF_BILL if of_bill else ''} "
            f"ORDER BY e.target_id LIMIT {limit}) w CROSS JOIN LATERAL (SELECT r.language, r.vector "
            f"FROM search_index r WHERE r.entry_id = w.id LIMIT 1) i")


def _kind_ids(session: Session, values: dict) -> int:
    """How many item ids the kind's items span, up to its last (0: it has none); one index entry read."""
    last = session.scalar(text("SELECT max(k.target_id) FROM search_entries k WHERE k.kind = :kind"), values)
    return 0 if last is None else last + 1


def _sampled(session: Session, queries: dict[str, str], values: dict, of_bill: bool) -> int:
    """How many of the kind's first ``SAMPLED`` items (of the bill's) hold the words."""
    return session.scalar(text(
        f"SELECT count(*) FROM {_first_items(of_bill, ':sampled')} WHERE {_matching(queries, None, walking=True)}"),
        {**values, "sampled": SAMPLED})


def _expected_rows(session: Session, queries: dict[str, str], values: dict) -> float:
    """The planner's estimate of the index rows holding the words (of every kind and bill)."""
    plan = session.execute(text(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM search_index i "
                                f"WHERE {_matching(queries, None)}"), values).scalar()
    return float(plan[0]["Plan"]["Plan Rows"])


def _matching(queries: dict[str, str], mark: str | None, walking: bool = False, in_blocks: bool = False) -> str:
    """The words of each language's rows; with a lexeme (``mark``, its SQL: the kind's; ``'' && mark`` is
    the mark alone: a query of stop words must find nothing, hence ``numnode``). ``walking``: tested on the
    rows walked, never asked of the GIN index (``ts_match_vq`` is ``@@``, but no index condition): the
    planner, expecting the matches spread evenly, would rather read all of them than walk to the first
    ``MAX_RANKED``. ``in_blocks``: the words in the kind's blocks of the group ``b`` (``_in_blocks``)."""
    arms = []
    for language, query in queries.items():
        if walking:
            wanted = f"ts_match_vq(i.vector, {query})"
        elif in_blocks:
            wanted = f"numnode({query}) > 0 AND {words_in_blocks('i.vector', 'i.target_id')} @@ {_in_blocks(language)}"
        elif mark:
            wanted = f"numnode({query}) > 0 AND i.vector @@ ({query} && CAST({mark} AS tsquery))"
        else:
            wanted = f"i.vector @@ {query}"
        arms.append(f"(i.language = '{language}' AND {wanted})")
    return f"({' OR '.join(arms)})"


def _in_blocks(language: str) -> str:
    """The words of ``:q`` in each of the kind's blocks from ``b.first`` to ``b.final``, as one tsquery: all
    the words in one block (``word_in_block``, each quoted for the tsquery) or all in another. The words
    are the query's lexemes: ``plainto_tsquery`` asks for all those ``to_tsvector`` finds in it."""
    word = word_in_block(":kind", "n", "l.lexeme")
    quoted = rf"'''' || replace(replace({word}, '\', '\\'), '''', '''''') || ''''"
    return (f"(SELECT CAST(string_agg(g.words, ' | ') AS tsquery) FROM (SELECT '(' || string_agg({quoted}, ' & ') "
            f"|| ')' AS words FROM generate_series(b.first, b.final) AS n CROSS JOIN "
            f"unnest(to_tsvector('{LANGUAGES[language]}', :q)) AS l GROUP BY n) g)")


def _ranked(candidates: str, queries: dict[str, str], counted: bool = False) -> str:
    """The page of these candidates by rank (``counted``: with how many candidates there were)."""
    ranks = " ".join(f"WHEN '{language}' THEN {query}" for language, query in queries.items())
    return (f"SELECT c.id{', count(*) OVER ()' if counted else ''} FROM ({candidates}) c "
            f"ORDER BY ts_rank(c.vector, CASE c.language {ranks} END) DESC, c.id LIMIT :limit OFFSET :offset")
