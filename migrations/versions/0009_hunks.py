"""merged hunks: which changes of an amendment a partial merge took (CONTRACT §8, issue 16)

Revision ID: 0009_hunks
Revises: 0005_positions

One row per hunk an article version merged of an amendment merged in part, with its instruction
and its diff: blame credits the amendment for those only. Earlier partial merges have no rows.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_hunks'
down_revision = '0008_accounts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('merged_hunks',
    sa.Column('article_version_id', sa.Integer(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=False),
    sa.Column('hunk_index', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('wording', sa.Text(), nullable=False),
    sa.Column('diff', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_merged_hunks_amendment_id_amendments')),
    sa.ForeignKeyConstraint(['article_version_id'], ['article_versions.id'], name=op.f('fk_merged_hunks_article_version_id_article_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_version_id', 'amendment_id', 'hunk_index', name=op.f('pk_merged_hunks'))
    )


def downgrade() -> None:
    op.drop_table('merged_hunks')
