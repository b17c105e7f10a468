"""The context of /me: a person's contributions, password form and API tokens."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from amendments.services import contributions
from drafting import policy
from drafting.i18n import N_
from drafting.models import AuthToken, User
from drafting.services import accounts

# The confirmations /me shows after a form (``?done=…``), French msgids (translated in the template).
NOTICES = {
    "password": N_("Votre mot de passe est enregistré."),
    "token": N_("Le jeton est révoqué."),
    "organization": N_("Le nom et les intérêts déclarés de votre organisation sont enregistrés."),
    "code": N_("Vous êtes connecté. Vous pouvez choisir un mot de passe pour vous connecter ensuite sans code."),
}


@dataclass
class TokenRow:
    id: int
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime


@dataclass
class MeContext:
    """``user``; ``amendments`` and ``arguments`` (newest first, with the bill slug to link them);
    ``needs_current`` (the password form asks for the current password); ``tokens`` (API tokens);
    ``notice`` after a change; ``errors`` of the password form by field; ``declarations`` (an
    organization's: what it declared of itself, newest first, public through the API)."""

    user: User
    amendments: list
    arguments: list
    needs_current: bool
    tokens: list[TokenRow]
    notice: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    declarations: list = field(default_factory=list)


def _row(token: AuthToken) -> TokenRow:
    return TokenRow(token.id, token.created_at, token.last_used_at, token.expires_at)


def me_context(session: Session, user: User, *, done: str | None = None,
               errors: dict[str, str] | None = None) -> dict:
    mine = contributions.of_person(session, user)
    return {"me": MeContext(
        user=user, amendments=mine.amendments, arguments=mine.arguments,
        needs_current=policy.password_change_needs_current(user),
        tokens=[_row(token) for token in accounts.api_tokens(session, user)],
        notice=NOTICES.get(done or ""), errors=errors or {},
        declarations=accounts.declarations(session, user)[::-1] if user.is_organization else [],
    )}
