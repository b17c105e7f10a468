"""Encoded JSON answers that are the same for every reader, kept until the database is next written.

One amendment and one article as JSON (CONTRACT §2) carry nothing of the person asking: signed in or
not, everyone gets the same bytes. The anonymous page cache (drafting/web/pagecache.py) never answers
signed-in readers, who are the people taking part; this cache answers them too, from inside the
handler, without opening a database session.

What is kept: the encoded body of a document, under a key the handler names (``("amendment", 12)``),
together with the database's write mark (``Database.write_mark``) read *before* the document was
built. A stored body is answered only while the mark is unchanged: any write transaction moves it (on
PostgreSQL a sequence every write transaction of every worker moves after it commits; on SQLite this
process's count of its write transactions, exact, and the size and time of the database files, which
catch other processes), so an answer is never older than the last write this process made or the
database shows. As the page cache does, an entry also expires after ``MAX_AGE`` seconds, which bounds
what a write of another process could go unseen for if a file's coarse clock hid it. At most
``document_cache_entries`` documents per worker (NAVETTE_DOCUMENT_CACHE_ENTRIES; 0 turns the cache off).
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable, Hashable

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.serialization import encode_json
from sqlalchemy.orm import Session

from drafting.web.request import database, transaction


MAX_AGE = 2.0  # seconds


class DocumentCache:
    """The encoded documents of one process, all built under one write mark."""

    def __init__(self, max_entries: int, seconds: float = MAX_AGE, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self.clock = clock
        self._mark: object = None
        self._entries: dict[Hashable, tuple[bytes, float]] = {}
        self._lock = threading.Lock()  # handlers run in threads on PostgreSQL

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable, mark: object) -> bytes | None:
        if mark is None or mark != self._mark:
            return None
        found = self._entries.get(key)
        if found is None or found[1] <= self.clock():
            return None
        return found[0]

    def put(self, key: Hashable, mark: object, body: bytes) -> None:
        """Keep ``body``, built from what the database held at ``mark``, unless it has moved on since."""
        if mark is None:
            return
        with self._lock:
            if mark != self._mark:
                # The first document built after a write: everything kept under the old mark is stale.
                # (A slow request built under an even older mark only drops the cache: no harm.)
                self._entries.clear()
                self._mark = mark
            elif len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (body, self.clock() + self.seconds)


def document(request: Request, key: Hashable, build: Callable[[Session], Any]) -> Response[Any]:
    """200 with the JSON of ``build(session)`` (a read transaction), from the cache while the database
    is unwritten; ``build`` must not depend on who asks (it raises for a 404 as usual)."""
    cache: DocumentCache | None = request.app.state.document_cache
    mark = database(request).write_mark() if cache is not None else None
    body = cache.get(key, mark) if cache is not None else None
    if body is None:
        with transaction(request) as session:
            body = encode_json(build(session))
        if cache is not None:
            cache.put(key, mark, body)
    return Response(body, media_type=MediaType.JSON)
