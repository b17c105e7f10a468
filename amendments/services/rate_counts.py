"""The rate limits' counters (``RateLimitCounter``, one row per key and fixed window), shared by every
worker through the database: the one place their statements are written, built once. The limits
themselves (how many writes, which keys) are drafting/web/ratelimit.py's; a batch of votes applies them
to many writes at once (amendments/services/vote_batches.py)."""
from __future__ import annotations

import functools

from sqlalchemy import Integer, String, bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from amendments.models import RateLimitCounter
from drafting.db import Prepared


def add(connection: Connection, key: str, window_start: int, hits: int = 1) -> int:
    """Count ``hits`` writes for ``key`` in the window (one atomic upsert) and answer the window's count
    so far; the first writes of a new window end the key's older windows."""
    added, forget, _ = _statements(connection.dialect.name)
    count = added.first(connection, key=key, window_start=window_start, moved=hits)[0]
    if count == hits:
        forget.run(connection, key=key, window_start=window_start)
    return count


def take_back(connection: Connection, key: str, window_start: int, hits: int) -> None:
    """Writes counted by ``add`` that were refused after all: a refused write uses up nothing."""
    _statements(connection.dialect.name)[2].run(connection, key=key, window_start=window_start, moved=-hits)


@functools.lru_cache(maxsize=2)
def _statements(dialect: str) -> tuple[Prepared, Prepared, Prepared]:
    """Add (creating the row), forget the older windows, take back."""
    table = RateLimitCounter.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    key, start = bindparam("key", type_=String), bindparam("window_start", type_=Integer)
    moved = bindparam("moved", type_=Integer)
    added = insert(table).values(key=key, window_start=start, count=moved).on_conflict_do_update(
        index_elements=[table.c.key, table.c.window_start], set_={"count": table.c.count + moved})
    mine = (table.c.key == key) & (table.c.window_start == start)
    return (Prepared(added.returning(table.c.count)),
            Prepared(delete(table).where(table.c.key == key, table.c.window_start < start)),
            Prepared(table.update().where(mine).values(count=table.c.count + moved)))
