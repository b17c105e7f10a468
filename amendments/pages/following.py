"""Following pages (issue 13): the follow button's form, /me/changes, and the personal Atom feed behind its
secret address. Forms post for real and answer 303; htmx gets the changed button instead."""
from __future__ import annotations

import re

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from amendments.services import following
from amendments.views import following as views
from drafting.errors import NotFound
from drafting.web import ratelimit
from drafting.web.immutable import NO_CSRF_COOKIE
from drafting.web.render import back, is_htmx, local_path, login_redirect, render
from drafting.web.request import page_user, threaded, transaction

# Characters XML 1.0 forbids even escaped (a pasted text may carry one): left out of the feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@post("/follows/{kind:str}/{target_id:int}", name="following:toggle")
@threaded
def toggle(request: Request, kind: FromPath[str], target_id: FromPath[int],
           data: URLEncodedBody[dict[str, str]]) -> Response:
    """``follow=1`` follows, ``follow=0`` stops following; back to ``next`` (or the changes page)."""
    with transaction(request) as session:
        user = page_user(session, request)
        if user is None:
            return login_redirect(request)
        ratelimit.enforce(session, request, user)
        if data.get("follow", "1") == "0":
            following.unfollow(session, user, kind, target_id)
        else:
            following.follow(session, user, kind, target_id)
        here = local_path(data.get("next"), request.app.route_reverse("following:changes"))
        if is_htmx(request):
            row = following.target_row(session, kind, target_id)
            return render("following/_follow_button.html", session, request, user=user, here=here,
                          follow=following.follow_state(session, user, kind, row))
        return back(here)


@get("/me/changes", name="following:changes")
@threaded
def changes_page(request: Request) -> Template | Redirect:
    with transaction(request) as session:
        user = page_user(session, request)
        if user is None:
            return login_redirect(request)
        return render("following/changes.html", session, request, user=user, **views.changes_page(session, user, request.app.route_reverse))


def _act(request: Request, action, anchor: str = "") -> Redirect:
    """A form of /me/changes: ``action(session, user)`` for the signed-in person, then back to the page."""
    with transaction(request) as session:
        user = page_user(session, request)
        if user is None:
            return login_redirect(request)
        ratelimit.enforce(session, request, user)
        action(session, user)
        return back(request.app.route_reverse("following:changes"), anchor)


@post("/me/changes/seen", name="following:seen")
@threaded
def mark_seen(request: Request) -> Redirect:
    return _act(request, following.mark_seen)


@post("/me/feed", name="following:feed")
@threaded
def renew_feed(request: Request) -> Redirect:
    """A new secret address for the feed; the old one stops answering."""
    return _act(request, following.renew_feed_token, "feed")


@get("/feeds/{feed_file:str}", name="following:atom", opt=NO_CSRF_COOKIE)
@threaded
def personal_feed(request: Request, feed_file: FromPath[str]) -> Response:
    """``/feeds/{secret}.atom``: no sign-in, the secret is the key; an old or unknown one is a 404."""
    token = feed_file.removesuffix(".atom")
    if token == feed_file:
        raise NotFound("no such feed")
    with transaction(request) as session:
        owner = following.feed_owner(session, token)
        template = request.app.template_engine.get_template("following/feed.atom.xml")
        body = template.render(request=request, base=str(request.base_url).rstrip("/"), self_path=request.url.path,
                               **views.feed_context(session, owner))
        return Response(content=_NOT_XML.sub("", body).encode(), media_type="application/atom+xml; charset=utf-8",
                        headers={"Cache-Control": "private, max-age=300", "Vary": "Accept-Language, Cookie",
                                 "X-Robots-Tag": "noindex"})


following_pages = [toggle, changes_page, mark_seen, renew_feed, personal_feed]
