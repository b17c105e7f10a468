"""search: the searchable items and the dialect's full-text index over them

Revision ID: 0006_search
Revises: 0002
Create Date: 2026-12-01 09:50:00

``search_entries`` is a table of the models. ``search_index`` is the dialect's own: on SQLite an FTS5
table (its rowid is the entry's id; the stems are written by drafting/services/search.py, since FTS5
has no French or German stemmer), on PostgreSQL a tsvector per entry (``to_tsvector`` with the
french/german/english configuration) under a GIN index. Alembic's comparison leaves it out
(migrations/env.py ``DIALECT_OWN_TABLES``). The index is then filled from the rows already there.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_search'
down_revision = '0003_signin'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'search_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=False),
        sa.Column('bill_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.CheckConstraint("kind in ('bill', 'article', 'amendment', 'argument')",
                           name=op.f('ck_search_entries_kind')),
        sa.ForeignKeyConstraint(['bill_id'], ['bills.id'], name=op.f('fk_search_entries_bill_id_bills'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
        sa.UniqueConstraint('kind', 'target_id', name=op.f('uq_search_entries_kind_target_id')),
    )
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_entries_bill_id'), ['bill_id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE TABLE search_index ("
                   " entry_id integer PRIMARY KEY REFERENCES search_entries (id) ON DELETE CASCADE,"
                   " language varchar(8) NOT NULL,"
                   " vector tsvector NOT NULL)")
        op.execute("CREATE INDEX ix_search_index_vector ON search_index USING gin (vector)")
    else:
        op.execute("CREATE VIRTUAL TABLE search_index USING fts5("
                   "language, title, body, tokenize = 'unicode61 remove_diacritics 2')")

    _fill()


def _fill() -> None:
    """Index the rows already there, read with SQL frozen here (later models may have more columns);
    the words are written by the search service, as every later change writes them."""
    from types import SimpleNamespace as Row

    from sqlalchemy.orm import Session

    from drafting.services import search

    bind = op.get_bind()
    with_language = 'language' in {c['name'] for c in sa.inspect(bind).get_columns('bills')}
    bills = {row.id: row for row in (Row(**r._mapping) for r in bind.execute(sa.text(
        "SELECT id, title, summary" + (", language" if with_language else "") + " FROM bills")))}
    items = [search.bill_item(bill) for bill in bills.values()]
    items += [search.article_item(bills[r.bill_id], r, r.text) for r in bind.execute(sa.text(
        "SELECT a.id, a.bill_id, a.number, a.heading, a.removed, v.text FROM articles a "
        "JOIN article_versions v ON v.article_id = a.id AND v.version = a.current_version WHERE NOT a.removed"))]
    items += [search.amendment_item(bills[r.bill_id], r) for r in bind.execute(sa.text(
        "SELECT id, bill_id, title, heading, explanation, text FROM amendments WHERE hidden_by_id IS NULL"))]
    items += [search.argument_item(bills[r.bill_id], r) for r in bind.execute(sa.text(
        "SELECT g.id, coalesce(ar.bill_id, am.bill_id) AS bill_id, g.body FROM arguments g "
        "LEFT JOIN articles ar ON ar.id = g.article_id LEFT JOIN amendments am ON am.id = g.amendment_id "
        "WHERE g.hidden_by_id IS NULL AND am.hidden_by_id IS NULL"))]
    search.write(Session(bind=bind), items, fresh=True)


def downgrade() -> None:
    op.execute("DROP TABLE search_index")
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_entries_bill_id'))
    op.drop_table('search_entries')
