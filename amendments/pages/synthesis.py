"""The page of a consultation's synthesis: charts drawn on the server, the data tables behind them; and the
same page as a PDF document to download (issue 14)."""
from __future__ import annotations

from litestar import Request, Response, get
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.orm import Session

from amendments.services import synthesis
from amendments.views import synthesis as views
from drafting.services import bills
from drafting.web import pdf
from drafting.web.render import render
from drafting.web.request import threaded, transaction


def _page(session: Session, request: Request, slug: str, **context) -> Template:
    bill = bills.get_bill(session, slug)
    return render("synthesis/synthesis.html", session, request, bill=bill,
                  page=views.synthesis_page(synthesis.synthesis(session, bill)), **context)


@get("/bills/{slug:str}/synthesis", name="bills:synthesis")
@threaded
def synthesis_page(request: Request, slug: FromPath[str]) -> Template:
    with transaction(request) as session:
        return _page(session, request, slug)


@get("/bills/{slug:str}/synthesis.pdf", name="bills:synthesis-pdf")
@threaded
def synthesis_pdf(request: Request, slug: FromPath[str]) -> Response:
    """The synthesis page laid out for print, for nobody in particular (the same for every reader)."""
    document = pdf.page_pdf(request, lambda session: _page(session, request, slug, user=None, moderator=False))
    return Response(document, media_type=pdf.MEDIA_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{slug}-synthese.pdf"'})


synthesis_pages = [synthesis_page, synthesis_pdf]
