"""People without e-mail at a bill's events: accounts staff open for them, with a printed one-time
code, and the amendments and arguments staff enter on their behalf (CONTRACT §6)."""
from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from drafting import policy
from drafting.errors import Invalid
from drafting.models import AssistedParticipant, Bill, User
from drafting.services import accounts, bills
from drafting.texts import text_field


@dataclass
class Participant:
    user: User
    code: str


def _username_from(display_name: str) -> str:
    """A free username made from the person's name (``marie.dupont-4821``)."""
    ascii_name = unicodedata.normalize("NFKD", display_name).encode("ascii", "ignore").decode().lower()
    stem = re.sub(r"[^a-z0-9]+", ".", ascii_name).strip(".")[:30] or "participant"
    return f"{stem}-{secrets.randbelow(9000) + 1000}"


def require_enroller(session: Session, bill: Bill, actor: User | None) -> User:
    """Who may enrol people for ``bill`` (drafting.policy.require_may_enrol_participants): its staff."""
    return policy.require_may_enrol_participants(actor, bills.is_author(session, bill, actor))


def create_participant(session: Session, staff: User, bill: Bill, display_name: str | None,
                       username: str | None = None) -> Participant:
    """A bill's staff open an account for a person without e-mail, with a code to print and hand over."""
    require_enroller(session, bill, staff)
    name = text_field("display_name", display_name, max_length=120)
    if username is None:
        for _ in range(5):
            username = _username_from(name)
            if session.scalar(select(User.id).where(User.username == username)) is None:
                break
    user = accounts.create_user(session, accounts.UserIn(username=username, display_name=name), created_by=staff)
    session.add(AssistedParticipant(user_id=user.id, bill_id=bill.id, created_by_id=staff.id))
    session.flush()
    return Participant(user, accounts.issue_code(session, user, staff))


def assisted_participants(session: Session, bill: Bill) -> list[User]:
    """The people staff opened an account for at this bill's events, by name."""
    return list(session.scalars(
        select(User).join(AssistedParticipant, AssistedParticipant.user_id == User.id)
        .where(AssistedParticipant.bill_id == bill.id).order_by(User.display_name, User.id)))


def acting_for(session: Session, actor: User | None, bill: Bill, username: str | None) -> tuple[User, User | None]:
    """Who a new amendment or argument of ``bill`` is recorded as, and who entered it: the caller
    themself, or (``on_behalf_of``) a participant whose account staff opened, entered by the caller."""
    user = policy.require_user(actor)
    if username is None:
        return user, None
    if not isinstance(username, str) or not accounts.USERNAME.fullmatch(username):
        raise Invalid("on_behalf_of", "must be a username")
    person = session.scalar(select(User).where(User.username == username))
    if person is None:
        raise Invalid("on_behalf_of", "no account has this username")
    opened_for_bill = session.scalar(select(AssistedParticipant.user_id).where(
        AssistedParticipant.user_id == person.id, AssistedParticipant.bill_id == bill.id)) is not None
    policy.require_may_act_for(user, bills.is_author(session, bill, user), person, opened_for_bill)
    return person, user
