"""accounts people control: token expiry and last use, assisted participants, one-time sign-in codes,
and who entered an amendment or argument for an in-person participant

Revision ID: 0008_accounts
Revises: 0005_positions
Create Date: 2026-12-01 09:50:00

Tokens and sessions that exist when this runs get 90 days (NAVETTE_TOKEN_DAYS' default) from now.
"""
from datetime import datetime, timedelta, timezone

from alembic import op
import sqlalchemy as sa

from drafting.db import UTCDateTime

revision = '0008_accounts'
down_revision = "0005_positions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('auth_tokens') as batch_op:
        batch_op.add_column(sa.Column('expires_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_used_at', UTCDateTime(), nullable=True))
    tokens = sa.table('auth_tokens', sa.column('expires_at', UTCDateTime()))
    op.execute(tokens.update().values(expires_at=datetime.now(timezone.utc) + timedelta(days=90)))
    with op.batch_alter_table('auth_tokens') as batch_op:
        batch_op.alter_column('expires_at', existing_type=UTCDateTime(), nullable=False)

    op.create_table('assisted_participants',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bill_id'], ['bills.id'], name=op.f('fk_assisted_participants_bill_id_bills'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_assisted_participants_created_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assisted_participants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_assisted_participants'))
    )
    op.create_index(op.f('ix_assisted_participants_bill_id'), 'assisted_participants', ['bill_id'], unique=False)
    op.create_table('sign_in_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('expires_at', UTCDateTime(), nullable=False),
    sa.Column('used_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_sign_in_codes_created_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_in_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_sign_in_codes_code_hash'))
    )
    op.create_index(op.f('ix_sign_in_codes_user_id'), 'sign_in_codes', ['user_id'], unique=False)

    for table in ('amendments', 'arguments'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('entered_by_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_entered_by_id_users'), 'users', ['entered_by_id'], ['id'])


def downgrade() -> None:
    for table in ('arguments', 'amendments'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_entered_by_id_users'), type_='foreignkey')
            batch_op.drop_column('entered_by_id')
    op.drop_index(op.f('ix_sign_in_codes_user_id'), table_name='sign_in_codes')
    op.drop_table('sign_in_codes')
    op.drop_index(op.f('ix_assisted_participants_bill_id'), table_name='assisted_participants')
    op.drop_table('assisted_participants')
    with op.batch_alter_table('auth_tokens') as batch_op:
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('expires_at')
