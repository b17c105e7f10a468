"""JSON API of the authors' desk, parliament-grade (CONTRACT §8): official opinions, sub-amendments,
hunks, and the bill's amendments in discussion order."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery, RawBody

from amendments import engine
from amendments.services import desk, opinions, order, proposing, subamendments
from amendments.services.wording import bill_language
from amendments.views.json import amendments_json
from drafting.errors import Invalid
from drafting.models import Bill
from drafting.ids import RowId
from drafting.policy import require_user
from drafting.services import bills
from drafting.web import ratelimit
from drafting.web.bodies import json_body, parse_body
from drafting.web.request import api_user, threaded, transaction

DEFAULT_LIMIT, MAX_LIMIT = 100, 500


class OpinionIn(msgspec.Struct):
    amendments: list[RowId]
    opinion: str
    response: str | None = None


class SubamendmentIn(msgspec.Struct):
    text: str | None = None
    explanation: str | None = None


def page_bounds(limit: int | None, offset: int | None) -> tuple[int, int]:
    """``limit`` (default 100, at most 500) and ``offset`` of a list (CONTRACT §6 Lists)."""
    limit = DEFAULT_LIMIT if limit is None else limit
    offset = 0 if offset is None else offset
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid("limit", "must be between 1 and 500")
    if offset < 0:
        raise Invalid("offset", "must be 0 or more")
    return limit, offset


def next_link(request: Request, limit: int, offset: int) -> str:
    """The ``Link`` header of the page that follows."""
    query = {**dict(request.query_params), "limit": str(limit), "offset": str(offset + limit)}
    return f'<{request.url.with_replacements(query=urlencode(query))}>; rel="next"'


@post("/amendments/opinions", status_code=200, dependencies=json_body(OpinionIn))
@threaded
def give_opinions(request: Request, body: RawBody) -> list[dict[str, Any]]:
    with transaction(request) as session:
        actor = require_user(api_user(session, request))
        payload = parse_body(body, OpinionIn)
        given = opinions.give_opinion(session, actor, payload.amendments, payload.opinion, payload.response)
        return amendments_json(session, given)


@post("/amendments/{amendment_id:int}/subamendments", status_code=201, dependencies=json_body(SubamendmentIn))
@threaded
def propose_subamendment(request: Request, amendment_id: FromPath[int], body: RawBody) -> dict[str, Any]:
    with transaction(request) as session:
        actor = api_user(session, request)
        ratelimit.enforce(session, request, actor)
        require_user(actor)
        parent = proposing.get_amendment(session, amendment_id)
        payload = parse_body(body, SubamendmentIn)
        sub = subamendments.propose_subamendment(session, actor, parent, text=payload.text,
                                                 explanation=payload.explanation)
        return amendments_json(session, [sub])[0]


@post("/amendments/{amendment_id:int}/incorporate", status_code=200)
@threaded
def incorporate(request: Request, amendment_id: FromPath[int]) -> dict[str, Any]:
    with transaction(request) as session:
        actor = require_user(api_user(session, request))
        sub = desk.get_amendment(session, amendment_id, for_update=True)
        parent = subamendments.incorporate(session, actor, sub)
        return amendments_json(session, [parent])[0]


@get("/amendments/{amendment_id:int}/hunks")
@threaded
def amendment_hunks(request: Request, amendment_id: FromPath[int]) -> list[dict[str, Any]]:
    with transaction(request) as session:
        amendment = proposing.get_amendment(session, amendment_id)
        if amendment.hidden_by_id is not None or amendment.kind != "modify":
            return []
        base = proposing.base_text(session, amendment)  # a sub-amendment's: its parent's text
        language = bill_language(session.get(Bill, amendment.bill_id))
        return [{"index": h.index, "wording": h.wording, "diff": [[op, text] for op, text in h.diff]}
                for h in engine.hunks(base, amendment.text, language)]


@get("/bills/{slug:str}/amendments", name="api:bill:amendments")
@threaded
def bill_amendments(request: Request, slug: FromPath[str], status: FromQuery[str | None] = None,
                    kind: FromQuery[str | None] = None, limit: FromQuery[int | None] = None,
                    offset: FromQuery[int | None] = None) -> Response[list[dict[str, Any]]]:
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        limit, offset = page_bounds(limit, offset)
        ordered = order.discussion_order(session, bill, status=status, kind=kind)
        page = ordered[offset:offset + limit]
        headers = {"Link": next_link(request, limit, offset)} if offset + limit < len(ordered) else {}
        return Response(amendments_json(session, page), headers=headers)


# The discussion order shares its path with POST /bills/{slug}/amendments: it is served by that
# router (amendments.api.amendments), since one path takes one route.
authors_desk_api_router = Router(path="/api/v1", route_handlers=[
    give_opinions, propose_subamendment, incorporate, amendment_hunks,
])
