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
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from amendments.models import VOTE_VALUES, Amendment, Vote
from amendments.services import consultation_days, tallies
from drafting.db import Prepared, utcnow
from drafting.errors import Invalid, NotFound
from drafting.models import Article, Bill, User
from drafting import policy
from drafting.policy import require_user

TARGET_KINDS = ("article", "amendment")


# --- targets -----------------------------------------------------------------------------------

@dataclass
class Target:
    """An article or an amendment that people vote on and argue about, with its bill: ORM objects, or
    (``vote_target_found``) one plain row holding the target's and its bill's columns."""

    kind: str
    row: Any  # Article | Amendment | Row
    bill: Any  # Bill | Row

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def hidden(self) -> bool:
        return self.kind == "amendment" and self.row.hidden_by_id is not None

    @property
    def removed(self) -> bool:
        return self.kind == "article" and bool(self.row.removed)

    @property
    def settled(self) -> bool:
        """An amendment no longer in play (accepted, rejected, withdrawn, fallen) takes no votes or arguments."""
        return self.kind == "amendment" and not policy.amendment_changeable(self.row)

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


@functools.lru_cache(maxsize=4)
def _plain_target_statement(kind: str):
    """What a vote needs to know of its target and bill, as one plain row, built once."""
    table = (Article if kind == "article" else Amendment).__table__
    bills = Bill.__table__
    own = [table.c.id, table.c.bill_id, table.c.removed] if kind == "article" else [
        table.c.id, table.c.bill_id, table.c.status, table.c.hidden_by_id]
    return Prepared(select(*own, bills.c.status.label("recorded_status"), bills.c.consultation_opens_at,
                           bills.c.consultation_closes_at).join(bills, bills.c.id == table.c.bill_id).where(
        table.c.id == bindparam("target_id", type_=Integer)))


@functools.lru_cache(maxsize=4)
def _target_lock_statements(kind: str):
    """Its bill FOR KEY SHARE, then the bare target row FOR UPDATE (FOR UPDATE refuses the eager join
    of the author): the order proposals keep (bill, article, counts). Taken the other way round, the
    target first and the bill's key later (through a new row's foreign key), a writer closed a cycle
    with a proposal holding the bill's key and an insertion queued for the whole bill: a deadlock."""
    model = Article if kind == "article" else Amendment
    bill_of = select(model.bill_id).where(model.id == bindparam("target_id")).scalar_subquery()
    return (select(Bill.id).where(Bill.id == bill_of).with_for_update(read=True, key_share=True),
            select(model.id).where(model.id == bindparam("target_id")).with_for_update())


def lock_bill_key(session: Session, target: Target) -> None:
    """The target's bill FOR KEY SHARE (PostgreSQL), the first lock of every writer of the counts
    (``consultation_days.count_in_lock_order``), for a writer that does not lock the target itself
    (a page's vote): taken only by the person's new day row, after the vote's, it closed a cycle with a
    new article's proposal (the bill held FOR UPDATE, then that person's day row)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_target_lock_statements(target.kind)[0], {"target_id": target.id})


def get_target(session: Session, kind: str, target_id: int, *, for_update: bool = False) -> Target:
    """The article or amendment ``target_id``; ``for_update`` locks its row (PostgreSQL) until commit,
    after its bill's key."""
    if kind not in TARGET_KINDS:
        raise NotFound("no target kind '{kind}'", kind=kind)
    if for_update:
        for statement in _target_lock_statements(kind):
            session.execute(statement, {"target_id": target_id})
    found = session.execute(_target_statement(kind), {"target_id": target_id}).first()
    if found is None:
        raise NotFound("no {kind} {target_id}", kind=kind, target_id=target_id)
    return Target(kind, found[0], found[1])


def vote_target_lookup(kind: str, target_id: int) -> tuple[Prepared, dict]:
    """``get_target`` on a Core connection, without the ORM, as a statement and its parameters to run
    with others (``drafting.db.run_together``): ``vote_target_found`` makes its rows the target with its
    bill's status and dates, in one plain row (the ``row`` and the ``bill`` of the answer)."""
    if kind not in TARGET_KINDS:
        raise NotFound("no target kind '{kind}'", kind=kind)
    return _plain_target_statement(kind), {"target_id": target_id}


def vote_target_found(kind: str, target_id: int, rows: list) -> Target:
    if not rows:
        raise NotFound("no {kind} {target_id}", kind=kind, target_id=target_id)
    return Target(kind, rows[0], rows[0])


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


@functools.lru_cache(maxsize=4)
def _my_vote_statement(kind: str):
    table = Vote.__table__
    column = table.c.article_id if kind == "article" else table.c.amendment_id
    return select(table.c.value).where(table.c.user_id == bindparam("voter", type_=Integer),
                                       column == bindparam("target", type_=Integer))


def my_vote(session: Session, user: User | None, target: Target) -> str | None:
    if user is None:
        return None
    return session.scalar(_my_vote_statement(target.kind), {"voter": user.id, "target": target.id})


@functools.lru_cache(maxsize=8)
def _vote_statements(dialect: str, kind: str) -> tuple[Prepared, ...]:
    """The vote path's statements, built once per database and kind of target (building costs more
    than running): the previous vote (on PostgreSQL locking its row), a new vote (none if one was
    inserted meanwhile), a changed vote, a vote taken back. Parameters: voter, target, new_value, now."""
    table = Vote.__table__
    column = table.c.article_id if kind == "article" else table.c.amendment_id
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    mine = (table.c.user_id == bindparam("voter", type_=Integer)) & (column == bindparam("target", type_=Integer))
    now = bindparam("now", type_=table.c.updated_at.type)
    return tuple(Prepared(statement) for statement in (
        select(table.c.value, table.c.created_at).where(mine).with_for_update(),  # nothing on SQLite (one writer)
        insert(table).values({"user_id": bindparam("voter"), column.key: bindparam("target"),
                              "value": bindparam("new_value"), "created_at": now,
                              "updated_at": now}).on_conflict_do_nothing().returning(table.c.id),
        table.update().where(mine).values(value=bindparam("new_value"), updated_at=now),
        table.delete().where(mine),
    ))


def write_vote(connection: Connection, user_id: int, target: Target, value: str | None) -> tuple[str | None, Any]:
    """Make the person's vote on the target ``value`` (None: take it back) and answer what it was, with
    when it was first cast (None for a first vote).

    The previous vote is read with its row locked (PostgreSQL), so two requests of one person on one
    target queue on that row and each moves the counts from what the other left. A first vote has no
    row to lock: if the same person's other request inserts it meanwhile, this insert does nothing and
    the vote is read again, locked this time. On SQLite one writer at a time makes the same true."""
    previous_of, insert, change, take_back = _vote_statements(connection.dialect.name, target.kind)
    for _ in range(3):
        found = previous_of.first(connection, voter=user_id, target=target.id)
        previous, since = (found.value, found.created_at) if found else (None, None)
        if previous == value:
            return previous, since
        if previous is not None:
            (take_back if value is None else change).run(connection, voter=user_id, target=target.id,
                                                          new_value=value, now=utcnow())
            return previous, since
        if value is None or insert.first(connection, voter=user_id, target=target.id, new_value=value, now=utcnow()):
            return None, None
    raise RuntimeError(f"the vote of {user_id} on {target.kind} {target.id} kept changing under this request")


def check_vote(actor: Any, target: Target, value: str | None) -> Any:
    """Who may cast ``value`` (None: take the vote back) on the target, or a refusal: the signed-in
    person, answered."""
    user = require_user(actor)
    if value is not None and value not in VOTE_VALUES:
        raise Invalid("value", "must be one of {choices}", choices=', '.join(VOTE_VALUES))
    require_open(target)
    return user


def vote_deltas(previous: str | None, value: str | None) -> dict[str, int]:
    """What a vote changed from ``previous`` to ``value`` moves in its target's counts."""
    if previous == value:
        return {}
    return {**({value: 1} if value else {}), **({previous: -1} if previous else {})}


def _vote(session: Session, actor: Any, target: Target, value: str | None) -> dict[str, int]:
    """The person's vote on the target becomes ``value`` (None: taken back); answers the target's tallies,
    counted after the vote's row in the lock order of every writer of the counts
    (``consultation_days.count_in_lock_order``)."""
    user = check_vote(actor, target, value)
    lock_bill_key(session, target)
    connection = session.connection()
    previous, since = write_vote(connection, user.id, target, value)
    if previous == value:
        return tallies.votes_of(tallies.read(connection, target.kind, [target.id])[target.id])
    counting = functools.partial(consultation_days.vote, connection, target, user, previous, value, since=since)
    counts = consultation_days.count_in_lock_order(session, counting, target.kind, target.id,
                                                   **vote_deltas(previous, value))
    return tallies.votes_of(counts)


def cast_vote(session: Session, actor: Any, target: Target, value: Any) -> dict[str, int]:
    """One vote per person and target, a new one replacing the old; the target's stored tally moves in
    the same transaction, so racing requests leave one row and an exact count (the pages' path; the
    API's votes go in batches: amendments/services/vote_batches.py)."""
    return _vote(session, actor, target, "" if value is None else value)  # None is no value here: refused


def take_back_vote(session: Session, actor: Any, target: Target) -> dict[str, int]:
    return _vote(session, actor, target, None)
