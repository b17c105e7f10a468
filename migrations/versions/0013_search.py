"""search: each PostgreSQL index row carries its entry's kind as a lexeme, and its item's id

Revision ID: 0013_search
Revises: 0012_pages
Create Date: 2026-12-01 19:10:00

A search of one kind for a word that is rare among that kind's first items asks the GIN index for the
words and the kind together (``vector @@ (words && 'kind_argument')``) and sorts the matches by item id
(``target_id``, here, copied from the entry by a trigger as each row is written, so no entry is read for
it): drafting/services/search/postgres.py. The lexeme
(``kind_bill``, ``kind_article``, ``kind_amendment``, ``kind_argument``, without position, so ranks are
unchanged) cannot come from a query: the text search parser splits words at ``_``. The index writer
writes the lexeme (drafting/services/search/index.py ``kind_mark``); this brings the rows already there to
that form, set-based (``_rewrite``: a new table, its keys and GIN index built once, then ANALYZE).
Adding a lexeme a row already has changes nothing, so the upgrade may run on rows written by the new
writer. SQLite (FTS5) is unchanged: there the words are matched first and the entries' kind filters
what they found, so nothing is walked.
"""
from alembic import op


revision = '0013_search'
down_revision = '0012_pages'
branch_labels = None
depends_on = None

_GIN = "ix_search_index_vector"  # migration 0006_search
_MARKS = "ARRAY['kind_bill', 'kind_article', 'kind_amendment', 'kind_argument']"


def _rewrite(columns: str, values: str, source: str = "search_index i") -> None:
    """The index rows written again into a new table that takes the old one's place, its keys and GIN
    index built once on the full table: set-based, no dead rows left behind, and no index built over
    the chains of rows updated in its own transaction (which PostgreSQL would not use while any older
    transaction runs: ``indcheckxmin``)."""
    op.execute("SET LOCAL maintenance_work_mem = '256MB'")  # the GIN build
    op.execute(f"CREATE TABLE search_index_new ({columns})")
    op.execute(f"INSERT INTO search_index_new SELECT {values} FROM {source} ORDER BY i.entry_id")
    op.execute("DROP TABLE search_index")
    op.execute("ALTER TABLE search_index_new RENAME TO search_index")
    op.execute("ALTER TABLE search_index ADD CONSTRAINT search_index_pkey PRIMARY KEY (entry_id)")
    op.execute("ALTER TABLE search_index ADD CONSTRAINT search_index_entry_id_fkey FOREIGN KEY (entry_id) "
               "REFERENCES search_entries (id) ON DELETE CASCADE")
    op.execute(f"CREATE INDEX {_GIN} ON search_index USING gin (vector)")


# The item's id of each index row, from its entry (written first): the index writer need not know the
# column, which this migration adds (migration 0006_search fills the index with the current writer).
_TRIGGER = ("CREATE FUNCTION search_index_target() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "NEW.target_id := (SELECT e.target_id FROM search_entries e WHERE e.id = NEW.entry_id); "
            "RETURN NEW; END $$")


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    _rewrite("entry_id integer NOT NULL, target_id integer NOT NULL, language varchar(8) NOT NULL, "
             "vector tsvector NOT NULL",
             "i.entry_id, e.target_id, i.language, i.vector || array_to_tsvector(ARRAY['kind_' || e.kind])",
             "search_index i JOIN search_entries e ON e.id = i.entry_id")
    op.execute(_TRIGGER)
    op.execute("CREATE TRIGGER search_index_target BEFORE INSERT ON search_index "
               "FOR EACH ROW EXECUTE FUNCTION search_index_target()")
    op.execute("ANALYZE search_index")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    _rewrite("entry_id integer NOT NULL, language varchar(8) NOT NULL, vector tsvector NOT NULL",
             f"i.entry_id, i.language, ts_delete(i.vector, {_MARKS})")
    op.execute("DROP FUNCTION search_index_target()")
    op.execute("ANALYZE search_index")
