"""Amendments made moot ("tombés", CONTRACT §8): an amendment whose article a merge deleted, or whose
parent amendment stopped being open, falls: ``rejected`` with the response "Tombé" and a row saying why."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from amendments.models import Amendment, AmendmentEvent, AmendmentResponse
from amendments.services.desk_record import FELL
from drafting import policy

FALLEN_RESPONSE = "Tombé"
ARTICLE_DELETED_REASON = "the article was deleted by amendment {amendment}"
ARTICLE_DELETED_BY_VERSION = "the article was deleted by version {version}"
PARENT_SETTLED_REASON = "its parent amendment {amendment} is {status}"


def fall(session: Session, amendment: Amendment, actor_id: int | None, reason: str) -> None:
    """``amendment`` falls; its own open sub-amendments fall with it."""
    amendment.status = policy.transition(amendment.status, "fall")
    author_id = actor_id if actor_id is not None else amendment.author_id
    session.add(AmendmentResponse(amendment_id=amendment.id, body=FALLEN_RESPONSE, kind="reject", author_id=author_id))
    session.add(AmendmentEvent(amendment_id=amendment.id, kind=FELL, actor_id=actor_id,
                               from_version=amendment.base_version, detail=reason))
    session.flush()
    fall_subamendments(session, amendment, actor_id)


def fall_subamendments(session: Session, parent: Amendment, actor_id: int | None) -> list[Amendment]:
    """When ``parent`` is no longer open, its open (or conflicting) sub-amendments fall."""
    if not policy.subamendments_fall(parent.status):
        return []
    subs = list(session.scalars(
        select(Amendment).where(Amendment.parent_id == parent.id,
                                Amendment.status.in_(policy.statuses_allowing("fall")))
        .order_by(Amendment.id).with_for_update(of=Amendment)
    ))
    for sub in subs:
        fall(session, sub, actor_id, PARENT_SETTLED_REASON.format(amendment=parent.id, status=parent.status))
    return subs
