"""Routes of the public record in standard formats (CONTRACT §9): Akoma Ntoso documents and the Word
document of a comparison with tracked changes. Handlers only translate HTTP; drafting.records builds."""
from __future__ import annotations

from litestar import Request, Response, get
from litestar.params import FromPath

from drafting.services import bills as services
from drafting.pages.history import FromVersion, ToVersion
from drafting.records import akn, docx_diff
from drafting.web.request import threaded, transaction


@get("/api/v1/bills/{slug:str}/versions/{seq:int}/akn", name="records:bill-version-akn")
@threaded
def bill_version_akn(request: Request, slug: FromPath[str], seq: FromPath[int]) -> Response[bytes]:
    with transaction(request) as session:
        document = akn.bill_version_document(session, services.get_bill(session, slug), seq)
    return Response(document, media_type=akn.MEDIA_TYPE)


@get("/api/v1/amendments/{amendment_id:int}/akn", name="records:amendment-akn")
@threaded
def amendment_akn(request: Request, amendment_id: FromPath[int]) -> Response[bytes]:
    with transaction(request) as session:
        document = akn.amendment_document(session, amendment_id)
    return Response(document, media_type=akn.MEDIA_TYPE)


@get("/bills/{slug:str}/diff.docx", name="records:bill-diff-docx", include_in_schema=False)
@threaded
def bill_diff_docx(request: Request, slug: FromPath[str], from_: FromVersion = None,
                   to: ToVersion = None) -> Response[bytes]:
    with transaction(request) as session:
        bill = services.get_bill(session, slug)
        document = docx_diff.bill_diff_document(session, bill, from_, to)
    return Response(document, media_type=docx_diff.MEDIA_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{bill.slug}-diff.docx"'})


records_routes = [bill_version_akn, amendment_akn, bill_diff_docx]
