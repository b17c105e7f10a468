"""A person's own contributions, for /me: the amendments they proposed and the arguments they wrote."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from amendments.models import Amendment, Argument
from drafting.models import Article, Bill, User

SHOWN = 200  # the most recent of each kind


@dataclass
class Contributions:
    """``amendments``: (amendment, bill slug); ``arguments``: (argument, bill slug of its article or
    None when it is about an amendment), newest first."""

    amendments: list[tuple[Amendment, str]]
    arguments: list[tuple[Argument, str | None]]


def of_person(session: Session, user: User) -> Contributions:
    amendments = session.execute(
        select(Amendment, Bill.slug).join(Bill, Bill.id == Amendment.bill_id).where(Amendment.author_id == user.id)
        .order_by(Amendment.created_at.desc(), Amendment.id.desc()).limit(SHOWN)).all()
    arguments = session.execute(
        select(Argument, Bill.slug).outerjoin(Article, Article.id == Argument.article_id)
        .outerjoin(Bill, Bill.id == Article.bill_id).where(Argument.author_id == user.id)
        .order_by(Argument.created_at.desc(), Argument.id.desc()).limit(SHOWN)).all()
    return Contributions([tuple(row) for row in amendments], [tuple(row) for row in arguments])
