"""wordblocks: a second GIN index of each PostgreSQL index row's words in its block of target ids

Revision ID: 0016_wordblocks
Revises: 0015_kindsearch
Create Date: 2026-12-04 19:30:00

0015_kindsearch gave each index row the lexeme of its block of its kind's target ids (``block_argument_3``:
arguments 196,608 to 262,143), and a search of one kind asked the GIN index for the words with the block's
lexeme, block after block. That lexeme's posting list holds every item of the block, and each scan decoded
it whole: 1.65 ms a block of 65,536 at Grand Débat scale, the larger part of a search of a word in 0.7% of
the arguments (bench/ANALYSIS.md, "wordblocks"). A second GIN index now holds each row's words as words
in its kind's block (``argument 3 quinziem``, blocks of 4,096 ids: drafting/services/search/index.py
``word_in_block``), whose posting lists hold only a word's matches in a block. It indexes an expression
(``search_words_in_blocks``), not a column: carried in the rows, those words doubled the vectors, which
PostgreSQL then compressed, and ranking 1,000 matches took 5 ms where it took 0.4. The block lexemes go
from the rows, which are written again set-based, as 0015_kindsearch did (a new table, its keys, trigger
and GIN indexes built once, then ANALYZE). The block size is this migration's own, as the writer's was when
it was written; a search spells the index's expression alike (``index.words_in_blocks``) to use it.
SQLite (FTS5) is unchanged.
"""
from alembic import op


revision = '0016_wordblocks'
down_revision = '0015_kindsearch'
branch_labels = None
depends_on = None

_GIN = "ix_search_index_vector"  # migration 0006_search
_BLOCKS_GIN = "ix_search_index_words_in_blocks"
_COLUMNS = ("entry_id integer NOT NULL, target_id integer NOT NULL, language varchar(8) NOT NULL, "
            "vector tsvector NOT NULL")
_KIND_MARKS = "('kind_bill', 'kind_article', 'kind_amendment', 'kind_argument')"  # 0013_search's lexemes
# A row's words in its kind's block: each lexeme but the kind's, after the kind and the block's number.
_FUNCTION = f"""CREATE FUNCTION search_words_in_blocks(vector tsvector, target_id integer, block integer)
RETURNS tsvector LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT array_to_tsvector(ARRAY(SELECT substr(k.lexeme, 6) || ' ' || (target_id / block) || ' ' || w.lexeme
FROM unnest(vector) k, unnest(vector) w WHERE k.lexeme IN {_KIND_MARKS} AND w.lexeme NOT IN {_KIND_MARKS}))
$$"""
_OLD_MARK = "'block_' || e.kind || '_' || (i.target_id / 65536)"  # 0015_kindsearch's block lexeme


def _rewrite(values: str) -> None:
    """0015_kindsearch's rewrite: the index rows written again into a new table that takes the old one's
    place, keys, trigger and GIN index built once."""
    op.execute("SET LOCAL maintenance_work_mem = '256MB'")  # the GIN builds
    op.execute(f"CREATE TABLE search_index_new ({_COLUMNS})")
    op.execute(f"INSERT INTO search_index_new SELECT i.entry_id, i.target_id, i.language, {values} "
               f"FROM search_index i JOIN search_entries e ON e.id = i.entry_id ORDER BY i.entry_id")
    op.execute("DROP TABLE search_index")
    op.execute("ALTER TABLE search_index_new RENAME TO search_index")
    op.execute("ALTER TABLE search_index ADD CONSTRAINT search_index_pkey PRIMARY KEY (entry_id)")
    op.execute("ALTER TABLE search_index ADD CONSTRAINT search_index_entry_id_fkey FOREIGN KEY (entry_id) "
               "REFERENCES search_entries (id) ON DELETE CASCADE")
    op.execute("CREATE TRIGGER search_index_target BEFORE INSERT ON search_index "
               "FOR EACH ROW EXECUTE FUNCTION search_index_target()")
    op.execute(f"CREATE INDEX {_GIN} ON search_index USING gin (vector)")


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(_FUNCTION)
    _rewrite(f"ts_delete(i.vector, {_OLD_MARK})")
    op.execute(f"CREATE INDEX {_BLOCKS_GIN} ON search_index USING gin "
               f"(search_words_in_blocks(vector, target_id, 4096))")
    op.execute("ANALYZE search_index")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    _rewrite(f"i.vector || array_to_tsvector(ARRAY[{_OLD_MARK}])")
    op.execute("ANALYZE search_index")
    op.execute("DROP FUNCTION search_words_in_blocks(tsvector, integer, integer)")
