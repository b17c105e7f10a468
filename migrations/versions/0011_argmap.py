"""argmap: the argument map kept as documents, and the consultation's counts per bill and day

Revision ID: 0011_argmap
Revises: 0010_follows
Create Date: 2026-12-01 15:40:00

Each position keeps its JSON document and its first organizations (``holders``), each target its whole
map and how many positions each stance has, so a map is read in one statement (issue 14, CONTRACT §7).
The synthesis reads ``bill_day_counts`` (per bill, day and kind of person), ``bill_day_people`` and
``bill_people`` instead of every contribution. Both are filled here from the rows, with the same rules
as amendments/services/argument_maps.py and consultation_days.py, frozen as SQL and Python here.
"""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0011_argmap'
down_revision = '0010_follows'
branch_labels = None
depends_on = None

HOLDERS_SHOWN = 12


def _iso(moment) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, str):  # SQLite hands text back
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _fill_maps(bind) -> None:
    members = defaultdict(list)
    for argument_id, position_id in bind.execute(sa.text(
            "SELECT argument_id, position_id FROM argument_placements WHERE position_id IS NOT NULL "
            "ORDER BY argument_id")):
        members[position_id].append(argument_id)
    organizations = defaultdict(list)
    for position_id, name, display, username, interests in bind.execute(sa.text(
            "SELECT pp.position_id, u.organization_name, u.display_name, u.username, u.declared_interests "
            "FROM position_people pp JOIN users u ON u.id = pp.user_id WHERE u.kind = 'organization' ORDER BY u.id")):
        organizations[position_id].append({"name": name or display or username, "declared_interests": interests or ""})
    maps = defaultdict(lambda: {"for": [], "against": [], "updated": None})
    for row in bind.execute(sa.text(
            "SELECT id, article_id, amendment_id, stance, label, representative_id, supporters, citizens, staff, "
            "arguments_count, updated_at FROM positions ORDER BY supporters DESC, arguments_count DESC, id")):
        document = "" if row.arguments_count <= 0 else json.dumps({
            "id": row.id, "stance": row.stance, "label": row.label, "arguments": members[row.id],
            "representative": row.representative_id, "supporters": row.supporters, "citizens": row.citizens,
            "organizations": organizations[row.id], "staff": bool(row.staff)}, ensure_ascii=False)
        bind.execute(sa.text("UPDATE positions SET document = :d, holders = :h WHERE id = :i"),
                     {"d": document, "h": json.dumps(organizations[row.id][:HOLDERS_SHOWN], ensure_ascii=False),
                      "i": row.id})
        if document:
            entry = maps[("article_id", row.article_id) if row.article_id is not None else ("amendment_id", row.amendment_id)]
            entry[row.stance].append(document)
            at = _iso(row.updated_at)
            entry["updated"] = at if entry["updated"] is None or at > entry["updated"] else entry["updated"]
    for (column, target_id), entry in maps.items():
        document = ('{"stances": {"for": [' + ", ".join(entry["for"]) + '], "against": ['
                    + ", ".join(entry["against"]) + ']}, "updated_at": ' + json.dumps(entry["updated"]) + "}")
        bind.execute(sa.text(f"UPDATE position_spaces SET document = :d, positions_for = :f, positions_against = :a "
                             f"WHERE {column} = :t"),
                     {"d": document, "f": len(entry["for"]), "a": len(entry["against"]), "t": target_id})


def upgrade() -> None:
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('holders', sa.Text(), server_default='[]', nullable=False))
        batch_op.drop_index('ix_positions_article')
        batch_op.drop_index('ix_positions_amendment')
        batch_op.create_index('ix_positions_article_rank', ['article_id', 'stance', 'supporters', 'arguments_count'])
        batch_op.create_index('ix_positions_amendment_rank', ['amendment_id', 'stance', 'supporters', 'arguments_count'])
    with op.batch_alter_table('position_spaces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('positions_for', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('positions_against', sa.Integer(), server_default='0', nullable=False))
    op.create_index(op.f('ix_argument_placements_text_key'), 'argument_placements', ['text_key'])
    op.create_table(
        'bill_day_counts',
        sa.Column('bill_id', sa.Integer(), sa.ForeignKey('bills.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('day', sa.Date(), primary_key=True),
        sa.Column('kind', sa.String(length=16), primary_key=True),
        *(sa.Column(name, sa.Integer(), server_default='0', nullable=False) for name in (
            'votes_agree', 'votes_mixed', 'votes_disagree', 'amendments', 'arguments_for', 'arguments_against',
            'supports', 'participants')),
    )
    op.create_table(
        'bill_day_people',
        sa.Column('bill_id', sa.Integer(), sa.ForeignKey('bills.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('day', sa.Date(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('weight', sa.Integer(), nullable=False),
    )
    op.create_table(
        'bill_people',
        sa.Column('bill_id', sa.Integer(), sa.ForeignKey('bills.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('organization', sa.Boolean(), server_default='0', nullable=False),
        sa.Column('weight', sa.Integer(), nullable=False),
    )
    op.create_index('ix_bill_people_rank', 'bill_people', ['bill_id', 'organization', 'weight'])
    bind = op.get_bind()
    _fill_maps(bind)
    from amendments.services import consultation_recount  # the counts' one definition, from the rows

    consultation_recount.rebuild(bind)


def downgrade() -> None:
    op.drop_index('ix_bill_people_rank', table_name='bill_people')
    op.drop_table('bill_people')
    op.drop_table('bill_day_people')
    op.drop_table('bill_day_counts')
    op.drop_index(op.f('ix_argument_placements_text_key'), table_name='argument_placements')
    with op.batch_alter_table('position_spaces', schema=None) as batch_op:
        batch_op.drop_column('positions_against')
        batch_op.drop_column('positions_for')
        batch_op.drop_column('document')
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.drop_index('ix_positions_amendment_rank')
        batch_op.drop_index('ix_positions_article_rank')
        batch_op.create_index('ix_positions_article', ['article_id', 'stance'])
        batch_op.create_index('ix_positions_amendment', ['amendment_id', 'stance'])
        batch_op.drop_column('holders')
        batch_op.drop_column('document')
