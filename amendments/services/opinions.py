"""Official opinions of a bill's authors on its amendments (CONTRACT §8): one answer for a batch."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from amendments.models import OPINIONS, Amendment, AmendmentOpinion, AmendmentResponse
from drafting import policy
from drafting.errors import Invalid
from drafting.models import Bill, User
from drafting.services import bills
from drafting.texts import text_field

MAX_BATCH = 500
MAX_RESPONSE = 20_000


def give_opinion(session: Session, actor: User | None, ids: list[int], opinion: str,
                 response: str | None) -> list[Amendment]:
    """The opinion (and the one public answer, if any) on each listed amendment of one bill, each a new row."""
    policy.require_user(actor)
    if not ids:
        raise Invalid("amendments", "lists no amendment")
    if len(ids) > MAX_BATCH:
        raise Invalid("amendments", "lists more than 500 amendments")
    if len(set(ids)) != len(ids):
        raise Invalid("amendments", "lists the same amendment twice")
    if opinion not in OPINIONS:
        raise Invalid("opinion", "must be one of favorable, defavorable, sagesse, retrait, satisfait")
    found = {a.id: a for a in session.scalars(select(Amendment).where(Amendment.id.in_(ids)).with_for_update(of=Amendment))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise Invalid("amendments", "names an amendment that does not exist")
    amendments = [found[i] for i in ids]
    if len({a.bill_id for a in amendments}) > 1:
        raise Invalid("amendments", "names amendments of several bills")
    user = bills.require_author(session, session.get(Bill, amendments[0].bill_id), actor)
    body = text_field("response", response, required=False, max_length=MAX_RESPONSE)
    for amendment in amendments:
        policy.require_may_give_opinion(amendment)
    for amendment in amendments:
        session.add(AmendmentOpinion(amendment_id=amendment.id, opinion=opinion, author_id=user.id))
        if body:
            session.add(AmendmentResponse(amendment_id=amendment.id, body=body, kind="respond", author_id=user.id))
    session.flush()
    return amendments
