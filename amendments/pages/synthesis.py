"""The page of a consultation's synthesis: charts drawn on the server, the data tables behind them."""
from __future__ import annotations

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from amendments.services import synthesis
from amendments.views import synthesis as views
from drafting.services import bills
from drafting.web.render import render
from drafting.web.request import threaded, transaction


@get("/bills/{slug:str}/synthesis", name="bills:synthesis")
@threaded
def synthesis_page(request: Request, slug: FromPath[str]) -> Template:
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        return render("synthesis/synthesis.html", session, request, bill=bill,
                      page=views.synthesis_page(synthesis.synthesis(session, bill)))


synthesis_pages = [synthesis_page]
