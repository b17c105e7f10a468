"""The JSON shape of amendments (CONTRACT §2), built for many amendments in a few queries."""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amendments import engine
from amendments.models import Amendment, AmendmentCosigner, AmendmentResponse, ModerationDecision
from amendments.services import desk_record
from amendments.services.participation import vote_tallies
from amendments.services.wording import amendment_wording, bill_language
from drafting.models import Article, Bill, User
from drafting.services import bills
from drafting.views.json import iso


# An amendment's base and text change together (rebase, resubmit), so the pair is the key; the
# diff is pure, so a cached one is always right.
_amendment_diff = lru_cache(maxsize=512)(engine.diff_words)


def amendments_json(session: Session, amendments: list[Amendment]) -> list[dict[str, Any]]:
    if not amendments:
        return []
    ids = [a.id for a in amendments]
    cosigners: dict[int, list[str]] = defaultdict(list)
    for amendment_id, username in session.execute(
        select(AmendmentCosigner.amendment_id, User.username).join(User, User.id == AmendmentCosigner.user_id)
        .where(AmendmentCosigner.amendment_id.in_(ids)).order_by(AmendmentCosigner.created_at)
    ):
        cosigners[amendment_id].append(username)
    responses: dict[int, str] = {}
    for amendment_id, body in session.execute(
        select(AmendmentResponse.amendment_id, AmendmentResponse.body)
        .where(AmendmentResponse.amendment_id.in_(ids)).order_by(AmendmentResponse.created_at, AmendmentResponse.id)
    ):
        responses[amendment_id] = body  # the latest answer wins
    bill_rows = {b.id: b for b in session.scalars(select(Bill).where(Bill.id.in_({a.bill_id for a in amendments})))}
    slugs = {bill_id: bill.slug for bill_id, bill in bill_rows.items()}
    base_texts = bills.version_texts(
        session, {(a.article_id, a.base_version) for a in amendments if a.article_id and a.base_version}
    )
    record = desk_record.DeskRecord.load(session, amendments)
    tallies = vote_tallies(session, "amendment", ids)
    hidden_ids = {a.hidden_by_id for a in amendments if a.hidden_by_id is not None}
    decisions = {
        d.id: d for d in session.scalars(select(ModerationDecision).where(ModerationDecision.id.in_(hidden_ids)))
    } if hidden_ids else {}
    answers = []
    for a in amendments:
        base = a.parent_text if a.parent_id is not None else base_texts.get((a.article_id, a.base_version), "")
        body = amendment_json(a, slugs[a.bill_id], cosigners[a.id], responses.get(a.id), base or "",
                              tallies[a.id], decisions.get(a.hidden_by_id))
        body.update(record.fields(a, base or "", bill_language(bill_rows[a.bill_id])))
        if a.hidden_by_id is not None:
            body["wording"] = None
        answers.append(body)
    return answers


def amendment_json(amendment: Amendment, bill_slug: str, cosigners: list[str], response: str | None,
                   base_text: str, votes: dict[str, int],
                   hidden_by: ModerationDecision | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": amendment.id,
        "kind": amendment.kind,
        "article": amendment.article_id,
        "bill": bill_slug,
        "author": amendment.author.username,
        "entered_by": amendment.entered_by.username if amendment.entered_by_id else None,
        "cosigners": cosigners,
        "title": amendment.title,
        "explanation": amendment.explanation,
        "status": amendment.status,
        "base_version": amendment.base_version,
        "text": amendment.text,
        "diff": [[op, text] for op, text in _amendment_diff(base_text, amendment.text)],
        "votes": votes,
        "response": response,
        "created_at": iso(amendment.created_at),
        "after_article": amendment.after_article_id,
        "heading": amendment.heading,
        "created_article": amendment.created_article_id,
    }
    if amendment.hidden_by_id is not None:
        decision = hidden_by or amendment.hidden_by
        body["hidden"] = {"reason": decision.reason, "at": iso(decision.created_at)}
        for private in ("text", "explanation", "title", "diff"):
            body[private] = None
    return body
