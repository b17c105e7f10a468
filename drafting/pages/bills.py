"""Pages for reading bills and articles, and the authors' forms on them; handlers only translate HTTP."""
from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar import Response
from litestar.response import Redirect, Template

from drafting import policy
from drafting.errors import NotFound
from drafting.services import bills
from drafting.views import reading
from drafting.web import flash, readercache
from drafting.web.render import render
from drafting.web.request import page_user, threaded, transaction


@get("/", name="home")
@threaded
def home(request: Request) -> Template:
    with transaction(request) as session:
        user = page_user(session, request)
        return render("drafting/home.html", session, request, user=user, **reading.home_context(session, user))


@get("/bills/{slug:str}", name="bills:detail")
@threaded
def bill_page(request: Request, slug: FromPath[str]) -> Template | Response:
    found = readercache.lookup(request)  # before the transaction: see drafting/web/readercache.py
    if (answered := readercache.hit(request, found)) is not None:
        return answered
    with transaction(request) as session:
        user = page_user(session, request)
        bill = bills.get_bill(session, slug)
        context = reading.bill_context(session, bill, user)
        return readercache.shared_or_own(session, request, found, user, "drafting/bill.html", context,
                                         readercache.subject_of(context, "bill", bill), staff=context["can_edit"])


@get("/bills/{slug:str}/articles/{article_id:int}", name="articles:detail")
@threaded
def article_page(request: Request, slug: FromPath[str], article_id: FromPath[int]) -> Template | Response:
    found = readercache.lookup(request)
    if (answered := readercache.hit(request, found)) is not None:
        return answered
    with transaction(request) as session:
        user = page_user(session, request)
        bill = bills.get_bill(session, slug)
        article = bills.get_article(session, article_id)
        if article.bill_id != bill.id:
            raise NotFound("no article {article_id} in bill '{slug}'", article_id=article_id, slug=slug)
        context = reading.article_context(session, bill, article, user, request.query_params,
                                          request.app.route_reverse)
        return readercache.shared_or_own(session, request, found, user, "drafting/article.html", context,
                                         readercache.subject_of(context, "article", article), staff=context["can_edit"])


@post("/bills/{slug:str}/status", name="bills:status")
@threaded
def bill_status_form(request: Request, slug: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Redirect | Template:
    """Opening or closing a consultation takes two steps: this form without ``confirm`` shows a
    confirmation page (no JavaScript needed), whose form sends ``confirm=yes``."""
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        user = page_user(session, request)
        wanted = data.get("status", "")
        if data.get("confirm") != "yes":
            bills.require_author(session, bill, user)
            policy.require_bill_status_change(bill, wanted)
            return render("drafting/bill_status_confirm.html", session, request, user=user, bill=bill,
                          wanted=wanted, status=bill.status)
        bills.set_status(session, user, bill, wanted)
        return flash.after_success(Redirect(path=request.app.route_reverse("bills:detail", slug=slug), status_code=303),
                                   "opened" if wanted == "open" else "closed")


@post("/bills/{slug:str}/versions", name="bills:publish")
@threaded
def bill_publish_form(request: Request, slug: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Redirect:
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        bills.publish_bill_version(session, page_user(session, request), bill,
                                      data.get("label", ""), data.get("message", ""))
        return flash.after_success(Redirect(path=request.app.route_reverse("bills:detail", slug=slug), status_code=303),
                                   "published")


drafting_pages = [home, bill_page, article_page, bill_status_form, bill_publish_form]
