"""Forms and fragments for votes, arguments, sources and reports on articles and amendments.

Every form posts for real and answers 303 back to the page it came from; when htmx sends it
(``HX-Request``), the answer is the changed fragment instead, with ``Vary: HX-Request``.
"""
from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template
from sqlalchemy.orm import Session

from amendments.services import arguments, moderation, participation, sources
from amendments.views import participation as views
from amendments.views.participation import Participation
from drafting import policy
from drafting.i18n import N_
from drafting.errors import Conflict, Forbidden, Invalid, NotFound
from drafting.models import User
from drafting.services import participants
from drafting.web import ratelimit
from drafting.web.render import back, is_htmx, local_path, login_redirect, render
from drafting.web.request import page_user, threaded, transaction


def _render_view(template: str, session: Session, request: Request, view: Participation, **context: Any) -> Template:
    return render(template, session, request, user=view.user, participation=view, **context)


def writer(session: Session, request: Request) -> User | None:
    user = page_user(session, request)
    ratelimit.enforce(session, request, user)
    return user


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 100_000 else 1


# --- votes, arguments, sources on articles and amendments ----------------------------------------

def _target_pages(kind: str) -> list:
    base = f"/{kind}s/{{target_id:int}}"

    @post(f"{base}/vote", name=f"participation:{kind}:vote")
    @threaded
    def vote(request: Request, target_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Response:
        with transaction(request) as session:
            user = writer(session, request)
            target = participation.get_target(session, kind, target_id)
            value = data.get("value", "")
            if value == "withdraw":
                participation.take_back_vote(session, user, target)
            else:
                participation.cast_vote(session, user, target, value)
            if is_htmx(request):
                view = views.build(session, target, user, request.app.route_reverse, arguments=False, sources=False)
                return _render_view("participation/_votes.html", session, request, view)
            return back(views.target_url(request.app.route_reverse, target), f"votes-{kind}-{target_id}")

    @post(f"{base}/arguments", name=f"participation:{kind}:argue")
    async def argue(request: Request, target_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Response:
        """The argument's embedding is computed in a worker thread before its write transaction."""
        vector = await arguments.vector_for(data.get("body", ""))
        return await write_argument(request=request, target_id=target_id, data=data, vector=vector)

    @threaded
    def write_argument(request: Request, target_id: int, data: dict[str, str], vector: Any) -> Response:
        with transaction(request) as session:
            user = writer(session, request)
            target = participation.get_target(session, kind, target_id)

            def form_again(errors: dict[str, Any], status_code: int) -> Template:
                """The form again, as typed, with why it was refused (raised before anything is written)."""
                view = views.build(session, target, user, request.app.route_reverse, votes=False, sources=False)
                view.form, view.errors = dict(data), errors
                if is_htmx(request):
                    return _render_view("participation/_arguments.html", session, request, view)
                return _render_view("participation/argument_form.html", session, request, view,
                                    status_code=status_code)

            try:
                author, entered_by = participants.acting_for(session, user, target.bill,
                                                             data.get("on_behalf_of") or None)
            except (Invalid, Forbidden) as error:  # on_behalf_of refused (CONTRACT §6)
                return form_again({"on_behalf_of": error.detail}, error.status_code)
            try:
                result = arguments.add_argument(session, author, target, data.get("stance"), data.get("body", ""),
                                                vector, entered_by=entered_by)
            except (Invalid, Conflict) as error:
                if isinstance(error, Conflict) and error.field != "body":
                    raise
                return form_again(views.form_errors(error), 400)
            argument = result.argument
            if is_htmx(request):
                view = views.build(session, target, user, request.app.route_reverse, votes=False, sources=False)
                view.notice = views.argument_notice(result)
                return _render_view("participation/_arguments.html", session, request, view)
            return back(views.target_url(request.app.route_reverse, target), f"argument-{argument.id}")

    @get(f"{base}/arguments", name=f"participation:{kind}:arguments")
    @threaded
    def all_arguments(request: Request, target_id: FromPath[int]) -> Template:
        with transaction(request) as session:
            user = page_user(session, request)
            target = participation.get_target(session, kind, target_id)
            page = _page_number(request.query_params.get("page"))
            here = request.app.route_reverse(f"participation:{kind}:arguments", target_id=target_id)
            here += f"?page={page}" if page > 1 else ""
            view = views.build(session, target, user, request.app.route_reverse, votes=False, sources=False,
                               per_column=views.GROUPS_PER_PAGE, page=page, here=here, as_map=False)
            return _render_view("participation/arguments.html", session, request, view)

    @post(f"{base}/sources", name=f"participation:{kind}:cite")
    @threaded
    def cite(request: Request, target_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Response:
        with transaction(request) as session:
            user = writer(session, request)
            target = participation.get_target(session, kind, target_id)
            try:
                source = sources.add_source(session, user, target, data.get("title", ""), data.get("url", ""),
                                                  data.get("note") or None)
            except (Invalid, Conflict) as error:  # raised before anything is written
                if isinstance(error, Conflict) and error.field != "url":
                    raise
                view = views.build(session, target, user, request.app.route_reverse, votes=False, arguments=False)
                view.form = dict(data)
                view.errors = views.form_errors(error)
                if is_htmx(request):
                    return _render_view("participation/_sources.html", session, request, view)
                return _render_view("participation/source_form.html", session, request, view, status_code=400)
            if is_htmx(request):
                view = views.build(session, target, user, request.app.route_reverse, votes=False, arguments=False)
                view.notice = N_("Source ajoutée.")
                return _render_view("participation/_sources.html", session, request, view)
            return back(views.target_url(request.app.route_reverse, target), f"source-{source.id}")

    return [vote, argue, all_arguments, cite]


@post("/arguments/{argument_id:int}/useful", name="participation:useful")
@threaded
def useful(request: Request, argument_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Response:
    with transaction(request) as session:
        user = writer(session, request)
        argument = arguments.get_argument(session, argument_id)
        count = arguments.set_useful(session, user, argument, data.get("useful", "1") != "0")
        target = arguments.argument_target(session, argument)
        url = views.target_url(request.app.route_reverse, target)
        here = local_path(data.get("next"), url)
        if is_htmx(request):
            view = views.Participation(target=target, user=user, url=url, here=here,
                                       useful_mine=arguments.useful_marked_by(session, user, [argument.id]))
            return _render_view("participation/_useful.html", session, request, view, argument=argument, useful=count)
        return back(here.split("#")[0], f"argument-{argument.id}")


# --- reports -----------------------------------------------------------------------------------

def _reported_item(session: Session, target_type: str | None, raw_id: str | None) -> Any:
    """The contribution a report form is about; a hidden one is not shown again (409)."""
    if target_type not in moderation.MODELS or not (raw_id or "").isdigit():
        raise NotFound("nothing to report here")
    item = moderation.get_item(session, target_type, int(raw_id))
    if item.hidden_by_id is not None:
        raise Conflict(policy.HIDDEN)
    return item


@get("/reports/new", name="participation:report_form")
@threaded
def report_form(request: Request) -> Response:
    with transaction(request) as session:
        user = page_user(session, request)
        target_type = request.query_params.get("target")
        item = _reported_item(session, target_type, request.query_params.get("id"))
        if user is None:
            return login_redirect(request)
        return render("participation/report.html", session, request, user=user, target_type=target_type, item=item,
                      item_url=views.item_url(request.app.route_reverse, session, target_type, item), reason="", error=None,
                      done=False)


@post("/reports", name="participation:report")
@threaded
def report_submit(request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
    with transaction(request) as session:
        user = writer(session, request)
        target_type = data.get("target")
        item = _reported_item(session, target_type, data.get("id"))
        context = {"target_type": target_type, "item": item,
                   "item_url": views.item_url(request.app.route_reverse, session, target_type, item)}
        try:
            moderation.report(session, user, target_type, item.id, data.get("reason", ""))
        except (Invalid, Conflict) as error:  # raised before anything is written
            message = views.FORM_MESSAGES["reason" if isinstance(error, Invalid) else "reported"]
            return render("participation/report.html", session, request, user=user, status_code=error.status_code,
                          **context, reason=data.get("reason", ""), error=message, done=False)
        return render("participation/report.html", session, request, user=user, **context, reason="", error=None,
                      done=True)


participation_pages: list = [
    *_target_pages("article"), *_target_pages("amendment"), useful, report_form, report_submit,
]
