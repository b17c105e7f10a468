"""Running counts per article and amendment (TargetCounts): added to in the transaction of each vote,
argument and amendment, recounted from the rows where moderation changes what is visible.

Pages read one row per target whatever the size of the debate. Exactness under concurrency: a vote
reads the voter's previous vote with that vote's row locked (amendments/services/participation.py), so
the two requests of one person on one target queue there, and adds the difference to the counts last,
just before its commit, so votes of different people on one target hold the counts' row only that
long; ``add`` is one atomic statement; ``recount`` locks the row before it counts, so a change
committed meanwhile is either counted or added after. Lock order, for every writer of the counts
(PostgreSQL): the target's own row (FOR UPDATE, or FOR KEY SHARE through a foreign key to it) before
its counts' row, never the other way round.
"""
from __future__ import annotations

import functools

from sqlalchemy import Integer, bindparam, case, delete, func, literal, or_, select, union_all, update
from sqlalchemy.engine import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from amendments.services import consultation_recount
from amendments.models import VOTE_VALUES, Amendment, Argument, TargetCounts, UsefulMark, Vote
from drafting.db import Prepared
from drafting.models import Article

COUNTS = ("agree", "mixed", "disagree", "amendments", "arguments_for", "arguments_against",
          "groups_for", "groups_against")
TARGET_KINDS = ("article", "amendment")


def _column(kind: str):
    return TargetCounts.article_id if kind == "article" else TargetCounts.amendment_id


def counts_of(values) -> dict[str, int]:
    """The counts by name from their values in the order of ``COUNTS`` (a counts row as stored)."""
    return {name: values[i] for i, name in enumerate(COUNTS)}


@functools.lru_cache(maxsize=128)
def _add_statement(dialect: str, kind: str, names: tuple[str, ...]):
    """INSERT ... ON CONFLICT DO UPDATE adding to ``names``, built once per shape (building a statement
    costs more than running it); the target and the amounts are bound parameters."""
    column = _column(kind)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # The table, not the mapped class: an ORM-enabled INSERT takes the slower bulk-insert path.
    table = TargetCounts.__table__
    statement = insert(table).values({column.key: bindparam("target_id", type_=Integer),
                                      **{n: bindparam(f"start_{n}", type_=Integer) if n in names else literal(0)
                                         for n in COUNTS}})
    # With nothing to add, "SET agree = agree" still takes the row's lock: that is what ``lock`` is for.
    changes = {n: table.c[n] + bindparam(f"add_{n}", type_=Integer) for n in names} or {"agree": table.c.agree}
    return Prepared(statement.on_conflict_do_update(index_elements=[table.c[column.key]], set_=changes).returning(
        *(table.c[name] for name in COUNTS)))


def _dialect(where: Session | Connection) -> str:
    return (where.dialect if isinstance(where, Connection) else where.get_bind().dialect).name


def add(session: Session | Connection, kind: str, target_id: int, *, commit: bool = False,
        **deltas: int) -> dict[str, int]:
    """Add ``deltas`` to the target's counts (creating its row) and answer them all: one statement,
    which also holds the row's lock until the transaction ends (in an ORM session or on a Core
    connection). ``commit`` (a Core connection whose transaction has nothing left to do) ends the
    transaction with this statement, in one round trip on PostgreSQL (``Prepared.run``)."""
    statement, parameters = add_call(_dialect(session), kind, target_id, **deltas)
    if isinstance(session, Session):  # what the session holds is written first, as its own execute would
        session.flush()
        return counts_of(statement.first(session.connection(), **parameters))
    return counts_of(statement.first(session, commit=commit, **parameters))


def add_call(dialect: str, kind: str, target_id: int, **deltas: int) -> tuple[Prepared, dict]:
    """``add``'s statement and parameters, to run with others (``drafting.db.run_together``); its
    first row, through ``counts_of``, is the target's counts."""
    unknown = set(deltas) - set(COUNTS)
    if unknown:
        raise ValueError(f"no count named {', '.join(sorted(unknown))}")
    moved = {name: delta for name, delta in deltas.items() if delta}
    return _add_statement(dialect, kind, tuple(sorted(moved))), {
        "target_id": target_id, **{f"start_{n}": max(d, 0) for n, d in moved.items()},
        **{f"add_{n}": d for n, d in moved.items()}}


@functools.lru_cache(maxsize=4)
def _target_lock_statement(kind: str):
    model = Article if kind == "article" else Amendment
    return select(model.id).where(model.id == bindparam("target_id")).with_for_update(read=True, key_share=True)


def lock(session: Session, kind: str, target_id: int) -> dict[str, int]:
    """Lock the target's counts until the transaction ends (creating them) and answer them.

    Every writer locks the target's own row before its counts (PostgreSQL): arguments and proposals
    take it FOR UPDATE, and here FOR KEY SHARE, the lock that inserting a row referring to the target
    (a vote, the counts row itself) takes anyway, only taken first. Taken after the counts, it closed
    a cycle with a writer holding the target and waiting for its counts: a deadlock.
    """
    if _dialect(session) == "postgresql":
        session.execute(_target_lock_statement(kind), {"target_id": target_id})
    return add(session, kind, target_id)


@functools.lru_cache(maxsize=4)
def _read_statement(kind: str):
    table = TargetCounts.__table__
    column = table.c[_column(kind).key]
    return select(column, *(table.c[name] for name in COUNTS)).where(column.in_(bindparam("ids", expanding=True)))


def read(session: Session | Connection, kind: str, ids: list[int]) -> dict[int, dict[str, int]]:
    """The counts of each target (zeros for a target nothing was counted on): one indexed query."""
    found = {i: dict.fromkeys(COUNTS, 0) for i in ids}
    if ids:
        for target_id, *values in session.execute(_read_statement(kind), {"ids": list(ids)}):
            found[target_id] = counts_of(values)
    return found


def votes_of(counts: dict[str, int]) -> dict[str, int]:
    return {value: counts[value] for value in VOTE_VALUES}


# --- counting from the rows ----------------------------------------------------------------------

def _one(condition) -> object:
    return case((condition, 1), else_=0)


def counted(kind: str, ids: list[int] | None = None):
    """SELECT target id and every count, computed from the rows (all targets of ``kind``, or ``ids``)."""
    vote_column = Vote.article_id if kind == "article" else Vote.amendment_id
    parent = aliased(Argument)
    argument_column = Argument.article_id if kind == "article" else Argument.amendment_id
    is_head = or_(Argument.similar_to_id.is_(None), parent.hidden_by_id.is_not(None))
    zero = literal(0)
    parts = [
        select(vote_column.label("target_id"), _one(Vote.value == "agree").label("agree"),
               _one(Vote.value == "mixed").label("mixed"), _one(Vote.value == "disagree").label("disagree"),
               zero.label("amendments"), zero.label("arguments_for"), zero.label("arguments_against"),
               zero.label("groups_for"), zero.label("groups_against"))
        .where(vote_column.is_not(None) if ids is None else vote_column.in_(ids)),
        select(argument_column, zero, zero, zero, zero,
               _one(Argument.stance == "for"), _one(Argument.stance == "against"),
               _one((Argument.stance == "for") & is_head), _one((Argument.stance == "against") & is_head))
        .outerjoin(parent, parent.id == Argument.similar_to_id)
        .where(argument_column.is_not(None) if ids is None else argument_column.in_(ids),
               Argument.hidden_by_id.is_(None)),
    ]
    if kind == "article":
        parts.append(select(Amendment.article_id, zero, zero, zero, literal(1), zero, zero, zero, zero)
                     .where(Amendment.article_id.is_not(None) if ids is None else Amendment.article_id.in_(ids),
                            Amendment.hidden_by_id.is_(None)))
    rows = union_all(*parts).subquery()
    return select(rows.c.target_id, *(func.sum(rows.c[name]).label(name) for name in COUNTS)).group_by(
        rows.c.target_id)


def recount(session: Session, kind: str, target_id: int) -> dict[str, int]:
    """Count the target again from its rows (after moderation hid something of it)."""
    lock(session, kind, target_id)
    row = session.execute(counted(kind, [target_id])).first()
    values = {name: int(row._mapping[name] or 0) if row else 0 for name in COUNTS}
    column = _column(kind)
    session.execute(TargetCounts.__table__.update().where(column == target_id).values(**values))
    return values


def _marks():
    return (select(func.count()).where(UsefulMark.argument_id == Argument.id)
            .correlate(Argument).scalar_subquery())


def rebuild(session: Session | Connection, *, useful: bool = True) -> int:
    """Every target's counts (and, with ``useful``, every argument's useful_count) again from the rows,
    after a bulk load or to mend them; answers how many targets have counts. Rewrites the whole table,
    so run it when nothing else writes."""
    if useful:
        session.execute(update(Argument).values(useful_count=_marks()))
    session.execute(delete(TargetCounts))
    for kind in TARGET_KINDS:
        session.execute(TargetCounts.__table__.insert().from_select([_column(kind).key, *COUNTS], counted(kind)))
    consultation_recount.rebuild(session)  # the synthesis' counts per bill and day
    return session.execute(select(func.count()).select_from(TargetCounts)).scalar_one()


def drift(session: Session) -> list[tuple[str, int, dict[str, int], dict[str, int]]]:
    """Targets (and arguments' useful counts) that differ from their rows: (kind, id, stored, counted).
    Empty when exact."""
    found = []
    for kind in TARGET_KINDS:
        column = _column(kind)
        expected = {row.target_id: {name: int(row._mapping[name]) for name in COUNTS}
                    for row in session.execute(counted(kind))}
        stored = {row[0]: counts_of(row[1:]) for row in session.execute(
            select(column, *(getattr(TargetCounts, name) for name in COUNTS)).where(column.is_not(None)))}
        zeros = dict.fromkeys(COUNTS, 0)
        for target_id in expected.keys() | stored.keys():
            have, want = stored.get(target_id, zeros), expected.get(target_id, zeros)
            if have != want:
                found.append((kind, target_id, have, want))
    marks = _marks()
    for argument_id, have, want in session.execute(
        select(Argument.id, Argument.useful_count, marks).where(Argument.useful_count != marks)
    ):
        found.append(("argument", argument_id, {"useful": have}, {"useful": want}))
    return found
