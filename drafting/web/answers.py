"""A JSON answer encoded once and sent as two ASGI messages, for the API's most frequent write (the votes).

Litestar's ``Response`` is encoded at the end of the handler (its content, then a header object per
answer, then an ``ASGIResponse`` encoding those headers again); for a small body that costs more
than the body. ``EncodedJSON`` is a ``Response`` (the handler keeps its documented return type, and the
``after_request`` hook still sees it) whose ASGI answer is the encoded body with its two headers, the
same bytes Litestar sends for the same content. Headers or cookies added on the way go the usual way.
"""
from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response
from litestar.enums import MediaType
from litestar.types import Receive, Scope, Send

_CONTENT_TYPE = (b"content-type", MediaType.JSON.value.encode())


class _Sent:
    """The ASGI answer: status, content type and length, body."""

    __slots__ = ("status", "body")

    def __init__(self, status: int, body: bytes) -> None:
        self.status, self.body = status, body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send_json(send, self.status, self.body)


async def send_json(send: Send, status: int, body: bytes) -> None:
    """An encoded JSON answer as Litestar sends it: its content type and length, then the body."""
    await send({"type": "http.response.start", "status": status,
                "headers": [_CONTENT_TYPE, (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class EncodedJSON(Response[Any]):
    """``content`` as JSON (msgspec, as Litestar encodes it), with ``status_code``."""

    def __init__(self, content: Any, status_code: int = 200) -> None:
        super().__init__(msgspec.json.encode(content), media_type=MediaType.JSON, status_code=status_code)

    def to_asgi_response(self, app: Any, request: Request, **kwargs: Any) -> Any:
        # The handler's status and media type come second to the answer's own (as in Litestar's).
        if (self.headers or self.cookies or self.background
                or kwargs.get("headers") or kwargs.get("cookies") or kwargs.get("background")
                or kwargs.get("encoded_headers") or kwargs.get("is_head_response")):
            return super().to_asgi_response(app, request, **kwargs)
        return _Sent(self.status_code or 200, self.content)
