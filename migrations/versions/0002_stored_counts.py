"""stored counts: per-target tallies, arguments' useful counts, indexes that serve pages in order

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 22:44:59.536189

Pages read one ``target_counts`` row per article or amendment instead of counting every vote of the
debate. The counts are filled here from the rows they count (the same aggregates as
amendments/tallies.py ``rebuild``, frozen as SQL so later model changes don't change this migration).
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


_COUNTED = """
SELECT {column} AS target_id,
       sum(agree) AS agree, sum(mixed) AS mixed, sum(disagree) AS disagree, sum(amendments) AS amendments,
       sum(arguments_for) AS arguments_for, sum(arguments_against) AS arguments_against,
       sum(groups_for) AS groups_for, sum(groups_against) AS groups_against
FROM (
    SELECT {column},
           CASE WHEN value = 'agree' THEN 1 ELSE 0 END AS agree,
           CASE WHEN value = 'mixed' THEN 1 ELSE 0 END AS mixed,
           CASE WHEN value = 'disagree' THEN 1 ELSE 0 END AS disagree,
           0 AS amendments, 0 AS arguments_for, 0 AS arguments_against, 0 AS groups_for, 0 AS groups_against
    FROM votes WHERE {column} IS NOT NULL
    UNION ALL
    SELECT a.{column}, 0, 0, 0, 0,
           CASE WHEN a.stance = 'for' THEN 1 ELSE 0 END,
           CASE WHEN a.stance = 'against' THEN 1 ELSE 0 END,
           CASE WHEN a.stance = 'for' AND (a.similar_to_id IS NULL OR p.hidden_by_id IS NOT NULL) THEN 1 ELSE 0 END,
           CASE WHEN a.stance = 'against' AND (a.similar_to_id IS NULL OR p.hidden_by_id IS NOT NULL) THEN 1 ELSE 0 END
    FROM arguments a LEFT JOIN arguments p ON p.id = a.similar_to_id
    WHERE a.{column} IS NOT NULL AND a.hidden_by_id IS NULL
    {amendments}
) AS counted
GROUP BY {column}
"""
_AMENDMENTS = """
    UNION ALL
    SELECT article_id, 0, 0, 0, 1, 0, 0, 0, 0 FROM amendments WHERE article_id IS NOT NULL AND hidden_by_id IS NULL
"""
_FIELDS = "agree, mixed, disagree, amendments, arguments_for, arguments_against, groups_for, groups_against"


def upgrade() -> None:
    op.create_table('target_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.Column('agree', sa.Integer(), server_default='0', nullable=False),
    sa.Column('mixed', sa.Integer(), server_default='0', nullable=False),
    sa.Column('disagree', sa.Integer(), server_default='0', nullable=False),
    sa.Column('amendments', sa.Integer(), server_default='0', nullable=False),
    sa.Column('arguments_for', sa.Integer(), server_default='0', nullable=False),
    sa.Column('arguments_against', sa.Integer(), server_default='0', nullable=False),
    sa.Column('groups_for', sa.Integer(), server_default='0', nullable=False),
    sa.Column('groups_against', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('(article_id is null) <> (amendment_id is null)', name=op.f('ck_target_counts_one_target')),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_target_counts_amendment_id_amendments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_target_counts_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_counts')),
    sa.UniqueConstraint('amendment_id', name=op.f('uq_target_counts_amendment_id')),
    sa.UniqueConstraint('article_id', name=op.f('uq_target_counts_article_id'))
    )
    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendments_after_article_id'))
        batch_op.create_index('ix_amendments_after_recent', ['after_article_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_amendments_article_recent', ['article_id', 'created_at', 'id'], unique=False)

    with op.batch_alter_table('arguments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('useful_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_index(batch_op.f('ix_arguments_amendment_id'))
        batch_op.drop_index(batch_op.f('ix_arguments_article_id'))
    # Autogenerate can't compare these (a DESC column) on SQLite: written by hand, as in the models.
    op.create_index('ix_arguments_article_rank', 'arguments',
                    ['article_id', 'stance', sa.text('useful_count DESC'), 'created_at', 'id'])
    op.create_index('ix_arguments_amendment_rank', 'arguments',
                    ['amendment_id', 'stance', sa.text('useful_count DESC'), 'created_at', 'id'])

    op.execute("UPDATE arguments SET useful_count = "
               "(SELECT count(*) FROM useful_marks WHERE useful_marks.argument_id = arguments.id)")
    for column, amendments in (("article_id", _AMENDMENTS), ("amendment_id", "")):
        op.execute(f"INSERT INTO target_counts ({column}, {_FIELDS}) "
                   + _COUNTED.format(column=column, amendments=amendments))


def downgrade() -> None:
    op.drop_index('ix_arguments_amendment_rank', table_name='arguments')
    op.drop_index('ix_arguments_article_rank', table_name='arguments')
    with op.batch_alter_table('arguments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arguments_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_arguments_amendment_id'), ['amendment_id'], unique=False)
        batch_op.drop_column('useful_count')

    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.drop_index('ix_amendments_article_recent')
        batch_op.drop_index('ix_amendments_after_recent')
        batch_op.create_index(batch_op.f('ix_amendments_after_article_id'), ['after_article_id'], unique=False)

    op.drop_table('target_counts')
