"""JSON API for votes, arguments, sources, reports and moderation (CONTRACT §2); handlers only
translate HTTP. Every write counts against the caller's rate limit first."""
from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar, Request, Response, Router, delete, get, post, put
from litestar.params import FromPath, RawBody
from litestar.types import Scope
from sqlalchemy.orm import Session

from amendments.services import moderation
from amendments.services import participation
from amendments.services import arguments
from amendments.services import sources
from amendments.services.vote_batches import Ballot
from drafting import policy
from drafting.web import ratelimit
from amendments.models import Argument, ModerationDecision, Report, Source
from drafting.views import json as out
from amendments.views import participation_json as shapes
from amendments.views.shapes import (
    ArgumentJSON, DecisionJSON, HideJSON, ReportJSON, SourceJSON, TrashItemJSON, UsefulJSON, VoteAnswerJSON,
)
from drafting.services import bills, participants
from drafting.errors import Invalid, NotFound
from drafting.ids import RowId
from drafting.models import User
from drafting.web.paging import PageWindow, paginated
from drafting.web.answers import EncodedJSON
from drafting.web.bodies import json_body, parse_body
from drafting.web.fastroutes import FastRoute, header, raise_known_error
from drafting.web.paths import check_ids
from drafting.web.request import api_user, bearer_of, bearer_token, threaded, transaction


class VoteIn(msgspec.Struct):
    value: str
    on_behalf_of: str | None = None  # refused: votes stay personal (policy.VOTES_PERSONAL)


class ArgumentIn(msgspec.Struct):
    stance: str
    body: str
    on_behalf_of: str | None = None  # staff entering it for an assisted participant (CONTRACT §6)


class SourceIn(msgspec.Struct):
    title: str
    url: str
    note: str | None = None


class ReportIn(msgspec.Struct):
    target: str
    id: RowId
    reason: str


class HideIn(msgspec.Struct):
    reason: str


class DismissIn(msgspec.Struct):
    reason: str | None = None


# --- votes -----------------------------------------------------------------------------------

async def _vote(app: Litestar, kind: str, target_id: int, token: str | None, address: str,
                body: bytes | None) -> dict[str, Any]:
    """The vote of a PUT (its ``body``) or its withdrawal (None), written in the worker's next batch: one
    transaction and one commit for the votes of all the requests in flight
    (amendments/services/vote_batches.py; plain statements, no ORM); the contract's answer."""
    value, refusal = None, None
    if body is not None:
        try:
            payload = parse_body(body, VoteIn)
            policy.require_own_vote(payload.on_behalf_of)
            value = payload.value
        except Invalid as error:  # answered after the token and the target, as every write does
            refusal = error
    votes = await app.state.votes.submit(Ballot(kind, target_id, token, value, address, refusal))
    return shapes.vote_json(votes, value)


def _vote_fast_routes(kind: str) -> list[FastRoute]:
    async def cast(app: Litestar, parameters: dict[str, int], scope: Scope, body: bytes | None) -> bytes:
        check_ids(parameters)  # a huge id never reaches a batch: the route answers its 404
        return msgspec.json.encode(await _vote(app, kind, parameters["target_id"],
                                               bearer_of(header(scope, b"authorization") or ""),
                                               ratelimit.address_of(scope.get("client")), body))

    return [FastRoute(f"api:{kind}:vote", cast, reads_body=True), FastRoute(f"api:{kind}:unvote", cast)]


# The vote routes answered before Litestar's routing (drafting/web/fastroutes.py, installed by the app).
VOTE_FAST_ROUTES = [*_vote_fast_routes("article"), *_vote_fast_routes("amendment")]


# --- handlers, once per kind of target ----------------------------------------------------------

def _writer(session: Session, request: Request) -> User | None:
    """The caller of a write, after counting the write against the rate limits."""
    user = api_user(session, request)
    ratelimit.enforce(session, request, user)
    return user


def _target_handlers(kind: str) -> list:
    """The vote, argument and source endpoints of articles or amendments."""
    base = f"/{kind}s/{{target_id:int}}"

    # Votes, the most frequent write, go in batches (_vote), and are answered before Litestar's routing
    # when nothing else is asked of their route (VOTE_FAST_ROUTES); these handlers answer the rest.
    @put(f"{base}/vote", name=f"api:{kind}:vote", status_code=200, dependencies=json_body(VoteIn))
    async def put_vote(request: Request, target_id: FromPath[int], body: RawBody) -> Response[VoteAnswerJSON]:
        raise_known_error(request)
        return EncodedJSON(await _vote(request.app, kind, target_id, bearer_token(request),
                                       ratelimit.client_address(request), body))

    @delete(f"{base}/vote", name=f"api:{kind}:unvote", status_code=200)
    async def delete_vote(request: Request, target_id: FromPath[int]) -> Response[VoteAnswerJSON]:
        raise_known_error(request)
        return EncodedJSON(await _vote(request.app, kind, target_id, bearer_token(request),
                                       ratelimit.client_address(request), None))

    @get(f"{base}/arguments", name=f"api:{kind}:arguments")
    @threaded
    def list_arguments(request: Request, target_id: FromPath[int], page: PageWindow) -> Response[list[ArgumentJSON]]:
        with transaction(request) as session:
            target = participation.get_target(session, kind, target_id)
            return paginated(request, page, lambda limit, offset: arguments.list_arguments(
                session, target, limit=limit, offset=offset), lambda rows: shapes.arguments_json(session, rows))

    @threaded
    def write_argument(request: Request, target_id: int, payload: ArgumentIn, vector: Any) -> Response:
        with transaction(request) as session:
            user = _writer(session, request)
            target = participation.get_target(session, kind, target_id)
            author, entered_by = participants.acting_for(session, user, target.bill, payload.on_behalf_of)
            result = arguments.add_argument(session, author, target, payload.stance, payload.body, vector,
                                            entered_by=entered_by)
            return Response(shapes.one_argument_json(session, result.argument), status_code=201 if result.created else 200)

    @post(f"{base}/arguments", name=f"api:{kind}:argue", dependencies=json_body(ArgumentIn))
    async def create_argument(request: Request, target_id: FromPath[int], body: RawBody) -> Response[ArgumentJSON]:
        """The argument's embedding is computed in a worker thread before its write transaction."""
        payload = parse_body(body, ArgumentIn)
        vector = await arguments.vector_for(payload.body)
        return await write_argument(request=request, target_id=target_id, payload=payload, vector=vector)

    @get(f"{base}/sources", name=f"api:{kind}:sources")
    @threaded
    def list_sources(request: Request, target_id: FromPath[int], page: PageWindow) -> Response[list[SourceJSON]]:
        with transaction(request) as session:
            target = participation.get_target(session, kind, target_id)
            return paginated(request, page, lambda limit, offset: sources.list_sources(
                session, target, limit=limit, offset=offset), lambda rows: shapes.sources_json(session, rows))

    @post(f"{base}/sources", name=f"api:{kind}:cite", status_code=201, dependencies=json_body(SourceIn))
    @threaded
    def create_source(request: Request, target_id: FromPath[int], body: RawBody) -> SourceJSON:
        with transaction(request) as session:
            user = _writer(session, request)
            target = participation.get_target(session, kind, target_id)
            payload = parse_body(body, SourceIn)
            source = sources.add_source(session, user, target, payload.title, payload.url, payload.note)
            return shapes.source_json(source)

    return [put_vote, delete_vote, list_arguments, create_argument, list_sources, create_source]


@get("/arguments/{argument_id:int}", name="api:argument")
@threaded
def argument_detail(request: Request, argument_id: FromPath[int]) -> ArgumentJSON:
    with transaction(request) as session:
        return shapes.one_argument_json(session, arguments.get_argument(session, argument_id))


@put("/arguments/{argument_id:int}/useful", name="api:argument:useful", status_code=200)
@threaded
def mark_useful(request: Request, argument_id: FromPath[int]) -> UsefulJSON:
    with transaction(request) as session:
        user = _writer(session, request)
        argument = arguments.get_argument(session, argument_id)
        return {"useful": arguments.set_useful(session, user, argument, True)}


@delete("/arguments/{argument_id:int}/useful", name="api:argument:unuseful", status_code=200)
@threaded
def unmark_useful(request: Request, argument_id: FromPath[int]) -> UsefulJSON:
    with transaction(request) as session:
        user = _writer(session, request)
        argument = arguments.get_argument(session, argument_id)
        return {"useful": arguments.set_useful(session, user, argument, False)}


@get("/sources/{source_id:int}", name="api:source")
@threaded
def source_detail(request: Request, source_id: FromPath[int]) -> SourceJSON:
    with transaction(request) as session:
        return shapes.sources_json(session, [sources.get_source(session, source_id)])[0]


@post("/reports", name="api:report", status_code=201, dependencies=json_body(ReportIn))
@threaded
def create_report(request: Request, body: RawBody) -> ReportJSON:
    with transaction(request) as session:
        user = _writer(session, request)
        payload = parse_body(body, ReportIn)
        return shapes.report_json(moderation.report(session, user, payload.target, payload.id, payload.reason))


@get("/moderation/reports", name="api:moderation:queue")
@threaded
def pending_reports(request: Request, page: PageWindow) -> Response[list[ReportJSON]]:
    with transaction(request) as session:
        user = api_user(session, request)
        return paginated(request, page, lambda limit, offset: [
            report for entry in moderation.queue(session, user, limit=limit, offset=offset) for report in entry.reports
        ], lambda rows: [shapes.report_json(r) for r in rows])


@post("/moderation/{target:str}/{target_id:int}/hide", name="api:moderation:hide", status_code=200, dependencies=json_body(HideIn))
@threaded
def hide(request: Request, target: FromPath[str], target_id: FromPath[int], body: RawBody) -> HideJSON:
    with transaction(request) as session:
        user = _writer(session, request)
        policy.require_moderator(user)
        if target not in moderation.MODELS:
            raise NotFound("no moderation target '{target}'", target=target)
        payload = parse_body(body, HideIn)
        decision = moderation.hide(session, user, target, target_id, payload.reason)
        return {**shapes.decision_json(decision), "hidden": shapes.hidden_json(decision)}


@post("/moderation/reports/{report_id:int}/dismiss", name="api:moderation:dismiss", status_code=200, dependencies=json_body(DismissIn))
@threaded
def dismiss(request: Request, report_id: FromPath[int], body: RawBody) -> DecisionJSON:
    with transaction(request) as session:
        user = _writer(session, request)
        policy.require_moderator(user)
        payload = parse_body(body, DismissIn) if body.strip() else DismissIn()
        return shapes.decision_json(moderation.dismiss(session, user, report_id, payload.reason))


@get("/bills/{slug:str}/trash", name="api:bill:trash")
@threaded
def bill_trash(request: Request, slug: FromPath[str], page: PageWindow) -> Response[list[TrashItemJSON]]:
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        return paginated(request, page, lambda limit, offset: moderation.trash(session, bill, limit=limit, offset=offset),
                         lambda rows: [shapes.trash_json(item) for item in rows])


participation_api_router = Router(
    path="/api/v1",
    route_handlers=[
        *_target_handlers("article"), *_target_handlers("amendment"),
        argument_detail, mark_useful, unmark_useful, source_detail,
        create_report, pending_reports, hide, dismiss, bill_trash,
    ],
)
