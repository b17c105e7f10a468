"""One-time confirmations after a form post ("flash"): the 303 that ends a successful post sets a short
cookie naming what happened; the next whole page shows the message (templates/_flash.html, included by
base.html with role="status") and clears the cookie.

The cookie holds only a kind from ``KINDS``, never text: the words are the template's, translated like
any other, and a forged cookie can at most show one of these confirmations. Flashes follow signed-in
actions only, so they never meet the anonymous page cache (which also passes by any request carrying one).
"""
from __future__ import annotations

from litestar import Request, Response
from litestar.datastructures import Cookie

FLASH_COOKIE = "navette_flash"
KINDS = frozenset({"registered", "proposed", "merged", "rejected", "published", "opened", "closed"})
LIFETIME = 120  # seconds: long enough to follow the redirect, short enough to never meet a later page


def after_success(response: Response, kind: str) -> Response:
    """``response`` with the flash ``kind`` set when it is the 303 of a successful post (a form shown
    again with its errors is no success)."""
    if kind not in KINDS:
        raise ValueError(kind)
    if response.status_code == 303:
        response.set_cookie(FLASH_COOKIE, kind, max_age=LIFETIME, httponly=True, samesite="lax", path="/")
    return response


def pending(request: Request) -> str | None:
    """The flash waiting for this request's page, if it is a known kind."""
    kind = request.cookies.get(FLASH_COOKIE)
    return kind if kind in KINDS else None


def cleared() -> Cookie:
    """The cookie that deletes the flash once a page has shown it."""
    return Cookie(key=FLASH_COOKIE, value="", max_age=0, httponly=True, samesite="lax", path="/")
