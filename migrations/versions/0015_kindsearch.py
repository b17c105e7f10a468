"""kindsearch: each PostgreSQL index row carries the lexeme of its block of target ids

Revision ID: 0015_kindsearch
Revises: 0014_declarations
Create Date: 2026-12-01 22:30:00

A search of one kind for a word rare there asks the GIN index for the words block after block of that
kind's target ids (``block_argument_0`` for arguments 0 to 65,535, ``block_argument_1`` next, …), in
order, until the first matches ranked are found: only the rows of those blocks are read from the table,
where every match was read before (drafting/services/search/postgres.py ``_every_match``). The index
writer writes the lexeme (drafting/services/search/index.py ``BLOCK``, ``block_mark``); this brings the
rows already there to that form, set-based, as 0013_search did (a new table, its keys, trigger and GIN
index built once, then ANALYZE). The block size is this migration's own (65,536), as the writer's was
when it was written. Adding a lexeme a row already has changes nothing, so the upgrade may run on rows
written by the new writer. SQLite (FTS5) is unchanged.
"""
from alembic import op


revision = '0015_kindsearch'
down_revision = '0014_declarations'
branch_labels = None
depends_on = None

_GIN = "ix_search_index_vector"  # migration 0006_search
_COLUMNS = ("entry_id integer NOT NULL, target_id integer NOT NULL, language varchar(8) NOT NULL, "
            "vector tsvector NOT NULL")
_BLOCK = "i.target_id / 65536"


def _rewrite(values: str, source: str = "search_index i") -> None:
    """0013_search's rewrite (the index rows written again into a new table that takes the old one's
    place, keys and GIN index built once), with the trigger of 0013_search on the new table."""
    op.execute("SET LOCAL maintenance_work_mem = '256MB'")  # the GIN build
    op.execute(f"CREATE TABLE search_index_new ({_COLUMNS})")
    op.execute(f"INSERT INTO search_index_new SELECT i.entry_id, i.target_id, i.language, {values} "
               f"FROM {source} ORDER BY i.entry_id")
    op.execute("DROP TABLE search_index")
    op.execute("ALTER TABLE search_index_new RENAME TO search_index")
    op.execute("ALTER TABLE search_index ADD CONSTRAINT search_index_pkey PRIMARY KEY (entry_id)")
    op.execute("ALTER TABLE search_index ADD CONSTRAINT search_index_entry_id_fkey FOREIGN KEY (entry_id) "
               "REFERENCES search_entries (id) ON DELETE CASCADE")
    op.execute("CREATE TRIGGER search_index_target BEFORE INSERT ON search_index "
               "FOR EACH ROW EXECUTE FUNCTION search_index_target()")
    op.execute(f"CREATE INDEX {_GIN} ON search_index USING gin (vector)")
    op.execute("ANALYZE search_index")


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    _rewrite(f"i.vector || array_to_tsvector(ARRAY['block_' || e.kind || '_' || {_BLOCK}])",
             "search_index i JOIN search_entries e ON e.id = i.entry_id")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    kinds = ", ".join(f"'block_{kind}_' || {_BLOCK}" for kind in ("bill", "article", "amendment", "argument"))
    _rewrite(f"ts_delete(i.vector, ARRAY[{kinds}])")
