"""following: follows of bills, articles and amendments; when each person last read their changes, and
the secret of their personal feed

Revision ID: 0010_follows
Revises: 0005_positions
Create Date: 2026-12-01 12:20:00
"""
from alembic import op
import sqlalchemy as sa

import drafting.db


revision = '0010_follows'
down_revision = '0009_hunks'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'follows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=False),
        sa.Column('bill_id', sa.Integer(), nullable=False),
        sa.Column('created_at', drafting.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind in ('bill', 'article', 'amendment')", name=op.f('ck_follows_kind')),
        sa.ForeignKeyConstraint(['bill_id'], ['bills.id'], name=op.f('fk_follows_bill_id_bills'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_follows_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_follows')),
        sa.UniqueConstraint('user_id', 'kind', 'target_id', name=op.f('uq_follows_user_id_kind_target_id')),
    )
    op.create_index(op.f('ix_follows_bill_id'), 'follows', ['bill_id'], unique=False)
    op.create_table(
        'changes_readers',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('seen_at', drafting.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('feed_token', sa.String(length=64), nullable=True),
        sa.Column('feed_token_at', drafting.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_changes_readers_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_changes_readers')),
        sa.UniqueConstraint('feed_token', name=op.f('uq_changes_readers_feed_token')),
    )


def downgrade() -> None:
    op.drop_table('changes_readers')
    op.drop_index(op.f('ix_follows_bill_id'), table_name='follows')
    op.drop_table('follows')
