"""The JSON shape of amendments (CONTRACT §2 and §8), read as plain rows by one statement built once.

One row per co-signer (one for an amendment without any) carries everything else: the amendment, its
author and the staff member who entered it, its bill's slug and language, its base text, its stored
vote counts, its latest response and opinion, why it fell, the moderation decision hiding it and the
numbers its wording names. The identical amendments take one more, indexed, statement
(amendments.services.identical).
"""
from __future__ import annotations

import functools
from functools import lru_cache
from typing import Any, Iterable

from sqlalchemy import and_, bindparam, case, func, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from amendments import engine
from amendments.models import (
    VOTE_VALUES, Amendment, AmendmentCosigner, AmendmentEvent, AmendmentOpinion, AmendmentResponse,
    ModerationDecision, TargetCounts,
)
from amendments.services import desk_record, identical
from amendments.services.wording import bill_language
from drafting.errors import NotFound
from drafting.models import Article, ArticleVersion, Bill, User
from drafting.ids import in_id_range
from drafting.views.json import iso


# An amendment's base and text change together (rebase, resubmit), so the pair is the key; the
# diff is pure, so a cached one is always right.
_amendment_diff = lru_cache(maxsize=512)(engine.diff_words)


@functools.cache
def _rows_statement(one: bool):
    """SELECT every field of the amendments' JSON: ``id = :id`` (``one``) or ``id IN :ids``.

    Columns keep the names of Amendment's attributes, so a row is what the wording
    (amendments.services.wording) and the identity of identical amendments read.
    """
    a = Amendment.__table__
    author, enterer, cosigner = (User.__table__.alias(name) for name in ("author", "enterer", "cosigner"))
    signed = AmendmentCosigner.__table__
    bill = Bill.__table__
    base = ArticleVersion.__table__
    counts = TargetCounts.__table__
    decision = ModerationDecision.__table__
    after = Article.__table__.alias("after_article")
    first = Article.__table__.alias("first_article")
    response = AmendmentResponse.__table__
    opinion = AmendmentOpinion.__table__
    event = AmendmentEvent.__table__

    def latest(column, table, *order):
        return select(column).where(table.c.amendment_id == a.c.id).order_by(*order).limit(1).scalar_subquery()

    first_number = (select(first.c.number).where(first.c.bill_id == a.c.bill_id, first.c.removed.is_(False))
                    .order_by(first.c.position).limit(1).scalar_subquery())
    statement = select(
        a.c.id, a.c.kind, a.c.bill_id, a.c.article_id, a.c.title, a.c.explanation, a.c.status, a.c.base_version,
        a.c.text, a.c.text_digest, a.c.created_at, a.c.after_article_id, a.c.heading, a.c.created_article_id,
        a.c.hidden_by_id, a.c.parent_id, a.c.parent_text, a.c.partial,
        bill.c.slug.label("bill_slug"), bill.c.language.label("language"),
        author.c.username.label("author"), enterer.c.username.label("entered_by"),
        base.c.text.label("base_text"),
        *(func.coalesce(counts.c[value], 0).label(value) for value in VOTE_VALUES),
        # The latest of each wins, as the desk shows it: its responses and opinions by time, its falls by id.
        latest(response.c.body, response, response.c.created_at.desc(), response.c.id.desc()).label("response"),
        latest(opinion.c.opinion, opinion, opinion.c.created_at.desc(), opinion.c.id.desc()).label("opinion"),
        select(event.c.detail).where(event.c.amendment_id == a.c.id, event.c.kind == desk_record.FELL)
        .order_by(event.c.id.desc()).limit(1).scalar_subquery().label("fallen"),
        decision.c.reason.label("hidden_reason"), decision.c.created_at.label("hidden_at"),
        after.c.number.label("after_number"),
        case((and_(a.c.kind == "insert", a.c.after_article_id.is_(None)), first_number)).label("first_number"),
        cosigner.c.username.label("cosigner"),
    ).select_from(
        a.join(bill, bill.c.id == a.c.bill_id)
        .join(author, author.c.id == a.c.author_id)
        .outerjoin(enterer, enterer.c.id == a.c.entered_by_id)
        .outerjoin(base, and_(base.c.article_id == a.c.article_id, base.c.version == a.c.base_version))
        .outerjoin(counts, counts.c.amendment_id == a.c.id)
        .outerjoin(decision, decision.c.id == a.c.hidden_by_id)
        .outerjoin(after, after.c.id == a.c.after_article_id)
        .outerjoin(signed, signed.c.amendment_id == a.c.id)
        .outerjoin(cosigner, cosigner.c.id == signed.c.user_id)
    ).order_by(a.c.id, signed.c.created_at)
    return statement.where(a.c.id == bindparam("id") if one else a.c.id.in_(bindparam("ids", expanding=True)))


def _documents(session: Session, rows: Iterable[Row]) -> dict[int, dict[str, Any]]:
    """Each amendment's JSON object from its rows (one per co-signer, in the order they signed)."""
    amendments: dict[int, Row] = {}
    cosigners: dict[int, list[str]] = {}
    for row in rows:
        if row.id not in amendments:
            amendments[row.id] = row
            cosigners[row.id] = []
        if row.cosigner is not None:
            cosigners[row.id].append(row.cosigner)
    alike = identical.identical_to(session, list(amendments.values()))
    documents = {}
    for row in amendments.values():
        base = row.parent_text if row.parent_id is not None else row.base_text
        body = amendment_json(row, cosigners[row.id], base or "")
        record = desk_record.DeskRecord(
            opinions={row.id: row} if row.opinion is not None else {},
            fallen={row.id: row.fallen} if row.fallen is not None else {},
            numbers={row.after_article_id: row.after_number} if row.after_number is not None else {},
            first_numbers={row.bill_id: row.first_number} if row.first_number is not None else {},
            identical=alike,
        )
        body.update(record.fields(row, base or "", bill_language(row)))
        if row.hidden_by_id is not None:
            body["wording"] = None
        documents[row.id] = body
    return documents


def amendment_document(session: Session, amendment_id: int) -> dict[str, Any]:
    """One amendment's JSON object, or 404."""
    rows = session.execute(_rows_statement(True), {"id": amendment_id}).all() if in_id_range(amendment_id) else []
    if not rows:
        raise NotFound("no amendment {amendment_id}", amendment_id=amendment_id)
    return _documents(session, rows)[amendment_id]


def amendments_json(session: Session, amendments: list[Amendment]) -> list[dict[str, Any]]:
    """The JSON objects of these amendments, in their order, as the database holds them once the
    session's pending changes are written (a handler that just changed one answers it)."""
    if not amendments:
        return []
    session.flush()
    documents = _documents(session, session.execute(_rows_statement(False), {"ids": [a.id for a in amendments]}))
    return [documents[a.id] for a in amendments]


def amendment_json(row: Row, cosigners: list[str], base_text: str) -> dict[str, Any]:
    """CONTRACT §2's fields of one amendment (the desk's come from DeskRecord.fields)."""
    body: dict[str, Any] = {
        "id": row.id,
        "kind": row.kind,
        "article": row.article_id,
        "bill": row.bill_slug,
        "author": row.author,
        "entered_by": row.entered_by,
        "cosigners": cosigners,
        "title": row.title,
        "explanation": row.explanation,
        "status": row.status,
        "base_version": row.base_version,
        "text": row.text,
        "diff": [[op, text] for op, text in _amendment_diff(base_text, row.text)],
        "votes": {value: row._mapping[value] for value in VOTE_VALUES},
        "response": row.response,
        "created_at": iso(row.created_at),
        "after_article": row.after_article_id,
        "heading": row.heading,
        "created_article": row.created_article_id,
    }
    if row.hidden_by_id is not None:
        body["hidden"] = {"reason": row.hidden_reason, "at": iso(row.hidden_at)}
        for private in ("text", "explanation", "title", "diff"):
            body[private] = None
    return body
