"""The words the search rows ask, chosen from each database (PostgreSQL): the rarest word of its arguments
that still fills a page of results, so that a small and a large database compared both answer a full
page (the fixed word of the "rare word" row finds one argument on the small database and thousands on
the Grand Débat one: 1 snippet against 20)."""
from __future__ import annotations

from sqlalchemy import create_engine, text

# The database's own counts: ts_stat over the kind's index rows (one pass over them: 35 s for the Grand
# Débat database's 1.5 million arguments, once a run), letters only (no number, no mark of a kind or a
# block), and only a stem that is its own query (``plainto_tsquery`` of it gives it back), so that asking
# it finds exactly the rows counted.
KIND_WORDS = (
    "SELECT word, ndoc FROM ts_stat('SELECT i.vector FROM search_index i JOIN search_entries e "
    "ON e.id = i.entry_id WHERE e.kind = ''' || CAST(:kind AS text) || '''') "
    "WHERE word ~ '^[[:alpha:]]+$' AND CAST(plainto_tsquery('french', word) AS text) = '''' || word || ''''")
_RAREST = text(f"{KIND_WORDS} AND ndoc >= :page ORDER BY ndoc, word LIMIT 1")


def page_filling_word(url: str, kind: str = "argument", page: int = 20) -> tuple[str, int]:
    """The rarest word (a stem, French) of the database's items of ``kind`` found in at least ``page`` of
    them, and in how many."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            word, count = connection.execute(_RAREST, {"kind": kind, "page": page}).one()
    finally:
        engine.dispose()
    return word, count
