"""Signing in and signing up without stalling anyone else, and sign-in throttling (CONTRACT §6).

argon2 costs ~0.4 s of CPU a password, on purpose: it runs in a worker thread (at most a few at
once, each taking 64 MiB), never on the event loop, and never inside a database transaction, which
on SQLite would hold the write lock that long.

Throttling: after 10 failed sign-ins for one username, or 50 from one address, within WINDOW
(``Settings.signin_failures_per_*``), sign-in answers 429 with Retry-After, even for the right password.
The failures are rows shared by every worker (``SignInFailure``); each attempt writes its row before
the password is checked and deletes it only when the password matches, so an attempt that fails in
any way is counted. Racing attempts see each other: the check and the record are one transaction,
serialised per username and per address (SQLite's writers queue; PostgreSQL takes advisory locks).
A success deletes its own row only: it does not forgive the address's other failures.
"""
from __future__ import annotations

import hashlib
import math
import os
from datetime import datetime, timedelta

import anyio
import anyio.to_thread
from litestar import Request
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from drafting.services import accounts
from drafting.db import utcnow
from drafting.errors import Invalid, RateLimited, Unauthorized
from drafting.models import SignInFailure, User
from drafting.settings import Settings
from drafting.web.ratelimit import client_address
from drafting.web.request import blocking, transaction

WINDOW = timedelta(minutes=15)

_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
_argon2_threads = anyio.CapacityLimiter(max(1, (os.cpu_count() or 2) // 2))


async def in_thread(fn, *args):
    """Run ``fn`` (argon2 work) in a worker thread of its own limited pool."""
    return await anyio.to_thread.run_sync(fn, *args, limiter=_argon2_threads)


async def new_password_hash(data: accounts.UserIn) -> str | None:
    """The hash of a new account's password, made in a worker thread; None without a password or
    when the form is invalid anyway (``create_user`` then says why, without a hash made for nothing)."""
    if not data.password:
        return None
    try:
        accounts.validate_user(data, password_required=False)
    except Invalid:
        return None
    return await in_thread(accounts.hash_password, data.password)


def _wait_for(session: Session, column, value: str, allowed: int, now: datetime) -> int | None:
    """Seconds until ``value`` has fewer than ``allowed`` failures in the window, or None if it has
    (or ``allowed`` is 0: no limit)."""
    if allowed <= 0:
        return None
    oldest_counted = session.scalar(
        select(SignInFailure.at).where(column == value, SignInFailure.at > now - WINDOW)
        .order_by(SignInFailure.at.desc()).offset(allowed - 1).limit(1)
    )
    if oldest_counted is None:
        return None
    return max(1, math.ceil((oldest_counted + WINDOW - now).total_seconds()))


def throttled(retry_after: int, settings: Settings) -> RateLimited:
    error = RateLimited("too many failed sign-ins for this username or from this address; "
                        "retry in {retry_after} s", retry_after)
    error.extra = {"retry_after": retry_after, "window_seconds": int(WINDOW.total_seconds()),
                   "limit_per_username": settings.signin_failures_per_username,
                   "limit_per_address": settings.signin_failures_per_address}
    return error


def _key(username: str) -> str:
    """The name failures are counted under: the username itself when it can be one, else a digest
    (any text may be sent, NUL characters and lone surrogates included, which a database refuses)."""
    if accounts.USERNAME.fullmatch(username):
        return username
    return "#" + hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()


def _begin(request: Request, username: str) -> tuple[int, int | None, str | None]:
    """Refuse a throttled sign-in, else record the attempt as failed and answer (its row, the account,
    the password hash to check)."""
    address = client_address(request)[:120]
    settings: Settings = request.app.state.settings
    now = utcnow()
    with transaction(request) as session:
        if session.get_bind().dialect.name == "postgresql":  # always the username first: no lock cycle
            for key in (f"signin:user:{_key(username)}", f"signin:addr:{address}"):
                session.execute(_ADVISORY_LOCK, {"key": key})
        waits = [wait for wait in (
            _wait_for(session, SignInFailure.username, _key(username), settings.signin_failures_per_username, now),
            _wait_for(session, SignInFailure.address, address, settings.signin_failures_per_address, now),
        ) if wait is not None]
        if waits:
            raise throttled(max(waits), settings)
        session.execute(delete(SignInFailure).where(SignInFailure.at <= now - WINDOW))
        attempt = SignInFailure(username=_key(username), address=address, at=now)
        session.add(attempt)
        user = accounts.password_owner(session, username)
        session.flush()
        return attempt.id, user.id if user else None, user.password_hash if user else None


def _succeed(request: Request, attempt_id: int, user_id: int, kind: str) -> str:
    """The attempt was not a failure after all: its row goes, a token comes."""
    with transaction(request) as session:
        session.execute(delete(SignInFailure).where(SignInFailure.id == attempt_id))
        return accounts.issue_token(session, session.get(User, user_id), kind)


async def sign_in(request: Request, username: str, password: str, kind: str) -> str:
    """A new token of ``kind`` ("api" or "web") for the account whose password this is; 401 for a
    wrong name or password, 429 when throttled."""
    attempt_id, user_id, password_hash = await blocking(request, _begin, request, username)
    if not await in_thread(accounts.password_matches, password_hash, password) or user_id is None:
        raise Unauthorized("bad username or password")
    return await blocking(request, _succeed, request, attempt_id, user_id, kind)
