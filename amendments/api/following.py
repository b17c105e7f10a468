"""JSON API of following (issue 13, an extension of the contract): follows, the changes list and the
personal feed's address. Handlers only translate HTTP; every write counts against the rate limits."""
from __future__ import annotations

from datetime import datetime

from litestar import Request, Response, Router, delete, get, post, put
from litestar.params import FromPath, FromQuery

from amendments.services import following
from amendments.views import following as views
from amendments.views.shapes import ChangesJSON, FeedJSON, FollowJSON
from drafting import policy
from drafting.errors import Invalid
from drafting.web import ratelimit
from drafting.web.paging import PageWindow, paginated
from drafting.web.request import api_user, threaded, transaction


def _writer(session, request: Request):
    user = policy.require_user(api_user(session, request))
    ratelimit.enforce(session, request, user)
    return user


@put("/follows/{kind:str}/{target_id:int}", name="api:follow", status_code=200)
@threaded
def follow(request: Request, kind: FromPath[str], target_id: FromPath[int]) -> FollowJSON:
    """Follow a bill, an article or an amendment (again: the same follow)."""
    with transaction(request) as session:
        return views.follow_json(following.follow(session, _writer(session, request), kind, target_id))


@delete("/follows/{kind:str}/{target_id:int}", name="api:unfollow", status_code=204)
@threaded
def unfollow(request: Request, kind: FromPath[str], target_id: FromPath[int]) -> None:
    with transaction(request) as session:
        following.unfollow(session, _writer(session, request), kind, target_id)


@get("/me/follows", name="api:me:follows")
@threaded
def my_follows(request: Request, page: PageWindow) -> Response[list[FollowJSON]]:
    with transaction(request) as session:
        user = policy.require_user(api_user(session, request))
        return paginated(request, page, lambda limit, offset: following.follows(session, user, limit=limit, offset=offset),
                         lambda rows: [views.follow_json(row) for row in rows])


def _since(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid("since", "must be an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise Invalid("since", "must be an ISO 8601 time with its offset (Z for UTC)")
    return moment


@get("/me/changes", name="api:me:changes")
@threaded
def my_changes(request: Request, since: FromQuery[str | None] = None) -> ChangesJSON:
    """What changed since ``since`` (default: the last time the changes were marked seen), newest first."""
    moment = _since(since)
    with transaction(request) as session:
        user = policy.require_user(api_user(session, request))
        return views.changes_json(session, user, moment)


@post("/me/changes/seen", name="api:me:changes:seen", status_code=204)
@threaded
def mark_seen(request: Request) -> None:
    with transaction(request) as session:
        following.mark_seen(session, _writer(session, request))


@post("/me/feed", name="api:me:feed", status_code=200)
@threaded
def renew_feed(request: Request) -> FeedJSON:
    """A new secret address of the caller's Atom feed; the previous one stops answering."""
    with transaction(request) as session:
        token = following.renew_feed_token(session, _writer(session, request))
        return {"feed": request.url_for("following:atom", feed_file=f"{token}.atom")}


following_api_router = Router(path="/api/v1", route_handlers=[
    follow, unfollow, my_follows, my_changes, mark_seen, renew_feed,
])
