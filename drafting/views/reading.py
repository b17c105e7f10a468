"""What each reading page shows, gathered in a bounded number of queries (documented contexts)."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Mapping

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.orm import Session

from amendments.views.authors_desk import numbered_alineas, wants_numbers
from amendments.views.amendments import article_amendments_context
from amendments.views.participation import article_participation_context
from amendments.services import following
from drafting import db, policy
from drafting.services import bills
from drafting.models import Article, ArticleVersion, Bill, Division, User
from drafting.views.staff import time_left
from drafting.web.urls import Reverse


@dataclass
class TocNode:
    """A division of the table of contents, with its articles and sub-divisions."""

    division: Any  # a Division or a row with its columns; None at the root
    articles: list[Any] = field(default_factory=list)
    children: list["TocNode"] = field(default_factory=list)


def table_of_contents(divisions: list[Any], articles: list[Any]) -> TocNode:
    """The tree of divisions (objects or rows with id and parent_id) holding their articles (with
    division_id), in the given order."""
    root = TocNode(division=None)
    nodes = {d.id: TocNode(division=d) for d in divisions}
    for division in divisions:
        parent = nodes.get(division.parent_id) if division.parent_id else root
        (parent or root).children.append(nodes[division.id])
    for article in articles:
        (nodes.get(article.division_id) or root).articles.append(article)
    return root


def home_context(session: Session, user: User | None = None) -> dict[str, Any]:
    """``bills_by_status``: open, draft and closed bills (by their dates); ``article_counts``: per bill
    id; ``can_create_bill`` and ``can_manage_roles`` for administrators (the staff pages' links)."""
    listed = bills.list_bills(session)
    counts = dict(session.execute(
        select(Article.bill_id, func.count()).where(Article.removed.is_(False)).group_by(Article.bill_id)
    ).all())
    groups = {status: [b for b in listed if b.status == status] for status in ("open", "draft", "closed")}
    return {"bills_by_status": groups, "article_counts": counts,
            "can_create_bill": policy.is_admin(user), "can_manage_roles": policy.is_admin(user)}


@functools.cache
def _reading_statement():
    """Built once (building a statement costs more than running it): the bill is a bound parameter."""
    from amendments.models import TargetCounts

    def count(column):
        return func.coalesce(column, 0)

    return (
        select(Article.id, Article.division_id, Article.number, Article.heading, Article.current_version,
               ArticleVersion.text, count(TargetCounts.amendments).label("amendments"),
               (count(TargetCounts.agree) + count(TargetCounts.mixed) + count(TargetCounts.disagree)).label("votes"),
               (count(TargetCounts.arguments_for) + count(TargetCounts.arguments_against)).label("arguments"))
        .join(ArticleVersion, (ArticleVersion.article_id == Article.id)
              & (ArticleVersion.version == Article.current_version))
        .outerjoin(TargetCounts, TargetCounts.article_id == Article.id)
        .where(Article.bill_id == bindparam("bill_id"), Article.removed.is_(False))
        .order_by(Article.position)
    )


@functools.cache
def _divisions_statement():
    return (select(Division.id, Division.parent_id, Division.kind, Division.label, Division.heading)
            .where(Division.bill_id == bindparam("bill_id")).order_by(Division.position))


def bill_reading(session: Session, bill: Bill) -> list[Row]:
    """The bill's articles in order, each with its head text and its stored counts (``amendments``,
    ``votes``, ``arguments``): one query and plain rows, whatever the size of the debate."""
    return list(session.execute(_reading_statement(), {"bill_id": bill.id}))


def bill_context(session: Session, bill: Bill, user: User | None) -> dict[str, Any]:
    """``bill``, ``toc`` (TocNode tree of rows with the articles' id, division_id, number, heading and
    current_version), ``texts`` (article id → head text, shown in full), ``authors``, ``versions``,
    per-article ``amendment_counts``, ``vote_counts`` and ``argument_counts``, ``can_edit`` for the bill's authors (who see
    the settings link), and ``time_left`` (drafting.views.staff.TimeLeft or None)."""
    articles = bill_reading(session, bill)
    divisions = session.execute(_divisions_statement(), {"bill_id": bill.id}).all()
    return {
        "bill": bill,
        "toc": table_of_contents(divisions, articles),
        "texts": {a.id: a.text for a in articles},
        "article_total": len(articles),
        "authors": bills.bill_authors(session, bill),
        "versions": bills.bill_versions(session, bill),
        "amendment_counts": {a.id: a.amendments for a in articles},
        "vote_counts": {a.id: a.votes for a in articles},
        "argument_counts": {a.id: a.arguments for a in articles},
        "can_edit": bills.is_bill_staff(session, bill, user),
        "can_open": policy.can_change_bill_status(bill, "open"),
        "can_close": policy.can_change_bill_status(bill, "closed"),
        "time_left": time_left(bill, db.utcnow()),
        "follow": following.follow_state(session, user, "bill", bill),
    }


def article_context(session: Session, bill: Bill, article: Article, user: User | None,
                    query: Mapping[str, str], reverse: Reverse) -> dict[str, Any]:
    """``bill``, ``article``, ``head`` (its head version), ``versions`` (newest first),
    ``votes`` (tally), ``can_edit``, ``numbered`` and ``alineas`` (the head in numbered alinéas, with
    ``?alineas=1``); plus what amendments.pages.article_amendments_context and
    amendments.participation_pages.article_participation_context add."""
    versions = bills.article_versions(session, article)
    head = versions[-1]
    participation = article_participation_context(session, article, user, reverse)
    staff = bills.is_bill_staff(session, bill, user)
    return {
        **article_amendments_context(session, bill, article, user, query),
        **participation,
        "bill": bill,
        "article": article,
        "head": head,
        "versions": list(reversed(versions)),
        "votes": participation["participation"].votes,  # the tally the vote bar counted already
        "can_edit": staff,
        "can_publish_version": staff and not article.removed,
        "follow": following.follow_state(session, user, "article", article),
        "numbered": wants_numbers(query),
        "alineas": numbered_alineas(head.text) if wants_numbers(query) else [],
    }
