"""Votes of many people written in one transaction and one commit: the API's vote path.

Each worker gathers the votes its requests bring while the previous batch is written
(drafting/web/batching.py) and hands them here together; every request is answered only after the
commit that holds its vote. One transaction per batch saves, per vote, the BEGIN and the commit (on
SQLite the commit writes the log's pages, shared by the batch; on PostgreSQL one WAL flush) and writes
each target's counts row and each bill's day row once, with the batch's summed changes.

A vote's refusal (unknown token or target, closed bill, hidden amendment, bad value, rate limit) is
that vote's answer and writes nothing of it: every check is a read made before the vote's writes, and
the rate-limit hits of refused votes are taken back before the commit. Anything else that fails (a
database error) rolls the batch back, and each of its votes is then run again alone, in its own
transaction, so one vote's failure never fails another's.

Lock order (PostgreSQL), the one every writer of the counts keeps: the rate-limit rows (accounts, then
addresses), then per vote in the order of (person, target) the vote's row (the target's key through its
foreign key) and the person's rows of the bill, then the targets' counts rows in the order of their
keys, then the bills' day rows in the order of theirs. Two batches of two workers therefore lock in one
order, and the counts rows, the hottest, are held only from their statement to the commit, which goes
in the same round trip as the last statement (``Prepared.run(commit=True)``).
"""
from __future__ import annotations

import functools
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from amendments.models import RateLimitCounter
from amendments.services import consultation_days, participation, tallies
from drafting import retry
from drafting.db import Database, Prepared
from drafting.errors import DomainError, RateLimited
from drafting.services import accounts

log = logging.getLogger("navette.votes")


@dataclass
class Ballot:
    """One vote request: ``value`` None takes the vote back; ``refusal`` is the request's own error (its
    body), answered after the lookups, as the token and the target come first."""

    kind: str
    target_id: int
    token: str | None
    value: str | None
    address: str = "unknown"
    refusal: DomainError | None = None


@dataclass(frozen=True)
class Limits:
    """The rate limits of writes now (drafting/web/ratelimit.py): 0 means no limit."""

    per_account: int
    per_address: int
    window: int
    window_start: int
    retry_after: int


def cast(db: Database, ballots: list[Ballot], limits: Limits | None = None) -> list[Any]:
    """Each ballot's answer, in order: its target's tallies after the commit, or its refusal (a
    DomainError), or (alone, after the batch failed) the error its own transaction raised."""
    try:
        return retry.replayable(_cast_together, db, ballots, limits)
    except Exception as error:
        if len(ballots) == 1:
            return [error]
        log.warning("a batch of %d votes failed (%r); each runs again alone", len(ballots), error)
    return [cast(db, [ballot], limits)[0] for ballot in ballots]


def _cast_together(db: Database, ballots: list[Ballot], limits: Limits | None) -> list[Any]:
    answers: list[Any] = [None] * len(ballots)
    with db.connection(write=True) as connection:
        people = [accounts.person_for_token(connection, b.token, "api", touch=True) for b in ballots]
        targets: dict[tuple[str, int], participation.Target] = {}
        accepted = []
        for i, (ballot, person) in enumerate(zip(ballots, people)):
            try:
                key = (ballot.kind, ballot.target_id)
                if key not in targets:
                    targets[key] = participation.vote_target(connection, ballot.kind, ballot.target_id)
                if ballot.refusal is not None:
                    raise ballot.refusal
                participation.check_vote(person, targets[key], ballot.value)
                accepted.append(i)
            except DomainError as refusal:
                answers[i] = refusal
        if limits is not None:
            accepted = _within_limits(connection, ballots, people, accepted, limits, answers)
        moved: dict[tuple[str, int], Counter] = defaultdict(Counter)
        days: dict[tuple, Counter] = {}
        for i in sorted(accepted, key=lambda i: (people[i].id, ballots[i].kind, ballots[i].target_id)):
            ballot, person = ballots[i], people[i]
            target = targets[ballot.kind, ballot.target_id]
            previous, since = participation.write_vote(connection, person.id, target, ballot.value)
            if previous != ballot.value:
                consultation_days.vote(connection, target, person, previous, ballot.value, since=since, days=days)
                moved[ballot.kind, ballot.target_id].update(participation.vote_deltas(previous, ballot.value))
        counts = _counts(connection, {key for i in accepted for key in [(ballots[i].kind, ballots[i].target_id)]},
                         moved, days)
    for i in accepted:
        answers[i] = tallies.votes_of(counts[ballots[i].kind, ballots[i].target_id])
    return answers


def _counts(connection: Connection, wanted: set[tuple[str, int]], moved: dict[tuple[str, int], Counter],
            days: dict[tuple, Counter]) -> dict[tuple[str, int], dict[str, int]]:
    """Move the counts rows (in the order of their keys), then the day rows, the last statement carrying
    the commit on PostgreSQL; answer the counts of every target ``wanted``."""
    changed = {key: {name: n for name, n in deltas.items() if n} for key, deltas in moved.items()}
    changed = {key: deltas for key, deltas in changed.items() if deltas}
    counts: dict[tuple[str, int], dict[str, int]] = {}
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, target_id in sorted(wanted - changed.keys()):
        by_kind[kind].append(target_id)
    for kind, ids in by_kind.items():
        counts.update({(kind, i): row for i, row in tallies.read(connection, kind, ids).items()})
    commit = connection.dialect.name == "postgresql"
    keys = sorted(changed)
    for n, key in enumerate(keys):
        last = n == len(keys) - 1 and not any(days.values())
        counts[key] = tallies.add(connection, *key, commit=commit and last, **changed[key])
    consultation_days.add_days(connection, days, commit=commit)
    return counts


# --- rate limits -----------------------------------------------------------------------------------

def _within_limits(connection: Connection, ballots: list[Ballot], people: list[Any], accepted: list[int],
                   limits: Limits, answers: list[Any]) -> list[int]:
    """The accepted ballots within the rate limits; the others answered 429. Each key's hits are added
    in one statement (accounts, then addresses, in order), and those of the refused ballots taken back:
    a refused write uses up nothing, as when its own transaction rolled back."""
    keys: dict[str, list[int]] = {}
    if limits.per_account:
        for i in sorted(accepted, key=lambda i: people[i].id):
            keys.setdefault(f"user:{people[i].id}", []).append(i)
    if limits.per_address:
        for i in sorted(accepted, key=lambda i: ballots[i].address):
            keys.setdefault(f"addr:{ballots[i].address}"[:120], []).append(i)
    refused: set[int] = set()
    for key, members in keys.items():
        allowed = limits.per_account if key.startswith("user:") else limits.per_address
        count = _hit(connection, key, limits.window_start, len(members))
        for position, i in enumerate(members, start=count - len(members) + 1):
            if position > allowed and i not in refused:
                refused.add(i)
                answers[i] = RateLimited.writes(allowed, limits.window, limits.retry_after)
    for key, members in keys.items():
        taken_back = sum(1 for i in members if i in refused)
        if taken_back:
            _statements(connection.dialect.name)[2].run(connection, key=key, window_start=limits.window_start,
                                                        moved=-taken_back)
    return [i for i in accepted if i not in refused]


def _hit(connection: Connection, key: str, window_start: int, hits: int) -> int:
    """Add ``hits`` writes to the key's window and answer its count; a new window ends the older ones."""
    add, forget, _ = _statements(connection.dialect.name)
    count = add.first(connection, key=key, window_start=window_start, moved=hits)[0]
    if count == hits:
        forget.run(connection, key=key, window_start=window_start)
    return count


@functools.lru_cache(maxsize=2)
def _statements(dialect: str) -> tuple[Prepared, Prepared, Prepared]:
    """The rate-limit counter's statements, built once: add (creating the row), forget the older
    windows, take back."""
    table = RateLimitCounter.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    key, start = bindparam("key", type_=String), bindparam("window_start", type_=Integer)
    moved = bindparam("moved", type_=Integer)
    add = insert(table).values(key=key, window_start=start, count=moved).on_conflict_do_update(
        index_elements=[table.c.key, table.c.window_start], set_={"count": table.c.count + moved})
    mine = (table.c.key == key) & (table.c.window_start == start)
    return (Prepared(add.returning(table.c.count)),
            Prepared(delete(table).where(table.c.key == key, table.c.window_start < start)),
            Prepared(table.update().where(mine).values(count=table.c.count + moved)))
