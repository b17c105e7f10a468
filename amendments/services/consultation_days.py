"""The consultation's counts per bill and day (amendments/models/consultation.py), added to in the
transaction of each vote, amendment, argument and support, and taken away when moderation hides one;
their statements are built in consultation_days_sql.py, and they are checked against the rows and
rebuilt from them in consultation_recount.py.

What is counted is what the synthesis shows: visible contributions only (a vote, argument or support on
a hidden amendment, a support of a hidden argument, are not counted), on the day (UTC) they were made;
a changed vote keeps the day of the first one (the row's ``created_at``).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from amendments.models import Amendment, Argument, ArgumentSupporter, Vote
from amendments.services import tallies
from amendments.services.consultation_days_sql import (COUNTS, DAY_PEOPLE, PEOPLE, day_call, forget_calls,
                                                       weigh_calls, weigh_statements)
from drafting.models import User


def day_of(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).date()


def _weigh(session: Any, table, keys: dict[str, Any], moved: int, **extra: Any) -> int:
    """Add ``moved`` to the row's weight (creating it) and answer the weight; a row left at zero goes."""
    where = session.connection() if isinstance(session, Session) else session
    upsert, remove = weigh_statements(where.dialect.name, table.name, tuple(keys), tuple(extra))
    weight = upsert.run(where, **keys, **extra, new_weight=max(moved, 0), moved=moved)[0][0]
    if weight <= 0:
        remove.run(where, **keys)
    return weight


def count(session: Session, bill_id: int, user: User, moment: datetime, *, days: dict | None = None,
          **deltas: int) -> None:
    """Add ``deltas`` (names of ``COUNTS``) to the bill's day of ``moment`` for ``user``'s kind; their sum
    is the person's contributions moved, which may bring them into the day's and the bill's people, or
    take them out: three statements (one when nothing moves a person, as a changed vote). With ``days``
    (a batch of votes), the day's row is not written here: its changes are added to ``days`` for
    ``day_calls``, whose statements write each day's row once for the whole batch."""
    unknown = set(deltas) - set(COUNTS)
    if unknown:
        raise ValueError(f"no count named {', '.join(sorted(unknown))}")
    day, moved, participants = day_of(moment), sum(deltas.values()), 0
    if moved:
        participants = _joined(moved, _weigh(session, DAY_PEOPLE, {"bill_id": bill_id, "day": day, "user_id": user.id},
                                             moved))
        _weigh(session, PEOPLE, {"bill_id": bill_id, "user_id": user.id}, moved,
               organization=user.kind == "organization")
    changes = {name: delta for name, delta in deltas.items() if delta}
    if participants:
        changes["participants"] = participants
    if days is not None:
        days.setdefault((bill_id, day, user.kind), Counter()).update(changes)
    elif changes:
        where = session.connection() if isinstance(session, Session) else session
        statement, parameters = day_call(where.dialect.name, (bill_id, day, user.kind), changes)
        statement.run(where, **parameters)


def _joined(moved: int, weight: int) -> int:
    """How the day's participants move when a person's contributions of the day moved by ``moved`` (not
    0) and now weigh ``weight``: one more for their first, one fewer when none is left."""
    if moved > 0 and weight == moved:
        return 1
    if moved < 0 and weight <= 0:
        return -1
    return 0


def day_calls(dialect: str, days: dict[tuple, Counter], weighing: "Weighing | None" = None) -> list[tuple]:
    """The statements writing the day rows that ``count(…, days=days)`` and ``count_many`` gathered, one
    each, in the order of their keys (so two batches lock them in one order), to run with others
    (``drafting.db.run_together``) after ``weighing``'s: each day's participants move by the weights
    those left (``_joined`` in SQL), then the people's rows left at zero go."""
    movers = weighing.movers if weighing else {}
    moved = [(key, {name: n for name, n in days.get(key, {}).items() if n}) for key in sorted(days.keys() | movers)]
    calls = [day_call(dialect, key, changes, movers.get(key, [])) for key, changes in moved
             if changes or movers.get(key)]
    return calls + (weighing.forget if weighing else [])


def write_days(connection: Connection, days: dict) -> None:
    """The bill's day rows that ``count(…, days=days)`` gathered, written now: after the target's
    counts, as the lock order of every writer of the counts says (``count_in_lock_order``)."""
    for statement, parameters in day_calls(connection.dialect.name, days):
        statement.run(connection, **parameters)


def count_in_lock_order(session: Session, counting: Callable[..., None], kind: str, target_id: int | None,
                        **deltas: int) -> dict[str, int] | None:
    """Count a contribution, in the lock order (PostgreSQL) of the API's batches of votes
    (amendments/services/vote_batches.py), which every writer of the counts keeps (a page's vote, an
    argument, a proposal): 0. the bill's key, taken by the caller first (``participation.get_target``
    with ``for_update``, ``participation.lock_bill_key``, ``proposing._open_bill``; the batches at the
    head of their writes); 1. the contribution's row, written by the caller before (the target's key
    through its foreign key, or the target's row locked); 2. the person's rows of the bill, moved by
    ``counting`` (a hook of this module, given everything but ``days``); 3. the target's counts row,
    ``deltas`` added (one atomic statement; none without a ``target_id``); 4. the bill's day row.
    Answers the target's counts. A writer taking the counts before the person's rows waited, counts
    held, for a batch holding that person's rows and waiting for those counts: a deadlock."""
    days: dict = {}
    counting(days=days)
    counts = None if target_id is None else tallies.add(session, kind, target_id, **deltas)
    write_days(session.connection(), days)
    return counts


# --- the hooks of each write -----------------------------------------------------------------------

def _counted_target(target: Any) -> bool:
    """Contributions on a hidden amendment are not counted."""
    return not (target.kind == "amendment" and target.row.hidden_by_id is not None)


def vote_contribution(target: Any, previous: str | None, value: str | None,
                      since: datetime | None) -> tuple[int, datetime, dict[str, int]] | None:
    """What a vote changed from ``previous`` to ``value`` counts (bill, day's moment, counts moved), or
    None: a new vote counts today, a changed or taken-back one on the day it was first cast (``since``)."""
    if not _counted_target(target) or previous == value:
        return None
    moment = (since if previous is not None else None) or datetime.now(timezone.utc)
    deltas = {f"votes_{value}": 1} if value else {}
    if previous:
        deltas[f"votes_{previous}"] = -1
    return target.row.bill_id, moment, deltas


def vote(session: Any, target: Any, user: Any, previous: str | None, value: str | None, *,
         since: datetime | None = None, days: dict | None = None) -> None:
    """A vote cast (``previous`` None), changed, or taken back (``value`` None); ``since``: when the
    previous vote was first cast (the vote path reads it with the row), else read here, before the row
    changes. ``session``: an ORM session or the vote path's Core connection, whose ``target`` and
    ``user`` are plain rows (``bill_id``, ``kind``)."""
    if previous is not None and since is None and previous != value:
        column = Vote.article_id if target.kind == "article" else Vote.amendment_id
        since = session.scalar(select(Vote.created_at).where(Vote.user_id == user.id, column == target.id))
    found = vote_contribution(target, previous, value, since)
    if found is not None:
        bill_id, moment, deltas = found
        count(session, bill_id, user, moment, days=days, **deltas)


@dataclass
class Weighing:
    """What ``count_many`` moves of the people's weights: ``calls``, the upserts (one per table);
    ``movers``, per day row, the people whose day weight moved and by how much; ``forget``, the
    statements removing the rows left at zero, to run after the day rows read them (``day_calls``)."""

    calls: list
    movers: dict
    forget: list


def count_many(dialect: str, contributions: list[tuple[int, Any, datetime, dict[str, int]]],
               days: dict[tuple, Counter]) -> Weighing:
    """``count(…, days=days)`` for many contributions at once (a batch of votes: bill, person, moment,
    counts moved), as statements none of which reads another's answer: the people's weights moved by one
    statement per table (each row's summed moves, in the order of the keys), the day rows' counts
    gathered in ``days`` for ``day_calls``, which counts the day's participants from those weights."""
    day_moves: Counter = Counter()
    bill_moves: Counter = Counter()
    kinds: dict[int, str] = {}
    for bill_id, user, moment, deltas in contributions:
        day, moved = day_of(moment), sum(deltas.values())
        days.setdefault((bill_id, day, user.kind), Counter()).update(deltas)
        kinds[user.id] = user.kind
        day_moves[bill_id, day, user.id] += moved
        bill_moves[bill_id, user.id, user.kind == "organization"] += moved
    movers: dict[tuple, list] = defaultdict(list)
    for (bill_id, day, user_id), moved in sorted((key, moved) for key, moved in day_moves.items() if moved):
        movers[bill_id, day, kinds[user_id]].append((user_id, moved))
    calls = [*weigh_calls(dialect, DAY_PEOPLE, ("bill_id", "day", "user_id"), day_moves),
             *weigh_calls(dialect, PEOPLE, ("bill_id", "user_id", "organization"), bill_moves)]
    forget = [*forget_calls(dialect, DAY_PEOPLE, day_moves),
              *forget_calls(dialect, PEOPLE, {key[:2]: moved for key, moved in bill_moves.items()})]
    return Weighing(calls, dict(movers), forget)


def argument(session: Session, target: Any, row: Argument, user: User, *, days: dict | None = None) -> None:
    if _counted_target(target):
        count(session, target.bill.id, user, row.created_at, days=days, **{f"arguments_{row.stance}": 1})


def support(session: Session, target: Any, user: User, moment: datetime) -> None:
    if _counted_target(target):
        count(session, target.bill.id, user, moment, supports=1)


def amendment(session: Session, row: Amendment, user: User, *, days: dict | None = None) -> None:
    count(session, row.bill_id, user, row.created_at, days=days, amendments=1)


def _forget(session: Session, bill_id: int, rows: list[tuple[int, datetime, str]]) -> None:
    """Take away contributions (user id, when, count name) that moderation hid, grouped per person and day."""
    grouped: dict[tuple[int, date], Counter] = defaultdict(Counter)
    for user_id, moment, name in rows:
        grouped[(user_id, day_of(moment))][name] -= 1
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_({u for u, _ in grouped})))} if grouped else {}
    for (user_id, day), deltas in grouped.items():
        count(session, bill_id, users[user_id], datetime(day.year, day.month, day.day, tzinfo=timezone.utc), **deltas)


def _argument_rows(session: Session, condition) -> list[tuple[int, datetime, str]]:
    """Visible arguments matching ``condition`` and their supports, as contributions."""
    rows = [(a, at, f"arguments_{stance}") for a, at, stance in session.execute(
        select(Argument.author_id, Argument.created_at, Argument.stance).where(condition, Argument.hidden_by_id.is_(None)))]
    rows += [tuple(r) + ("supports",) for r in session.execute(
        select(ArgumentSupporter.user_id, ArgumentSupporter.created_at)
        .join(Argument, Argument.id == ArgumentSupporter.argument_id).where(condition, Argument.hidden_by_id.is_(None)))]
    return rows


def hiding(session: Session, bill_id: int, item: Any) -> None:
    """Before moderation hides ``item`` (an argument or an amendment): take away what it counted."""
    if isinstance(item, Argument):
        if item.amendment_id is not None and session.get(Amendment, item.amendment_id).hidden_by_id is not None:
            return
        _forget(session, bill_id, _argument_rows(session, Argument.id == item.id))
    elif isinstance(item, Amendment):
        rows = [(item.author_id, item.created_at, "amendments")]
        rows += [(u, at, f"votes_{value}") for u, at, value in session.execute(
            select(Vote.user_id, Vote.created_at, Vote.value).where(Vote.amendment_id == item.id))]
        rows += _argument_rows(session, Argument.amendment_id == item.id)
        _forget(session, bill_id, rows)
