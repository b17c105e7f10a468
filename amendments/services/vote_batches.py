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
addresses), the previous votes' rows in the order of (person, target), then the bills' keys (FOR KEY
SHARE, in the order of their ids: the first of the writes' statements), then per vote the
vote's row (the target's key through its foreign key) and the person's rows of the bill, then the
targets' counts rows in the order of their keys, then the bills' day rows in the order of theirs. The
bills' keys come before any row referring to a bill or its targets, as proposals and arguments take
them: taken only through the foreign key of a person's new row of the day, that row written, a batch
waited for an insertion holding the whole bill (FOR UPDATE, proposing.propose_insertion), which waited
for the same person's row: a deadlock. (No writer holding a bill's lock waits for a vote's row, so the
previous votes, read with the people, may be locked before.) Two batches of two workers lock in one
order, and the counts rows, the hottest, are held only from their statement to the commit, which goes
in the same round trip as the last statement (``run_together(commit=True)``). On PostgreSQL without
rate limits a batch is two round trips: the reads (the previous votes locked), then every write and the
commit, none of whose statements needs another's answer (the day's participants are counted in SQL).
"""
from __future__ import annotations

import functools
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from amendments.models import Vote
from amendments.services import consultation_days, participation, rate_counts, tallies
from drafting import retry
from drafting.db import Database, Prepared, padded, run_together, utcnow
from drafting.given import given_parameters, given_rows
from drafting.errors import DomainError, RateLimited
from drafting.models import AuthToken, Bill
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


class _Raced(Exception):
    """A first vote that another transaction inserted meanwhile (PostgreSQL, the same person voting
    twice at once): the batch is rolled back and its votes written again one by one."""


def cast(db: Database, ballots: list[Ballot], limits: Limits | None = None) -> list[Any]:
    """Each ballot's answer, in order: its target's tallies after the commit, or its refusal (a
    DomainError), or (alone, after the batch failed) the error its own transaction raised."""
    try:
        return retry.replayable(_cast_together, db, ballots, limits, together=True)
    except Exception as error:
        # A batch's connection is not tested as it leaves the pool (drafting.db.Database.connection): one
        # found dead is dropped, and its votes go again, even one alone, on a fresh connection.
        again = isinstance(error, _Raced) or (isinstance(error, DBAPIError) and error.connection_invalidated)
        if len(ballots) == 1 and not again:
            return [error]
        log.log(logging.INFO if again else logging.WARNING,
                "a batch of %d votes failed (%r); each runs again alone", len(ballots), error)
    return [_alone(db, ballot, limits) for ballot in ballots]


def _alone(db: Database, ballot: Ballot, limits: Limits | None) -> Any:
    try:
        return retry.replayable(_cast_together, db, [ballot], limits, together=False)[0]
    except Exception as error:
        return error


class _AllRefused(Exception):
    """Every vote of the batch was refused: its transaction is rolled back, as a refused write's is
    (nothing of it kept, not even a token's last use, and no cache made stale)."""


def _cast_together(db: Database, ballots: list[Ballot], limits: Limits | None, *, together: bool) -> list[Any]:
    """The batch in one transaction, in two round trips on PostgreSQL without rate limits: the people,
    the targets and the previous votes; the bills' keys, the votes, the people's rows, the counts, the
    day rows and the commit (with rate limits, the previous votes are read after the limits' rows, in a round trip of
    their own). ``together`` False writes each vote with its own statements."""
    answers: list[Any] = [None] * len(ballots)
    try:
        return _in_transaction(db, ballots, limits, together, answers)
    except _AllRefused:
        return answers


def _in_transaction(db: Database, ballots: list[Ballot], limits: Limits | None, together: bool,
                    answers: list[Any]) -> list[Any]:
    with db.connection(write=True) as connection:
        lookup, digests = accounts.people_lookup([b.token for b in ballots], "api")
        keys = sorted({(b.kind, b.target_id) for b in ballots if b.kind in participation.TARGET_KINDS})
        # Without rate-limit rows to lock first, the previous votes (locked) come with the people.
        early = (_previous_of_tokens(connection.dialect.name, keys, digests, lookup[1])
                 if lookup and together and limits is None else {})
        found = run_together(connection, [*([lookup] if lookup else []),
                                          *(participation.vote_target_lookup(*key) for key in keys), *early.values()])
        people_of = accounts.people_found(connection, found[0] if lookup else [], digests, touch=True)
        people = [people_of.get(b.token) if b.token else None for b in ballots]
        found = found[1:] if lookup else found
        rows = dict(zip(keys, found))
        previous = dict(zip(early, found[len(keys):]))
        targets: dict[tuple[str, int], participation.Target] = {}
        accepted = []
        for i, (ballot, person) in enumerate(zip(ballots, people)):
            try:
                key = (ballot.kind, ballot.target_id)
                if key not in targets:
                    targets[key] = participation.vote_target_found(*key, rows.get(key, []))
                if ballot.refusal is not None:
                    raise ballot.refusal
                participation.check_vote(person, targets[key], ballot.value)
                accepted.append(i)
            except DomainError as refusal:
                answers[i] = refusal
        if limits is not None and accepted:
            accepted = _within_limits(connection, ballots, people, accepted, limits, answers)
        if not accepted:
            raise _AllRefused()
        bill_ids = sorted({targets[ballots[i].kind, ballots[i].target_id].row.bill_id for i in accepted})
        written = _write(connection, [(ballots[i], people[i]) for i in accepted], targets, together, previous,
                         bill_ids)
        counts = _counts(connection, db, {(ballots[i].kind, ballots[i].target_id) for i in accepted}, *written)
    for i in accepted:
        answers[i] = tallies.votes_of(counts[ballots[i].kind, ballots[i].target_id])
    return answers


def _write(connection: Connection, accepted: list[tuple[Ballot, Any]],
           targets: dict[tuple[str, int], participation.Target], together: bool, previous: dict[str, list],
           bill_ids: list[int]) -> tuple[dict, dict, list, consultation_days.Weighing | None]:
    """Write the accepted votes and the people's rows of each bill, or make their statements: the
    counts moved per target, the day rows' changes, the statements to send with the counts, and what
    they move of the people's weights; the keys of the bills ``bill_ids`` are locked first. When each
    person votes once on a target, the votes go together, a few statements for the batch sent with the
    counts (the bills' lock at their head); when a person votes several times on one target, every
    vote of the batch goes one after the other (the bills' lock in a round trip of its own before), in
    the order of (person, target) and then in the order they came, as they would alone.
    ``previous``: the previous votes of a kind of target already read (and locked), by kind."""
    moved: dict[tuple[str, int], Counter] = defaultdict(Counter)
    days: dict[tuple, Counter] = {}
    by_pair = Counter((person.id, ballot.kind, ballot.target_id) for ballot, person in accepted)
    lock = _bills_key_calls(connection.dialect.name, bill_ids)
    if together and max(by_pair.values()) == 1:
        writes, weighing = _write_together(connection, accepted, targets, moved, days, previous)
        return moved, days, [*lock, *writes], weighing
    for statement, parameters in lock:
        statement.run(connection, **parameters)
    for ballot, person in sorted(accepted, key=lambda item: (item[1].id, item[0].kind, item[0].target_id)):
        target = targets[ballot.kind, ballot.target_id]
        previous, since = participation.write_vote(connection, person.id, target, ballot.value)
        if previous != ballot.value:
            consultation_days.vote(connection, target, person, previous, ballot.value, since=since, days=days)
            moved[ballot.kind, ballot.target_id].update(participation.vote_deltas(previous, ballot.value))
    return moved, days, [], None


def _write_together(connection: Connection, single: list[tuple[Ballot, Any]],
                    targets: dict[tuple[str, int], participation.Target], moved: dict, days: dict,
                    previous_of: dict[str, list]) -> tuple[list, consultation_days.Weighing]:
    """Each person's one vote on a target made its value (None: taken back): the previous votes read
    here unless ``previous_of`` holds their kind (their rows locked on PostgreSQL, in the order of
    person and target), then the statements of the new votes, the changed ones, the taken-back ones and
    the people's rows of each bill, answered to send with the counts, and what they move. A first vote
    another transaction inserted meanwhile fails that round trip (``_counts`` raises ``_Raced``)."""
    dialect = connection.dialect.name
    by_kind: dict[str, dict[tuple[int, int], tuple[Ballot, Any]]] = defaultdict(dict)
    for ballot, person in single:
        by_kind[ballot.kind][person.id, ballot.target_id] = (ballot, person)
    reads = {}
    for kind, wanted in by_kind.items():
        if kind not in previous_of:
            users, ids = padded(sorted({u for u, _ in wanted})), padded(sorted({t for _, t in wanted}))
            reads[kind] = (_vote_statements(dialect, kind).previous(len(users), len(ids)),
                           {**_numbered("user", users), **_numbered("target", ids)})
    previous_of = {**previous_of, **dict(zip(reads, run_together(connection, list(reads.values())) if reads else []))}
    now, writes, contributions = utcnow(), [], []
    for kind, wanted in by_kind.items():
        rows = previous_of[kind]
        statements = _vote_statements(dialect, kind)
        previous = {(row.user_id, row.target_id): (row.value, row.created_at) for row in rows}
        new, changed = [], defaultdict(list)
        for pair, (ballot, person) in sorted(wanted.items()):
            before, since = previous.get(pair, (None, None))
            if before == ballot.value:
                continue
            if before is None:
                new.append(pair)
            else:
                changed[pair[1], ballot.value or ""].append(pair[0])
            moved[kind, pair[1]].update(participation.vote_deltas(before, ballot.value))
            change = consultation_days.vote_contribution(targets[kind, pair[1]], before, ballot.value, since)
            if change is not None:
                contributions.append((change[0], person, change[1], change[2]))
        if new:
            writes.append(statements.insert_call(now, [(u, t, wanted[u, t][0].value) for u, t in new]))
        for (target_id, value), people in sorted(changed.items()):
            people = padded(people)
            writes.append(((statements.change if value else statements.take_back)(len(people)), {
                "target": target_id, "new_value": value, "now": now, **_numbered("user", people)}))
    weighing = consultation_days.count_many(dialect, contributions, days)
    return writes + weighing.calls, weighing


def _previous_of_tokens(dialect: str, keys: list[tuple[str, int]], digests: dict[str, str],
                        lookup: dict[str, Any]) -> dict[str, tuple]:
    """Per kind of target, the statement reading (and locking) the previous votes of the tokens'
    people on the batch's targets, joined through the tokens' digests: to run with the people's own
    lookup (``lookup``: its parameters, whose kind of token and time say which tokens are live), in its
    round trip."""
    hashes = padded(sorted(set(digests.values())))
    ids_of: dict[str, list[int]] = defaultdict(list)
    for kind, target_id in keys:
        ids_of[kind].append(target_id)
    return {kind: (_vote_statements(dialect, kind).previous_of_tokens(len(hashes), len(padded(ids))),
                   {"kind": lookup["kind"], "now": lookup["now"], **_numbered("token_hash", hashes),
                    **_numbered("target", padded(ids))})
            for kind, ids in ids_of.items()}


def _bills_key_calls(dialect: str, bill_ids: list[int]) -> list[tuple[Prepared, dict]]:
    """The statement locking the bills' keys (FOR KEY SHARE, in the order of their ids), before any row
    referring to them or to their targets is written, as proposals and arguments lock their bill's key
    first: none on SQLite (one writer at a time)."""
    if dialect != "postgresql" or not bill_ids:
        return []
    ids = padded(bill_ids)
    return [(_bills_key_statement(len(ids)), _numbered("bill", ids))]


@functools.lru_cache(maxsize=16)
def _bills_key_statement(size: int) -> Prepared:
    bills = Bill.__table__
    ids = [bindparam(f"bill_{i}", type_=Integer) for i in range(size)]
    return Prepared(select(bills.c.id).where(bills.c.id.in_(ids)).order_by(bills.c.id).with_for_update(
        read=True, key_share=True))


def _numbered(name: str, values: list) -> dict[str, Any]:
    return {f"{name}_{i}": value for i, value in enumerate(values)}


@dataclass(frozen=True)
class _VoteStatements:
    """The set-wise statements on the votes of one kind of target, each built once per size."""

    dialect: str
    kind: str

    def _table(self):
        table = Vote.__table__
        return table, table.c.article_id if self.kind == "article" else table.c.amendment_id

    def _ins(self, name: str, size: int, column) -> list:
        return [bindparam(f"{name}_{i}", type_=column.type) for i in range(size)]

    @functools.lru_cache(maxsize=128)
    def previous(self, users: int, targets: int) -> Prepared:
        table, column = self._table()
        return Prepared(select(table.c.user_id, column.label("target_id"), table.c.value, table.c.created_at).where(
            table.c.user_id.in_(self._ins("user", users, table.c.user_id)),
            column.in_(self._ins("target", targets, column))).order_by(table.c.user_id, column).with_for_update())

    @functools.lru_cache(maxsize=128)
    def previous_of_tokens(self, hashes: int, targets: int) -> Prepared:
        """``previous`` for the people of ``hashes`` token digests, through their live tokens of kind
        ``:kind`` as the people's lookup finds them (a revoked or expired token locks no vote), only the
        votes' rows locked."""
        table, column = self._table()
        tokens = AuthToken.__table__
        return Prepared(select(table.c.user_id, column.label("target_id"), table.c.value, table.c.created_at).join(
            tokens, tokens.c.user_id == table.c.user_id).where(
            tokens.c.token_hash.in_(self._ins("token_hash", hashes, tokens.c.token_hash)),
            tokens.c.kind == bindparam("kind", type_=tokens.c.kind.type),
            tokens.c.expires_at > bindparam("now", type_=tokens.c.expires_at.type),
            column.in_(self._ins("target", targets, column))).order_by(table.c.user_id, column).with_for_update(
            of=table))

    def insert_call(self, now, rows: list[tuple[int, int, str]]) -> tuple[Prepared, dict]:
        """The statement inserting the new votes ``rows`` (person, target, value), one for any number
        of rows (``drafting.given.given_rows``), and its parameters. No ``ON CONFLICT``: a first vote
        raced by the same person's other request fails the statement, and the batch goes again."""
        return self._insert(), {"now": now, **given_parameters(self.dialect, _NEW_VOTES, rows)}

    @functools.lru_cache(maxsize=1)
    def _insert(self) -> Prepared:
        table, column = self._table()
        now = bindparam("now", type_=table.c.created_at.type)
        rows = given_rows(self.dialect, dict(zip(_NEW_VOTES, (Integer, Integer, String))), now, now)
        return Prepared(table.insert().from_select(["user_id", column.key, "value", "created_at", "updated_at"], rows))

    @functools.lru_cache(maxsize=32)
    def change(self, size: int) -> Prepared:
        table, column = self._table()
        return Prepared(table.update().where(column == bindparam("target", type_=Integer),
                                             table.c.user_id.in_(self._ins("user", size, table.c.user_id))).values(
            value=bindparam("new_value", type_=String), updated_at=bindparam("now", type_=table.c.updated_at.type)))

    @functools.lru_cache(maxsize=32)
    def take_back(self, size: int) -> Prepared:
        table, column = self._table()
        return Prepared(table.delete().where(column == bindparam("target", type_=Integer),
                                             table.c.user_id.in_(self._ins("user", size, table.c.user_id))))


_NEW_VOTES = ("voters", "targets", "vote_values")  # the columns of the new votes given as rows


@functools.lru_cache(maxsize=4)
def _vote_statements(dialect: str, kind: str) -> _VoteStatements:
    return _VoteStatements(dialect, kind)


def _counts(connection: Connection, db: Database, wanted: set[tuple[str, int]],
            moved: dict[tuple[str, int], Counter], days: dict[tuple, Counter], writes: list,
            weighing: consultation_days.Weighing | None) -> dict[tuple[str, int], dict[str, int]]:
    """Send ``writes`` (the bills' keys locked, the votes and the people's rows), move the counts rows
    (in the order of their keys), then the day rows, and commit, in one round trip on PostgreSQL (with
    the write mark moved right after the commit); answer the counts of every target ``wanted``."""
    changed = {key: {name: n for name, n in deltas.items() if n} for key, deltas in moved.items()}
    changed = {key: deltas for key, deltas in changed.items() if deltas}
    counts: dict[tuple[str, int], dict[str, int]] = {}
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, target_id in sorted(wanted - changed.keys()):
        by_kind[kind].append(target_id)
    for kind, ids in by_kind.items():
        counts.update({(kind, i): row for i, row in tallies.read(connection, kind, ids).items()})
    keys = sorted(changed)
    dialect = connection.dialect.name
    calls = [*writes, *(tallies.add_call(dialect, *key, **changed[key]) for key in keys),
             *consultation_days.day_calls(dialect, days, weighing)]
    if calls:
        try:
            answers = run_together(connection, calls, commit=True, then=db.mark_after_commit(connection))
        except DBAPIError as error:
            if _raced_first_vote(error):
                raise _Raced() from error
            raise
        counts.update({key: tallies.counts_of(answer[0]) for key, answer in zip(keys, answers[len(writes):])})
    return counts


def _raced_first_vote(error: DBAPIError) -> bool:
    """A new vote that met the same person's vote another transaction inserted meanwhile (PostgreSQL:
    a unique violation on the votes, the batch's only insert there)."""
    return getattr(error.orig, "sqlstate", None) == "23505" and error.orig.diag.table_name == Vote.__tablename__


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
        count = rate_counts.add(connection, key, limits.window_start, len(members))
        for position, i in enumerate(members, start=count - len(members) + 1):
            if position > allowed and i not in refused:
                refused.add(i)
                answers[i] = RateLimited.writes(allowed, limits.window, limits.retry_after)
    for key, members in keys.items():
        taken_back = sum(1 for i in members if i in refused)
        if taken_back:
            rate_counts.take_back(connection, key, limits.window_start, taken_back)
    return [i for i in accepted if i not in refused]
