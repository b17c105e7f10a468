"""The JSON shapes of CONTRACT §2 for accounts, bills, articles and versions."""
from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from amendments.models import VOTE_VALUES, MergedAmendment, TargetCounts
from amendments.services.participation import vote_tallies
from drafting.errors import NotFound
from drafting.ids import in_id_range
from drafting.services import bills
from drafting.models import Article, ArticleVersion, Bill, BillVersion, BillVersionArticle, OrganizationDeclaration, User


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


def declaration_json(declaration: OrganizationDeclaration) -> dict[str, Any]:
    return {"name": declaration.organization_name, "declared_interests": declaration.declared_interests,
            "declared_at": iso(declaration.declared_at)}


def me_json(user: User) -> dict[str, Any]:
    return {**user_json(user), "email": user.email}


def articles_json(session: Session, bill: Bill, articles: list[Article]) -> list[dict[str, Any]]:
    heads = bills.head_versions(session, articles)
    tallies = vote_tallies(session, "article", [a.id for a in articles])
    return [article_json(bill.slug, a, heads[a.id].text, tallies[a.id]) for a in articles]


def article_json(bill_slug: str, article: Any, text: str, votes: dict[str, int]) -> dict[str, Any]:
    """CONTRACT §2's article, from an Article or a row with its columns, and its head text."""
    return {
        "id": article.id,
        "bill": bill_slug,
        "number": article.number,
        "heading": article.heading,
        "position": article.position,
        "version": article.current_version,
        "text": text,
        "removed": article.removed,
        "votes": votes,
    }


@functools.cache
def _article_statement():
    """One article with its bill's slug, its head text and its stored vote counts (zeros without)."""
    article, bill, head, counts = (Article.__table__, Bill.__table__, ArticleVersion.__table__,
                                   TargetCounts.__table__)
    return select(
        article.c.id, article.c.number, article.c.heading, article.c.position, article.c.current_version,
        article.c.removed, bill.c.slug, head.c.text,
        *(func.coalesce(counts.c[value], 0).label(value) for value in VOTE_VALUES),
    ).select_from(
        article.join(bill, bill.c.id == article.c.bill_id)
        .join(head, (head.c.article_id == article.c.id) & (head.c.version == article.c.current_version))
        .outerjoin(counts, counts.c.article_id == article.c.id)
    ).where(article.c.id == bindparam("id"))


def article_document(session: Session, article_id: int) -> dict[str, Any]:
    """One article's JSON object in one statement, or 404."""
    row = session.execute(_article_statement(), {"id": article_id}).first() if in_id_range(article_id) else None
    if row is None:
        raise NotFound("no article {article_id}", article_id=article_id)
    return article_json(row.slug, row, row.text, {value: row._mapping[value] for value in VOTE_VALUES})


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
