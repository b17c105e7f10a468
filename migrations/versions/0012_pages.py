"""pages: a version number on each target's kept argument map

Revision ID: 0012_pages
Revises: 0011_argmap
Create Date: 2026-12-01 19:05:00

``position_spaces.version`` counts the rewrites of a target's map (amendments/services/argument_maps.py
moves it in the transaction that rewrites the map), so a page can keep the map's rendered HTML and know
in one indexed read whether it still shows the map (drafting/web/fragments.py, issue 14: reading a map
costs the same whatever its size). Existing rows start at 1: no process holds HTML of them yet.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0012_pages'
down_revision = '0011_argmap'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('position_spaces') as batch:
        batch.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))


def downgrade() -> None:
    with op.batch_alter_table('position_spaces') as batch:
        batch.drop_column('version')
