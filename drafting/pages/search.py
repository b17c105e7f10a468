"""The ``/search`` page (CONTRACT §10): a plain GET form, results with their words found marked."""
from __future__ import annotations

from urllib.parse import urlencode

from litestar import Request, get
from litestar.response import Template

from drafting.errors import Invalid
from drafting.services import bills, search
from drafting.views import search as views
from drafting.web.render import render
from drafting.web.request import threaded, transaction


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 10_000 else 1


@get("/search", name="search")
@threaded
def search_page(request: Request) -> Template:
    params = request.query_params
    context = views.SearchContext(q=params.get("q", "").strip(), bill=params.get("bill", ""),
                                  kind=params.get("kind", ""), page=_page_number(params.get("page")))
    with transaction(request) as session:
        context.bills = [(b.slug, b.title) for b in bills.list_bills(session)]
        if not context.q:
            return render("drafting/search.html", session, request, view=context)
        try:
            found = search.search(session, context.q, bill=search.check_bill(session, context.bill),
                                  kind=context.kind, limit=views.PAGE_SIZE,
                                  offset=(context.page - 1) * views.PAGE_SIZE)
        except Invalid as error:
            context.error = error.detail
            return render("drafting/search.html", session, request, status_code=400, view=context)
        context.searched = True
        context.first = (context.page - 1) * views.PAGE_SIZE + 1
        context.results = views.results(request.app.route_reverse, found.hits, context.q)

        def page_url(number: int) -> str:
            query = {"q": context.q, "bill": context.bill, "kind": context.kind, "page": number}
            return request.app.route_reverse("search") + "?" + urlencode({k: v for k, v in query.items() if v})

        context.previous_url = page_url(context.page - 1) if context.page > 1 else None
        context.next_url = page_url(context.page + 1) if found.more else None
        return render("drafting/search.html", session, request, view=context)


search_pages = [search_page]
