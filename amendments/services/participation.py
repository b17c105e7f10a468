"""Participation targets (an article or an amendment) and votes on them.

Writes need a signed-in person and an open consultation; hidden amendments take no new votes,
arguments or useful marks (arguments: amendments/services/arguments.py, sources: sources.py).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from amendments.models import VOTE_VALUES, Amendment, Vote
from amendments.services import consultation_days, tallies
from drafting.db import utcnow
from drafting.errors import Invalid, NotFound
from drafting.models import Article, Bill, User
from drafting import policy
from drafting.policy import require_user

TARGET_KINDS = ("article", "amendment")


# --- targets -----------------------------------------------------------------------------------

@dataclass
class Target:
    """An article or an amendment that people vote on and argue about, with its bill."""

    kind: str
    row: Article | Amendment
    bill: Bill

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def hidden(self) -> bool:
        return isinstance(self.row, Amendment) and self.row.hidden_by_id is not None

    @property
    def removed(self) -> bool:
        return isinstance(self.row, Article) and self.row.removed

    @property
    def settled(self) -> bool:
        """An amendment no longer in play (accepted, rejected, withdrawn, fallen) takes no votes or arguments."""
        return isinstance(self.row, Amendment) and not policy.amendment_changeable(self.row)

    def column(self, model: Any):
        """The model's column that points at this kind of target."""
        return model.article_id if self.kind == "article" else model.amendment_id

    def matches(self, model: Any):
        return self.column(model) == self.id

    def values(self) -> dict[str, int]:
        return {"article_id": self.id} if self.kind == "article" else {"amendment_id": self.id}


@functools.lru_cache(maxsize=4)
def _target_statement(kind: str):
    """The target and its bill in one statement, built once (an amendment's author comes joined, as
    its mapping says, so a page rendered after the session closed can still show it)."""
    model = Article if kind == "article" else Amendment
    return select(model, Bill).join(Bill, Bill.id == model.bill_id).where(model.id == bindparam("target_id"))


def get_target(session: Session, kind: str, target_id: int, *, for_update: bool = False) -> Target:
    """The article or amendment ``target_id``; ``for_update`` locks its row (PostgreSQL) until commit."""
    if kind not in TARGET_KINDS:
        raise NotFound("no target kind '{kind}'", kind=kind)
    model = Article if kind == "article" else Amendment
    if for_update:  # lock the bare row: FOR UPDATE refuses the eager join of the author
        session.execute(select(model.id).where(model.id == target_id).with_for_update())
    found = session.execute(_target_statement(kind), {"target_id": target_id}).first()
    if found is None:
        raise NotFound("no {kind} {target_id}", kind=kind, target_id=target_id)
    return Target(kind, found[0], found[1])


def target_for_row(session: Session, row: Article | Amendment) -> Target:
    return Target("article" if isinstance(row, Article) else "amendment", row, session.get(Bill, row.bill_id))


def require_open(target: Target) -> None:
    """Participation writes need an open consultation and a visible target (drafting.policy)."""
    policy.require_may_participate(target.bill, hidden=target.hidden, removed=target.removed,
                                   settled=target.settled)


def dialect_insert(session: Session):
    """The dialect's INSERT, which knows ON CONFLICT."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


# --- votes -------------------------------------------------------------------------------------

def vote_tallies(session: Session, target: str, ids: list[int]) -> dict[int, dict[str, int]]:
    """Counts per value for each target: their stored counts (amendments/tallies.py), one indexed row each."""
    return {target_id: tallies.votes_of(counts) for target_id, counts in tallies.read(session, target, ids).items()}


def percentages(counts: dict[str, int]) -> dict[str, int]:
    """Whole percentages that add up to 100 (largest remainders), or all 0 without votes."""
    total = sum(counts.values())
    if not total:
        return dict.fromkeys(counts, 0)
    exact = {key: 100 * count / total for key, count in counts.items()}
    shares = {key: math.floor(value) for key, value in exact.items()}
    for key in sorted(exact, key=lambda k: exact[k] - shares[k], reverse=True)[: 100 - sum(shares.values())]:
        shares[key] += 1
    return shares


def my_vote(session: Session, user: User | None, target: Target) -> str | None:
    if user is None:
        return None
    return session.scalar(_vote_statements(target.kind)[0], {"voter": user.id, "target": target.id})


@functools.lru_cache(maxsize=4)
def _vote_statements(kind: str):
    """The vote path's statements, built once per kind of target (building costs more than running):
    the previous vote, a new vote, a changed vote, a vote taken back. Parameters: voter, target,
    new_value, now."""
    column = Vote.article_id if kind == "article" else Vote.amendment_id
    mine = (Vote.user_id == bindparam("voter", type_=Integer)) & (column == bindparam("target", type_=Integer))
    table = Vote.__table__
    return (
        select(Vote.value).where(mine),
        table.insert().values({"user_id": bindparam("voter"), column.key: bindparam("target"),
                               "value": bindparam("new_value"), "created_at": bindparam("now"),
                               "updated_at": bindparam("now")}),
        table.update().where(mine).values(value=bindparam("new_value"), updated_at=bindparam("now")),
        table.delete().where(mine),
    )


def _previous_vote(session: Session, user: User, target: Target) -> tuple[dict[str, int], str | None]:
    """The target's counts and the person's vote on it, read once the counts are locked
    (``tallies.lock``): every change of a vote on this target waits for that lock, so both stay true
    until this transaction ends."""
    counts = tallies.lock(session, target.kind, target.id)
    previous = session.execute(_vote_statements(target.kind)[0],
                               {"voter": user.id, "target": target.id}).scalar()
    return counts, previous


def cast_vote(session: Session, actor: User | None, target: Target, value: Any) -> dict[str, int]:
    """One vote per person and target, a new one replacing the old; the target's stored tally moves in
    the same transaction, so racing requests leave one row and an exact count."""
    user = require_user(actor)
    if value not in VOTE_VALUES:
        raise Invalid("value", "must be one of {choices}", choices=', '.join(VOTE_VALUES))
    require_open(target)
    counts, previous = _previous_vote(session, user, target)
    if previous == value:
        return tallies.votes_of(counts)
    _, insert, change, _ = _vote_statements(target.kind)
    consultation_days.vote(session, target, user, previous, value)
    session.execute(insert if previous is None else change,
                    {"voter": user.id, "target": target.id, "new_value": value, "now": utcnow()})
    moved = {value: 1, **({previous: -1} if previous else {})}
    return tallies.votes_of(tallies.add(session, target.kind, target.id, **moved))


def take_back_vote(session: Session, actor: User | None, target: Target) -> dict[str, int]:
    user = require_user(actor)
    require_open(target)
    counts, previous = _previous_vote(session, user, target)
    if previous is None:
        return tallies.votes_of(counts)
    consultation_days.vote(session, target, user, previous, None)
    session.execute(_vote_statements(target.kind)[3], {"voter": user.id, "target": target.id})
    return tallies.votes_of(tallies.add(session, target.kind, target.id, **{previous: -1}))
