"""Staff corrections of the argument map (merge, split, label: each a row with who and when) and the
full rebuild of a target's map, which never undoes them: members a bill author placed (``pinned``)
stay in their position, and a label set by staff stays."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from amendments import positions as method
from amendments.models import Argument, ArgumentPlacement, Position, PositionCorrection
from amendments.services import argument_maps, participation
from amendments.services import positions as kept
from amendments.services.participation import Target
from drafting import policy
from drafting.errors import Conflict, Invalid, NotFound
from drafting.models import User
from drafting.services import bills
from drafting.texts import text_field

MAX_LABEL = 300
# While a target has fewer arguments than this, each new one regroups the whole target from the stored
# vectors (a few ms per argument): early placements see a poorly known mean of the target (the first
# argument's centred vector is zero), and a rebuild of a small map is cheap (README, "The argument map").
REBUILD_BELOW = 30
# And at each doubling after that (60, 120, … REBUILD_UP_TO arguments): the members' parts were computed
# with the target's mean and stem frequencies of the day they joined, and the drift costs F1 (measured on
# the hand-made positions: 0.26 regrouped below 30 only, 0.32 with the doublings, 0.31 a batch; README,
# "The argument map"). Past REBUILD_UP_TO the mean is well known, and the rebuild in that request (0.45 s
# of CPU at 480 arguments, 1 s at 960) would grow: `navette positions rebuild` regroups larger maps.
REBUILD_UP_TO = 480


def regroups(count: int) -> bool:
    """Whether the target is regrouped once it has ``count`` arguments (see REBUILD_BELOW)."""
    if count < REBUILD_BELOW:
        return True
    doublings, rest = divmod(count, REBUILD_BELOW)
    return rest == 0 and count <= REBUILD_UP_TO and doublings & (doublings - 1) == 0


def get_position(session: Session, position_id: Any) -> Position:
    if not isinstance(position_id, int) or isinstance(position_id, bool):
        raise Invalid("positions", "must be a list of position ids")
    position = session.get(Position, position_id)
    if position is None:
        raise NotFound("no such position")
    return position


def target_of(session: Session, position: Position, *, for_update: bool = False) -> Target:
    if position.article_id is not None:
        return participation.get_target(session, "article", position.article_id, for_update=for_update)
    return participation.get_target(session, "amendment", position.amendment_id, for_update=for_update)


def may_correct(session: Session, user: User | None, target: Target) -> bool:
    return policy.may_correct_positions(user, bills.is_author(session, target.bill, user))


def _require_staff(session: Session, actor: User | None, target: Target) -> User:
    return policy.require_may_correct_positions(actor, bills.is_author(session, target.bill, actor))


def _ids(value: Any, field: str) -> list[int]:
    if not isinstance(value, list) or not value or not all(isinstance(i, int) and not isinstance(i, bool) for i in value):
        raise Invalid(field, "must be a non-empty list of ids")
    return list(dict.fromkeys(value))


def recompute(session: Session, target: Target, position: Position) -> None:
    """A position's sums, representative and people from its members' stored vectors."""
    language = kept.language_of(target)
    _, space = kept.load_space(session, target)
    members = kept.member_rows(session, [position.id])
    described = [kept.features_of(m.body, kept.from_bytes(m.vector), language, space) for m in members]
    vector = None
    for f in described:
        vector = method.PositionVector.opened(position.id, f) if vector is None else vector.joined(f)
    kept.store_vector(position, vector)
    if members:
        kept.set_representative(position, session.get(Argument, members[method.representative(described)].id))
    else:
        position.representative_id = None
    kept.recount_people(session, position, [m.id for m in members])


def _correction(session: Session, position: Position, kind: str, actor: User, detail: dict,
                other: int | None = None) -> None:
    session.add(PositionCorrection(position_id=position.id, kind=kind, actor_id=actor.id, detail=json.dumps(detail),
                                   from_position_id=other))


def _pin(session: Session, position: Position) -> None:
    position.staff = True
    for placement in session.scalars(select(ArgumentPlacement).where(ArgumentPlacement.position_id == position.id)):
        placement.pinned = True


def merge(session: Session, actor: User | None, position_ids: Any) -> Position:
    """The positions become the first one listed: their members are pinned there."""
    ids = _ids(position_ids, "positions")
    if len(ids) < 2:
        raise Invalid("positions", "name at least two positions")
    found = [get_position(session, i) for i in ids]
    target = target_of(session, found[0], for_update=True)
    user = _require_staff(session, actor, target)
    if any((p.article_id, p.amendment_id, p.stance) != (found[0].article_id, found[0].amendment_id, found[0].stance)
           for p in found):
        raise Conflict("positions: only positions of one target and stance can be merged", field="positions")
    kept_position, others = found[0], found[1:]
    for other in others:
        for placement in session.scalars(select(ArgumentPlacement).where(ArgumentPlacement.position_id == other.id)):
            placement.position_id = kept_position.id
        session.flush()
        recompute(session, target, other)
        _correction(session, kept_position, "merge", user, {"positions": ids}, other.id)
    session.flush()
    _pin(session, kept_position)
    recompute(session, target, kept_position)
    argument_maps.refresh(session, target, ids)
    return kept_position


def split(session: Session, actor: User | None, position_id: int, argument_ids: Any) -> Position:
    """The arguments leave the position for a new one; both keep their members from then on."""
    original = get_position(session, position_id)
    target = target_of(session, original, for_update=True)
    user = _require_staff(session, actor, target)
    ids = _ids(argument_ids, "arguments")
    placements = list(session.scalars(select(ArgumentPlacement).where(ArgumentPlacement.position_id == original.id)))
    members = {p.argument_id: p for p in placements}
    if any(i not in members for i in ids):
        raise Invalid("arguments", "every argument must be a member of the position")
    if len(ids) == len(members):
        raise Invalid("arguments", "a split must leave at least one argument in the position")
    created = Position(stance=original.stance, supporters=0, citizens=0, staff=True, **target.values())
    session.add(created)
    session.flush()
    for i in ids:
        members[i].position_id = created.id
    session.flush()
    _pin(session, original)
    _pin(session, created)
    recompute(session, target, original)
    recompute(session, target, created)
    _correction(session, created, "split", user, {"arguments": ids, "from": original.id}, original.id)
    argument_maps.refresh(session, target, [original.id, created.id])
    return created


def rename(session: Session, actor: User | None, position_id: int, label: Any) -> Position:
    position = get_position(session, position_id)
    target = target_of(session, position, for_update=True)
    user = _require_staff(session, actor, target)
    label = text_field("label", label, max_length=MAX_LABEL)
    _correction(session, position, "label", user, {"from": position.label, "to": label})
    position.label, position.label_by_staff = label, True
    argument_maps.refresh(session, target, [position.id])
    return position


def history(session: Session, position: Position) -> list[PositionCorrection]:
    """Corrections of the position, or that moved arguments into or out of it, oldest first."""
    return list(session.scalars(select(PositionCorrection).where(or_(
        PositionCorrection.position_id == position.id, PositionCorrection.from_position_id == position.id))
        .order_by(PositionCorrection.created_at, PositionCorrection.id)))


# --- rebuilding ----------------------------------------------------------------------------------

def settle(session: Session, target: Target) -> None:
    """After a new argument: regroup the target while it is small, and at each doubling of its size up to
    REBUILD_UP_TO (see ``regroups``)."""
    _, space = kept.load_space(session, target)
    if regroups(space.count):
        rebuild_target(session, target)

def missing_vectors(session: Session, target: Target) -> list[tuple[int, str]]:
    """Visible arguments of the target that have no stored embedding yet (written before the map)."""
    return list(session.execute(
        select(Argument.id, Argument.body).outerjoin(ArgumentPlacement, ArgumentPlacement.argument_id == Argument.id)
        .where(target.matches(Argument), Argument.hidden_by_id.is_(None), ArgumentPlacement.argument_id.is_(None))
        .order_by(Argument.id)).all())


def store_vectors(session: Session, vectors: dict[int, np.ndarray], bodies: dict[int, str]) -> None:
    session.add_all(ArgumentPlacement(argument_id=i, position_id=None, vector=kept.to_bytes(v),
                                      text_key=method.text_key(bodies[i]), pinned=False) for i, v in vectors.items())
    session.flush()


def rebuild_target(session: Session, target: Target) -> int:
    """Regroup every visible argument of the target from their stored vectors; answers the number of
    positions. Pinned members stay put; the others of a group join the staff position holding most of
    the group's pinned members, else the old position holding most of them, else a new one."""
    rows = list(session.execute(
        select(Argument, ArgumentPlacement).join(ArgumentPlacement, ArgumentPlacement.argument_id == Argument.id)
        .where(target.matches(Argument), Argument.hidden_by_id.is_(None)).order_by(Argument.created_at, Argument.id)))
    old = {p.id: p for p in session.scalars(select(Position).where(target.matches(Position)))}
    space_row, _ = kept.load_space(session, target)
    if not rows:
        kept.store_space(space_row, method.Space())
        _drop_empty(session, target, old, set())
        argument_maps.refresh(session, target)
        return 0
    grouping = method.rebuild([a.body for a, _ in rows], kept.language_of(target), stances=[a.stance for a, _ in rows],
                              vectors=np.vstack([kept.from_bytes(p.vector) for _, p in rows]))
    kept.store_space(space_row, grouping.space)
    clusters: dict[int, list[int]] = {}
    for index, cluster in enumerate(grouping.clusters):
        clusters.setdefault(cluster, []).append(index)
    used: set[int] = set()
    for indexes in clusters.values():
        pinned = Counter(rows[i][1].position_id for i in indexes if rows[i][1].pinned)
        if pinned:
            home = old[pinned.most_common(1)[0][0]]
        else:
            previous = Counter(rows[i][1].position_id for i in indexes
                               if rows[i][1].position_id in old and not old[rows[i][1].position_id].staff
                               and rows[i][1].position_id not in used)
            if previous:
                home = old[previous.most_common(1)[0][0]]
            else:
                home = Position(stance=rows[indexes[0]][0].stance, supporters=0, citizens=0, **target.values())
                session.add(home)
                session.flush()
                old[home.id] = home
        used.add(home.id)
        for i in indexes:
            if not rows[i][1].pinned:
                rows[i][1].position_id = home.id
    session.flush()
    members: dict[int, list[int]] = {}
    for index, (_, placement) in enumerate(rows):
        members.setdefault(placement.position_id, []).append(index)
    for position_id, indexes in members.items():
        _store_rebuilt(session, old[position_id], [rows[i][0] for i in indexes],
                       [grouping.features[i] for i in indexes])
    _drop_empty(session, target, old, set(members))
    argument_maps.refresh(session, target)
    return len(members)


def _store_rebuilt(session: Session, position: Position, arguments: list[Argument],
                   described: list[method.Features]) -> None:
    vector = None
    for f in described:
        vector = method.PositionVector.opened(position.id, f) if vector is None else vector.joined(f)
    kept.store_vector(position, vector)
    kept.set_representative(position, arguments[method.representative(described)])
    kept.recount_people(session, position, [a.id for a in arguments])


def _drop_empty(session: Session, target: Target, positions: dict[int, Position], full: set[int]) -> None:
    """Positions left without members: emptied, and deleted unless staff corrections name them."""
    corrected = set(session.scalars(select(PositionCorrection.position_id).where(
        PositionCorrection.position_id.in_(list(positions))))) if positions else set()
    for position_id, position in positions.items():
        if position_id in full:
            continue
        kept.store_vector(position, None)
        position.representative_id = None
        kept.recount_people(session, position, [])
        if position_id not in corrected and not position.staff:
            session.execute(delete(Position).where(Position.id == position_id))


def rebuild_all(db: Any, *, bill_slug: str | None = None, batch: int = 32,
                progress: Callable[[str, int], Callable[[int], None]] | None = None) -> dict[str, int]:
    """Every map of one bill (or of all): embeds the arguments that lack a vector in batches, each
    batch outside any transaction, then regroups each target in its own transaction."""
    from drafting.models import Article, Bill
    from amendments.models import Amendment

    with db.session() as session:
        if bill_slug is not None:
            bill = bills.get_bill(session, bill_slug)
            bill_ids = [bill.id]
        else:
            bill_ids = list(session.scalars(select(Bill.id)))
        targets = [("article", i) for i in session.scalars(select(Article.id).where(Article.bill_id.in_(bill_ids)))]
        targets += [("amendment", i) for i in session.scalars(select(Amendment.id).where(Amendment.bill_id.in_(bill_ids)))]
        missing = []
        for kind, target_id in targets:
            missing += kept_missing(session, kind, target_id)
    advance = progress("embedding", len(missing)) if progress else (lambda n: None)
    for start in range(0, len(missing), batch):
        chunk = missing[start:start + batch]
        vectors = kept.embed_batch([body for _, body in chunk])
        with db.session(write=True) as session:
            store_vectors(session, {i: v for (i, _), v in zip(chunk, vectors)}, dict(chunk))
        advance(len(chunk))
    advance = progress("grouping", len(targets)) if progress else (lambda n: None)
    totals = {"targets": len(targets), "embedded": len(missing), "positions": 0}
    for kind, target_id in targets:
        with db.session(write=True) as session:
            totals["positions"] += rebuild_target(session, participation.get_target(session, kind, target_id,
                                                                                    for_update=True))
        advance(1)
    return totals


def kept_missing(session: Session, kind: str, target_id: int) -> list[tuple[int, str]]:
    return missing_vectors(session, participation.get_target(session, kind, target_id))
