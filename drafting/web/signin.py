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
One-time sign-in codes (assisted participants) and the current password of a password change go
through the same counting: a wrong code counts for its address, a wrong current password for its
username and address.
"""
from __future__ import annotations

import hashlib
import math
import os
from datetime import datetime, timedelta
from typing import Callable, TypeVar

import anyio
import anyio.to_thread
from litestar import Request
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from drafting import policy
from drafting.services import accounts
from drafting.db import utcnow
from drafting.errors import Invalid, RateLimited, Unauthorized
from drafting.models import SignInFailure, User
from drafting.settings import Settings
from drafting.web.ratelimit import client_address
from drafting.web.request import blocking, new_token, transaction

WINDOW = timedelta(minutes=15)
T = TypeVar("T")

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


def _begin(request: Request, key: str, lookup: Callable[[Session], T]) -> tuple[int, T]:
    """Refuse a throttled sign-in, else record the attempt under ``key`` as failed and answer (its row,
    what ``lookup`` finds in the same transaction)."""
    address = client_address(request)[:120]
    settings: Settings = request.app.state.settings
    now = utcnow()
    with transaction(request) as session:
        if session.get_bind().dialect.name == "postgresql":  # always the username first: no lock cycle
            for lock in (f"signin:user:{key}", f"signin:addr:{address}"):
                session.execute(_ADVISORY_LOCK, {"key": lock})
        waits = [wait for wait in (
            _wait_for(session, SignInFailure.username, key, settings.signin_failures_per_username, now),
            _wait_for(session, SignInFailure.address, address, settings.signin_failures_per_address, now),
        ) if wait is not None]
        if waits:
            raise throttled(max(waits), settings)
        session.execute(delete(SignInFailure).where(SignInFailure.at <= now - WINDOW))
        attempt = SignInFailure(username=key, address=address, at=now)
        session.add(attempt)
        found = lookup(session)
        session.flush()
        return attempt.id, found


def _password_of(username: str) -> Callable[[Session], tuple[int | None, str | None]]:
    def lookup(session: Session) -> tuple[int | None, str | None]:
        user = accounts.password_owner(session, username)
        return (user.id, user.password_hash) if user else (None, None)
    return lookup


def _succeed(request: Request, attempt_id: int, user_id: int, kind: str) -> str:
    """The attempt was not a failure after all: its row goes, a token comes."""
    with transaction(request) as session:
        session.execute(delete(SignInFailure).where(SignInFailure.id == attempt_id))
        return new_token(session, request, session.get(User, user_id), kind)


async def sign_in(request: Request, username: str, password: str, kind: str) -> str:
    """A new token of ``kind`` ("api" or "web") for the account whose password this is; 401 for a
    wrong name or password, 429 when throttled."""
    attempt_id, (user_id, password_hash) = await blocking(request, _begin, request, _key(username),
                                                          _password_of(username))
    if not await in_thread(accounts.password_matches, password_hash, password) or user_id is None:
        raise Unauthorized("bad username or password")
    return await blocking(request, _succeed, request, attempt_id, user_id, kind)


# --- one-time sign-in codes (assisted participants) and password changes ----------------------

def _spend_code(request: Request, attempt_id: int, code: str, kind: str) -> str:
    """The code's person gets a token and the code is spent; an unknown, spent or expired code is a
    401 and its attempt stays counted as failed."""
    with transaction(request) as session:
        user = accounts.sign_in_with_code(session, code)
        session.execute(delete(SignInFailure).where(SignInFailure.id == attempt_id))
        return new_token(session, request, user, kind)


async def sign_in_with_code(request: Request, code: str | None, kind: str) -> str:
    """A printed one-time code for a token of ``kind``; throttled per address like password sign-ins
    (each code counts as its own name, so guessing codes from one address is stopped)."""
    if not isinstance(code, str) or not code.strip():
        raise Invalid("code", "is required")
    attempt_id, _ = await blocking(request, _begin, request, _key("code:" + accounts.normalise_code(code)), lambda session: None)
    return await blocking(request, _spend_code, request, attempt_id, code, kind)


def _store_password(request: Request, attempt_id: int | None, user_id: int, password_hash: str) -> None:
    with transaction(request) as session:
        if attempt_id is not None:
            session.execute(delete(SignInFailure).where(SignInFailure.id == attempt_id))
        accounts.set_password_hash(session, user_id, password_hash)


async def change_password(request: Request, user: User, current: str | None, new: str | None) -> None:
    """A new password for ``user``: the current one, when the account has one, is checked like a
    sign-in (a wrong one counts as a failed sign-in of the username, and the change is throttled with
    them); both argon2 runs happen in a worker thread, outside any transaction."""
    new = accounts.validate_password_change(user, current, new)
    attempt_id = None
    if policy.password_change_needs_current(user):
        attempt_id, password_hash = await blocking(request, _begin, request, _key(user.username),
                                                   lambda session: session.get(User, user.id).password_hash)
        if not await in_thread(accounts.password_matches, password_hash, current):
            raise Invalid("current", policy.CURRENT_PASSWORD_WRONG)
    await blocking(request, _store_password, request, attempt_id, user.id,
                   await in_thread(accounts.hash_password, new))
