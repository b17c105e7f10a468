"""Replaying a request's work when PostgreSQL aborted its transaction for a deadlock or a
serialization failure: the database undid everything, so running the same work again is what the
person asked for, and they never see the abort.

Only work none of whose transactions had committed is replayed (``Database.session`` tells
``committed``): replaying after a commit would write that part twice. A few attempts at most, a
short random pause between them, and each retry logged.
"""
from __future__ import annotations

import logging
import random
import time
from contextvars import ContextVar
from typing import Any, Callable, TypeVar

from sqlalchemy.exc import DBAPIError

log = logging.getLogger("navette.retry")
T = TypeVar("T")

ATTEMPTS = 4
TRANSIENT = {"40P01": "deadlock", "40001": "serialization failure"}
_commits: ContextVar[list[int] | None] = ContextVar("navette_replayable_commits", default=None)


def transient(error: BaseException) -> str | None:
    """What PostgreSQL aborted the transaction for, when running it again may succeed; else None."""
    if isinstance(error, DBAPIError):
        return TRANSIENT.get(getattr(error.orig, "sqlstate", None) or "")
    return None


def committed() -> None:
    """A write transaction of the running work committed: from now on it cannot be replayed."""
    commits = _commits.get()
    if commits is not None:
        commits[0] += 1


def replayable(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, run again (ATTEMPTS times in all) while PostgreSQL aborts it for a
    deadlock or a serialization failure before any of its transactions committed."""
    for attempt in range(1, ATTEMPTS + 1):
        commits = [0]
        token = _commits.set(commits)
        try:
            return fn(*args, **kwargs)
        except DBAPIError as error:
            reason = transient(error)
            if reason is None or commits[0] or attempt == ATTEMPTS:
                raise
            log.warning("%s aborted by a %s; running it again (attempt %d of %d)",
                        getattr(fn, "__qualname__", "request"), reason, attempt + 1, ATTEMPTS)
        finally:
            _commits.reset(token)
        time.sleep(random.uniform(0, 0.005 * 2 ** attempt))  # the other transaction finishes meanwhile
    raise AssertionError("unreachable")
