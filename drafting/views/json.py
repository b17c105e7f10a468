"""The JSON shapes of CONTRACT §2 for accounts, bills, articles and versions."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amendments.models import MergedAmendment
from amendments.services.participation import vote_tallies
from drafting.db import by_id
from drafting.services import bills
from drafting.models import Article, ArticleVersion, Bill, BillVersion, BillVersionArticle, User


def iso(moment) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "kind": user.kind,
        "organization": (
            {"name": user.organization_name, "declared_interests": user.declared_interests or ""}
            if user.is_organization else None
        ),
        "roles": user.roles,
        "created_by_staff": user.created_by_id is not None,
    }


def me_json(user: User) -> dict[str, Any]:
    return {**user_json(user), "email": user.email}


def articles_json(session: Session, bill: Bill, articles: list[Article]) -> list[dict[str, Any]]:
    heads = bills.head_versions(session, articles)
    tallies = vote_tallies(session, "article", [a.id for a in articles])
    return [article_json(bill, a, heads[a.id], tallies[a.id]) for a in articles]


def article_json(bill: Bill, article: Article, head: ArticleVersion, votes: dict[str, int]) -> dict[str, Any]:
    return {
        "id": article.id,
        "bill": bill.slug,
        "number": article.number,
        "heading": article.heading,
        "position": article.position,
        "version": article.current_version,
        "text": head.text,
        "removed": article.removed,
        "votes": votes,
    }


def single_article_json(session: Session, article: Article) -> dict[str, Any]:
    bill = by_id(session, Bill, article.bill_id)
    return articles_json(session, bill, [article])[0]


def bill_version_summary(version: BillVersion) -> dict[str, Any]:
    return {
        "seq": version.seq,
        "label": version.label,
        "message": version.message,
        "published_at": iso(version.published_at),
        "published_by": version.published_by.username,
    }


def bill_summary_json(bill: Bill) -> dict[str, Any]:
    return {
        "id": bill.id,
        "slug": bill.slug,
        "title": bill.title,
        "summary": bill.summary,
        "status": bill.status,
        "language": bills.bill_language(bill),
        "consultation_opens_at": iso(bill.consultation_opens_at),
        "consultation_closes_at": iso(bill.consultation_closes_at),
        "created_at": iso(bill.created_at),
    }


def bill_json(session: Session, bill: Bill) -> dict[str, Any]:
    articles = bills.bill_articles(session, bill)
    return {
        **bill_summary_json(bill),
        "authors": [u.username for u in bills.bill_authors(session, bill)],
        "articles": articles_json(session, bill, articles),
        "versions": [bill_version_summary(v) for v in bills.bill_versions(session, bill)],
    }


def merged_amendment_ids(session: Session, versions: list[ArticleVersion]) -> dict[int, list[int]]:
    credited: dict[int, list[int]] = defaultdict(list)
    if versions:
        rows = session.execute(
            select(MergedAmendment.article_version_id, MergedAmendment.amendment_id)
            .where(MergedAmendment.article_version_id.in_([v.id for v in versions]))
            .order_by(MergedAmendment.position)
        )
        for version_id, amendment_id in rows:
            credited[version_id].append(amendment_id)
    return credited


def article_versions_json(session: Session, versions: list[ArticleVersion]) -> list[dict[str, Any]]:
    credited = merged_amendment_ids(session, versions)
    return [
        {
            "version": v.version,
            "text": v.text,
            "deletes_article": v.deletes_article,
            "created_at": iso(v.created_at),
            "author": v.author.username,
            "message": v.message,
            "merged_amendments": credited.get(v.id, []),
        }
        for v in versions
    ]


def bill_version_json(session: Session, version: BillVersion, *, with_texts: bool) -> dict[str, Any]:
    body = {**bill_version_summary(version), "articles": []}
    # Queried rather than read from ``version.articles``: a version just published has not loaded it.
    entries = list(session.scalars(
        select(BillVersionArticle).where(BillVersionArticle.bill_version_id == version.id)
        .order_by(BillVersionArticle.position)
    ))
    texts = bills.version_texts(session, {(e.article_id, e.version) for e in entries}) if with_texts else {}
    for entry in entries:
        item = {"id": entry.article_id, "number": entry.number, "heading": entry.heading, "version": entry.version}
        if with_texts:
            item["text"] = texts[(entry.article_id, entry.version)]
        body["articles"].append(item)
    return body
