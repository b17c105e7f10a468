"""Rate limits on writes, per account and per address, shared by every worker through the database."""
from __future__ import annotations

from litestar import Request
from sqlalchemy.orm import Session

from drafting.models import User


def enforce(session: Session, request: Request, user: User | None) -> None:
    """Raise RateLimited (429 with Retry-After) when this account or address wrote too much."""
