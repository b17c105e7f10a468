"""Who may do what, and which state follows which: every permission and state rule of Navette, once.

Services enforce these rules (the ``require_*`` functions and ``transition`` raise the one refusal of
each rule); view models pass the answers to templates as booleans; templates decide nothing. The
functions read plain values (a bill's status, a person's roles, whether they author the bill):
looking those up in the database is the services' job.

Each refusal has one message, below, so it is translated once.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from drafting import db
from drafting.errors import Conflict, Forbidden, Invalid, Unauthorized
from drafting.i18n import N_

SIGN_IN_REQUIRED = N_("authentication required")
ADMINS_ONLY = N_("only administrators can do this")
BILL_STAFF_ONLY = N_("only the bill's authors can do this")
STAFF_ONLY = N_("only a bill's authors or an administrator can do this")
MODERATORS_ONLY = N_("only moderators can do this")
PROPOSER_ONLY = N_("only the amendment's proposer can do this")
CONSULTATION_NOT_OPEN = N_("the consultation on this bill is not open")
ARTICLE_DELETED = N_("the article has been deleted")
HIDDEN = N_("this contribution was hidden by moderation")
AMENDMENT_SETTLED = N_("status: the amendment is {status}; only an open or conflicting amendment can {action}")
BILL_STATUS_REFUSED = N_("status: a {status} bill cannot become {wanted}")
OWN_ADMIN_ROLE = N_("admin: administrators cannot change their own administrator role")
OPINION_ON_WITHDRAWN = N_("amendments: a withdrawn amendment takes no opinion")
INCORPORATE_REFUSED = N_("only the parent amendment's proposer or the bill's authors can incorporate a sub-amendment")
PARENT_NOT_OPEN = N_("status: only an open amendment can be amended")
NOT_A_SUBAMENDMENT = N_("this amendment is not a sub-amendment")
AMENDMENT_CLOSED = N_("this amendment is closed (accepted, rejected, withdrawn or fallen): it takes no more "
                      "votes or arguments")


class Person(Protocol):
    id: int
    is_admin: bool
    is_moderator: bool


# --- the state tables --------------------------------------------------------------------------

# (status, action) → status: the life of an amendment. Every service changes a status through
# ``transition``; tests/test_policy.py walks this table through HTTP.
AMENDMENT_TRANSITIONS: dict[tuple[str, str], str] = {
    ("open", "withdraw"): "withdrawn",  # its proposer takes it back
    ("conflict", "withdraw"): "withdrawn",
    ("open", "accept"): "accepted",  # the authors merge it (or make it the new article it proposes)
    ("conflict", "accept"): "accepted",
    ("open", "reject"): "rejected",  # the authors refuse it, with a public answer
    ("conflict", "reject"): "rejected",
    ("open", "resubmit"): "open",  # its proposer writes it again on the head
    ("conflict", "resubmit"): "open",
    ("open", "rebase"): "open",  # a new head: the merge is clean
    ("open", "collide"): "conflict",  # a new head changed the same words
    ("open", "supersede"): "accepted",  # a new head already makes its change
    ("open", "fall"): "rejected",  # made moot: its article deleted, or its parent amendment settled ("Tombé")
    ("conflict", "fall"): "rejected",
    ("open", "incorporate"): "accepted",  # a sub-amendment taken into its parent (in conflict: resubmit first)
}
AMENDMENT_ACTIONS = {
    "withdraw": "be withdrawn", "accept": "be merged", "reject": "be rejected", "resubmit": "be resubmitted",
    "rebase": "follow a new version", "collide": "follow a new version", "supersede": "follow a new version",
    "fall": "fall", "incorporate": "be incorporated",
}
# (status, wanted status) → allowed: opening and closing a bill's consultation.
BILL_TRANSITIONS: frozenset[tuple[str, str]] = frozenset({("draft", "open"), ("open", "closed"), ("closed", "open")})


def can_transition(status: str, action: str) -> bool:
    return (status, action) in AMENDMENT_TRANSITIONS


def transition(status: str, action: str) -> str:
    """The status an amendment in ``status`` takes after ``action``; 409 if the table has no such step."""
    try:
        return AMENDMENT_TRANSITIONS[(status, action)]
    except KeyError:
        raise Conflict(AMENDMENT_SETTLED, status=status, action=AMENDMENT_ACTIONS[action],
                       field="status") from None


def statuses_allowing(action: str) -> tuple[str, ...]:
    """The statuses from which ``action`` is a step of the table (for queries: "pending" amendments)."""
    return tuple(dict.fromkeys(status for status, step in AMENDMENT_TRANSITIONS if step == action))


def amendment_changeable(amendment: Any) -> bool:
    """Still in play (open or in conflict): its proposer and the authors can act on it."""
    return can_transition(amendment.status, "accept")


BILL_LANGUAGES = ("fr", "de", "en")


def effective_status(recorded: str, opens_at: datetime | None, closes_at: datetime | None, now: datetime) -> str:
    """The status the consultation's dates give at ``now``; ``recorded`` (what an author last set)
    decides only what the dates leave open.

    - before its opening date, a bill that never opened is a draft, one that did is closed until then;
    - from its closing date, a bill that opened (or is scheduled to open) is closed;
    - from its opening date (and before any closing date), a bill is open.
    A draft with only a closing date stays a draft: it never opened.
    """
    if opens_at is not None and now < opens_at:
        return "draft" if recorded == "draft" else "closed"
    if closes_at is not None and now >= closes_at and (opens_at is not None or recorded != "draft"):
        return "closed"
    if opens_at is not None:
        return "open"
    return recorded


def bill_status(bill: Any, now: datetime | None = None) -> str:
    """A bill's status at ``now`` (default: the clock): the one rule every service and view reads."""
    return effective_status(bill.recorded_status, bill.consultation_opens_at, bill.consultation_closes_at,
                            now or db.utcnow())


def dates_close_consultation(bill: Any, opens_at: datetime | None, closes_at: datetime | None,
                             now: datetime | None = None) -> bool:
    """New dates would end an open consultation now (a closing date in the past): that is closing it,
    which its authors confirm first, as they confirm "close now"."""
    now = now or db.utcnow()
    return bill_status(bill, now) == "open" and effective_status(bill.recorded_status, opens_at, closes_at, now) != "open"


def can_change_bill_status(bill: Any, wanted: str) -> bool:
    return (bill.status, wanted) in BILL_TRANSITIONS


def require_bill_status_change(bill: Any, wanted: str) -> None:
    if not can_change_bill_status(bill, wanted):
        raise Conflict(BILL_STATUS_REFUSED, status=bill.status, wanted=wanted, field="status")


# --- who ---------------------------------------------------------------------------------------

def require_user(actor: Person | None) -> Person:
    if actor is None:
        raise Unauthorized(SIGN_IN_REQUIRED)
    return actor


def is_admin(user: Person | None) -> bool:
    return user is not None and bool(user.is_admin)


def is_moderator(user: Person | None) -> bool:
    """Moderators, and administrators, hide contributions and handle reports."""
    return user is not None and bool(user.is_moderator or user.is_admin)


def can_edit_bill(user: Person | None, is_author: bool) -> bool:
    """The bill's staff (its authors, and administrators) draft, review, merge, answer and publish."""
    return user is not None and (bool(user.is_admin) or is_author)


def require_admin(actor: Person | None) -> Person:
    user = require_user(actor)
    if not is_admin(user):
        raise Forbidden(ADMINS_ONLY)
    return user


def require_moderator(actor: Person | None) -> Person:
    user = require_user(actor)
    if not is_moderator(user):
        raise Forbidden(MODERATORS_ONLY)
    return user


def require_bill_staff(actor: Person | None, is_author: bool) -> Person:
    user = require_user(actor)
    if not can_edit_bill(user, is_author):
        raise Forbidden(BILL_STAFF_ONLY)
    return user


def require_staff_somewhere(actor: Person | None, authors_a_bill: bool) -> Person:
    """Accounts for people without e-mail are opened by a bill's author or an administrator."""
    user = require_user(actor)
    if not can_edit_bill(user, authors_a_bill):
        raise Forbidden(STAFF_ONLY)
    return user


def may_change_role(actor: Person | None, target: Person, role: str) -> bool:
    """Administrators grant and revoke the moderator and admin roles, except their own admin role
    (so that the site never loses its last administrator by a slip)."""
    return is_admin(actor) and role in ("admin", "moderator") and not (role == "admin" and actor.id == target.id)


def require_role_change(actor: Person | None, target: Person, role: str) -> Person:
    user = require_admin(actor)
    if not may_change_role(user, target, role):
        raise Forbidden(OWN_ADMIN_ROLE)
    return user


def is_proposer(user: Person | None, amendment: Any) -> bool:
    return user is not None and user.id == amendment.author_id


def require_proposer(actor: Person | None, amendment: Any) -> Person:
    user = require_user(actor)
    if not is_proposer(user, amendment):
        raise Forbidden(PROPOSER_ONLY)
    return user


# --- the consultation --------------------------------------------------------------------------

def consultation_open(bill: Any, now: datetime | None = None) -> bool:
    """People propose, vote, argue and cite only while the bill's consultation is open (by its dates)."""
    return bill_status(bill, now) == "open"


def require_consultation_open(bill: Any, now: datetime | None = None) -> None:
    if not consultation_open(bill, now):
        raise Conflict(CONSULTATION_NOT_OPEN)


def require_article_present(article: Any) -> None:
    if article.removed:
        raise Conflict(ARTICLE_DELETED)


def require_visible(item: Any) -> None:
    """Hidden amendments, arguments and sources take no new votes, arguments, marks or merges."""
    if item.hidden_by_id is not None:
        raise Conflict(HIDDEN)


def may_propose(bill: Any, article: Any) -> bool:
    """A new amendment of ``article`` (or a new article after it)."""
    return consultation_open(bill) and not article.removed


def require_may_propose(bill: Any, article: Any) -> None:
    require_consultation_open(bill)
    require_article_present(article)


def participation_state(user: Person | None, bill: Any, *, hidden: bool, removed: bool,
                        settled: bool = False) -> str | None:
    """Why ``user`` may not vote, argue or cite on a target ("hidden", the bill's status when not open,
    "settled" for an amendment no longer in play, "removed", "anonymous"), or None when they may."""
    if hidden:
        return "hidden"
    if not consultation_open(bill):
        return bill.status
    if settled:
        return "settled"
    if removed:
        return "removed"
    if user is None:
        return "anonymous"
    return None


def require_may_participate(bill: Any, *, hidden: bool, removed: bool, settled: bool = False) -> None:
    """A vote, argument, useful mark or source needs an open consultation and a visible target still in
    play (an accepted, rejected, withdrawn or fallen amendment is ``settled``)."""
    require_consultation_open(bill)
    if hidden:
        raise Conflict(HIDDEN)
    if settled:
        raise Conflict(AMENDMENT_CLOSED)
    if removed:
        raise Conflict(ARTICLE_DELETED)


def may_withdraw(user: Person | None, amendment: Any) -> bool:
    return is_proposer(user, amendment) and can_transition(amendment.status, "withdraw")


def may_resubmit(user: Person | None, amendment: Any, bill: Any, article: Any | None) -> bool:
    """Its proposer rewrites an article's amendment on the head, while the consultation is open."""
    return (is_proposer(user, amendment) and amendment.kind == "modify" and article is not None
            and can_transition(amendment.status, "resubmit") and consultation_open(bill)
            and not article.removed and amendment.hidden_by_id is None)


def may_merge(staff: bool, amendment: Any, article: Any | None) -> bool:
    """The authors merge an article's amendment into a new version of it (from the merge page)."""
    return (staff and amendment.kind != "insert" and article is not None and not article.removed
            and amendment_changeable(amendment))


def may_merge_insertion(staff: bool, amendment: Any) -> bool:
    """The authors make an amendment proposing a new article into that article."""
    return staff and amendment.kind == "insert" and amendment_changeable(amendment) and amendment.hidden_by_id is None


def may_report(user: Person | None, item: Any) -> bool:
    return user is not None and item.hidden_by_id is None


# --- the authors' desk (CONTRACT §8) -------------------------------------------------------------

def may_give_opinion(staff: bool, amendment: Any) -> bool:
    """The bill's authors give an official opinion on any amendment that was not withdrawn."""
    return staff and amendment.status != "withdrawn"


def require_may_give_opinion(amendment: Any) -> None:
    """(The caller already checked the authors.) A withdrawn amendment takes no opinion: 409."""
    if amendment.status == "withdrawn":
        raise Conflict(OPINION_ON_WITHDRAWN, field="amendments")


def may_subamend(bill: Any, parent: Any) -> bool:
    """A sub-amendment amends an open amendment of an article, while the consultation is open."""
    return (consultation_open(bill) and parent.status == "open" and parent.parent_id is None
            and parent.kind == "modify" and parent.hidden_by_id is None)


def require_may_subamend(bill: Any, parent: Any) -> None:
    require_consultation_open(bill)
    if not may_subamend(bill, parent):
        raise Conflict(PARENT_NOT_OPEN, field="status")


def may_incorporate(user: Person | None, staff: bool, sub: Any, parent: Any) -> bool:
    """The parent's proposer or the bill's authors take a sub-amendment into the parent."""
    return (sub.parent_id is not None and (staff or is_proposer(user, parent))
            and can_transition(sub.status, "incorporate") and parent.status == "open")


def require_may_incorporate(user: Person | None, staff: bool, sub: Any, parent: Any) -> None:
    require_user(user)
    if sub.parent_id is None:
        raise Conflict(NOT_A_SUBAMENDMENT)
    if not (staff or is_proposer(user, parent)):
        raise Forbidden(INCORPORATE_REFUSED)
    transition(sub.status, "incorporate")
    if parent.status != "open":
        raise Conflict(PARENT_NOT_OPEN, field="status")


def subamendments_fall(parent_status: str) -> bool:
    """When an amendment stops being open (merged, rejected, withdrawn), its open sub-amendments fall."""
    return parent_status in ("accepted", "rejected", "withdrawn")
# --- the argument map (issue 14) ---------------------------------------------------------------

def may_correct_positions(user: Person | None, is_author: bool) -> bool:
    """The bill's authors (and administrators) merge, split and rename the positions of its map."""
    return can_edit_bill(user, is_author)


def require_may_correct_positions(actor: Person | None, is_author: bool) -> Person:
    return require_bill_staff(actor, is_author)
