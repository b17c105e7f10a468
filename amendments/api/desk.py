"""JSON API of the authors' desk: reject, respond, merge an insertion, and the proposer's rebase (CONTRACT §2).

Merging amendments into an article is ``POST /api/v1/articles/{id}/versions`` (drafting.api), which
calls ``amendments.desk.publish_article_version``.
"""
from __future__ import annotations

import msgspec
from litestar import Request, Router, post
from litestar.params import FromPath, RawBody

from amendments.services import desk
from drafting.policy import require_user
from drafting.web import ratelimit
from amendments.services import rebase
from amendments.views.json import amendments_json
from amendments.views.shapes import AmendmentJSON
from drafting.web.bodies import json_body, parse_body
from drafting.web.request import api_user, threaded, transaction


class ResponseIn(msgspec.Struct):
    response: str


class ResubmitIn(msgspec.Struct):
    text: str


class MergeInsertIn(msgspec.Struct):
    number: str
    message: str = ""


@post("/amendments/{amendment_id:int}/reject", status_code=200, dependencies=json_body(ResponseIn))
@threaded
def reject(request: Request, amendment_id: FromPath[int], body: RawBody) -> AmendmentJSON:
    with transaction(request) as session:
        actor = require_user(api_user(session, request))
        amendment = desk.get_amendment(session, amendment_id, for_update=True)
        payload = parse_body(body, ResponseIn)
        desk.reject_amendment(session, actor, amendment, payload.response)
        return amendments_json(session, [amendment])[0]


@post("/amendments/{amendment_id:int}/respond", status_code=200, dependencies=json_body(ResponseIn))
@threaded
def respond(request: Request, amendment_id: FromPath[int], body: RawBody) -> AmendmentJSON:
    with transaction(request) as session:
        actor = require_user(api_user(session, request))
        amendment = desk.get_amendment(session, amendment_id)
        payload = parse_body(body, ResponseIn)
        desk.respond_to_amendment(session, actor, amendment, payload.response)
        return amendments_json(session, [amendment])[0]


@post("/amendments/{amendment_id:int}/rebase", status_code=200, dependencies=json_body(ResubmitIn))
@threaded
def resubmit(request: Request, amendment_id: FromPath[int], body: RawBody) -> AmendmentJSON:
    with transaction(request) as session:
        actor = api_user(session, request)
        ratelimit.enforce(session, request, actor)
        require_user(actor)
        amendment = desk.get_amendment(session, amendment_id, for_update=True)
        payload = parse_body(body, ResubmitIn)
        rebase.resubmit_amendment(session, actor, amendment, payload.text)
        return amendments_json(session, [amendment])[0]


@post("/amendments/{amendment_id:int}/merge-insert", status_code=200, dependencies=json_body(MergeInsertIn))
@threaded
def merge_insert(request: Request, amendment_id: FromPath[int], body: RawBody) -> AmendmentJSON:
    with transaction(request) as session:
        actor = require_user(api_user(session, request))
        amendment = desk.get_amendment(session, amendment_id, for_update=True)
        payload = parse_body(body, MergeInsertIn)
        desk.merge_insertion(session, actor, amendment, payload.number, payload.message)
        return amendments_json(session, [amendment])[0]


desk_api_router = Router(path="/api/v1", route_handlers=[reject, respond, resubmit, merge_insert])
