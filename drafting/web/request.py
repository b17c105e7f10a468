"""Glue shared by API handlers and pages: the request's transaction and the signed-in user."""
from __future__ import annotations

import functools
from contextlib import contextmanager
from typing import Any, Awaitable, Callable, Iterator, TypeVar

import anyio.to_thread

from litestar import Request
from sqlalchemy.orm import Session

from drafting import retry
from drafting.services import accounts
from drafting.db import Database
from drafting.models import User

T = TypeVar("T")


def threaded(fn: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """Run a blocking handler (database work) in the thread pool, or on the event loop itself when the
    app's settings say so (``Settings.inline_handlers``: the default on SQLite, where a request's
    queries take microseconds and handing each one to a thread costs more than the work, the GIL
    being shared anyway).

    Litestar's ``sync_to_thread=True`` wraps the handler object in place, so a handler registered
    on a second app (every test creates one) is wrapped twice and answers a coroutine.
    """

    @functools.wraps(fn)
    async def run(*args: Any, **kwargs: Any) -> T:
        return await blocking(kwargs.get("request"), fn, *args, **kwargs)

    return run


async def blocking(request: Request | None, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``fn`` (blocking database work) where ``threaded`` says, replayed if PostgreSQL aborts it for a
    deadlock before anything of it committed (drafting/retry.py)."""
    if request is not None and request.app.state.settings.inline_handlers:
        return retry.replayable(fn, *args, **kwargs)
    return await anyio.to_thread.run_sync(functools.partial(retry.replayable, fn, *args, **kwargs))


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_COOKIE = "navette_session"


def database(request: Request) -> Database:
    return request.app.state.db


@contextmanager
def transaction(request: Request) -> Iterator[Session]:
    """One transaction per request: a failed request leaves nothing half-written."""
    with database(request).session(write=request.method not in SAFE_METHODS) as session:
        yield session


def bearer_token(request: Request) -> str | None:
    return bearer_of(request.headers.get("authorization", ""))


def bearer_of(header: str) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header's value, or None."""
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _writes(session: Session, request: Request) -> bool:
    """A write request in a write transaction: there the token's last use is recorded (a POST that
    only reads, like the proposal preview, runs in a read transaction and records nothing)."""
    return request.method not in SAFE_METHODS and session.get_bind() is database(request).write_engine


def api_user(session: Session, request: Request) -> User | None:
    """The API authenticates with bearer tokens only, so it needs no CSRF protection."""
    return accounts.user_for_token(session, bearer_token(request), "api", touch=_writes(session, request))


def page_user(session: Session, request: Request) -> User | None:
    return accounts.user_for_token(session, request.cookies.get(SESSION_COOKIE), "web",
                                   touch=_writes(session, request))


def new_token(session: Session, request: Request, user: User, kind: str) -> str:
    """An API token ("api") or browser session ("web") lasting the deployment's NAVETTE_TOKEN_DAYS."""
    return accounts.issue_token(session, user, kind, days=request.app.state.settings.token_days)
