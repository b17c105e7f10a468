"""sign-in failures (sign-in throttling, CONTRACT §6); on PostgreSQL, the page cache's write mark

Revision ID: 0003_signin
Revises: 0002
Create Date: 2026-12-01 08:40:00

One row per sign-in that did not succeed in the last 15 minutes (drafting/signin.py). On PostgreSQL,
the sequence ``navette_write_mark``, moved after each write transaction commits and read before each
cached answer is replayed, so every worker sees every other worker's writes at once
(drafting/db.py ``Database.write_mark``; SQLite uses its files' size and time instead).
"""
from alembic import op
import sqlalchemy as sa

import drafting.db

revision = '0003_signin'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=120), nullable=False),
    sa.Column('at', drafting.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failures'))
    )
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_failures_at'), ['at'], unique=False)
        batch_op.create_index('ix_sign_in_failures_username_at', ['username', 'at'], unique=False)
        batch_op.create_index('ix_sign_in_failures_address_at', ['address', 'at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE navette_write_mark")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE navette_write_mark")
    op.drop_table('sign_in_failures')
