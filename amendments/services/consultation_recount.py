"""The consultation's counts per bill and day (consultation_days.py) as the rows give them: read to
check the stored ones (``drift``, for ``navette db recount``) and to rebuild them (``rebuild``, run by
``navette db recount --fix`` through tallies.rebuild, and by migration 0011).

What is counted is what the synthesis shows: visible contributions only, on the day (UTC) they were
made; a changed vote keeps the day of the first one (the row's ``created_at``).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, case, delete, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from amendments.models import Amendment, Argument, ArgumentSupporter, Vote
from amendments.services.consultation_days_sql import COUNTS, DAY_PEOPLE, DAYS, PEOPLE
from drafting.models import Article, User


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
    """The three tables as stored, in ``counted``'s shapes."""
    names = (*COUNTS, "participants")
    days = {(r.bill_id, _as_date(r.day), r.kind): {n: getattr(r, n) for n in names} for r in session.execute(select(DAYS))}
    day_people = {(r.bill_id, _as_date(r.day), r.user_id): r.weight for r in session.execute(select(DAY_PEOPLE))}
    people = {(r.bill_id, r.user_id): (bool(r.organization), r.weight) for r in session.execute(select(PEOPLE))}
    return days, day_people, people


def rebuild(session: Any) -> int:
    """The three tables again from the rows, in SQL (a Session or a Connection; a bulk load of millions
    of votes included); answers the number of days counted. Run it when nothing else writes."""
    for table in (DAYS, DAY_PEOPLE, PEOPLE):
        session.execute(delete(table))
    days, day_people, people = _grouped(session)
    session.execute(DAYS.insert().from_select(["bill_id", "day", "kind", *COUNTS, "participants"], days))
    session.execute(DAY_PEOPLE.insert().from_select(["bill_id", "day", "user_id", "weight"], day_people))
    session.execute(PEOPLE.insert().from_select(["bill_id", "user_id", "organization", "weight"], people))
    return session.execute(select(func.count()).select_from(DAYS)).scalar_one()


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
