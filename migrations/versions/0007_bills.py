"""bill language: the language of a bill's text (formal wording, stemming, ``lang`` on pages)

Revision ID: 0007_bills
Revises: 0002
Create Date: 2026-12-01 09:45:00

Existing bills are French, the only language the project knew before.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_bills'
down_revision = '0006_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('bills', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=2), server_default='fr', nullable=False))
        batch_op.create_check_constraint(op.f('ck_bills_language'), "language in ('fr', 'de', 'en')")


def downgrade() -> None:
    with op.batch_alter_table('bills', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_bills_language'), type_='check')
        batch_op.drop_column('language')
