"""Sub-amendments (CONTRACT §8): amendments of an open amendment, written on its text.

Incorporating one makes the parent's text include its change (three-way merge of the sub-amendment's
base, its text and the parent's text as it now stands); the other open sub-amendments of that parent
then follow the parent's new text like amendments follow a new version (``rebase.apply_verdict``).
Each incorporation is an event row of the parent, keeping the text it replaced.
"""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from amendments import engine
from amendments.models import Amendment, AmendmentEvent
from amendments.services import proposing, rebase
from drafting import policy
from drafting.errors import Conflict, Invalid
from drafting.models import Bill, User
from drafting.services import bills

INCORPORATED = "incorporated"  # the parent's event: it took in a sub-amendment


def propose_subamendment(session: Session, actor: User | None, parent: Amendment, *, text: str | None,
                         explanation: str | None = "") -> Amendment:
    """A new text for the parent amendment, by anyone signed in, while the parent is open."""
    user = policy.require_user(actor)
    session.execute(select(Amendment.id).where(Amendment.id == parent.id).with_for_update())  # not the joined author
    session.refresh(parent)
    policy.require_may_subamend(session.get(Bill, parent.bill_id), parent)
    new_text = proposing._proposal_text(text)
    _, explanation = proposing._texts("", explanation)
    if new_text == parent.text:
        raise Invalid("text", "is identical to the amendment it amends: nothing changes")
    return proposing._create(session, user, bill_id=parent.bill_id, article_id=parent.article_id, kind="modify",
                             title="", explanation=explanation, base_version=parent.base_version, text=new_text,
                             parent_id=parent.id, parent_text=parent.text).amendment


def incorporate(session: Session, actor: User | None, sub: Amendment) -> Amendment:
    """The parent's proposer or a bill author takes the sub-amendment into its parent; answers the parent."""
    if sub.parent_id is None:
        raise Conflict(policy.NOT_A_SUBAMENDMENT)
    parent = session.scalar(select(Amendment).where(Amendment.id == sub.parent_id).with_for_update(of=Amendment))
    staff = bills.is_author(session, session.get(Bill, parent.bill_id), actor) or policy.is_admin(actor)
    policy.require_may_incorporate(actor, staff, sub, parent)
    result = engine.merge3(sub.parent_text or "", sub.text, parent.text)
    if not result.clean:
        raise Conflict("the sub-amendment changes the same words as its parent's text has changed since; "
                       "it must be written again on that text",
                       extra={"passages": [{"base": c.base, "ours": c.ours, "theirs": c.theirs}
                                           for c in result.conflicts]})
    if result.text == parent.text:
        raise Conflict("the parent amendment already makes this change")
    session.add(AmendmentEvent(amendment_id=parent.id, kind=INCORPORATED, actor_id=actor.id,
                               from_version=parent.base_version, to_version=parent.base_version,
                               previous_text=parent.text, detail=json.dumps({"subamendment": sub.id})))
    parent.text = result.text
    parent.text_digest = proposing.text_digest(result.text)
    sub.status = policy.transition(sub.status, "incorporate")
    session.add(AmendmentEvent(amendment_id=sub.id, kind="accepted", actor_id=actor.id,
                               detail=json.dumps({"incorporated_into": parent.id})))
    session.flush()
    follow_parent(session, parent, actor)
    return parent


def follow_parent(session: Session, parent: Amendment, actor: User | None) -> list[rebase.RebaseOutcome]:
    """The parent's other open sub-amendments rebased onto its new text (conflicts flagged)."""
    subs = list(session.scalars(
        select(Amendment).where(Amendment.parent_id == parent.id, Amendment.status == "open")
        .order_by(Amendment.id).with_for_update(of=Amendment)
    ))
    outcomes = []
    for sub in subs:
        result = engine.merge3(sub.parent_text or "", sub.text, parent.text)
        if not result.clean:
            verdict = rebase.CONFLICT
        else:
            verdict = rebase.SUPERSEDED if result.text == parent.text else rebase.REBASED
        event = AmendmentEvent(amendment_id=sub.id, kind=verdict, actor_id=actor.id if actor else None,
                               previous_text=sub.parent_text)
        outcomes.append(rebase.apply_verdict(sub, verdict, result, event, None))
        if verdict != rebase.CONFLICT:
            sub.parent_text = parent.text
        session.add(event)
    session.flush()
    return outcomes
