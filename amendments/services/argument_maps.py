"""The argument map kept as documents (CONTRACT §7: "kept, not recomputed per request"): each position
keeps its JSON (``positions.document``) and the first organizations holding it (``positions.holders``),
each target its whole map (``position_spaces.document``) and how many positions each stance has.

``refresh`` rewrites them in the transaction that changed the positions (placing, joining, leaving,
a staff decision, a rebuild): the positions named are described again from their rows (their members
and organizations: work per position changed), then the target's document is assembled from its
positions' documents as text (no parsing, no work per argument). Reading a map is then one indexed
statement whatever its size (``read_document``).
"""
from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from amendments.models import ArgumentPlacement, Position, PositionPerson, PositionSpace
from amendments.services.participation import Target, get_target
from drafting.models import User

# Organizations a page names under a position (the position's page and its JSON name them all).
HOLDERS_SHOWN = 12
EMPTY_MAP = '{"stances": {"for": [], "against": []}, "updated_at": null}'
_POSITIONS = Position.__table__
_SPACES = PositionSpace.__table__


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def organization(name: str | None, display_name: str | None, username: str, interests: str | None) -> dict[str, str]:
    return {"name": name or display_name or username, "declared_interests": interests or ""}


def _describe(session: Session, position_ids: list[int]) -> None:
    """Write the document and holders of these positions from their rows: three statements, and one
    update for them all."""
    if not position_ids:
        return
    rows = session.execute(select(
        _POSITIONS.c.id, _POSITIONS.c.stance, _POSITIONS.c.label, _POSITIONS.c.representative_id,
        _POSITIONS.c.supporters, _POSITIONS.c.citizens, _POSITIONS.c.staff, _POSITIONS.c.arguments_count)
        .where(_POSITIONS.c.id.in_(position_ids))).all()
    members: dict[int, list[int]] = defaultdict(list)
    for argument_id, position_id in session.execute(
            select(ArgumentPlacement.argument_id, ArgumentPlacement.position_id)
            .where(ArgumentPlacement.position_id.in_(position_ids)).order_by(ArgumentPlacement.argument_id)):
        members[position_id].append(argument_id)
    organizations: dict[int, list[dict[str, str]]] = defaultdict(list)
    for position_id, *names in session.execute(
            select(PositionPerson.position_id, User.organization_name, User.display_name, User.username,
                   User.declared_interests).join(User, User.id == PositionPerson.user_id)
            .where(PositionPerson.position_id.in_(position_ids), User.kind == "organization").order_by(User.id)):
        organizations[position_id].append(organization(*names))
    changes = []
    for row in rows:
        document = "" if row.arguments_count <= 0 else json.dumps({
            "id": row.id, "stance": row.stance, "label": row.label, "arguments": members[row.id],
            "representative": row.representative_id, "supporters": row.supporters, "citizens": row.citizens,
            "organizations": organizations[row.id], "staff": bool(row.staff)}, ensure_ascii=False)
        changes.append({"position": row.id, "new_document": document,
                        "new_holders": json.dumps(organizations[row.id][:HOLDERS_SHOWN], ensure_ascii=False)})
    if changes:
        session.execute(update(_POSITIONS).where(_POSITIONS.c.id == bindparam("position"))
                        .values(document=bindparam("new_document"), holders=bindparam("new_holders"))
                        .execution_options(synchronize_session=False), changes)
        described = set(position_ids)
        for held in list(session.identity_map.values()):  # rows loaded in this session see the new holders
            if isinstance(held, Position) and held.id in described:
                session.expire(held, ["holders"])


def refresh(session: Session, target: Target, position_ids: Iterable[int] | None = None) -> None:
    """After positions of ``target`` changed: describe ``position_ids`` again (all of the target's when
    None), then assemble the target's map from its positions' documents, most supported first."""
    session.flush()
    column = _POSITIONS.c.article_id if target.kind == "article" else _POSITIONS.c.amendment_id
    if position_ids is None:
        position_ids = session.scalars(select(_POSITIONS.c.id).where(column == target.id)).all()
    _describe(session, sorted(set(position_ids)))
    stances: dict[str, list[str]] = {"for": [], "against": []}
    updated: datetime | None = None
    for stance, document, at in session.execute(
            select(_POSITIONS.c.stance, _POSITIONS.c.document, _POSITIONS.c.updated_at)
            .where(column == target.id, _POSITIONS.c.arguments_count > 0)
            .order_by(_POSITIONS.c.supporters.desc(), _POSITIONS.c.arguments_count.desc(), _POSITIONS.c.id)):
        stances[stance].append(document)
        updated = at if updated is None or at > updated else updated
    document = ('{"stances": {"for": [' + ", ".join(stances["for"]) + '], "against": ['
                + ", ".join(stances["against"]) + ']}, "updated_at": ' + json.dumps(_iso(updated)) + "}")
    space = _SPACES.c.article_id if target.kind == "article" else _SPACES.c.amendment_id
    found = session.execute(update(_SPACES).where(space == target.id).values(
        document=document, positions_for=len(stances["for"]), positions_against=len(stances["against"]),
        version=_SPACES.c.version + 1).execution_options(synchronize_session=False))
    if found.rowcount == 0:
        session.execute(_SPACES.insert().values(state="{}", document=document, positions_for=len(stances["for"]),
                                                positions_against=len(stances["against"]), version=1,
                                                **target.values()))


def refresh_people(session: Session, user_ids: Iterable[int]) -> None:
    """After people's names or declared interests changed: the positions they hold described again, and
    the maps of those positions' targets, each target's lock taken (in one order) as placing takes it."""
    held: dict[tuple[str, int], set[int]] = defaultdict(set)
    for position_id, article_id, amendment_id in session.execute(
            select(_POSITIONS.c.id, _POSITIONS.c.article_id, _POSITIONS.c.amendment_id)
            .join(PositionPerson, PositionPerson.position_id == _POSITIONS.c.id)
            .where(PositionPerson.user_id.in_(list(user_ids)))):
        held["article" if article_id is not None else "amendment", article_id or amendment_id].add(position_id)
    for (kind, target_id), position_ids in sorted(held.items()):
        refresh(session, get_target(session, kind, target_id, for_update=True), position_ids)


def read_document(session: Session, target: Target) -> str:
    """The target's map as its JSON answers it (CONTRACT §7): one indexed statement."""
    space = _SPACES.c.article_id if target.kind == "article" else _SPACES.c.amendment_id
    found = session.scalar(select(_SPACES.c.document).where(space == target.id))
    return found or EMPTY_MAP


@dataclass(frozen=True)
class Stamp:
    """What a page needs to know of a target's kept map before reading it: the map's version (moved by
    each rewrite, so HTML kept under it still shows the map) and how many positions each stance has."""

    version: int
    per_stance: dict[str, int]


@functools.lru_cache(maxsize=2)
def _stamp_statement(kind: str):
    space = _SPACES.c.article_id if kind == "article" else _SPACES.c.amendment_id
    return select(_SPACES.c.version, _SPACES.c.positions_for, _SPACES.c.positions_against).where(
        space == bindparam("target"))


def stamp(session: Session, target: Target) -> Stamp:
    """The target's map version and positions per stance: one indexed statement, built once."""
    found = session.execute(_stamp_statement(target.kind), {"target": target.id}).first()
    if found is None:
        return Stamp(0, {"for": 0, "against": 0})
    return Stamp(found.version, {"for": found.positions_for, "against": found.positions_against})
