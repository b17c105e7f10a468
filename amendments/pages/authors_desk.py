"""Pages of the parliament-grade desk (CONTRACT §8): the liasse in discussion order with a batch
opinion form, sub-amendments and their incorporation. Forms work without JavaScript (POST, then 303)."""
from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect
from urllib.parse import urlencode

from amendments.services import desk, opinions, proposing, subamendments
from amendments.pages.desk import authors_page
from amendments.views import authors_desk as views
from drafting.errors import Invalid
from drafting.services import bills
from drafting.web import ratelimit
from drafting.web.request import page_user, threaded, transaction


@get("/bills/{slug:str}/desk", name="desk:order")
@threaded
def order_page(request: Request, slug: FromPath[str]) -> Response:
    """The bill's amendments in discussion order, one worked on at a time (``?at=N``), filtered by
    status and opinion, with a batch opinion form."""
    return authors_page(request, slug, "amendments/desk/order.html", views.order_context)


@post("/bills/{slug:str}/desk/opinions", name="desk:opinions")
@threaded
def opinions_form(request: Request, slug: FromPath[str], data: URLEncodedBody[dict[str, list[str] | str]]) -> Redirect:
    """One opinion (and one answer) for every amendment ticked, then back to the desk where it was."""
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        ticked = data.get("amendment", [])
        ticked = [ticked] if isinstance(ticked, str) else ticked
        try:
            ids = [int(value) for value in ticked]
        except ValueError:
            raise Invalid("amendments", "must list amendment numbers") from None
        opinions.give_opinion(session, page_user(session, request), ids, _one(data, "opinion"),
                              _one(data, "response") or None)
        back = {key: _one(data, key) for key in ("at", "status", "opinion_filter") if _one(data, key)}
        if "opinion_filter" in back:
            back["opinion"] = back.pop("opinion_filter")
        path = request.app.route_reverse("desk:order", slug=bill.slug)
        return Redirect(path=f"{path}?{urlencode(back)}" if back else path, status_code=303)


def _one(data, key: str) -> str:
    value = data.get(key, "")
    return value[-1] if isinstance(value, list) and value else (value or "")


@post("/amendments/{amendment_id:int}/subamendments", name="desk:subamend")
@threaded
def subamend_form(request: Request, amendment_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Redirect:
    with transaction(request) as session:
        actor = page_user(session, request)
        ratelimit.enforce(session, request, actor)
        parent = proposing.get_amendment(session, amendment_id)
        sub = subamendments.propose_subamendment(session, actor, parent, text=data.get("text"),
                                                 explanation=data.get("explanation", ""))
        return Redirect(path=request.app.route_reverse("amendments:detail", amendment_id=sub.id), status_code=303)


@post("/amendments/{amendment_id:int}/incorporate", name="desk:incorporate")
@threaded
def incorporate_form(request: Request, amendment_id: FromPath[int]) -> Redirect:
    with transaction(request) as session:
        sub = desk.get_amendment(session, amendment_id, for_update=True)
        parent = subamendments.incorporate(session, page_user(session, request), sub)
        return Redirect(path=request.app.route_reverse("amendments:detail", amendment_id=parent.id), status_code=303)


authors_desk_pages = [order_page, opinions_form, subamend_form, incorporate_form]
