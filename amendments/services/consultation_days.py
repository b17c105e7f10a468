"""The consultation's counts per bill and day (amendments/models/consultation.py), added to in the
transaction of each vote, amendment, argument and support, taken away when moderation hides one, and
rebuilt from the rows (``rebuild``, run by ``navette db recount --fix`` through tallies.rebuild).

What is counted is what the synthesis shows: visible contributions only (a vote, argument or support on
a hidden amendment, a support of a hidden argument, are not counted), on the day (UTC) they were made;
a changed vote keeps the day of the first one (the row's ``created_at``).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from collections import Counter, defaultdict
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, delete, func, literal, or_, select, tuple_, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from amendments.models import Amendment, Argument, ArgumentSupporter, BillDayCounts, BillDayPerson, BillPerson, Vote
from drafting.db import Prepared
from drafting.given import given_parameters, given_rows
from drafting.models import Article, User

COUNTS = ("votes_agree", "votes_mixed", "votes_disagree", "amendments", "arguments_for", "arguments_against",
          "supports")
KINDS = ("citizen", "organization")
_DAYS, _DAY_PEOPLE, _PEOPLE = BillDayCounts.__table__, BillDayPerson.__table__, BillPerson.__table__
_MOVERS = ("mover", "moved")  # a day's people whose weight a batch moved, and by how much


def day_of(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).date()


def _weigh(session: Any, table, keys: dict[str, Any], moved: int, **extra: Any) -> int:
    """Add ``moved`` to the row's weight (creating it) and answer the weight; a row left at zero goes."""
    where = session.connection() if isinstance(session, Session) else session
    upsert, remove = _weigh_statements(where.dialect.name, table.name, tuple(keys), tuple(extra))
    weight = upsert.run(where, **keys, **extra, new_weight=max(moved, 0), moved=moved)[0][0]
    if weight <= 0:
        remove.run(where, **keys)
    return weight


@functools.lru_cache(maxsize=16)
def _weigh_statements(dialect: str, table_name: str, keys: tuple[str, ...], extra: tuple[str, ...]):
    """``_weigh``'s two statements, built once per database and table (votes run them at each first vote)."""
    table = {t.name: t for t in (_DAY_PEOPLE, _PEOPLE)}[table_name]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {name: bindparam(name, type_=table.c[name].type) for name in (*keys, *extra)}
    upsert = insert(table).values(**values, weight=bindparam("new_weight", type_=Integer)).on_conflict_do_update(
        index_elements=list(keys), set_={"weight": table.c.weight + bindparam("moved", type_=Integer)})
    remove = delete(table).where(*(table.c[name] == bindparam(name, type_=table.c[name].type) for name in keys))
    return Prepared(upsert.returning(table.c.weight)), Prepared(remove)


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
        participants = _joined(moved, _weigh(session, _DAY_PEOPLE, {"bill_id": bill_id, "day": day, "user_id": user.id},
                                             moved))
        _weigh(session, _PEOPLE, {"bill_id": bill_id, "user_id": user.id}, moved,
               organization=user.kind == "organization")
    changes = {name: delta for name, delta in deltas.items() if delta}
    if participants:
        changes["participants"] = participants
    if days is not None:
        days.setdefault((bill_id, day, user.kind), Counter()).update(changes)
    elif changes:
        where = session.connection() if isinstance(session, Session) else session
        statement, parameters = _day_call(where.dialect.name, (bill_id, day, user.kind), changes)
        statement.run(where, **parameters)


def _joined(moved: int, weight: int) -> int:
    """How the day's participants move when a person's contributions of the day moved by ``moved`` (not
    0) and now weigh ``weight``: one more for their first, one fewer when none is left."""
    if moved > 0 and weight == moved:
        return 1
    if moved < 0 and weight <= 0:
        return -1
    return 0


def _day_call(dialect: str, key: tuple, changes: dict[str, int],
              movers: list[tuple[int, int]] = ()) -> tuple[Prepared, dict]:
    bill_id, day, kind = key
    parameters = {"bill_id": bill_id, "day": day, "kind": kind, **{f"new_{k}": max(v, 0) for k, v in changes.items()},
                  **{f"add_{k}": v for k, v in changes.items()}}
    if movers:
        parameters.update(given_parameters(dialect, _MOVERS, movers), add_participants=changes.get("participants", 0))
    return _day_upsert(dialect, tuple(sorted(set(changes) - {"participants"} if movers else changes)),
                       bool(movers)), parameters


def day_calls(dialect: str, days: dict[tuple, Counter], weighing: "Weighing | None" = None) -> list[tuple]:
    """The statements writing the day rows that ``count(…, days=days)`` and ``count_many`` gathered, one
    each, in the order of their keys (so two batches lock them in one order), to run with others
    (``drafting.db.run_together``) after ``weighing``'s: each day's participants move by the weights
    those left (``_joined`` in SQL), then the people's rows left at zero go."""
    movers = weighing.movers if weighing else {}
    moved = [(key, {name: n for name, n in days.get(key, {}).items() if n}) for key in sorted(days.keys() | movers)]
    calls = [_day_call(dialect, key, changes, movers.get(key, [])) for key, changes in moved
             if changes or movers.get(key)]
    return calls + (weighing.forget if weighing else [])


@functools.lru_cache(maxsize=128)
def _day_upsert(dialect: str, names: tuple[str, ...], movers: bool = False) -> Prepared:
    """Built once per database and set of counts moved (a vote moves one or two): the day's row of the
    bill and kind, created with the new counts or added to; with ``movers`` its participants move by
    ``add_participants`` and by what the given people's day weights now say (``_joined``)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {name: bindparam(f"new_{name}", type_=Integer) if name in names else literal(0, Integer)
              for name in (*COUNTS, "participants")}  # every column given: no default computed in Python
    changes = {name: _DAYS.c[name] + bindparam(f"add_{name}", type_=Integer) for name in names}
    if movers:
        joined = bindparam("add_participants", type_=Integer) + _joined_in_sql(dialect)
        values["participants"] = case((joined > 0, joined), else_=0)
        changes["participants"] = _DAYS.c.participants + joined
    statement = insert(_DAYS).values(**{name: bindparam(name, type_=_DAYS.c[name].type)
                                        for name in ("bill_id", "day", "kind")}, **values)
    return Prepared(statement.on_conflict_do_update(index_elements=["bill_id", "day", "kind"], set_=changes))


def _joined_in_sql(dialect: str):
    """``_joined`` summed over the given movers of the day ``:bill_id``, ``:day``, from their weights as
    this transaction left them (read after the weights' upsert, before the rows left at zero go); each
    weight looked up by its key (a join let SQLite walk the whole day's people)."""
    given = given_rows(dialect, dict.fromkeys(_MOVERS, Integer)).subquery()
    moved, weight = given.c.moved, select(_DAY_PEOPLE.c.weight).where(
        _DAY_PEOPLE.c.bill_id == bindparam("bill_id", type_=Integer), _DAY_PEOPLE.c.user_id == given.c.mover,
        _DAY_PEOPLE.c.day == bindparam("day", type_=_DAYS.c.day.type)).scalar_subquery()
    one = case((and_(moved > 0, weight == moved), 1), (and_(moved < 0, weight <= 0), -1), else_=0)
    return select(func.coalesce(func.sum(one), 0)).select_from(given).scalar_subquery()


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
    calls = [*_weigh_calls(dialect, _DAY_PEOPLE, ("bill_id", "day", "user_id"), day_moves),
             *_weigh_calls(dialect, _PEOPLE, ("bill_id", "user_id", "organization"), bill_moves)]
    forget = [*_forget_calls(dialect, _DAY_PEOPLE, day_moves),
              *_forget_calls(dialect, _PEOPLE, {key[:2]: moved for key, moved in bill_moves.items()})]
    return Weighing(calls, dict(movers), forget)


def _weigh_calls(dialect: str, table, columns: tuple[str, ...], moves: Counter) -> list[tuple[Prepared, dict]]:
    """The upsert adding each move to its row's weight (creating it), the rows in the order of the keys."""
    rows = sorted((*key, moved) for key, moved in moves.items() if moved)
    return [] if not rows else [(_weigh_many_statement(dialect, table.name, columns), given_parameters(dialect, (*columns, "weight"), rows))]


def _forget_calls(dialect: str, table, moves: dict[tuple, int]) -> list[tuple[Prepared, dict]]:
    """The people's rows of ``table`` that ``moves`` (by key, in the order of the table's key) took
    from, removed if left at zero: one statement, none when nothing was taken (no vote taken back)."""
    rows = sorted(key for key, moved in moves.items() if moved < 0)
    keys = {column.name: column.type for column in table.primary_key.columns}
    return [(_forget_statement(dialect, table.name), given_parameters(dialect, tuple(keys), rows))] if rows else []


@functools.lru_cache(maxsize=8)
def _forget_statement(dialect: str, table_name: str) -> Prepared:
    table = {t.name: t for t in (_DAY_PEOPLE, _PEOPLE)}[table_name]
    keys = {column.name: column.type for column in table.primary_key.columns}
    return Prepared(delete(table).where(table.c.weight <= 0,
                                        tuple_(*table.primary_key.columns).in_(given_rows(dialect, keys))))


@functools.lru_cache(maxsize=8)
def _weigh_many_statement(dialect: str, table_name: str, columns: tuple[str, ...]) -> Prepared:
    table = {t.name: t for t in (_DAY_PEOPLE, _PEOPLE)}[table_name]  # any number of rows (drafting/given.py)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    keys = [table.c[name] for name in columns if name in table.primary_key.columns]
    rows = given_rows(dialect, {**{name: table.c[name].type for name in columns}, "weight": Integer})
    statement = insert(table).from_select([*columns, "weight"], rows)
    return Prepared(statement.on_conflict_do_update(
        index_elements=keys, set_={"weight": table.c.weight + statement.excluded.weight}))


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


# --- from the rows -------------------------------------------------------------------------------

def contributions():
    """Every visible contribution of every bill: (bill id, user id, kind, at, count name)."""
    visible_amendment = Amendment.hidden_by_id.is_(None)
    vote_bill = func.coalesce(Article.bill_id, Amendment.bill_id)
    argued = (select(Argument.id.label("id"), func.coalesce(Article.bill_id, Amendment.bill_id).label("bill_id"),
                     Argument.author_id, Argument.created_at, Argument.stance)
              .outerjoin(Article, Article.id == Argument.article_id)
              .outerjoin(Amendment, Amendment.id == Argument.amendment_id)
              .where(Argument.hidden_by_id.is_(None),
                     or_(Argument.article_id.is_not(None), and_(Amendment.id.is_not(None), visible_amendment)))
              .subquery())
    parts = [
        select(vote_bill.label("bill_id"), Vote.user_id.label("user_id"), User.kind.label("kind"),
               Vote.created_at.label("at"), (literal("votes_") + Vote.value).label("name"))
        .join(User, User.id == Vote.user_id)
        .outerjoin(Article, Article.id == Vote.article_id).outerjoin(Amendment, Amendment.id == Vote.amendment_id)
        .where(or_(Vote.article_id.is_not(None), and_(Amendment.id.is_not(None), visible_amendment))),
        select(Amendment.bill_id, Amendment.author_id, User.kind, Amendment.created_at, literal("amendments"))
        .join(User, User.id == Amendment.author_id).where(visible_amendment),
        select(argued.c.bill_id, argued.c.author_id, User.kind, argued.c.created_at, literal("arguments_") + argued.c.stance)
        .join(User, User.id == argued.c.author_id),
        select(argued.c.bill_id, ArgumentSupporter.user_id, User.kind, ArgumentSupporter.created_at, literal("supports"))
        .join(argued, argued.c.id == ArgumentSupporter.argument_id).join(User, User.id == ArgumentSupporter.user_id),
    ]
    return union_all(*parts)


def _day(session: Any, moment):
    """The UTC date of a stored moment, in SQL (SQLite stores UTC text; PostgreSQL converts)."""
    dialect = session.get_bind().dialect if isinstance(session, Session) else session.dialect
    if dialect.name == "postgresql":
        return func.date(func.timezone("UTC", moment))
    return func.date(moment)


def _grouped(session: Any):
    """The three tables as the rows give them, as three grouped SELECTs in their columns' order."""
    rows = contributions().subquery()
    day = _day(session, rows.c.at).label("day")
    counts = [func.sum(case((rows.c.name == name, 1), else_=0)).label(name) for name in COUNTS]
    days = (select(rows.c.bill_id, day, rows.c.kind, *counts, func.count(rows.c.user_id.distinct()).label("participants"))
            .group_by(rows.c.bill_id, day, rows.c.kind))
    day_people = select(rows.c.bill_id, day, rows.c.user_id, func.count().label("weight")) \
        .group_by(rows.c.bill_id, day, rows.c.user_id)
    people = (select(rows.c.bill_id, rows.c.user_id, (rows.c.kind == "organization").label("organization"),
                     func.count().label("weight")).group_by(rows.c.bill_id, rows.c.user_id, rows.c.kind))
    return days, day_people, people


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def counted(session: Any) -> tuple[dict, dict, dict]:
    """The three tables as the rows give them: {(bill, day, kind): {count: n}}, {(bill, day, user): weight},
    {(bill, user): (organization, weight)}."""
    days, day_people, people = _grouped(session)
    names = (*COUNTS, "participants")
    return ({(r[0], _as_date(r[1]), r[2]): {n: int(v) for n, v in zip(names, r[3:])} for r in session.execute(days)},
            {(r[0], _as_date(r[1]), r[2]): int(r[3]) for r in session.execute(day_people)},
            {(r[0], r[1]): (bool(r[2]), int(r[3])) for r in session.execute(people)})


def stored(session: Any) -> tuple[dict, dict, dict]:
    names = (*COUNTS, "participants")
    days = {(r.bill_id, _as_date(r.day), r.kind): {n: getattr(r, n) for n in names} for r in session.execute(select(_DAYS))}
    day_people = {(r.bill_id, _as_date(r.day), r.user_id): r.weight for r in session.execute(select(_DAY_PEOPLE))}
    people = {(r.bill_id, r.user_id): (bool(r.organization), r.weight) for r in session.execute(select(_PEOPLE))}
    return days, day_people, people


def rebuild(session: Any) -> int:
    """The three tables again from the rows, in SQL (a Session or a Connection; a bulk load of millions
    of votes included); answers the number of days counted. Run it when nothing else writes."""
    for table in (_DAYS, _DAY_PEOPLE, _PEOPLE):
        session.execute(delete(table))
    days, day_people, people = _grouped(session)
    session.execute(_DAYS.insert().from_select(["bill_id", "day", "kind", *COUNTS, "participants"], days))
    session.execute(_DAY_PEOPLE.insert().from_select(["bill_id", "day", "user_id", "weight"], day_people))
    session.execute(_PEOPLE.insert().from_select(["bill_id", "user_id", "organization", "weight"], people))
    return session.execute(select(func.count()).select_from(_DAYS)).scalar_one()


def drift(session: Any) -> list[tuple[str, str, dict[str, int], dict[str, int]]]:
    """What differs from the rows, as tallies.drift answers it: (kind, key, stored, counted); a row
    missing on one side counts as zeros (a day's row stays, at zero, when its only vote is taken back)."""
    found = []
    wrap = (lambda v: v if isinstance(v, dict) else {"value": v})
    for name, have, want in zip(("bill day", "bill day person", "bill person"), stored(session), counted(session)):
        for key in have.keys() | want.keys():
            a, b = (wrap(v) if v is not None else None for v in (have.get(key), want.get(key)))
            zero = dict.fromkeys(a or b, 0)
            if (a or zero) != (b or zero):
                found.append((name, "/".join(map(str, key)), a or zero, b or zero))
    return found
