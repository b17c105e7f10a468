"""Who may do what for accounts people control, people staff act for, and following (issues 12
and 13): the rules of drafting.policy that read accounts rather than bills and amendments."""
from __future__ import annotations

from typing import Any

from drafting.errors import Conflict, Forbidden, Invalid, Unauthorized
from drafting.i18n import N_
from drafting.policy.core import HIDDEN, Person, can_edit_bill, require_bill_staff, require_user


# --- accounts people control, and people staff act for (issue 12) -------------------------------

CODE_VALID_DAYS = 30  # a printed sign-in code works once, within this many days
CODE_REFUSED = N_("the sign-in code is unknown, already used or expired")
CURRENT_PASSWORD_REQUIRED = N_("is required to change the password")  # field "current"
CURRENT_PASSWORD_WRONG = N_("is not the account's password")  # field "current"
ACT_FOR_STAFF_ONLY = N_("on_behalf_of: only the bill's authors can enter a contribution for someone else")
ACT_FOR_ASSISTED_ONLY = N_("on_behalf_of: contributions can be entered only for a participant whose account "
                           "the bill's staff opened")
VOTES_PERSONAL = N_("votes are personal: nobody votes on behalf of someone else")  # field "on_behalf_of"


def may_enrol_participants(user: Person | None, staff_of_bill: bool) -> bool:
    """A bill's staff open accounts, with a printed one-time code, for people without e-mail at its events."""
    return can_edit_bill(user, staff_of_bill)


def require_may_enrol_participants(actor: Person | None, staff_of_bill: bool) -> Person:
    return require_bill_staff(actor, staff_of_bill)


def require_own_vote(on_behalf_of: Any) -> None:
    """Staff may enter an in-person participant's amendment or argument, never their vote."""
    if on_behalf_of is not None:
        raise Invalid("on_behalf_of", VOTES_PERSONAL)


def code_usable(code: Any, now: Any) -> bool:
    """A sign-in code signs its person in once, before it expires."""
    return code is not None and code.used_at is None and code.expires_at > now


def require_code_usable(code: Any, now: Any) -> None:
    if not code_usable(code, now):
        raise Unauthorized(CODE_REFUSED)


def password_change_needs_current(user: Any) -> bool:
    """An account that has a password proves it; one signed in by code that never had one need not."""
    return user.password_hash is not None


def may_act_for(actor: Person | None, staff_of_bill: bool, person: Any, opened_for_bill: bool) -> bool:
    """The bill's staff enter an amendment or argument for a person without e-mail whose account staff
    opened: for this bill (by any of its staff) or by the actor themself."""
    return (can_edit_bill(actor, staff_of_bill) and person is not None and person.created_by_id is not None
            and (opened_for_bill or person.created_by_id == actor.id))


def require_may_act_for(actor: Person | None, staff_of_bill: bool, person: Any, opened_for_bill: bool) -> None:
    user = require_user(actor)
    if not can_edit_bill(user, staff_of_bill):
        raise Forbidden(ACT_FOR_STAFF_ONLY)
    if not may_act_for(user, staff_of_bill, person, opened_for_bill):
        raise Forbidden(ACT_FOR_ASSISTED_ONLY)

# --- following (issue 13) ----------------------------------------------------------------------

def can_follow(user: Person | None, *, hidden: bool) -> bool:
    """Anyone signed in follows a bill, an article or an amendment, except a hidden amendment."""
    return user is not None and not hidden


def require_may_follow(actor: Person | None, item: Any) -> Person:
    user = require_user(actor)
    if getattr(item, "hidden_by_id", None) is not None:
        raise Conflict(HIDDEN)
    return user
