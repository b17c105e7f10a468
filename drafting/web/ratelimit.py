"""Rate limits on writes, per account and per address, shared by every worker through the database.

Fixed windows: a write in window ``w`` increments the ``RateLimitCounter`` row ``(key, w)`` with one
atomic ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` (SQLite and PostgreSQL), so workers and
threads never lose a count. The increment belongs to the request's transaction: a request that fails
(bad input, refused) does not use up the caller's allowance.
"""
from __future__ import annotations

import math
import time

from litestar import Request
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from amendments.services import rate_counts
from amendments.services.vote_batches import Limits
from drafting.errors import RateLimited
from drafting.models import User
from drafting.settings import Settings

# The time windows are counted on (seconds since the epoch); tests move it instead of sleeping.
clock = time.time
ADDRESS_FACTOR = 10


def limits(settings: Settings) -> tuple[int, int]:
    """Writes allowed per account and per address in one window (0: no limit)."""
    per_account = max(settings.rate_limit_writes, 0)
    per_address = settings.rate_limit_address_writes
    if per_address is None:
        per_address = per_account * ADDRESS_FACTOR
    return per_account, max(per_address, 0)


def client_address(request: Request) -> str:
    return address_of(request.scope.get("client"))


def address_of(client: tuple[str, int] | None) -> str:
    """The address a request came from (its ASGI scope's ``client``), as the limits count it."""
    return client[0] if client and client[0] else "unknown"


def hit(session: Session | Connection, key: str, window_start: int) -> int:
    """Count one write for ``key`` in the window and answer the window's count so far."""
    connection = session if isinstance(session, Connection) else session.connection()
    return rate_counts.add(connection, key, window_start)


def window(settings: Settings) -> tuple[int, int, int]:
    """The window's length (seconds), the start of the one running now, and the seconds left in it."""
    length = max(settings.rate_limit_window_seconds, 1)
    now = clock()
    start = int(now // length * length)
    return length, start, max(1, math.ceil(start + length - now))


def enforce(session: Session | Connection, request: Request, user: User | None) -> None:
    """Raise RateLimited (429 with Retry-After) when this account or address wrote too much."""
    settings: Settings = request.app.state.settings
    per_account, per_address = limits(settings)
    length, window_start, retry_after = window(settings)
    checks = []
    if per_account and user is not None:
        checks.append((f"user:{user.id}", per_account))
    if per_address:
        checks.append((f"addr:{client_address(request)}"[:120], per_address))
    for key, allowed in checks:
        if hit(session, key, window_start) > allowed:
            raise RateLimited.writes(allowed, length, retry_after)


def batch_limits(settings: Settings) -> Limits | None:
    """The limits as a batch of votes applies them (amendments/services/vote_batches.py), or None."""
    per_account, per_address = limits(settings)
    if not (per_account or per_address):
        return None
    return Limits(per_account, per_address, *window(settings))
