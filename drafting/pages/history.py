"""Public history pages: bill timeline, bill and article versions, comparisons, blame, Atom feed.

Published versions and the differences between two named versions are immutable answers
(drafting/web/immutable.py); the contexts come from drafting/views/history.py.
"""
from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from drafting.models import Article, Bill
from drafting.services import bills, history
from drafting.views import history as views
from drafting.web.immutable import NO_CSRF_COOKIE, immutable_page
from drafting.web.render import is_htmx, render
from drafting.web.request import page_user, threaded, transaction

FromVersion = Annotated[str | None, QueryParameter(name="from", required=False)]
ToVersion = Annotated[str | None, QueryParameter(name="to", required=False)]
View = Annotated[str | None, QueryParameter(name="view", required=False)]
# Characters XML 1.0 forbids even escaped; a pasted legal text may carry one (a form feed, say).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _query(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v is not None})


def _bill_article(session: Session, article_id: int) -> tuple[Bill, Article]:
    article = bills.get_article(session, article_id)
    return session.get(Bill, article.bill_id), article


def _pair(from_: str | None, to: str | None) -> tuple[int | None, int | None]:
    """The two version numbers a comparison names (None where the query leaves one out)."""
    old = history.version_number("from", from_) if from_ not in (None, "") else None
    new = history.version_number("to", to) if to not in (None, "") else None
    return old, new


# --- the bill ----------------------------------------------------------------------------------

@get("/bills/{slug:str}/history", name="bills:history")
@threaded
def bill_history(request: Request, slug: FromPath[str]) -> Template:
    """The timeline: publications, article versions and the amendments they merged, openings, closings."""
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        return render("drafting/history/bill_history.html", session, request,
                      **views.bill_history_context(session, bill))


@get("/bills/{slug:str}/versions/{seq:int}", name="bills:version", opt=NO_CSRF_COOKIE)
@threaded
def bill_version_page(request: Request, slug: FromPath[str], seq: FromPath[int]) -> Response:
    """A published snapshot of the bill, every article as it was; a permanent, immutable page."""
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        bills.get_bill_version(session, bill, seq)  # 404 before any 304

        def build() -> tuple[str, dict[str, Any]]:
            return "drafting/history/bill_version.html", views.bill_version_context(session, bill, seq)

        return immutable_page(request, page_user(session, request), ("bill-version", bill.id, seq), build)


@get("/bills/{slug:str}/diff", name="bills:diff", opt=NO_CSRF_COOKIE)
@threaded
def bill_diff_page(request: Request, slug: FromPath[str], from_: FromVersion = None, to: ToVersion = None,
                   view: View = None) -> Response:
    """Two bill versions compared article by article; without both versions, the latest change."""
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        versions = bills.bill_versions(session, bill)
        old, new = _pair(from_, to)
        if old is None or new is None:
            if not versions:
                return render("drafting/history/bill_diff.html", session, request, bill=bill, versions=[],
                              choices=[], comparison=None)
            old, new = views.default_pair([v.seq for v in versions], old, new)
            target = request.app.route_reverse("bills:diff", slug=slug)
            return Redirect(path=f"{target}?{_query(**{'from': old, 'to': new, 'view': view})}", status_code=302)
        bills.get_bill_version(session, bill, old)
        bills.get_bill_version(session, bill, new)
        side = view == "side"

        def build() -> tuple[str, dict[str, Any]]:
            template = "drafting/history/_bill_comparison.html" if is_htmx(request) else "drafting/history/bill_diff.html"
            return template, views.bill_comparison_context(session, bill, versions, old, new, side)

        return immutable_page(request, page_user(session, request), ("bill-diff", bill.id, old, new, side), build)


@get("/bills/{slug:str}/feed.atom", name="bills:feed", opt=NO_CSRF_COOKIE)
@threaded
def bill_feed(request: Request, slug: FromPath[str]) -> Response:
    """An Atom 1.0 feed of the bill's new versions, article versions and public answers, newest first."""
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        template = request.app.template_engine.get_template("drafting/history/feed.atom.xml")
        body = template.render(request=request, base=str(request.base_url).rstrip("/"),
                               **views.feed_context(session, bill))
        return Response(content=_NOT_XML.sub("", body).encode(), media_type="application/atom+xml; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=300", "Vary": "Accept-Language, Cookie"})


# --- one article -------------------------------------------------------------------------------

@get("/articles/{article_id:int}/history", name="articles:history")
@threaded
def article_history_page(request: Request, article_id: FromPath[int]) -> Template:
    """Every version of an article, newest first, with what it merged and its change."""
    with transaction(request) as session:
        bill, article = _bill_article(session, article_id)
        return render("drafting/history/article_history.html", session, request,
                      **views.article_history_context(session, bill, article))


@get("/articles/{article_id:int}/versions/{n:int}", name="articles:version", opt=NO_CSRF_COOKIE)
@threaded
def article_version_page(request: Request, article_id: FromPath[int], n: FromPath[int]) -> Response:
    """One version of an article: its text, who wrote it and why; a permanent, immutable page."""
    with transaction(request) as session:
        bill, article = _bill_article(session, article_id)
        history.article_versions_by_number(session, article, [n])  # 404 before any 304

        def build() -> tuple[str, dict[str, Any]]:
            record = history.article_version_record(session, article, n)
            return "drafting/history/article_version.html", {"bill": bill, "article": article, "record": record}

        return immutable_page(request, page_user(session, request), ("article-version", article.id, n), build)


@get("/articles/{article_id:int}/compare", name="articles:compare", opt=NO_CSRF_COOKIE)
@threaded
def article_compare_page(request: Request, article_id: FromPath[int], from_: FromVersion = None,
                         to: ToVersion = None, view: View = None) -> Response:
    """Any two versions of an article as a redline (or side by side); without both, the latest change."""
    with transaction(request) as session:
        bill, article = _bill_article(session, article_id)
        old, new = _pair(from_, to)
        if old is None or new is None:
            old, new = views.default_pair(list(range(1, article.current_version + 1)), old, new)
            target = request.app.route_reverse("articles:compare", article_id=article.id)
            return Redirect(path=f"{target}?{_query(**{'from': old, 'to': new, 'view': view})}", status_code=302)
        history.article_versions_by_number(session, article, [old, new])
        side = view == "side"

        def build() -> tuple[str, dict[str, Any]]:
            template = ("drafting/history/_article_comparison.html" if is_htmx(request)
                        else "drafting/history/article_compare.html")
            return template, views.article_compare_context(session, bill, article, old, new, side)

        return immutable_page(request, page_user(session, request), ("article-compare", article.id, old, new, side),
                              build)


@get("/articles/{article_id:int}/blame", name="articles:blame")
@threaded
def article_blame_page(request: Request, article_id: FromPath[int],
                       version: Annotated[str | None, QueryParameter(required=False)] = None) -> Template:
    """Each passage of the text marked with the version that wrote it, its amendment and proposer."""
    with transaction(request) as session:
        bill, article = _bill_article(session, article_id)
        upto = history.version_number("version", version) if version not in (None, "") else article.current_version
        return render("drafting/history/blame.html", session, request,
                      **views.blame_context(session, bill, article, upto))


history_pages = [
    bill_history, bill_version_page, bill_diff_page, bill_feed,
    article_history_page, article_version_page, article_compare_page, article_blame_page,
]
