"""positions: the argument map kept per article and amendment (issue 14, CONTRACT §7)

Revision ID: 0005_positions
Revises: 0002
Create Date: 2026-12-01 10:00:00

Positions with their kept state and counts, each target's space, each argument's embedding and
position, the people of each position, and the staff's corrections. Existing arguments get their
positions from ``navette positions rebuild``.
"""
from alembic import op
import sqlalchemy as sa

import drafting.db


revision = '0005_positions'
down_revision = '0004_desk'
branch_labels = None
depends_on = None


def _target_columns() -> list:
    return [
        sa.Column('article_id', sa.Integer(), sa.ForeignKey('articles.id', ondelete='CASCADE'), nullable=True),
        sa.Column('amendment_id', sa.Integer(), sa.ForeignKey('amendments.id', ondelete='CASCADE'), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        'positions',
        sa.Column('id', sa.Integer(), primary_key=True),
        *_target_columns(),
        sa.Column('stance', sa.String(length=8), nullable=False),
        sa.Column('label', sa.Text(), nullable=False),
        sa.Column('label_by_staff', sa.Boolean(), server_default='0', nullable=False),
        sa.Column('staff', sa.Boolean(), server_default='0', nullable=False),
        sa.Column('representative_id', sa.Integer(), sa.ForeignKey('arguments.id', ondelete='SET NULL'),
                  nullable=True),
        sa.Column('arguments_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('supporters', sa.Integer(), server_default='0', nullable=False),
        sa.Column('citizens', sa.Integer(), server_default='0', nullable=False),
        sa.Column('state', sa.Text(), nullable=False),
        sa.Column('created_at', drafting.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', drafting.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("stance in ('for', 'against')", name=op.f('ck_positions_stance')),
        sa.CheckConstraint('(article_id is null) <> (amendment_id is null)', name=op.f('ck_positions_one_target')),
    )
    op.create_index('ix_positions_article', 'positions', ['article_id', 'stance'])
    op.create_index('ix_positions_amendment', 'positions', ['amendment_id', 'stance'])
    op.create_table(
        'position_spaces',
        sa.Column('id', sa.Integer(), primary_key=True),
        *_target_columns(),
        sa.Column('state', sa.Text(), nullable=False),
        sa.Column('updated_at', drafting.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('(article_id is null) <> (amendment_id is null)',
                           name=op.f('ck_position_spaces_one_target')),
        sa.UniqueConstraint('article_id', name=op.f('uq_position_spaces_article_id')),
        sa.UniqueConstraint('amendment_id', name=op.f('uq_position_spaces_amendment_id')),
    )
    op.create_table(
        'argument_placements',
        sa.Column('argument_id', sa.Integer(), sa.ForeignKey('arguments.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('position_id', sa.Integer(), sa.ForeignKey('positions.id', ondelete='SET NULL'), nullable=True),
        sa.Column('vector', sa.LargeBinary(), nullable=False),
        sa.Column('text_key', sa.String(length=32), nullable=False),
        sa.Column('pinned', sa.Boolean(), server_default='0', nullable=False),
    )
    op.create_index(op.f('ix_argument_placements_position_id'), 'argument_placements', ['position_id'])
    op.create_table(
        'position_people',
        sa.Column('position_id', sa.Integer(), sa.ForeignKey('positions.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), primary_key=True),
        sa.Column('weight', sa.Integer(), nullable=False),
    )
    op.create_table(
        'position_corrections',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('position_id', sa.Integer(), sa.ForeignKey('positions.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('from_position_id', sa.Integer(), sa.ForeignKey('positions.id', ondelete='SET NULL'),
                  nullable=True),
        sa.Column('actor_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('created_at', drafting.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind in ('merge', 'split', 'label')", name=op.f('ck_position_corrections_kind')),
    )
    op.create_index(op.f('ix_position_corrections_position_id'), 'position_corrections', ['position_id'])
    op.create_index(op.f('ix_position_corrections_from_position_id'), 'position_corrections', ['from_position_id'])


def downgrade() -> None:
    op.drop_table('position_corrections')
    op.drop_table('position_people')
    op.drop_table('argument_placements')
    op.drop_table('position_spaces')
    op.drop_index('ix_positions_amendment', table_name='positions')
    op.drop_index('ix_positions_article', table_name='positions')
    op.drop_table('positions')
