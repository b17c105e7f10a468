"""Answering a page: a template with the signed-in user, htmx fragments, redirects that stay on this site."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from litestar import Request
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from drafting import i18n, policy
from drafting.web import flash
from drafting.web.request import page_user


def render(template: str, session: Session, request: Request, status_code: int = 200, **context: Any) -> Template:
    """A page with the signed-in ``user`` (and ``moderator``, for the menu) in its context; ``Vary: HX-Request`` since some pages
    answer htmx requests with a fragment."""
    if "user" not in context:
        context["user"] = page_user(session, request)
    context.setdefault("moderator", policy.is_moderator(context["user"]))
    whole_page = not template.rpartition("/")[2].startswith("_") and (
        not is_htmx(request) or bool(request.headers.get("hx-boosted")))
    shown = flash.pending(request) if whole_page else None
    context.setdefault("flash", shown)
    # The page's language bound once: the templates' ``_`` and ``ngettext`` (context names come before
    # the environment's globals, which resolve the language at each call).
    context["_"], context["ngettext"] = i18n.bound(i18n.request_language(request))
    return Template(template_name=template, context=context, status_code=status_code,
                    headers={"Vary": "HX-Request"}, cookies=[flash.cleared()] if shown else None)


def is_htmx(request: Request) -> bool:
    """Whether htmx asked for a fragment rather than the whole page."""
    return bool(request.headers.get("hx-request"))


def local_path(target: str | None, fallback: str = "/") -> str:
    """Only redirect to paths on this site."""
    if not target:
        return fallback
    # Browsers read "/\\host" as "//host" and drop tabs and newlines: both could lead off-site.
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def here(request: Request) -> str:
    """The path and query of the current request."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def login_redirect(request: Request) -> Redirect:
    """To the sign-in page, and back here afterwards."""
    return Redirect(path=f"{request.app.route_reverse('login')}?{urlencode({'next': here(request)})}",
                    status_code=303)


def back(url: str, anchor: str = "") -> Redirect:
    """303 to ``url`` (at ``anchor``) after a form post."""
    return Redirect(path=url + (f"#{anchor}" if anchor else ""), status_code=303, headers={"Vary": "HX-Request"})
