"""What each reading page shows, gathered in a bounded number of queries (documented contexts)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from drafting import services
from drafting.models import Article, Bill, Division, User


@dataclass
class TocNode:
    """A division of the table of contents, with its articles and sub-divisions."""

    division: Division | None
    articles: list[Article] = field(default_factory=list)
    children: list["TocNode"] = field(default_factory=list)


def table_of_contents(divisions: list[Division], articles: list[Article]) -> TocNode:
    root = TocNode(division=None)
    nodes = {d.id: TocNode(division=d) for d in divisions}
    for division in divisions:
        parent = nodes.get(division.parent_id) if division.parent_id else root
        (parent or root).children.append(nodes[division.id])
    for article in articles:
        (nodes.get(article.division_id) or root).articles.append(article)
    return root


def home_context(session: Session) -> dict[str, Any]:
    """``bills_by_status``: open, draft and closed bills; ``article_counts``: per bill id."""
    bills = services.list_bills(session)
    counts = dict(session.execute(
        select(Article.bill_id, func.count()).where(Article.removed.is_(False)).group_by(Article.bill_id)
    ).all())
    groups = {status: [b for b in bills if b.status == status] for status in ("open", "draft", "closed")}
    return {"bills_by_status": groups, "article_counts": counts}


def article_counts(session: Session, article_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Visible amendments and votes per article, from the articles' stored counts (one indexed row each,
    whatever the size of the debate)."""
    from amendments import tallies

    stored = tallies.read(session, "article", article_ids)
    return ({i: counts["amendments"] for i, counts in stored.items()},
            {i: counts["agree"] + counts["mixed"] + counts["disagree"] for i, counts in stored.items()})


def bill_context(session: Session, bill: Bill, user: User | None) -> dict[str, Any]:
    """``bill``, ``toc`` (TocNode tree), ``heads`` (article id → head ArticleVersion, the text shown),
    ``authors``, ``versions``, per-article ``amendment_counts`` and ``vote_counts``, and ``can_edit``
    for the bill's authors."""
    articles = services.bill_articles(session, bill)
    amendments, votes = article_counts(session, [a.id for a in articles])
    return {
        "bill": bill,
        "toc": table_of_contents(services.bill_divisions(session, bill), articles),
        "heads": services.head_versions(session, articles),
        "article_total": len(articles),
        "authors": services.bill_authors(session, bill),
        "versions": services.bill_versions(session, bill),
        "amendment_counts": amendments,
        "vote_counts": votes,
        "can_edit": user is not None and (user.is_admin or services.is_author(session, bill, user)),
    }


def article_context(session: Session, bill: Bill, article: Article, user: User | None,
                    query: Mapping[str, str]) -> dict[str, Any]:
    """``bill``, ``article``, ``head`` (its head version), ``versions`` (newest first),
    ``votes`` (tally) and ``can_edit``; plus what amendments.pages.article_amendments_context and
    amendments.participation_pages.article_participation_context add."""
    from amendments.pages import article_amendments_context
    from amendments.participation_pages import article_participation_context

    versions = services.article_versions(session, article)
    head = versions[-1]
    participation = article_participation_context(session, article, user)
    return {
        **article_amendments_context(session, bill, article, user, query),
        **participation,
        "bill": bill,
        "article": article,
        "head": head,
        "versions": list(reversed(versions)),
        "votes": participation["participation"].votes,  # the tally the vote bar counted already
        "can_edit": user is not None and (user.is_admin or services.is_author(session, bill, user)),
    }
