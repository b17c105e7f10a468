"""Rebasing amendments (CONTRACT §3): open amendments follow every new article version.

After each new version of an article, every ``open`` amendment of it is rebased by the word-level
three-way merge of the engine (base = its base version, ours = its text, theirs = the new head):

- the two changes touch different words: it stays ``open`` on the new head with the merged text
  (event ``rebased``, the replaced base and text kept in the event);
- they touch the same words: it becomes ``conflict`` and keeps its base and text (event
  ``conflict``, the overlapping passages as JSON in ``detail``); its proposer resubmits it against
  the head (``resubmit_amendment``, event ``resubmitted``);
- the new head already makes its change (the merged text equals the head): there is nothing left
  to propose, so it becomes ``accepted`` (event ``superseded``), keeping its base and text so that
  its page still shows what it proposed. ``accepted`` is the one status of the contract that says
  "this change is in the text"; no MergedAmendment credit is written, since no author merged it.

No change is ever placed by fuzzy patching: a merge is either exact or a conflict.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amendments import engine
from amendments.models import Amendment, AmendmentEvent
from amendments.services import falling
from amendments.services.proposing import text_digest
from drafting import policy
from drafting.services import bills, search
from drafting.errors import Conflict, Invalid
from drafting.models import Article, ArticleVersion, Bill, User
from drafting.texts import MAX_ARTICLE_TEXT, text_field

REBASED, CONFLICT, SUPERSEDED, FELL = "rebased", "conflict", "superseded", "fell"


@dataclass(frozen=True)
class RebaseOutcome:
    """What one rebase did to one amendment: ``rebased``, ``conflict`` or ``superseded``."""

    amendment_id: int
    outcome: str
    merged_text: str | None = None


def conflict_detail(head_version: int, conflicts: tuple[engine.Conflict, ...] = (),
                    *, article_deleted: bool = False) -> str:
    """The public description of a conflict: which passages of the base both sides changed."""
    return json.dumps({
        "head_version": head_version,
        "article_deleted": article_deleted,
        "passages": [
            {"start": c.char_start, "end": c.char_end, "base": c.base, "ours": c.ours, "theirs": c.theirs}
            for c in conflicts
        ],
    }, ensure_ascii=False)


def parse_conflict_detail(detail: str) -> dict[str, Any]:
    """The stored description of a conflict, tolerant of events written without one."""
    try:
        value = json.loads(detail) if detail else {}
    except ValueError:
        value = {}
    if not isinstance(value, dict):
        value = {}
    value.setdefault("passages", [])
    value.setdefault("article_deleted", False)
    value.setdefault("head_version", None)
    return value


def rebase_one(amendment: Amendment, base_text: str, head: ArticleVersion,
               cache: engine.DiffCache | None = None) -> tuple[str, engine.MergeResult | None]:
    """The verdict for one open amendment against a new head, without touching the database
    (cache: the diffs shared by a run of rebases onto one head)."""
    if head.deletes_article:
        return (SUPERSEDED, None) if amendment.kind == "delete" else (CONFLICT, None)
    if amendment.kind == "delete":
        return REBASED, None
    result = engine.merge3(base_text, amendment.text, head.text, cache=cache)
    if not result.clean:
        return CONFLICT, result
    return (SUPERSEDED if result.text == head.text else REBASED), result


def rebase_open_amendments(session: Session, article: Article, new_version: ArticleVersion,
                           actor: User | None, *, deleted_by: int | None = None) -> list[RebaseOutcome]:
    """Rebase every open amendment of ``article`` onto ``new_version`` (its new head); when that
    version deletes the article, the others fall (``deleted_by``: the deletion merged, for the reason).
    Sub-amendments follow their parent's text, not the article's (amendments.services.subamendments)."""
    statuses = ("open", "conflict") if new_version.deletes_article else ("open",)
    amendments = list(session.scalars(
        select(Amendment)
        .where(Amendment.article_id == article.id, Amendment.status.in_(statuses), Amendment.parent_id.is_(None))
        .order_by(Amendment.id)
        .with_for_update(of=Amendment)
    ))
    texts = bills.version_texts(session, {(article.id, a.base_version) for a in amendments if a.base_version})
    bases = {version: text for (_, version), text in texts.items()}
    actor_id = actor.id if actor is not None else None
    outcomes = []
    cache = engine.DiffCache()  # each base is diffed against the new head once
    for amendment in amendments:
        if amendment.base_version == new_version.version:
            continue  # already written against this head
        verdict, result = rebase_one(amendment, bases.get(amendment.base_version, ""), new_version, cache)
        if verdict == CONFLICT and new_version.deletes_article:
            reason = (falling.ARTICLE_DELETED_REASON.format(amendment=deleted_by) if deleted_by is not None
                      else falling.ARTICLE_DELETED_BY_VERSION.format(version=new_version.version))
            falling.fall(session, amendment, actor_id, reason)
            outcomes.append(RebaseOutcome(amendment.id, FELL))
            continue
        event = AmendmentEvent(amendment_id=amendment.id, kind=verdict, actor_id=actor_id,
                               from_version=amendment.base_version, to_version=new_version.version)
        outcomes.append(apply_verdict(amendment, verdict, result, event, new_version.version))
        session.add(event)
        falling.fall_subamendments(session, amendment, actor_id)
    session.flush()
    rebased = {o.amendment_id for o in outcomes if o.outcome == REBASED}
    search.index_amendments(session, [a for a in amendments if a.id in rebased])  # their texts changed
    return outcomes


def apply_verdict(amendment: Amendment, verdict: str, result: engine.MergeResult | None, event: AmendmentEvent,
                  head_version: int | None) -> RebaseOutcome:
    """Make a rebase's verdict on one amendment (its status, its text), recorded in ``event``;
    ``head_version`` None: a sub-amendment following its parent (its base version is not moved)."""
    if verdict == CONFLICT:
        amendment.status = policy.transition(amendment.status, "collide")
        event.detail = conflict_detail(head_version or 0, result.conflicts if result else ())
        return RebaseOutcome(amendment.id, CONFLICT)
    if verdict == SUPERSEDED:
        amendment.status = policy.transition(amendment.status, "supersede")
        event.detail = json.dumps({"head_version": head_version}, ensure_ascii=False)
        return RebaseOutcome(amendment.id, SUPERSEDED)
    merged = result.text if result is not None else amendment.text
    event.previous_text = amendment.text
    amendment.status = policy.transition(amendment.status, "rebase")
    if head_version is not None:
        amendment.base_version = head_version
    amendment.text = merged
    amendment.text_digest = text_digest(merged)
    return RebaseOutcome(amendment.id, REBASED, merged)


def resubmit_amendment(session: Session, actor: User | None, amendment: Amendment, text: str) -> Amendment:
    """The proposer's new text against the current head: back to ``open``, the old text kept."""
    user = policy.require_proposer(actor, amendment)
    if amendment.parent_id is not None:
        return _resubmit_subamendment(session, user, amendment, text)
    if amendment.kind != "modify" or amendment.article_id is None:
        raise Conflict("only an amendment that rewrites an article can be resubmitted against its head")
    status = policy.transition(amendment.status, "resubmit")
    policy.require_consultation_open(session.get(Bill, amendment.bill_id))
    article = session.get(Article, amendment.article_id)
    policy.require_article_present(article)
    new_text = text_field("text", text, max_length=MAX_ARTICLE_TEXT, strip=False)
    head = bills.head_version(session, article)
    if new_text == head.text:
        raise Invalid("text", "is the same as the current text of the article")
    session.add(AmendmentEvent(
        amendment_id=amendment.id, kind="resubmitted", actor_id=user.id, from_version=amendment.base_version,
        to_version=head.version, previous_text=amendment.text,
        detail=json.dumps({"previous_status": amendment.status}),
    ))
    amendment.status = status
    amendment.base_version = head.version
    amendment.text = new_text
    amendment.text_digest = text_digest(new_text)
    session.flush()
    search.index_amendments(session, [amendment])
    return amendment


def _resubmit_subamendment(session: Session, user: User, sub: Amendment, text: str) -> Amendment:
    """A sub-amendment written again on its parent's current text."""
    status = policy.transition(sub.status, "resubmit")
    parent = session.get(Amendment, sub.parent_id)
    policy.require_may_subamend(session.get(Bill, sub.bill_id), parent)
    new_text = text_field("text", text, max_length=MAX_ARTICLE_TEXT, strip=False)
    if new_text == parent.text:
        raise Invalid("text", "is the same as the current text of the parent amendment")
    session.add(AmendmentEvent(amendment_id=sub.id, kind="resubmitted", actor_id=user.id, previous_text=sub.text,
                               detail=json.dumps({"previous_status": sub.status})))
    sub.status = status
    sub.parent_text = parent.text
    sub.text = new_text
    sub.text_digest = text_digest(new_text)
    session.flush()
    return sub
