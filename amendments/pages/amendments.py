"""Pages for amendments: the amendment page, proposing with a live redline, withdrawing."""
from __future__ import annotations

from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from amendments.views import amendments as views
from drafting.policy import require_user
from drafting.web import flash, ratelimit, readercache
from amendments.services import proposing
from drafting.services import bills, participants
from drafting.web.render import render
from drafting import policy
from drafting.errors import DomainError, Forbidden, Invalid, NotFound
from drafting.models import Article, Bill, User
from drafting.web.request import database, page_user, threaded, transaction


def _bill_article(session: Session, slug: str, article_id: int) -> tuple[Bill, Article]:
    bill = bills.get_bill(session, slug)
    article = bills.get_article(session, article_id)
    if article.bill_id != bill.id:
        raise NotFound("no article {article_id} in bill '{slug}'", article_id=article_id, slug=slug)
    return bill, article


def _detail_url(request: Request, amendment_id: int, **query: str) -> str:
    path = request.app.route_reverse("amendments:detail", amendment_id=amendment_id)
    return f"{path}?{urlencode(query)}" if query else path


def _form_again(session: Session, request: Request, user: User | None, bill: Bill, article: Article,
                data: dict[str, str], error: DomainError) -> Template:
    """The proposal form again, as typed, with why it was refused (400 for bad input, 403 for a refusal)."""
    return render("amendments/propose.html", session, request, status_code=error.status_code, user=user,
                  **views.proposal_context(session, bill, article, data, error=error.detail, user=user))


def _optional_int(field: str, raw: str | None) -> int | None:
    if raw is None or not raw.strip():
        return None
    try:
        return int(raw)
    except ValueError:
        raise Invalid(field, "must be a whole number") from None


@get("/amendments/{amendment_id:int}", name="amendments:detail")
@threaded
def amendment_page(request: Request, amendment_id: FromPath[int]) -> Template | Response:
    found = readercache.lookup(request)  # before the transaction: see drafting/web/readercache.py
    if (answered := readercache.hit(request, found)) is not None:
        return answered
    with transaction(request) as session:
        user = page_user(session, request)
        amendment = proposing.get_amendment(session, amendment_id)
        context = views.amendment_context(session, amendment, user, request.app.route_reverse,
                                          view=request.query_params.get("view"), query=request.query_params)
        context["cosigned"] = request.query_params.get("cosigned") == "1"
        return readercache.shared_or_own(
            session, request, found, user, "amendments/detail.html", context,
            readercache.subject_of(context, "amendment", amendment, amendment=amendment),
            staff=context["desk"].can_review)


@get("/bills/{slug:str}/articles/{article_id:int}/propose", name="amendments:propose")
@threaded
def propose_page(request: Request, slug: FromPath[str], article_id: FromPath[int]) -> Response:
    """The editor, pre-filled with the current text (``?kind=delete`` or ``insert`` for the other kinds)."""
    with transaction(request) as session:
        user = page_user(session, request)
        bill, article = _bill_article(session, slug, article_id)
        if user is None:
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return Redirect(path=f"{request.app.route_reverse('login')}?{urlencode({'next': here})}",
                            status_code=303)
        policy.require_may_propose(bill, article)
        form = {"kind": request.query_params.get("kind", "modify")}
        return render("amendments/propose.html", session, request, user=user,
                      **views.proposal_context(session, bill, article, form, user=user))


@post("/bills/{slug:str}/articles/{article_id:int}/propose/preview", name="amendments:preview", status_code=200)
@threaded
def preview(request: Request, slug: FromPath[str], article_id: FromPath[int],
            data: URLEncodedBody[dict[str, str]]) -> Template:
    """The redline of the text being written: a fragment for htmx, else a page with a confirm button."""
    with database(request).session(write=False) as session:
        bill, article = _bill_article(session, slug, article_id)
        user = page_user(session, request)
        context = views.proposal_context(session, bill, article, data, user=user)
        if request.headers.get("hx-request"):
            return render("amendments/_redline.html", session, request, user=user, **context)
        return render("amendments/preview.html", session, request, user=user, **context)


@post("/bills/{slug:str}/articles/{article_id:int}/amendments", name="amendments:create")
@threaded
def create(request: Request, slug: FromPath[str], article_id: FromPath[int],
           data: URLEncodedBody[dict[str, str]]) -> Response:
    """Propose, then 303 to the amendment (the identical open one, when this co-signs it)."""
    with transaction(request) as session:
        user = page_user(session, request)
        ratelimit.enforce(session, request, user)
        require_user(user)
        bill, article = _bill_article(session, slug, article_id)
        kind = data.get("kind", "modify")
        try:
            author, entered_by = participants.acting_for(session, user, bill, data.get("on_behalf_of") or None)
        except (Invalid, Forbidden) as error:  # on_behalf_of refused (CONTRACT §6): the form says why
            return _form_again(session, request, user, bill, article, data, error)
        try:
            base_version = _optional_int("base_version", data.get("base_version"))
            if kind == "delete":
                proposed = proposing.propose_deletion(
                    session, author, article, explanation=data.get("explanation"), title=data.get("title"),
                    base_version=base_version, entered_by=entered_by)
            elif kind == "insert":
                proposed = proposing.propose_insertion(
                    session, author, bill, after_article=article.id, text=data.get("text"),
                    heading=data.get("heading"), explanation=data.get("explanation"), title=data.get("title"),
                    entered_by=entered_by)
            else:
                proposed = proposing.propose_amendment(
                    session, author, article, text=data.get("text"), explanation=data.get("explanation"),
                    title=data.get("title"), base_version=base_version, entered_by=entered_by)
        except Invalid as error:  # raised before anything is written: the form comes back with the reason
            return _form_again(session, request, user, bill, article, data, error)
        if not proposed.created:  # the amendment's page says the proposal co-signs it
            return Redirect(path=_detail_url(request, proposed.amendment.id, cosigned="1"), status_code=303)
        return flash.after_success(Redirect(path=_detail_url(request, proposed.amendment.id), status_code=303),
                                   "proposed")


@post("/amendments/{amendment_id:int}/withdraw", name="amendments:withdraw")
@threaded
def withdraw(request: Request, amendment_id: FromPath[int]) -> Redirect:
    with transaction(request) as session:
        user = page_user(session, request)
        ratelimit.enforce(session, request, user)
        amendment = proposing.get_amendment(session, amendment_id)
        proposing.withdraw_amendment(session, user, amendment)
        return Redirect(path=_detail_url(request, amendment.id), status_code=303)


amendment_pages = [amendment_page, propose_page, preview, create, withdraw]
