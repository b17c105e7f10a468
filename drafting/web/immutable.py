"""Answers that never change (a published version, the difference between two named versions).

They carry a strong ETag and ``Cache-Control: max-age=31536000, immutable`` (public for anonymous
readers), and answer 304 to a matching If-None-Match before any database work. The ETag names what
the answer is (its URL, for pages also the language, htmx and the reader) and the format it is
written in: ``JSON_FORMAT`` and ``PAGE_FORMAT`` are bumped by hand whenever the code changes the bytes
of such an answer (a field added to a version's JSON, a new redline layout); a release, a template
or a translation changes the page ETags by itself.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.metadata
from typing import Any, Callable

import msgspec
from litestar import MediaType, Request, Response
from litestar.response import Template
from litestar.utils.scope.state import ScopeState

from drafting import i18n, policy
from drafting.models import User
from drafting.settings import TEMPLATES_DIR
from drafting.web.request import SESSION_COOKIE
from drafting.web.templates import request_language

# Bump when the JSON of a version or of a diff between named versions changes shape or content.
JSON_FORMAT = 1
# Bump when code (not a template) changes what an immutable page shows: the diff, the redline.
PAGE_FORMAT = 1

ONE_YEAR = 365 * 24 * 3600
IMMUTABLE_PUBLIC = f"public, max-age={ONE_YEAR}, immutable"
IMMUTABLE_PRIVATE = f"private, max-age={ONE_YEAR}, immutable"
# Immutable pages skip the CSRF middleware: it would set a cookie on a publicly cached response.
NO_CSRF_COOKIE = {"exclude_from_csrf": True}


@functools.cache
def _page_format() -> str:
    """What the pages are rendered with: the release, ``PAGE_FORMAT``, the templates, the translations."""
    digest = hashlib.sha256(f"page-format-{PAGE_FORMAT}".encode())
    try:
        digest.update(importlib.metadata.version("navette").encode())
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        digest.update(b"dev")
    for path in sorted(p for p in TEMPLATES_DIR.rglob("*") if p.is_file()):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(i18n.catalog_digest().encode())
    return digest.hexdigest()


def strong_etag(*parts: Any) -> str:
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode())
    return f'"{digest.hexdigest()[:40]}"'


def fresh(request: Request, etag: str) -> bool:
    """If-None-Match compares weakly (RFC 9110 §13.1.2): W/"x" matches "x"."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag in tags


def json_etag(request: Request) -> str:
    """The ETag of an immutable JSON answer: its URL and ``JSON_FORMAT``, known before any database work."""
    query = sorted(request.query_params.items())
    return strong_etag(f"json-format-{JSON_FORMAT}", request.url.path, query)


def not_modified(request: Request) -> Response | None:
    """304 when the reader already has this immutable JSON answer, before any work."""
    etag = json_etag(request)
    if fresh(request, etag):
        return Response(content=b"", status_code=304, headers={"ETag": etag, "Cache-Control": IMMUTABLE_PUBLIC})
    return None


def immutable_json(request: Request, body: Any) -> Response:
    """A JSON body that never changes (a version, a diff between named versions), cached for good."""
    headers = {"ETag": json_etag(request), "Cache-Control": IMMUTABLE_PUBLIC}
    return Response(content=msgspec.json.encode(body), media_type=MediaType.JSON, headers=headers)


def immutable_page(request: Request, user: User | None, key: tuple[Any, ...],
                   build: Callable[[], tuple[str, dict[str, Any]]]) -> Response:
    """Render an immutable page, or 304 if the reader already has it.

    The representation depends on the URL's resource (``key``), the language, whether htmx asked for
    a fragment, and the reader: anonymous readers all get the same bytes (no CSRF token, no user
    menu), so that page is public; a signed-in reader's page carries their menu, so it is private.
    """
    hx = bool(request.headers.get("hx-request"))
    if user is None:
        viewer, cache_control = "anonymous", IMMUTABLE_PUBLIC
    else:
        csrf_cookie = request.app.csrf_config.cookie_name if request.app.csrf_config else ""
        viewer = hashlib.sha256(
            f"{user.id}:{request.cookies.get(SESSION_COOKIE, '')}:{request.cookies.get(csrf_cookie, '')}".encode()
        ).hexdigest()
        cache_control = IMMUTABLE_PRIVATE
        # The sign-out form in the menu still needs the reader's own token.
        if csrf_cookie and request.cookies.get(csrf_cookie):
            ScopeState.from_scope(request.scope).csrf_token = request.cookies[csrf_cookie]
    headers = {
        "ETag": strong_etag(_page_format(), *key, request_language(request), hx, viewer),
        "Cache-Control": cache_control,
        "Vary": "Cookie, HX-Request, Accept-Language",
    }
    if fresh(request, headers["ETag"]):
        return Response(content=b"", status_code=304, headers=headers)
    template, context = build()
    return Template(template_name=template, context={**context, "user": user, "moderator": policy.is_moderator(user)},
                    headers=headers)
