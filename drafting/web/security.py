"""Security headers on every answer (pages, API, static files, errors, page-cache replays), and
``Secure`` cookies when the request came over https (after uvicorn's proxy headers).

A ``before_send`` hook of the app, so it sees every answer Litestar sends, the ones no route handled
(404) included. The Content-Security-Policy allows no inline script or style: templates carry none,
and htmx is told not to inject its indicator style (``htmx-config`` meta tag in base.html).
"""
from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",  # frame-ancestors for browsers that predate it
}
HSTS = "max-age=31536000; includeSubDomains"
# Cookies that carry a session or a CSRF secret: never sent over plain http once the site is https.
SECURE_COOKIES = ("navette_session=", "navette_csrf=")
# The same headers as the ASGI message carries them, encoded once (this hook runs on every answer).
_ENCODED = tuple((name.encode("latin-1"), value.encode("latin-1")) for name, value in HEADERS.items())


def served_over_https(scope: Scope) -> bool:
    return scope.get("scheme") in ("https", "wss")


async def security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    raw = message.get("headers")
    if not isinstance(raw, list):
        raw = message["headers"] = list(raw or ())
    present = {name.lower() for name, _ in raw}
    raw.extend(header for header in _ENCODED if header[0] not in present)
    if not served_over_https(scope):
        return
    headers = MutableScopeHeaders.from_message(message)
    headers["strict-transport-security"] = HSTS
    cookies = headers.getall("set-cookie", [])
    if any(cookie.startswith(SECURE_COOKIES) for cookie in cookies):
        del headers["set-cookie"]
        for cookie in cookies:
            secure = cookie.startswith(SECURE_COOKIES) and "secure" not in cookie.lower().replace(" ", "").split(";")
            headers.add("set-cookie", f"{cookie}; Secure" if secure else cookie)
