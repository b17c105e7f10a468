"""Pages of the authors' desk: review by article, merge with preview, publishing, answers.

Every page and every POST checks on the server that the caller is one of the bill's authors (or
an admin); the proposer's resubmission checks that the caller is the proposer. Forms work without
JavaScript (POST, then 303); htmx only refreshes the merge preview in place.
"""
from __future__ import annotations

from typing import Mapping

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect
from sqlalchemy.orm import Session

from amendments.services import desk, rebase
from amendments.views import desk as views
from drafting.errors import Conflict, Invalid
from drafting.models import Article, Bill
from drafting.services import bills
from drafting.web import flash, ratelimit
from drafting.web.render import is_htmx, login_redirect, render
from drafting.web.request import page_user, threaded, transaction


def _selected_ids(values: list[str]) -> list[int]:
    ids = []
    for value in values:
        for piece in value.split(","):
            if piece.strip():
                try:
                    ids.append(int(piece))
                except ValueError:
                    raise Invalid("amendment", "must list amendment numbers") from None
    return list(dict.fromkeys(ids))


def _article_of(session: Session, article_id: int) -> tuple[Bill, Article]:
    article = bills.get_article(session, article_id)
    return session.get(Bill, article.bill_id), article


def _amendment_url(request: Request, amendment_id: int) -> str:
    return request.app.route_reverse("amendments:detail", amendment_id=amendment_id)


def authors_page(request: Request, slug: str, template: str, context) -> Response:
    """A page of the bill's authors: sign-in first, then the authors only; ``context(session, bill,
    query)`` is the page's view model."""
    with transaction(request) as session:
        user = page_user(session, request)
        if user is None:
            return login_redirect(request)
        bill = bills.get_bill(session, slug)
        bills.require_author(session, bill, user)
        return render(template, session, request, user=user, **context(session, bill, request.query_params))


@get("/bills/{slug:str}/review", name="desk:review")
@threaded
def review_page(request: Request, slug: FromPath[str]) -> Response:
    return authors_page(request, slug, "amendments/desk/review.html", views.review_context)


@get("/articles/{article_id:int}/merge", name="desk:merge")
@threaded
def merge_page(request: Request, article_id: FromPath[int]) -> Response:
    """The merge page; with htmx, only its preview (and publish form) for the amendments ticked."""
    with transaction(request) as session:
        user = page_user(session, request)
        if user is None:
            return login_redirect(request)
        bill, article = _article_of(session, article_id)
        bills.require_author(session, bill, user)
        selected = _selected_ids(request.query_params.getall("amendment", []))
        hunks = views.ticked_hunks(request.query_params.getall("parts", []), request.query_params.getall("hunk", []))
        context = views.merge_context(session, bill, article, selected, hunks=hunks)
        if is_htmx(request):
            return render("amendments/desk/_merge_preview.html", session, request, user=user, **context)
        return render("amendments/desk/merge.html", session, request, user=user, **context)


def _int_field(data: Mapping[str, str], name: str) -> int:
    try:
        return int(data.get(name, ""))
    except ValueError:
        raise Invalid(name, "must be a whole number") from None


@post("/articles/{article_id:int}/merge", name="desk:merge:submit")
@threaded
def merge_submit(request: Request, article_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Response:
    """Publish the new version, then 303 to the article; on a refusal (a stale version, a conflict, a
    bad field) the page again, with the reason and the refusal's status."""
    with transaction(request) as session:
        bill, article = _article_of(session, article_id)
        selected: list[int] = []
        hunks = views.ticked_hunks(data.get("parts", "").split(","), data.get("hunks", "").split(","))
        try:
            selected = _selected_ids([data.get("amendments", "")])
            desk.publish_from_merge_page(
                session, page_user(session, request), article, expected_version=_int_field(data, "expected_version"),
                message=data.get("message", ""), merge=selected, final_text=data.get("text"), hunks=hunks or None,
            )
        except (Invalid, Conflict) as error:  # not a 401/403: those are no merge page
            session.rollback()  # expires every row read so far: read again what the page shows
            user = page_user(session, request)
            bill, article = _article_of(session, article_id)
            conflict_ids = list((error.extra or {}).get("conflicts", []))
            context = views.merge_context(session, bill, article, selected, hunks=hunks,
                                          text=None if conflict_ids else data.get("text"),
                                          message=data.get("message", ""), error=error.detail,
                                          conflict_ids=conflict_ids)
            return render("amendments/desk/merge.html", session, request, status_code=error.status_code,
                          user=user, **context)
        return flash.after_success(Redirect(
            path=request.app.route_reverse("articles:detail", slug=bill.slug, article_id=article.id),
            status_code=303), "merged")


@post("/amendments/{amendment_id:int}/reject", name="desk:reject")
@threaded
def reject_form(request: Request, amendment_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Redirect:
    with transaction(request) as session:
        amendment = desk.get_amendment(session, amendment_id, for_update=True)
        desk.reject_amendment(session, page_user(session, request), amendment, data.get("response"))
        return flash.after_success(Redirect(path=_amendment_url(request, amendment_id), status_code=303), "rejected")


@post("/amendments/{amendment_id:int}/respond", name="desk:respond")
@threaded
def respond_form(request: Request, amendment_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Redirect:
    with transaction(request) as session:
        amendment = desk.get_amendment(session, amendment_id)
        desk.respond_to_amendment(session, page_user(session, request), amendment, data.get("response"))
        return Redirect(path=_amendment_url(request, amendment_id), status_code=303)


@post("/amendments/{amendment_id:int}/rebase", name="desk:resubmit")
@threaded
def resubmit_form(request: Request, amendment_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Redirect:
    with transaction(request) as session:
        user = page_user(session, request)
        ratelimit.enforce(session, request, user)
        amendment = desk.get_amendment(session, amendment_id, for_update=True)
        rebase.resubmit_amendment(session, user, amendment, data.get("text", ""))
        return Redirect(path=_amendment_url(request, amendment_id), status_code=303)


@post("/amendments/{amendment_id:int}/merge-insert", name="desk:merge-insert")
@threaded
def merge_insert_form(request: Request, amendment_id: FromPath[int],
                      data: URLEncodedBody[dict[str, str]]) -> Redirect:
    with transaction(request) as session:
        amendment = desk.get_amendment(session, amendment_id, for_update=True)
        article = desk.merge_insertion(session, page_user(session, request), amendment, data.get("number"),
                                       data.get("message"))
        bill = session.get(Bill, article.bill_id)
        return flash.after_success(Redirect(
            path=request.app.route_reverse("articles:detail", slug=bill.slug, article_id=article.id),
            status_code=303), "merged")


desk_pages = [review_page, merge_page, merge_submit, reject_form, respond_form, resubmit_form, merge_insert_form]
