"""The open-data package of one bill as a zip (CONTRACT §9), linked from the bill's page."""
from __future__ import annotations

from litestar import Request, Response, get
from litestar.params import FromPath

from drafting.services import bills as services
from drafting.records import export
from drafting.web.request import threaded, transaction


@get("/api/v1/bills/{slug:str}/export.zip", name="records:bill-export")
@threaded
def bill_export(request: Request, slug: FromPath[str]) -> Response[bytes]:
    with transaction(request) as session:
        bill = services.get_bill(session, slug)
        files = export.package_files(export.public_record(session, bill.slug))
    return Response(export.package_zip(files, f"navette-{bill.slug}"), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="navette-{bill.slug}.zip"'})


export_routes = [bill_export]
