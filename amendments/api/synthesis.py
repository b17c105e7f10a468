"""JSON of a consultation's synthesis (CONTRACT §7): participation, votes per article, positions, answers."""
from __future__ import annotations

from litestar import Request, Router, get
from litestar.params import FromPath

from amendments.services import synthesis
from amendments.views import synthesis as views
from amendments.views.shapes import SynthesisJSON
from drafting.services import bills
from drafting.web.request import threaded, transaction


@get("/bills/{slug:str}/synthesis", name="api:bill:synthesis")
@threaded
def bill_synthesis(request: Request, slug: FromPath[str]) -> SynthesisJSON:
    with transaction(request) as session:
        return views.synthesis_json(synthesis.synthesis(session, bills.get_bill(session, slug)))


synthesis_api_router = Router(path="/api/v1", route_handlers=[bill_synthesis])
