"""A few seconds' cache of whole answers for anonymous readers, so a traffic spike costs almost nothing.

During a spike most requests are anonymous GETs of the same public pages and JSON. The middleware
keeps each such answer, whole (status, headers, body), for ``page_cache_seconds`` and replays it
without calling the handler, opening a database session or rendering anything.

What is cached: a GET without a ``navette_session`` cookie, an ``Authorization`` header or an
``HX-Request`` header, on a path ``cacheable_path`` accepts, that answers 200 without
``Cache-Control: no-store`` or ``private``, without ``Content-Encoding``, varying on nothing but
``HX-Request`` and ``Cookie``, setting no cookie but the CSRF one (stripped), in at most 1 MB.
The key is scheme, host, path, query string and the resolved language (the ``lang`` query
parameter or cookie, else Accept-Language: drafting.i18n.request_language; no route negotiates on
``Accept``). HEAD is not served from the cache: the
routes answer HEAD with 405 today, and a hit must not answer differently from a miss.

A conditional GET is answered from the cache too: 304 when ``If-None-Match`` matches the stored
ETag (compared weakly, as drafting.history_pages does), the stored answer otherwise.

Freshness: a non-safe request (POST, PUT, PATCH, DELETE) answering below 400 empties the cache of
its process when its answer starts, after its transaction committed; an answer being rendered
while that happens is not stored. Writes by other processes (other workers and machines, the
command line) are caught by the database's write mark (``Database.write_mark``: on SQLite the size
and time of its files; on PostgreSQL a sequence every write transaction moves after it commits),
read before an answer is rendered and compared before it is replayed: an answer older than the
last write is rendered again. Concurrent misses of one key wait for the first one's answer instead
of each rendering it.

Each response considered gets ``X-Navette-Cache: hit`` or ``miss``; requests the cache does not
consider (signed in, htmx, other methods and paths) get no such header.
"""
from __future__ import annotations

import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

import anyio
from litestar import Request
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from drafting.web.flash import FLASH_COOKIE
from drafting.web.request import SAFE_METHODS, SESSION_COOKIE

MAX_BODY_BYTES = 1024 * 1024
CACHE_HEADER = b"x-navette-cache"

# Public pages and the JSON API; anything else (sign-in, language switch, moderation, reports,
# health check, static files) is never cached.
_PUBLIC = re.compile(r"/(?:\Z|bills/|amendments/|articles/|api/v1/)")
# Under those prefixes, what only staff or signed-in people use: the authors' desk, assisted
# accounts, the proposal form, the caller's own account, moderation, sign-in.
_PERSONAL = re.compile(
    r"/(?:bills/[^/]+/(?:review|participants)|bills/[^/]+/articles/[^/]+/propose|articles/[^/]+/merge"
    r"|api/v1/(?:me|moderation|auth))(?:/|\Z)"
)
# Vary values the key already covers: HX-Request requests bypass, and an anonymous answer's body
# does not depend on any cookie but ``lang`` nor on Accept-Language but through the language (in the key).
_COVERED_VARY = frozenset({"hx-request", "cookie", "accept-language"})
# What a 304 carries from the stored answer (RFC 9110 section 15.4.5).
_NOT_MODIFIED_HEADERS = frozenset({b"etag", b"cache-control", b"vary", b"expires", b"content-location", b"date"})

Key = tuple[str, str, str, bytes, str]


def cacheable_path(path: str) -> bool:
    """Whether an anonymous GET of ``path`` may be answered from, and stored in, the cache.

    Templates use it too: an anonymous page on such a path is shared by every visitor, so it must
    not carry a per-visitor secret (the CSRF token).
    """
    return _PUBLIC.match(path) is not None and _PERSONAL.match(path) is None


@dataclass(frozen=True, slots=True)
class Entry:
    """One stored answer: always a 200, without Set-Cookie."""

    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: bytes | None
    expires: float
    mark: object = None  # the database's write mark read before the answer was rendered


class _Flight:
    """A miss being rendered; requests for the same key wait for its entry."""

    __slots__ = ("done", "entry")

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.entry: Entry | None = None


class PageCache:
    """The stored answers of one process, least recently used first, and a write generation."""

    def __init__(self, seconds: float, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self.clock = clock
        self.generation = 0
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self.flights: dict[Key, _Flight] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Key) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= self.clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: Key, entry: Entry) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def invalidate(self) -> None:
        """A write happened: drop everything, and refuse answers rendered before it."""
        self.generation += 1
        self._entries.clear()


def _header_values(headers: list[tuple[bytes, bytes]], name: bytes) -> list[str]:
    return [value.decode("latin-1") for key, value in headers if key.lower() == name]


def _tokens(values: list[str]) -> set[str]:
    return {token.strip().lower() for value in values for token in value.split(",") if token.strip()}


def _stored_headers(headers: list[tuple[bytes, bytes]], csrf_cookie: str) -> tuple[tuple[bytes, bytes], ...] | None:
    """The headers to replay, or None if the answer must not be shared."""
    if _tokens(_header_values(headers, b"cache-control")) & {"no-store", "private"}:
        return None
    if _header_values(headers, b"content-encoding"):
        return None
    if not _tokens(_header_values(headers, b"vary")) <= _COVERED_VARY:
        return None
    kept = []
    for key, value in headers:
        name = key.lower()
        if name == b"set-cookie":
            # The CSRF middleware gives each new visitor a cookie; any other cookie is personal.
            if value.decode("latin-1").partition("=")[0].strip() != csrf_cookie:
                return None
            continue
        if name != CACHE_HEADER:
            kept.append((name, value))
    return tuple(kept)


def _etag_matches(if_none_match: str, etag: bytes) -> bool:
    """If-None-Match compares weakly (RFC 9110 section 13.1.2): W/"x" matches "x"."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag.decode("latin-1").removeprefix("W/") in tags


class PageCacheMiddleware(ASGIMiddleware):
    """App-level middleware: replays stored anonymous answers, stores new ones, and empties the
    cache when a write succeeds."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, cache: PageCache, language: Callable[[Request], str], csrf_cookie: str,
                 write_mark: Callable[[], object] = lambda: None) -> None:
        self.cache = cache
        self.language = language
        self.csrf_cookie = csrf_cookie
        self.write_mark = write_mark

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        method = scope["method"]
        if method not in SAFE_METHODS:
            await next_app(scope, receive, watch_writes(self.cache, send))
            return
        if method != "GET" or not cacheable_path(scope["path"]):
            await next_app(scope, receive, send)
            return
        request = Request(scope)
        headers = request.headers
        if (request.cookies.get(SESSION_COOKIE) or request.cookies.get(FLASH_COOKIE) or "authorization" in headers
                or "hx-request" in headers):
            await next_app(scope, receive, send)
            return
        key: Key = (scope["scheme"], headers.get("host", ""), scope["path"], scope["query_string"],
                    self.language(request))
        if_none_match = headers.get("if-none-match")
        mark = self.write_mark()
        entry = self.cache.get(key)
        if entry is not None and entry.mark != mark:  # written since, by this process or another
            entry = None
        if entry is None and (flight := self.cache.flights.get(key)) is not None:
            await flight.done.wait()
            entry = flight.entry
        if entry is not None:
            await _replay(entry, if_none_match, send)
            return
        await self._miss(key, mark, scope, receive, send, next_app)

    async def _miss(self, key: Key, mark: object, scope: Scope, receive: Receive, send: Send,
                    next_app: ASGIApp) -> None:
        """Render through the handler, pass the answer on as it comes, and store it if it may be shared."""
        cache = self.cache
        generation = cache.generation
        leader = key not in cache.flights
        flight = _Flight()
        if leader:
            cache.flights[key] = flight
        stored_headers: tuple[tuple[bytes, bytes], ...] | None = None
        body = bytearray()
        complete = False

        async def capture(message: Message) -> None:
            nonlocal stored_headers, complete
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if message["status"] == 200:
                    stored_headers = _stored_headers(headers, self.csrf_cookie)
                message = {**message, "headers": [*headers, (CACHE_HEADER, b"miss")]}
            elif message["type"] == "http.response.body" and stored_headers is not None:
                chunk = message.get("body", b"")
                if len(body) + len(chunk) > MAX_BODY_BYTES:
                    stored_headers = None
                    body.clear()
                else:
                    body.extend(chunk)
                    complete = not message.get("more_body", False)
            await send(message)

        try:
            await next_app(scope, receive, capture)
            if stored_headers is not None and complete and cache.generation == generation:
                etag = next((value for name, value in stored_headers if name == b"etag"), None)
                flight.entry = Entry(stored_headers, bytes(body), etag, cache.clock() + cache.seconds, mark)
                cache.put(key, flight.entry)
        finally:
            if leader:
                if cache.flights.get(key) is flight:
                    del cache.flights[key]
                flight.done.set()


def watch_writes(cache: PageCache | None, send: Send) -> Send:
    """``send``, emptying ``cache`` when a write's answer starts below 400 (the answers of non-safe
    requests: this middleware's, and the routes answered before it, drafting/web/fastroutes.py)."""
    if cache is None:
        return send

    async def watched(message: Message) -> None:
        # At the start of the answer the handler's transaction has committed: from now on
        # every reader of this process must see the write.
        if message["type"] == "http.response.start" and message["status"] < 400:
            cache.invalidate()
        await send(message)

    return watched


async def _replay(entry: Entry, if_none_match: str | None, send: Send) -> None:
    if if_none_match and entry.etag is not None and _etag_matches(if_none_match, entry.etag):
        headers = [(name, value) for name, value in entry.headers if name in _NOT_MODIFIED_HEADERS]
        await send({"type": "http.response.start", "status": 304, "headers": [*headers, (CACHE_HEADER, b"hit")]})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    await send({"type": "http.response.start", "status": 200, "headers": [*entry.headers, (CACHE_HEADER, b"hit")]})
    await send({"type": "http.response.body", "body": entry.body, "more_body": False})
