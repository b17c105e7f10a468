"""The moderators' pages (queue, one item, hide, dismiss) and a bill's public trash of hidden contributions."""
from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from amendments.pages.participation import writer
from amendments.services import moderation
from amendments.views import participation as views
from drafting import policy
from drafting.errors import Invalid, NotFound
from drafting.models import User
from drafting.services import bills
from drafting.web.render import back, login_redirect, render
from drafting.web.request import page_user, threaded, transaction


# --- moderation --------------------------------------------------------------------------------

def _moderator_or_login(session: Session, request: Request) -> User | Redirect:
    user = page_user(session, request)
    if user is None:
        return login_redirect(request)
    return policy.require_moderator(user)


@get("/moderation", name="moderation:queue")
@threaded
def moderation_queue(request: Request) -> Response:
    with transaction(request) as session:
        user = _moderator_or_login(session, request)
        if isinstance(user, Redirect):
            return user
        entries = moderation.queue(session, user)
        urls = {(e.target_type, e.target_id): views.item_url(request.app.route_reverse, session, e.target_type, e.item, e.bill)
                for e in entries}
        return render("participation/moderation.html", session, request, user=user, entries=entries, urls=urls,
                      done=request.query_params.get("done"))


@get("/moderation/{target:str}/{target_id:int}", name="moderation:item")
@threaded
def moderation_item(request: Request, target: FromPath[str], target_id: FromPath[int]) -> Response:
    with transaction(request) as session:
        user = _moderator_or_login(session, request)
        if isinstance(user, Redirect):
            return user
        if target not in moderation.MODELS:
            raise NotFound("no moderation target '{target}'", target=target)
        item = moderation.get_item(session, target, target_id)
        decision = session.get(moderation.ModerationDecision, item.hidden_by_id) if item.hidden_by_id else None
        return render("participation/moderation_item.html", session, request, user=user, target_type=target,
                      item=item, item_url=views.item_url(request.app.route_reverse, session, target, item), decision=decision,
                      error=None, reason="")


@post("/moderation/{target:str}/{target_id:int}/hide", name="moderation:hide")
@threaded
def moderation_hide(request: Request, target: FromPath[str], target_id: FromPath[int],
                    data: URLEncodedBody[dict[str, str]]) -> Response:
    with transaction(request) as session:
        user = writer(session, request)
        policy.require_moderator(user)
        if target not in moderation.MODELS:
            raise NotFound("no moderation target '{target}'", target=target)
        try:
            moderation.hide(session, user, target, target_id, data.get("reason", ""))
        except Invalid:  # raised before anything is written
            item = moderation.get_item(session, target, target_id)
            return render("participation/moderation_item.html", session, request, user=user, status_code=400,
                          target_type=target, item=item, item_url=views.item_url(request.app.route_reverse, session, target, item),
                          decision=None, error=views.FORM_MESSAGES["reason"], reason=data.get("reason", ""))
        return back(request.app.route_reverse("moderation:queue") + "?done=hidden")


@post("/moderation/reports/{report_id:int}/dismiss", name="moderation:dismiss")
@threaded
def moderation_dismiss(request: Request, report_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Response:
    with transaction(request) as session:
        user = writer(session, request)
        moderation.dismiss(session, user, report_id, data.get("reason") or None)
        return back(request.app.route_reverse("moderation:queue") + "?done=dismissed")


@get("/bills/{slug:str}/trash", name="bills:trash")
@threaded
def trash_page(request: Request, slug: FromPath[str]) -> Template:
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        return render("participation/trash.html", session, request, bill=bill, items=moderation.trash(session, bill))


moderation_pages = [moderation_queue, moderation_item, moderation_hide, moderation_dismiss, trash_page]
