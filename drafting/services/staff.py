"""What a bill's authors and the administrators change from the staff pages and the API: a bill's
settings (CONTRACT §6 "Editing a bill") and people's roles."""
from __future__ import annotations

from datetime import datetime, timezone

import msgspec
from sqlalchemy import select
from sqlalchemy.orm import Session

from drafting import policy
from drafting.errors import Invalid, NotFound
from drafting.models import Bill, User
from drafting.services import search
from drafting.services.bills import check_language, find_user, require_author
from drafting.texts import MAX_MESSAGE, MAX_TITLE, text_field

UNSET = msgspec.UNSET
DATE_FIELDS = ("consultation_opens_at", "consultation_closes_at")


class BillPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change; ``null`` clears a date (the dates are read by ``moment``)."""

    title: str | None | msgspec.UnsetType = UNSET
    summary: str | None | msgspec.UnsetType = UNSET
    language: str | None | msgspec.UnsetType = UNSET
    consultation_opens_at: str | None | msgspec.UnsetType = UNSET
    consultation_closes_at: str | None | msgspec.UnsetType = UNSET


class RolesIn(msgspec.Struct, forbid_unknown_fields=True):
    admin: bool | msgspec.UnsetType = UNSET
    moderator: bool | msgspec.UnsetType = UNSET


def moment(field: str, value: object) -> datetime | None:
    """An ISO 8601 date and time with its timezone, in UTC; None stays None (a cleared date)."""
    if value is None:
        return None
    if not isinstance(value, str) or "\x00" in value:
        raise Invalid(field, "must be an ISO 8601 date and time with a timezone")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(field, "must be an ISO 8601 date and time with a timezone") from None
    if parsed.tzinfo is None:
        raise Invalid(field, "must be an ISO 8601 date and time with a timezone")
    return parsed.astimezone(timezone.utc)


def check_dates(opens_at: datetime | None, closes_at: datetime | None) -> None:
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise Invalid("consultation_closes_at", "must be after consultation_opens_at")


def patch_closes_consultation(bill: Bill, patch: BillPatch) -> bool:
    """Whether ``patch``'s dates would close the open consultation now (False when a date is refused:
    ``update_bill`` then says why)."""
    try:
        dates = {field: moment(field, getattr(patch, field)) if getattr(patch, field) is not UNSET
                 else getattr(bill, field) for field in DATE_FIELDS}
    except Invalid:
        return False
    return policy.dates_close_consultation(bill, dates["consultation_opens_at"], dates["consultation_closes_at"])


def update_bill(session: Session, actor: User | None, bill: Bill, patch: BillPatch) -> Bill:
    """Change a bill's title, summary, language or consultation dates (its authors); every field is
    checked before any changes, so a refused request changes nothing."""
    require_author(session, bill, actor)
    changes: dict[str, object] = {}
    if patch.title is not UNSET:
        changes["title"] = text_field("title", patch.title, max_length=MAX_TITLE)
    if patch.summary is not UNSET:
        changes["summary"] = text_field("summary", patch.summary, required=False, max_length=MAX_MESSAGE)
    if patch.language is not UNSET:
        changes["language"] = check_language(patch.language)
    for field in DATE_FIELDS:
        if getattr(patch, field) is not UNSET:
            changes[field] = moment(field, getattr(patch, field))
    check_dates(changes.get("consultation_opens_at", bill.consultation_opens_at),
                changes.get("consultation_closes_at", bill.consultation_closes_at))
    language_changed = "language" in changes and changes["language"] != bill.language
    for name, value in changes.items():
        setattr(bill, name, value)
    session.flush()
    if language_changed:  # every item of the bill is stemmed anew, in its new language
        search.reindex_bill(session, bill)
    elif "title" in changes or "summary" in changes:
        search.index_bill(session, bill)
    return bill


# --- roles -------------------------------------------------------------------------------------

def list_people(session: Session) -> list[User]:
    """Every account, staff first (administrators, then moderators), then by username."""
    return list(session.scalars(
        select(User).order_by(User.is_admin.desc(), User.is_moderator.desc(), User.username)
    ))


def set_roles(session: Session, actor: User | None, username: str, roles: RolesIn) -> User:
    """Grant or revoke the admin and moderator roles of ``username`` (administrators; never their own
    admin role)."""
    policy.require_admin(actor)
    person = find_user(session, username)
    if person is None:
        raise NotFound("username: no such user")
    for role, wanted in (("admin", roles.admin), ("moderator", roles.moderator)):
        if wanted is UNSET or wanted == getattr(person, f"is_{role}"):
            continue
        policy.require_role_change(actor, person, role)
        setattr(person, f"is_{role}", wanted)
    session.flush()
    return person
