"""the authors' desk: official opinions, sub-amendments, partial merges (CONTRACT §8)

Revision ID: 0004_desk
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

import drafting.db


revision = '0004_desk'
down_revision = '0007_bills'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('parent_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('partial', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_amendments_parent_id_amendments'), 'amendments', ['parent_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_amendments_parent_id'), ['parent_id'], unique=False)
    op.create_table('amendment_opinions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=False),
    sa.Column('opinion', sa.String(length=12), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', drafting.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("opinion in ('favorable', 'defavorable', 'sagesse', 'retrait', 'satisfait')", name=op.f('ck_amendment_opinions_opinion')),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_amendment_opinions_amendment_id_amendments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_amendment_opinions_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendment_opinions'))
    )
    with op.batch_alter_table('amendment_opinions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_amendment_opinions_amendment_id'), ['amendment_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('amendment_opinions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendment_opinions_amendment_id'))
    op.drop_table('amendment_opinions')
    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendments_parent_id'))
        batch_op.drop_constraint(batch_op.f('fk_amendments_parent_id_amendments'), type_='foreignkey')
        batch_op.drop_column('partial')
        batch_op.drop_column('parent_text')
        batch_op.drop_column('parent_id')
