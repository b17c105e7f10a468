"""Routes answered before Litestar's routing, for the API's most frequent write (the votes).

On its way to a handler Litestar routes the path, runs two exception middlewares, the app's
middlewares (the page cache's write watch, the CSRF path check), the kwargs and signature models and
builds a ``Response``: for a vote that cost more than the handler (bench/ANALYSIS.md, votereq). A
``FastRoute`` stands for one named Litestar route, which stays registered (its OpenAPI description,
and every answer but the plain success). A request that route would hand to its handler unchanged
(its method and exact path, ``int`` path parameters, a valid Host, a body within the route's limit and
fully received) gets its JSON from ``answer`` and is sent what the route sends: ``answers.send_json``,
the app's ``before_send`` hooks (the security headers), the page cache emptied as on any write.

Everything else goes the route's usual way, given again the messages already read: a request the
route would refuse before its handler (413, a bad Content-Length, a client gone), and any error
``answer`` raised, which the route's handler raises again (``raise_known_error``), so that Litestar's
exception handlers, hooks and logging make the error answer as they would have.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Sequence

from litestar import Litestar, Request
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from drafting.web.answers import send_json
from drafting.web.pagecache import PageCache, watch_writes
from drafting.web.request import SAFE_METHODS

try:
    # Litestar's own Host check (private): a fast route accepts exactly the Hosts Litestar accepts.
    from litestar._asgi.utils import is_valid_host
except ImportError:
    # Moved by a Litestar release: every vote goes its route's usual way, as correct and slower;
    # tests/amendments/test_vote_route.py fails so that the import is brought up to date.
    def is_valid_host(host: bytes) -> bool:
        return False

# scope key: the error a fast route's answer raised, for the route's handler to raise (raise_known_error)
KNOWN_ERROR = "navette.fast_route_error"
_INT_PARAMETER = re.compile(r"\{(\w+):int\}")

# answer(app, path parameters, scope, body or None) -> the encoded JSON of a 200
Answer = Callable[[Litestar, dict[str, int], Scope, "bytes | None"], Awaitable[bytes]]


@dataclass(frozen=True)
class FastRoute:
    """``answer`` for the Litestar route named ``route_name``; ``reads_body``: its handler reads the body."""

    route_name: str
    answer: Answer
    reads_body: bool = False


def _path_pattern(path: str) -> re.Pattern[str]:
    """The exact paths of a route template whose parameters are all ``int`` (as Litestar parses them)."""
    pieces = _INT_PARAMETER.split(path)
    if any("{" in piece for piece in pieces[::2]):
        raise ValueError(f"a fast route's parameters are ints only: {path}")
    return re.compile("".join(re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>[0-9]+)"
                              for i, piece in enumerate(pieces)))


class FastRoutes:
    """The app's ASGI handler with ``routes`` answered first: ``app.asgi_handler = FastRoutes(app, …)``."""

    def __init__(self, app: Litestar, routes: Sequence[FastRoute], page_cache: PageCache | None) -> None:
        self.app = app
        self.next_app: ASGIApp = app.asgi_handler
        self.page_cache = page_cache
        self.routes: dict[str, list[tuple[re.Pattern[str], FastRoute, float]]] = {}
        for route in routes:
            index = app.get_handler_index_by_name(route.route_name)
            if index is None:
                raise ValueError(f"no route named {route.route_name}")
            handler = index["handler"]
            if handler.resolve_guards() or handler.before_request or handler.after_response:
                raise ValueError(f"{route.route_name} has guards or hooks a fast route would skip")
            limit = handler.resolve_request_max_body_size() or math.inf
            for method in handler.http_methods:
                for path in index["paths"]:
                    self.routes.setdefault(method, []).append((_path_pattern(path), route, limit))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        candidates = self.routes.get(scope.get("method", "")) if scope["type"] == "http" else None
        if candidates and not scope.get("root_path"):
            for pattern, route, limit in candidates:
                if (found := pattern.fullmatch(scope["path"])) is not None:
                    await self._answer(route, limit, {k: int(v) for k, v in found.groupdict().items()},
                                       scope, receive, send)
                    return
        await self.next_app(scope, receive, send)

    async def _answer(self, route: FastRoute, limit: float, parameters: dict[str, int], scope: Scope,
                      receive: Receive, send: Send) -> None:
        host = raw_header(scope, b"host")
        if host is not None and not is_valid_host(host):
            await self.next_app(scope, receive, send)
            return
        body, read = None, []
        if route.reads_body:
            body, read = await _read_body(scope, receive, limit)
            if body is None:
                await self.next_app(scope, _replaying(read, receive), send)
                return
        try:
            content = await route.answer(self.app, parameters, scope, body)
        except Exception as error:
            scope[KNOWN_ERROR] = error  # type: ignore[literal-required]
            await self.next_app(scope, _replaying(read, receive), send)
            return
        if scope["method"] not in SAFE_METHODS:
            send = watch_writes(self.page_cache, send)
        await send_json(send, 200, content)


def raise_known_error(request: Request) -> None:
    """In a route's handler: raise the error its fast route already met for this request, if any."""
    error = request.scope.get(KNOWN_ERROR)
    if error is not None:
        raise error


def raw_header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of a request header as it came (``name`` in lower case, names compared so)."""
    return next((value for key, value in scope["headers"] if key.lower() == name), None)


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header, as Litestar's ``request.headers.get`` reads it."""
    value = raw_header(scope, name)
    return None if value is None else value.decode("latin-1")


async def _read_body(scope: Scope, receive: Receive, limit: float) -> tuple[bytes | None, list[Message]]:
    """The body as Litestar's ``Request.body`` reads it and the messages read, or None for a body it
    would refuse (announced or sent beyond ``limit``, a bad Content-Length, the client gone)."""
    announced = header(scope, b"content-length")
    if announced is not None:
        try:
            if int(announced) > limit:
                return None, []
        except ValueError:
            return None, []
    read: list[Any] = []
    chunks, total = [], 0
    while True:
        message = await receive()
        read.append(message)
        chunk = message.get("body")
        if message.get("type") != "http.request" or not isinstance(chunk, bytes):
            return None, read
        total += len(chunk)
        if total > limit:
            return None, read
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), read


def _replaying(read: list[Message], receive: Receive) -> Receive:
    """``receive``, giving first the messages already read."""
    if not read:
        return receive
    pending = list(read)

    async def replayed() -> Any:
        return pending.pop(0) if pending else await receive()

    return replayed
