"""declarations: an organization's declared name and interests kept as rows, one per change

Revision ID: 0014_declarations
Revises: 0013_search
Create Date: 2026-12-01 22:10:00

Until now a change of an organization's declared interests replaced them in place, so nobody could see
what it had declared while it took part. Each existing organization gets the row of what it declares
now, dated at its account's creation (nothing older was kept).
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

import drafting.db


revision = '0014_declarations'
down_revision = '0013_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'organization_declarations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('organization_name', sa.String(length=200), nullable=False),
        sa.Column('declared_interests', sa.Text(), nullable=False),
        sa.Column('declared_at', drafting.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_organization_declarations_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_declarations')),
    )
    op.create_index('ix_organization_declarations_user', 'organization_declarations', ['user_id', 'id'])
    op.execute(
        "INSERT INTO organization_declarations (user_id, organization_name, declared_interests, declared_at) "
        "SELECT id, coalesce(organization_name, display_name), coalesce(declared_interests, ''), created_at "
        "FROM users WHERE kind = 'organization' ORDER BY id"
    )


def downgrade() -> None:
    op.drop_index('ix_organization_declarations_user', table_name='organization_declarations')
    op.drop_table('organization_declarations')
