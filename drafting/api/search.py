"""``GET /api/v1/search`` (CONTRACT §6); the handler only translates HTTP."""
from __future__ import annotations

from urllib.parse import urlencode

from litestar import Request, Response, Router, get
from litestar.params import FromQuery

from drafting.services import search
from drafting.views import search as views
from drafting.web.request import threaded, transaction


@get("/search", name="api:search")
@threaded
def search_api(request: Request, q: FromQuery[str | None] = None, bill: FromQuery[str | None] = None,
               kind: FromQuery[str | None] = None, limit: FromQuery[int | None] = None,
               offset: FromQuery[int] = 0) -> Response:
    with transaction(request) as session:
        found = search.search(session, q, bill=search.check_bill(session, bill), kind=kind, limit=limit,
                              offset=offset)
        reverse = request.app.route_reverse
        body = {"items": [views.hit_json(reverse, hit, q) for hit in found.hits]}
    headers = {}
    if found.more:
        limit = limit or search.DEFAULT_LIMIT
        query = {"q": q, **({"bill": bill} if bill else {}), **({"kind": kind} if kind else {}),
                 "limit": limit, "offset": offset + limit}
        headers["Link"] = f'<{request.app.route_reverse("api:search")}?{urlencode(query)}>; rel="next"'
    return Response(body, headers=headers)


search_api_router = Router(path="/api/v1", route_handlers=[search_api])
