"""The public history: diffs between versions and blame, computed from immutable rows."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amendments import engine
from amendments.models import Amendment, MergedAmendment
from drafting import services
from drafting.errors import Invalid
from drafting.models import Article, ArticleVersion, Bill, BillVersionArticle, User


def diff_json(diff) -> list[list[Any]]:
    return [[op, text] for op, text in diff]


def article_diff_json(session: Session, article: Article, from_: int, to: int) -> dict[str, Any]:
    old = services.article_version(session, article, from_)
    new = services.article_version(session, article, to)
    return {"from": from_, "to": to, "diff": diff_json(engine.diff_words(old.text, new.text))}


def bill_diff(session: Session, bill: Bill, from_: int, to: int) -> list[dict[str, Any]]:
    """Article by article: added, removed, modified or unchanged between two bill versions."""
    if from_ < 1:
        raise Invalid("from", "must be a bill version number (1 or more)")
    old = services.get_bill_version(session, bill, from_)
    new = services.get_bill_version(session, bill, to)
    old_entries = {e.article_id: e for e in old.articles}
    new_entries = {e.article_id: e for e in new.articles}
    wanted = {(e.article_id, e.version) for e in (*old.articles, *new.articles)}
    texts: dict[tuple[int, int], str] = {}
    if wanted:
        rows = session.execute(
            select(ArticleVersion.article_id, ArticleVersion.version, ArticleVersion.text)
            .where(ArticleVersion.article_id.in_({a for a, _ in wanted}))
        )
        texts = {(a, n): t for a, n, t in rows if (a, n) in wanted}
    order: list[BillVersionArticle] = list(new.articles) + [
        e for e in old.articles if e.article_id not in new_entries
    ]
    order.sort(key=lambda e: e.position)
    changes = []
    for entry in order:
        before, after = old_entries.get(entry.article_id), new_entries.get(entry.article_id)
        old_text = texts[(before.article_id, before.version)] if before else ""
        new_text = texts[(after.article_id, after.version)] if after else ""
        if before is None:
            change = "added"
        elif after is None:
            change = "removed"
        elif before.version != after.version and old_text != new_text:
            change = "modified"
        else:
            change = "unchanged"
        changes.append({
            "id": entry.article_id,
            "number": entry.number,
            "heading": entry.heading,
            "change": change,
            "from_version": before.version if before else None,
            "to_version": after.version if after else None,
            "diff": diff_json(engine.diff_words(old_text, new_text)),
        })
    return changes


def bill_diff_json(session: Session, bill: Bill, from_: int, to: int) -> dict[str, Any]:
    return {"from": from_, "to": to, "articles": bill_diff(session, bill, from_, to)}


def blame(session: Session, article: Article) -> list[dict[str, Any]]:
    """Each passage of the head with the version that wrote it, its amendment and its author."""
    versions = services.article_versions(session, article)
    credited: dict[int, int] = {}
    rows = session.execute(
        select(MergedAmendment.article_version_id, MergedAmendment.amendment_id)
        .where(MergedAmendment.article_version_id.in_([v.id for v in versions]))
        .order_by(MergedAmendment.position)
    )
    for version_id, amendment_id in rows:
        credited.setdefault(version_id, amendment_id)
    proposers: dict[int, str] = {}
    if credited:
        proposers = dict(session.execute(
            select(Amendment.id, User.username).join(User, User.id == Amendment.author_id)
            .where(Amendment.id.in_(set(credited.values())))
        ).all())
    by_number = {v.version: v for v in versions}
    segments = engine.blame([(v.text, v.version) for v in versions])
    result = []
    for segment in segments:
        text, number = segment
        version = by_number[number]
        amendment_id = credited.get(version.id)
        result.append({
            "text": text,
            "version": number,
            "amendment": amendment_id,
            "author": proposers[amendment_id] if amendment_id else version.author.username,
        })
    return result


def blame_json(session: Session, article: Article) -> dict[str, Any]:
    return {"version": article.current_version, "segments": blame(session, article)}
