"""What is indexed for search, written in each change's transaction, and the set-based full reindex."""
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
from sqlalchemy import Select, TextClause, case, delete, func, insert, literal, select, text, tuple_
from sqlalchemy.orm import Session, aliased

from amendments.models import Amendment, Argument
from drafting.errors import Invalid
from drafting.models import SEARCH_KINDS, Article, ArticleVersion, Bill, SearchEntry
from drafting.services.search.text import (LANGUAGES, _BATCH, bill_language, fold, stem, words, stems)

# --- what is indexed ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """One searchable item as the index takes it."""

    kind: str
    target_id: int
    bill_id: int
    language: str
    title: str
    body: str


def _joined(*parts: str | None) -> str:
    return "\n".join(part for part in parts if part)


def bill_item(bill: Bill) -> Item:
    return Item("bill", bill.id, bill.id, bill_language(bill), bill.title, bill.summary or "")


def article_item(bill: Bill, article: Article, head_text: str) -> Item:
    return Item("article", article.id, bill.id, bill_language(bill), _joined(f"Article {article.number}",
                                                                              article.heading), head_text)


def amendment_item(bill: Bill, amendment: Amendment) -> Item:
    return Item("amendment", amendment.id, bill.id, bill_language(bill), _joined(amendment.title, amendment.heading),
                _joined(amendment.explanation, amendment.text))


def argument_item(bill: Bill, argument: Argument) -> Item:
    return Item("argument", argument.id, bill.id, bill_language(bill), "", argument.body)


# --- keeping the index -------------------------------------------------------------------------

def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# (entry id, language, title, body): what an index row is made of (the PostgreSQL writer reads the kind and
# the item's id from the entry).
Row = tuple[int, str, str, str]


def kind_mark(kind: str) -> str:
    """The lexeme that a PostgreSQL index row carries for its entry's kind, in SQL, from the SQL of the
    kind, so that a kind filter is one GIN condition with the words (``vector @@ (words && 'kind_argument')``);
    no query produces it, since the parser splits words at ``_`` (migration 0013_search)."""
    return f"('kind_' || {kind})"


# The target ids of one kind fall in blocks of BLOCK, and PostgreSQL's second GIN index holds each index
# row's words as words in its kind's block (``words_in_blocks``): the first matches of a kind, in the order
# of its items, are asked of it block after block, and each word in a block lists only its matches there,
# so only those are read (migration 0016_wordblocks; 0015_kindsearch's one lexeme a block listed every
# item of the block, and each scan decoded it whole).
BLOCK = 4_096


def word_in_block(kind: str, block: str, word: str) -> str:
    """A word in a kind's block of target ids (``'argument 3 quinziem'``), in SQL, from the SQL of the
    kind, of the block's number and of the word's lexeme, as migration 0016_wordblocks's
    ``search_words_in_blocks`` writes them. Spaces part them: the parser splits text at spaces, so no
    lexeme holds one."""
    return f"({kind} || ' ' || {block} || ' ' || {word})"


def words_in_blocks(vector: str, target_id: str) -> str:
    """The SQL of an index row's words in its kind's block (``BLOCK``): the expression of the second GIN
    index (migration 0016_wordblocks), which a search must spell alike for PostgreSQL to use it."""
    return f"search_words_in_blocks({vector}, {target_id}, {int(BLOCK)})"


def _index_rows(session: Session, rows: list[Row]) -> None:
    """The index rows of these entries; the same statement for a change and for a full reindex."""
    if rows:
        _write_index(session, _index_values(_postgres(session), rows))


_POSTGRES_INDEX = text(
    "INSERT INTO search_index (entry_id, language, vector) SELECT u.id, u.language, "
    "setweight(to_tsvector(CAST(u.config AS regconfig), u.title), 'A') || "
    "setweight(to_tsvector(CAST(u.config AS regconfig), u.body), 'B') || "
    f"array_to_tsvector(ARRAY[{kind_mark('e.kind')}]) "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:languages AS varchar[]), CAST(:configs AS text[]), "
    "CAST(:titles AS text[]), CAST(:bodies AS text[])) AS u(id, language, config, title, body) "
    "JOIN search_entries e ON e.id = u.id")
_SQLITE_INDEX = text("INSERT INTO search_index (rowid, language, title, body) VALUES (:id, :language, :title, :body)")


def _index_values(postgres: bool, rows: list[Row]) -> tuple[TextClause, Any]:
    """The statement and parameters that write these index rows: the words folded (PostgreSQL stems
    them, and the kind's mark follows; a trigger of migration 0013_search copies the
    item's id from the entry), or folded and stemmed (SQLite, where the kind filter is the entries'
    column: the words are matched first)."""
    if postgres:
        return _POSTGRES_INDEX, {"ids": [r[0] for r in rows], "languages": [r[1] for r in rows],
                                 "configs": [LANGUAGES[r[1]] for r in rows], "titles": [fold(r[2]) for r in rows],
                                 "bodies": [fold(r[3]) for r in rows]}
    return _SQLITE_INDEX, [{"id": i, "language": language, "title": " ".join(stems(language, title)),
                            "body": " ".join(stems(language, body))} for i, language, title, body in rows]


def _write_index(session: Session, values: tuple[TextClause, Any]) -> None:
    session.execute(*values)


def _drop_entries(session: Session, ids: list[int]) -> None:
    if ids:
        column = "entry_id" if _postgres(session) else "rowid"
        session.execute(text(f"DELETE FROM search_index WHERE {column} = :id"), [{"id": i} for i in ids])
        session.execute(delete(SearchEntry).where(SearchEntry.id.in_(ids)))


def write(session: Session, items: list[Item], *, fresh: bool = False) -> None:
    """Index these items (again, if they were): their entries and index rows, in the caller's transaction
    (``fresh``: none of them is indexed yet, as in a rebuild). An item indexed again keeps its entry's
    id, so the entries stay in the order the items were first indexed (what ``search`` ranks first
    when a word is everywhere)."""
    for start in range(0, len(items), _BATCH):
        batch = items[start:start + _BATCH]
        kept: dict[tuple[str, int], int] = {}
        if not fresh:
            keys = [(item.kind, item.target_id) for item in batch]
            kept = {(kind, target): entry for entry, kind, target in session.execute(
                select(SearchEntry.id, SearchEntry.kind, SearchEntry.target_id)
                .where(tuple_(SearchEntry.kind, SearchEntry.target_id).in_(keys)))}
            _drop_entries(session, list(kept.values()))
        again = [item for item in batch if (item.kind, item.target_id) in kept]
        new = [item for item in batch if (item.kind, item.target_id) not in kept]
        if again:
            session.execute(insert(SearchEntry), [{"id": kept[i.kind, i.target_id], **_entry(i)} for i in again])
        ids = list(session.scalars(insert(SearchEntry).returning(SearchEntry.id, sort_by_parameter_order=True),
                                   [_entry(i) for i in new])) if new else []
        _index_rows(session, [(kept[i.kind, i.target_id], i.language, i.title, i.body) for i in again]
                    + [(entry, i.language, i.title, i.body) for entry, i in zip(ids, new)])


def _entry(item: Item) -> dict[str, Any]:
    return {"kind": item.kind, "target_id": item.target_id, "bill_id": item.bill_id, "language": item.language,
            "title": item.title, "body": item.body}


def unindex(session: Session, kind: str, target_ids: Iterable[int]) -> None:
    """These items leave the search (moderation hid them), in the caller's transaction."""
    wanted = list(target_ids)
    if wanted:
        _drop_entries(session, list(session.scalars(select(SearchEntry.id).where(
            SearchEntry.kind == kind, SearchEntry.target_id.in_(wanted)))))


def index_bill(session: Session, bill: Bill, heads: dict[int, str] | None = None) -> None:
    """A new or edited bill; with ``heads`` (article id → head text), its articles too."""
    items = [bill_item(bill)]
    if heads is not None:
        articles = session.scalars(select(Article).where(Article.id.in_(list(heads)))) if heads else []
        items += [article_item(bill, article, heads[article.id]) for article in articles if not article.removed]
    write(session, items)


def index_article(session: Session, article: Article, head_text: str) -> None:
    """An article with a new head version; one whose head deletes it leaves the search."""
    if article.removed:
        unindex(session, "article", [article.id])
    else:
        write(session, [article_item(session.get(Bill, article.bill_id), article, head_text)])


def index_amendments(session: Session, amendments: list[Amendment]) -> None:
    """New, resubmitted or rebased amendments (a withdrawn one stays findable, with its status)."""
    visible = [a for a in amendments if a.hidden_by_id is None]
    if visible:
        found = {b.id: b for b in session.scalars(select(Bill).where(Bill.id.in_({a.bill_id for a in visible})))}
        write(session, [amendment_item(found[a.bill_id], a) for a in visible])


def index_argument(session: Session, bill: Bill, argument: Argument) -> None:
    write(session, [argument_item(bill, argument)])


def unindex_amendment(session: Session, amendment: Amendment) -> None:
    """A hidden amendment leaves the search, and the arguments written on it with it."""
    unindex(session, "amendment", [amendment.id])
    unindex(session, "argument", session.scalars(select(Argument.id).where(Argument.amendment_id == amendment.id)))


def reindex(session: Session, progress: Callable[[int], None] | None = None) -> int:
    """Build the whole index again from the rows (after a bulk load, or to repair it); answers the
    number of items indexed. ``progress`` hears the running count after each batch.

    Set-based: one ``INSERT … SELECT`` per kind writes the entries, then the index rows follow in
    batches of ``_REINDEX_BATCH`` (one statement each: ``to_tsvector`` over arrays on PostgreSQL, whose
    GIN indexes are dropped meanwhile and built once at the end; the stems on SQLite). On PostgreSQL the
    rebuild holds the index's tables: searches, and changes that index what they write, wait for it."""
    postgres = _postgres(session)
    if postgres:
        session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))  # the GIN build at the end
        session.execute(text("TRUNCATE search_index, search_entries"))
        for name in _gin_indexes():
            session.execute(text(f"DROP INDEX IF EXISTS {name}"))
    else:
        session.execute(text("DELETE FROM search_index"))
        session.execute(delete(SearchEntry))
    _write_entries(session)
    done = _index_entries(session, None, progress)
    if postgres:
        for name, expression in _gin_indexes().items():
            session.execute(text(f"CREATE INDEX {name} ON search_index USING gin ({expression})"))
        session.execute(text("ANALYZE search_entries, search_index"))  # the statistics searches are planned on
    return done


def reindex_bill(session: Session, bill: Bill) -> None:
    """Index a bill and everything in it again: after its language changed (its words stem otherwise)."""
    column = "entry_id" if _postgres(session) else "rowid"
    session.execute(text(f"DELETE FROM search_index WHERE {column} IN "
                         "(SELECT id FROM search_entries WHERE bill_id = :bill_id)"), {"bill_id": bill.id})
    session.execute(delete(SearchEntry).where(SearchEntry.bill_id == bill.id))
    _write_entries(session, bill.id)
    _index_entries(session, bill.id)


def _gin_indexes() -> dict[str, str]:
    """PostgreSQL's GIN indexes of the index rows, by name: the words (migration 0006_search) and the
    words in blocks (0016_wordblocks), as the search spells it."""
    return {"ix_search_index_vector": "vector",
            "ix_search_index_words_in_blocks": f"({words_in_blocks('vector', 'target_id')})"}


_REINDEX_BATCH = 10_000
_ENTRY_COLUMNS = ("kind", "target_id", "bill_id", "language", "title", "body")


def _write_entries(session: Session, bill_id: int | None = None) -> None:
    """Every searchable item's entry (of one bill, or of all), as ``bill_item``, ``article_item``,
    ``amendment_item`` and ``argument_item`` make them, written by the database from the rows."""
    for query in _entry_queries(bill_id):
        session.execute(insert(SearchEntry).from_select(_ENTRY_COLUMNS, query))


def _sql_joined(first, second):
    """``_joined`` in SQL: the non-empty parts, a line apart."""
    first, second = func.coalesce(first, ""), func.coalesce(second, "")
    return case((first == "", second), (second == "", first), else_=first + "\n" + second)


def _entry_queries(bill_id: int | None) -> list[Select]:
    language = case((Bill.language.in_(list(LANGUAGES)), Bill.language), else_=literal("fr"))

    def of_bill(column) -> list:
        return [column == bill_id] if bill_id is not None else []

    bills = select(literal("bill"), Bill.id, Bill.id, language, Bill.title,
                   func.coalesce(Bill.summary, "")).where(*of_bill(Bill.id))
    articles = (select(literal("article"), Article.id, Bill.id, language,
                       _sql_joined(literal("Article ") + Article.number, Article.heading), ArticleVersion.text)
                .join(Bill, Bill.id == Article.bill_id)
                .join(ArticleVersion, (ArticleVersion.article_id == Article.id)
                      & (ArticleVersion.version == Article.current_version))
                .where(Article.removed.is_(False), *of_bill(Article.bill_id)))
    amendments = (select(literal("amendment"), Amendment.id, Bill.id, language,
                         _sql_joined(Amendment.title, Amendment.heading),
                         _sql_joined(Amendment.explanation, Amendment.text))
                  .join(Bill, Bill.id == Amendment.bill_id)
                  .where(Amendment.hidden_by_id.is_(None), *of_bill(Amendment.bill_id)))
    # An argument's bill: its article's, or its amendment's; one on a hidden amendment is not found.
    on = aliased(Amendment)
    argument_bill = func.coalesce(Article.bill_id, on.bill_id)
    arguments = (select(literal("argument"), Argument.id, Bill.id, language, literal(""), Argument.body)
                 .outerjoin(Article, Article.id == Argument.article_id)
                 .outerjoin(on, on.id == Argument.amendment_id)
                 .join(Bill, Bill.id == argument_bill)
                 .where(Argument.hidden_by_id.is_(None), on.hidden_by_id.is_(None), *of_bill(argument_bill)))
    return [bills, articles, amendments, arguments]


def _index_entries(session: Session, bill_id: int | None,
                   progress: Callable[[int], None] | None = None) -> int:
    """The index rows of the entries (of one bill, or of all), read in one pass (a server-side cursor on
    PostgreSQL) and written a batch at a time; a thread folds the next batch while the database writes
    this one."""
    done, postgres = 0, _postgres(session)
    entries = (select(SearchEntry.id, SearchEntry.language, SearchEntry.title, SearchEntry.body)
               .where(*([SearchEntry.bill_id == bill_id] if bill_id is not None else []))
               .execution_options(yield_per=_REINDEX_BATCH))
    with ThreadPoolExecutor(max_workers=1) as folding:
        ready: tuple[int, Future] | None = None
        for batch in session.execute(entries).partitions():
            coming = (len(batch), folding.submit(_index_values, postgres, [tuple(row) for row in batch]))
            if ready is not None:
                done += _written(session, ready, done, progress)
            ready = coming
        if ready is not None:
            done += _written(session, ready, done, progress)
    return done


def _written(session: Session, ready: tuple[int, Future], done: int, progress: Callable[[int], None] | None) -> int:
    count, values = ready
    _write_index(session, values.result())
    if progress is not None:
        progress(done + count)
    return count


def print_progress(label: str) -> Callable[[int], None]:
    """A progress line on standard error for ``reindex`` (the command line, the bench seeder)."""
    ending = "" if sys.stderr.isatty() else "\n"  # one line redrawn on a terminal, a line per batch otherwise

    def report(done: int) -> None:
        print(f"\r{label}: {done:,} items indexed", end=ending, file=sys.stderr, flush=True)
    return report
