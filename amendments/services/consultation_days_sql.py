"""The statements that write the consultation's counts per bill and day (consultation_days.py): the
day rows' upserts and the people's weights', built once per database and shape (building one costs
more than running it), with the names of the counts they move.
"""
from __future__ import annotations

import functools

from sqlalchemy import Integer, and_, bindparam, case, delete, func, literal, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from amendments.models import BillDayCounts, BillDayPerson, BillPerson
from drafting.db import Prepared
from drafting.given import given_parameters, given_rows

COUNTS = ("votes_agree", "votes_mixed", "votes_disagree", "amendments", "arguments_for", "arguments_against",
          "supports")
KINDS = ("citizen", "organization")
DAYS, DAY_PEOPLE, PEOPLE = BillDayCounts.__table__, BillDayPerson.__table__, BillPerson.__table__
_MOVERS = ("mover", "moved")  # a day's people whose weight a batch moved, and by how much


def _people_table(table_name: str):
    return {t.name: t for t in (DAY_PEOPLE, PEOPLE)}[table_name]


@functools.lru_cache(maxsize=16)
def weigh_statements(dialect: str, table_name: str, keys: tuple[str, ...], extra: tuple[str, ...]):
    """``consultation_days._weigh``'s two statements, built once per database and table (votes run them
    at each first vote): the weight's upsert, answering it, and the removal of a row left at zero."""
    table = _people_table(table_name)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {name: bindparam(name, type_=table.c[name].type) for name in (*keys, *extra)}
    upsert = insert(table).values(**values, weight=bindparam("new_weight", type_=Integer)).on_conflict_do_update(
        index_elements=list(keys), set_={"weight": table.c.weight + bindparam("moved", type_=Integer)})
    remove = delete(table).where(*(table.c[name] == bindparam(name, type_=table.c[name].type) for name in keys))
    return Prepared(upsert.returning(table.c.weight)), Prepared(remove)


def day_call(dialect: str, key: tuple, changes: dict[str, int],
             movers: list[tuple[int, int]] = ()) -> tuple[Prepared, dict]:
    """The statement and parameters adding ``changes`` to the day row ``key`` (bill, day, kind); with
    ``movers`` (people, weight moved) its participants move by what their day weights now say."""
    bill_id, day, kind = key
    parameters = {"bill_id": bill_id, "day": day, "kind": kind, **{f"new_{k}": max(v, 0) for k, v in changes.items()},
                  **{f"add_{k}": v for k, v in changes.items()}}
    if movers:
        parameters.update(given_parameters(dialect, _MOVERS, movers), add_participants=changes.get("participants", 0))
    return _day_upsert(dialect, tuple(sorted(set(changes) - {"participants"} if movers else changes)),
                       bool(movers)), parameters


@functools.lru_cache(maxsize=128)
def _day_upsert(dialect: str, names: tuple[str, ...], movers: bool = False) -> Prepared:
    """Built once per database and set of counts moved (a vote moves one or two): the day's row of the
    bill and kind, created with the new counts or added to; with ``movers`` its participants move by
    ``add_participants`` and by what the given people's day weights now say (``_joined``)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {name: bindparam(f"new_{name}", type_=Integer) if name in names else literal(0, Integer)
              for name in (*COUNTS, "participants")}  # every column given: no default computed in Python
    changes = {name: DAYS.c[name] + bindparam(f"add_{name}", type_=Integer) for name in names}
    if movers:
        joined = bindparam("add_participants", type_=Integer) + _joined_in_sql(dialect)
        values["participants"] = case((joined > 0, joined), else_=0)
        changes["participants"] = DAYS.c.participants + joined
    statement = insert(DAYS).values(**{name: bindparam(name, type_=DAYS.c[name].type)
                                       for name in ("bill_id", "day", "kind")}, **values)
    return Prepared(statement.on_conflict_do_update(index_elements=["bill_id", "day", "kind"], set_=changes))


def _joined_in_sql(dialect: str):
    """``consultation_days._joined`` summed over the given movers of the day ``:bill_id``, ``:day``, from
    their weights as this transaction left them (read after the weights' upsert, before the rows left
    at zero go); each weight looked up by its key (a join let SQLite walk the whole day's people)."""
    given = given_rows(dialect, dict.fromkeys(_MOVERS, Integer)).subquery()
    moved, weight = given.c.moved, select(DAY_PEOPLE.c.weight).where(
        DAY_PEOPLE.c.bill_id == bindparam("bill_id", type_=Integer), DAY_PEOPLE.c.user_id == given.c.mover,
        DAY_PEOPLE.c.day == bindparam("day", type_=DAYS.c.day.type)).scalar_subquery()
    one = case((and_(moved > 0, weight == moved), 1), (and_(moved < 0, weight <= 0), -1), else_=0)
    return select(func.coalesce(func.sum(one), 0)).select_from(given).scalar_subquery()


def weigh_calls(dialect: str, table, columns: tuple[str, ...], moves) -> list[tuple[Prepared, dict]]:
    """The upsert adding each move to its row's weight (creating it), the rows in the order of the keys."""
    rows = sorted((*key, moved) for key, moved in moves.items() if moved)
    return [] if not rows else [(_weigh_many_statement(dialect, table.name, columns), given_parameters(dialect, (*columns, "weight"), rows))]


def forget_calls(dialect: str, table, moves: dict[tuple, int]) -> list[tuple[Prepared, dict]]:
    """The people's rows of ``table`` that ``moves`` (by key, in the order of the table's key) took
    from, removed if left at zero: one statement, none when nothing was taken (no vote taken back)."""
    rows = sorted(key for key, moved in moves.items() if moved < 0)
    keys = {column.name: column.type for column in table.primary_key.columns}
    return [(_forget_statement(dialect, table.name), given_parameters(dialect, tuple(keys), rows))] if rows else []


@functools.lru_cache(maxsize=8)
def _forget_statement(dialect: str, table_name: str) -> Prepared:
    table = _people_table(table_name)
    keys = {column.name: column.type for column in table.primary_key.columns}
    return Prepared(delete(table).where(table.c.weight <= 0,
                                        tuple_(*table.primary_key.columns).in_(given_rows(dialect, keys))))


@functools.lru_cache(maxsize=8)
def _weigh_many_statement(dialect: str, table_name: str, columns: tuple[str, ...]) -> Prepared:
    table = _people_table(table_name)  # any number of rows (drafting/given.py)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    keys = [table.c[name] for name in columns if name in table.primary_key.columns]
    rows = given_rows(dialect, {**{name: table.c[name].type for name in columns}, "weight": Integer})
    statement = insert(table).from_select([*columns, "weight"], rows)
    return Prepared(statement.on_conflict_do_update(
        index_elements=keys, set_={"weight": table.c.weight + statement.excluded.weight}))
