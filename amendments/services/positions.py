"""The argument map kept up to date (issue 14, CONTRACT §7): a new argument joins its position (or
opens one) in its own transaction, a supporter joins the people of its argument's position, a hidden
argument leaves its position; reading a map costs a constant number of queries.

The embedding (~0.3 s of CPU with e5) is never computed here inside a write transaction: handlers call
``vector_of`` in a worker thread first and pass the vector in. ``configure_embedder`` swaps the model
(tests that are not about grouping quality use a cheap deterministic one, see tests/conftest.py).
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from dataclasses import dataclass, field

import msgspec
import numpy as np
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session, defer

from amendments import positions as method
from amendments.models import Argument, ArgumentPlacement, ArgumentSupporter, Position, PositionPerson, PositionSpace
from amendments.services import argument_maps, participation
from amendments.services.participation import Target
from drafting.db import utcnow
from drafting.models import User

Embedder = Callable[[Sequence[str]], np.ndarray]
_embedder: Embedder = method.embed


def configure_embedder(embedder: Embedder) -> Embedder:
    """Use ``embedder`` for every new vector; answers the previous one (to put back)."""
    global _embedder
    previous, _embedder = _embedder, embedder
    return previous


def embed_batch(texts: Sequence[str]) -> np.ndarray:
    return _embedder(texts)


def vector_of(text: str) -> np.ndarray:
    """One argument's embedding: call it in a worker thread, before the write transaction."""
    return _embedder([text])[0]


def language_of(target: Target) -> str:
    return getattr(target.bill, "language", None) or "fr"


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f4").astype(np.float64)


# --- kept state --------------------------------------------------------------------------------

# Decoded states, per process, keyed by what changes with them (``updated_at``, which every writer of a
# state sets, and for positions their size):
# placing an argument then decodes only the states that changed since, not one per position. A state
# read in a transaction that rolled back is never asked for again (its key is not in the database).
_decoded: dict[tuple[str, int], tuple[tuple, Any]] = {}
_DECODED_MAX = 50_000
_decode = msgspec.json.Decoder().decode


def _remember(key: tuple[str, int], version: tuple, value: Any) -> Any:
    if len(_decoded) >= _DECODED_MAX:
        _decoded.clear()
    _decoded[key] = (version, value)
    return value


def _recalled(key: tuple[str, int], version: tuple) -> Any:
    found = _decoded.get(key)
    return found[1] if found is not None and found[0] == version else None


def load_space(session: Session, target: Target) -> tuple[PositionSpace, method.Space]:
    row = session.scalar(select(PositionSpace).options(defer(PositionSpace.state)).where(target.matches(PositionSpace)))
    if row is None:
        row = PositionSpace(state="{}", **target.values())
        session.add(row)
        return row, method.Space()
    version = (row.updated_at,)
    space = _recalled(("space", row.id), version)
    if space is None:
        data = _decode(row.state or "{}")
        space = _remember(("space", row.id), version, method.Space.from_json(data) if data else method.Space())
    return row, space


def kept_vectors(session: Session, target: Target, stance: str) -> list[method.PositionVector]:
    """The sums of the target's positions of ``stance``: the changed ones decoded, the others recalled."""
    rows = session.execute(select(Position.id, Position.updated_at, Position.arguments_count).where(
        target.matches(Position), Position.stance == stance, Position.arguments_count > 0)).all()
    versions = {i: (at, count) for i, at, count in rows}
    missing = [i for i, version in versions.items() if _recalled(("position", i), version) is None]
    if missing:
        for i, state in session.execute(select(Position.id, Position.state).where(Position.id.in_(missing))):
            _remember(("position", i), versions[i], vector_from_state(i, state) or False)
    found = (_recalled(("position", i), version) for i, version in versions.items())
    return [v for v in found if v]


def store_space(row: PositionSpace, space: method.Space) -> None:
    row.state = msgspec.json.encode(space.to_json()).decode()
    row.updated_at = utcnow()


def position_vector(position: Position) -> method.PositionVector | None:
    return vector_from_state(position.id, position.state)


def vector_from_state(position_id: int, state: str | None) -> method.PositionVector | None:
    data = _decode(state or "{}")
    return method.PositionVector.from_json(position_id, data) if data else None


def store_vector(position: Position, kept: method.PositionVector | None) -> None:
    position.state = msgspec.json.encode(kept.to_json()).decode() if kept is not None and kept.count > 0 else "{}"
    position.arguments_count = kept.count if kept is not None else 0
    position.updated_at = utcnow()


def features_of(body: str, vector: np.ndarray, language: str, space: method.Space) -> method.Features:
    return method.features(vector, method.terms(body, language), space)


def set_representative(position: Position, argument: Argument) -> None:
    position.representative_id = argument.id
    if not position.label_by_staff:
        position.label = method.label(argument.body)


# --- people ------------------------------------------------------------------------------------

def people_of(session: Session, argument_ids: Iterable[int]) -> list[int]:
    """Authors and supporters of these arguments, once per contribution (a person may come twice)."""
    ids = list(argument_ids)
    if not ids:
        return []
    authors = session.scalars(select(Argument.author_id).where(Argument.id.in_(ids)))
    supporters = session.scalars(select(ArgumentSupporter.user_id).where(ArgumentSupporter.argument_id.in_(ids)))
    return [*authors, *supporters]


def add_people(session: Session, position: Position, user_ids: Sequence[int]) -> None:
    """Count each contribution; a person new to the position adds one supporter (and one citizen)."""
    if not user_ids:
        return
    weights = {uid: user_ids.count(uid) for uid in set(user_ids)}
    known = dict(session.execute(select(PositionPerson.user_id, PositionPerson.weight).where(
        PositionPerson.position_id == position.id, PositionPerson.user_id.in_(list(weights)))).all())
    for uid in known:
        session.execute(update(PositionPerson).where(PositionPerson.position_id == position.id,
                                                     PositionPerson.user_id == uid)
                        .values(weight=PositionPerson.weight + weights[uid]))
    new = [uid for uid in weights if uid not in known]
    if new:
        session.add_all(PositionPerson(position_id=position.id, user_id=uid, weight=weights[uid]) for uid in new)
        citizens = session.scalar(select(func.count()).where(User.id.in_(new), User.kind == "citizen"))
        position.supporters += len(new)
        position.citizens += citizens
    session.flush()


def remove_people(session: Session, position: Position, user_ids: Sequence[int]) -> None:
    if not user_ids:
        return
    weights = {uid: user_ids.count(uid) for uid in set(user_ids)}
    for uid, weight in weights.items():
        session.execute(update(PositionPerson).where(PositionPerson.position_id == position.id,
                                                     PositionPerson.user_id == uid)
                        .values(weight=PositionPerson.weight - weight))
    gone = list(session.scalars(select(PositionPerson.user_id).where(
        PositionPerson.position_id == position.id, PositionPerson.weight <= 0)))
    if gone:
        citizens = session.scalar(select(func.count()).where(User.id.in_(gone), User.kind == "citizen"))
        session.execute(delete(PositionPerson).where(PositionPerson.position_id == position.id,
                                                     PositionPerson.user_id.in_(gone)))
        position.supporters -= len(gone)
        position.citizens -= citizens
    session.flush()


def recount_people(session: Session, position: Position, member_ids: Sequence[int]) -> None:
    """The position's people and counts from its members' rows (after a merge, split or rebuild)."""
    session.execute(delete(PositionPerson).where(PositionPerson.position_id == position.id))
    position.supporters = position.citizens = 0
    session.flush()
    add_people(session, position, people_of(session, member_ids))


# --- placing, joining, leaving ------------------------------------------------------------------

def place_argument(session: Session, target: Target, argument: Argument, vector: np.ndarray) -> Position:
    """A new argument joins the nearest position of its stance, or opens one (the caller holds the
    target's lock, so two arguments of one target are placed one after the other)."""
    language = language_of(target)
    space_row, space = load_space(session, target)
    key = method.text_key(argument.body)
    vectors = kept_vectors(session, target, argument.stance)  # one dot product per position
    twin = session.scalar(
        select(ArgumentPlacement.position_id).join(Argument, Argument.id == ArgumentPlacement.argument_id)
        .where(target.matches(Argument), Argument.stance == argument.stance,
               ArgumentPlacement.text_key == key, ArgumentPlacement.position_id.is_not(None)).limit(1))
    placed = method.place(argument.body, language, vectors, space, vector=vector, twin=twin)
    store_space(space_row, placed.space)
    if placed.position is None:
        position = Position(stance=argument.stance, supporters=0, citizens=0, **target.values())
        session.add(position)
        session.flush()
        store_vector(position, method.PositionVector.opened(position.id, placed.features))
        set_representative(position, argument)
    else:
        position = session.get(Position, placed.position)
        joined = next(v for v in vectors if v.id == placed.position).joined(placed.features)
        store_vector(position, joined)
        _keep_most_central(session, position, joined, argument, placed.features, language, placed.space)
    session.add(ArgumentPlacement(argument_id=argument.id, position_id=position.id, vector=to_bytes(vector),
                                  text_key=key, pinned=False))
    session.flush()
    add_people(session, position, [argument.author_id])
    argument_maps.refresh(session, target, [position.id])
    return position


def _keep_most_central(session: Session, position: Position, kept: method.PositionVector, newcomer: Argument,
                       features: method.Features, language: str, space: method.Space) -> None:
    """The newcomer becomes the representative when it is closer to the position than the current one."""
    current = session.execute(
        select(Argument.body, ArgumentPlacement.vector).join(ArgumentPlacement, ArgumentPlacement.argument_id == Argument.id)
        .where(Argument.id == position.representative_id)).first() if position.representative_id else None
    if current is None or kept.similarity(features) > kept.similarity(
            features_of(current.body, from_bytes(current.vector), language, space)):
        set_representative(position, newcomer)


def join_supporter(session: Session, argument: Argument, user_id: int) -> None:
    """Someone wrote an argument again (CONTRACT §2): they join its position's people."""
    position_id = session.scalar(select(ArgumentPlacement.position_id).where(
        ArgumentPlacement.argument_id == argument.id))
    if position_id is not None:
        position = session.get(Position, position_id)
        add_people(session, position, [user_id])
        argument_maps.refresh(session, target_of_position(session, position), [position_id])


def leave(session: Session, target: Target, argument: Argument) -> None:
    """A hidden argument leaves its position (its sums drift a little until the next rebuild). It takes
    the target's lock, as placing does, so the two rewrite the target's map one after the other."""
    placement = session.get(ArgumentPlacement, argument.id)
    if placement is None or placement.position_id is None:
        return
    target = participation.get_target(session, target.kind, target.id, for_update=True)
    position = session.get(Position, placement.position_id)
    language = language_of(target)
    _, space = load_space(session, target)
    kept = position_vector(position)
    if kept is not None:
        kept = kept.without(features_of(argument.body, from_bytes(placement.vector), language, space))
    remove_people(session, position, people_of(session, [argument.id]))
    placement.position_id = None
    session.flush()
    store_vector(position, kept)
    if position.representative_id == argument.id:
        members = member_rows(session, [position.id])
        if members:
            chosen = method.representative([features_of(m.body, from_bytes(m.vector), language, space) for m in members])
            set_representative(position, session.get(Argument, members[chosen].id))
        else:
            position.representative_id = None
    argument_maps.refresh(session, target, [position.id])


def target_of_position(session: Session, position: Position) -> Target:
    if position.article_id is not None:
        return participation.get_target(session, "article", position.article_id)
    return participation.get_target(session, "amendment", position.amendment_id)


def member_rows(session: Session, position_ids: Sequence[int]) -> list:
    """The members of these positions: (id, position_id, body, vector), oldest first."""
    return list(session.execute(
        select(Argument.id, ArgumentPlacement.position_id, Argument.body, ArgumentPlacement.vector)
        .join(ArgumentPlacement, ArgumentPlacement.argument_id == Argument.id)
        .where(ArgumentPlacement.position_id.in_(list(position_ids))).order_by(Argument.created_at, Argument.id)))


# --- reading -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Holder:
    """An organization holding a position, as the map names it (read as columns: a map of 5,000 arguments
    names about 1,700 organizations, and loading them as User rows was most of its reading time)."""

    username: str
    display_name: str
    organization_name: str | None
    declared_interests: str | None


@dataclass
class PositionView:
    """A position as the map shows it."""

    position: Position
    arguments: list[int]
    representative: Argument | None
    organizations: list[Holder] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.position.id


def stance_positions(session: Session, target: Target, stance: str) -> list[PositionView]:
    """The positions of one stance (ids and labels: the staff's merge form), most supported first,
    without their members."""
    return [PositionView(p, [], None) for p in session.scalars(
        select(Position).options(defer(Position.state), defer(Position.document))
        .where(target.matches(Position), Position.stance == stance, Position.arguments_count > 0)
        .order_by(Position.supporters.desc(), Position.arguments_count.desc(), Position.id))]


def read_top(session: Session, target: Target, per_stance: int,
             represented: int | None = None) -> dict[str, list[PositionView]]:
    """The ``per_stance`` most supported positions of each stance (with the first organizations holding
    each, as kept), the first ``represented`` of each (all when None) with their representative
    argument, for pages: three indexed statements, whatever the number of arguments or positions, and
    nothing read per argument."""
    top = _top_statement(target.kind)
    stances: dict[str, list[PositionView]] = {}
    for stance in ("for", "against"):
        positions = list(session.scalars(top, {"target": target.id, "stance": stance, "per_stance": per_stance}))
        stances[stance] = [PositionView(p, [], None, [Holder("", h["name"], h["name"], h["declared_interests"])
                                                    for h in json.loads(p.holders or "[]")]) for p in positions]
    wanted = [v.position.representative_id for views in stances.values() for v in views[:represented]
              if v.position.representative_id is not None]
    if wanted:
        found = {a.id: a for a in session.scalars(select(Argument).where(Argument.id.in_(wanted)))}
        for views in stances.values():
            for view in views[:represented]:
                view.representative = found.get(view.position.representative_id)
    return stances


@functools.lru_cache(maxsize=2)
def _top_statement(kind: str):
    """``read_top``'s statement, built once per kind of target (building costs more than running): a
    stance's most supported positions, along the index ``ix_positions_*_rank``."""
    column = Position.article_id if kind == "article" else Position.amendment_id
    return (select(Position).options(defer(Position.state), defer(Position.document))
            .where(column == bindparam("target"), Position.stance == bindparam("stance"), Position.arguments_count > 0)
            .order_by(Position.supporters.desc(), Position.arguments_count.desc(), Position.id)
            .limit(bindparam("per_stance")))


def views_of(session: Session, positions: list[Position], *, members: bool = True,
             representatives: bool = True) -> dict[str, list[PositionView]]:
    """Positions with their members' ids (unless ``members`` is false: pages show counts), organizations
    and (unless ``representatives`` is false) representative arguments, in three queries."""
    ids = [p.id for p in positions]
    member_ids: dict[int, list[int]] = {i: [] for i in ids}
    organizations: dict[int, list[Holder]] = {i: [] for i in ids}
    found: dict[int, Argument] = {}
    if ids and members:
        for argument_id, position_id in session.execute(
                select(ArgumentPlacement.argument_id, ArgumentPlacement.position_id)
                .where(ArgumentPlacement.position_id.in_(ids)).order_by(ArgumentPlacement.argument_id)):
            member_ids[position_id].append(argument_id)
    if ids:
        for position_id, *names in session.execute(
                select(PositionPerson.position_id, User.username, User.display_name, User.organization_name,
                       User.declared_interests).join(User, User.id == PositionPerson.user_id)
                .where(PositionPerson.position_id.in_(ids), User.kind == "organization").order_by(User.id)):
            organizations[position_id].append(Holder(*names))
        wanted = [p.representative_id for p in positions if p.representative_id is not None]
        if wanted and representatives:
            found = {a.id: a for a in session.scalars(select(Argument).where(Argument.id.in_(wanted)))}
    stances: dict[str, list[PositionView]] = {"for": [], "against": []}
    for p in positions:
        stances[p.stance].append(PositionView(p, member_ids[p.id], found.get(p.representative_id),
                                              organizations[p.id]))
    return stances


def member_arguments(session: Session, ids: Sequence[int]) -> list[Argument]:
    """The arguments of a position (its page shows them), most useful first."""
    if not ids:
        return []
    return list(session.scalars(select(Argument).where(Argument.id.in_(list(ids)))
                                .order_by(Argument.useful_count.desc(), Argument.created_at, Argument.id)))
