"""JSON API for proposing, reading, listing and withdrawing amendments (CONTRACT §2 Amendments)."""
from __future__ import annotations

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery, RawBody

from drafting.policy import require_user
from drafting.web import ratelimit
from amendments.api.authors_desk import bill_amendments
from amendments.services import proposing
from amendments.views.json import amendment_document, amendments_json
from amendments.views.shapes import AmendmentJSON
from drafting.services import bills, participants
from drafting.errors import Invalid
from drafting.ids import RowId
from drafting.models import Bill
from drafting.web.paging import PageWindow, paginated
from drafting.web.bodies import json_body, parse_body
from drafting.web.documents import document
from drafting.web.request import api_user, threaded, transaction


class ProposalIn(msgspec.Struct):
    """A proposal on an article: a new text ("modify"), or {"kind": "delete"}."""

    kind: str = "modify"
    text: str | None = None
    explanation: str | None = None
    title: str | None = None
    base_version: RowId | None = None
    heading: str | None = None  # for {"kind": "insert"}: a new article right after this one
    on_behalf_of: str | None = None  # staff entering it for an assisted participant (CONTRACT §6)


class InsertionIn(msgspec.Struct):
    """A new article proposed for a bill, after ``after_article`` (or first when null)."""

    text: str | None = None
    kind: str = "insert"
    after_article: RowId | None = None
    heading: str | None = None
    explanation: str | None = None
    title: str | None = None
    on_behalf_of: str | None = None


def _answer(session, proposed: proposing.Proposed) -> Response[AmendmentJSON]:
    """201 with a new amendment; 200 with the identical open one the caller now co-signs."""
    body = amendments_json(session, [proposed.amendment])[0]
    return Response(body, status_code=201 if proposed.created else 200)


@post("/articles/{article_id:int}/amendments", status_code=201, dependencies=json_body(ProposalIn))
@threaded
def propose(request: Request, article_id: FromPath[int], body: RawBody) -> Response[AmendmentJSON]:
    with transaction(request) as session:
        actor = api_user(session, request)
        ratelimit.enforce(session, request, actor)
        require_user(actor)
        article = bills.get_article(session, article_id)
        payload = parse_body(body, ProposalIn)
        bill = session.get(Bill, article.bill_id)
        author, entered_by = participants.acting_for(session, actor, bill, payload.on_behalf_of)
        if payload.kind == "modify":
            proposed = proposing.propose_amendment(
                session, author, article, text=payload.text, explanation=payload.explanation,
                title=payload.title, base_version=payload.base_version, entered_by=entered_by,
            )
        elif payload.kind == "delete":
            proposed = proposing.propose_deletion(
                session, author, article, explanation=payload.explanation, title=payload.title,
                base_version=payload.base_version, entered_by=entered_by,
            )
        elif payload.kind == "insert":
            proposed = proposing.propose_insertion(
                session, author, bill, after_article=article.id, text=payload.text, heading=payload.heading,
                explanation=payload.explanation, title=payload.title, entered_by=entered_by,
            )
        else:
            raise Invalid("kind", "must be 'modify', 'delete' or 'insert'")
        return _answer(session, proposed)


@post("/bills/{slug:str}/amendments", status_code=201, dependencies=json_body(InsertionIn))
@threaded
def propose_insertion(request: Request, slug: FromPath[str], body: RawBody) -> Response[AmendmentJSON]:
    with transaction(request) as session:
        actor = api_user(session, request)
        ratelimit.enforce(session, request, actor)
        require_user(actor)
        bill = bills.get_bill(session, slug)
        payload = parse_body(body, InsertionIn)
        if payload.kind != "insert":
            raise Invalid("kind", "must be 'insert' here; amend an article at /articles/{id}/amendments")
        author, entered_by = participants.acting_for(session, actor, bill, payload.on_behalf_of)
        proposed = proposing.propose_insertion(
            session, author, bill, after_article=payload.after_article, text=payload.text,
            heading=payload.heading, explanation=payload.explanation, title=payload.title, entered_by=entered_by,
        )
        return _answer(session, proposed)


@get("/amendments/{amendment_id:int}")
@threaded
def amendment_detail(request: Request, amendment_id: FromPath[int]) -> Response[AmendmentJSON]:
    return document(request, ("amendment", amendment_id), lambda session: amendment_document(session, amendment_id))


@get("/articles/{article_id:int}/amendments")
@threaded
def article_amendments(request: Request, article_id: FromPath[int], page: PageWindow,
                       status: FromQuery[str | None] = None,
                       sort: FromQuery[str | None] = None) -> Response[list[AmendmentJSON]]:
    with transaction(request) as session:
        article = bills.get_article(session, article_id)
        return paginated(request, page, lambda limit, offset: proposing.list_article_amendments(
            session, article, status=status, sort=sort, limit=limit, offset=offset),
            lambda rows: amendments_json(session, rows))


@post("/amendments/{amendment_id:int}/withdraw", status_code=200)
@threaded
def withdraw(request: Request, amendment_id: FromPath[int]) -> AmendmentJSON:
    with transaction(request) as session:
        actor = api_user(session, request)
        ratelimit.enforce(session, request, actor)
        require_user(actor)
        amendment = proposing.get_amendment(session, amendment_id)
        proposing.withdraw_amendment(session, actor, amendment)
        return amendments_json(session, [amendment])[0]


amendments_api_router = Router(
    path="/api/v1",
    route_handlers=[propose, propose_insertion, bill_amendments, amendment_detail, article_amendments, withdraw],
)
