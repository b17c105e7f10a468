"""JSON API of the argument map (CONTRACT §7): the maps of articles and amendments, one position with
its history, and the staff's corrections (merge, split, label)."""
from __future__ import annotations

from typing import Any

import msgspec
from litestar import MediaType, Request, Response, Router, get, post, put
from litestar.params import FromPath, RawBody

from amendments.api.participation import _writer
from amendments.services import argument_maps, participation, position_staff
from amendments.views import positions as views
from drafting.ids import RowId
from drafting.web.bodies import json_body, parse_body
from drafting.web.request import threaded, transaction


class MergeIn(msgspec.Struct):
    positions: list[RowId]


class SplitIn(msgspec.Struct):
    arguments: list[RowId]


class LabelIn(msgspec.Struct):
    label: str


def _map_handler(kind: str):
    @get(f"/{kind}s/{{target_id:int}}/argument-map", name=f"api:{kind}:argument-map")
    @threaded
    def argument_map(request: Request, target_id: FromPath[int]) -> Response:
        with transaction(request) as session:
            target = participation.get_target(session, kind, target_id)
            # The kept document as it is stored: no parsing, no work per argument (CONTRACT §7).
            return Response(argument_maps.read_document(session, target).encode(), media_type=MediaType.JSON)

    return argument_map


@get("/positions/{position_id:int}", name="api:position")
@threaded
def position_detail(request: Request, position_id: FromPath[int]) -> dict[str, Any]:
    with transaction(request) as session:
        return views.position_detail_json(session, views.one_position(session, position_id))


@post("/positions/merge", name="api:positions:merge", status_code=200, dependencies=json_body(MergeIn))
@threaded
def merge_positions(request: Request, body: RawBody) -> dict[str, Any]:
    with transaction(request) as session:
        user = _writer(session, request)
        payload = parse_body(body, MergeIn)
        position = position_staff.merge(session, user, payload.positions)
        return views.position_detail_json(session, views.one_position(session, position.id))


@post("/positions/{position_id:int}/split", name="api:positions:split", status_code=201,
      dependencies=json_body(SplitIn))
@threaded
def split_position(request: Request, position_id: FromPath[int], body: RawBody) -> Response:
    with transaction(request) as session:
        user = _writer(session, request)
        payload = parse_body(body, SplitIn)
        created = position_staff.split(session, user, position_id, payload.arguments)
        return Response(views.position_detail_json(session, views.one_position(session, created.id)),
                        status_code=201)


@put("/positions/{position_id:int}/label", name="api:positions:label", status_code=200,
     dependencies=json_body(LabelIn))
@threaded
def label_position(request: Request, position_id: FromPath[int], body: RawBody) -> dict[str, Any]:
    with transaction(request) as session:
        user = _writer(session, request)
        payload = parse_body(body, LabelIn)
        position_staff.rename(session, user, position_id, payload.label)
        return views.position_detail_json(session, views.one_position(session, position_id))


positions_api_router = Router(
    path="/api/v1",
    route_handlers=[_map_handler("article"), _map_handler("amendment"), position_detail, merge_positions,
                    split_position, label_position],
)
