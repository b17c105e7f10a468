"""JSON API of the role management page (an extension of the contract); handlers only translate HTTP."""
from __future__ import annotations

from typing import Any

from litestar import Request, Router, put
from litestar.params import FromPath, RawBody

from drafting import policy
from drafting.services import staff
from drafting.views import json as out
from drafting.web.bodies import json_body, parse_body
from drafting.web.request import api_user, threaded, transaction


@put("/users/{username:str}/roles", status_code=200, dependencies=json_body(staff.RolesIn))
@threaded
def set_roles(request: Request, username: FromPath[str], body: RawBody) -> dict[str, Any]:
    with transaction(request) as session:
        actor = policy.require_user(api_user(session, request))
        return out.user_json(staff.set_roles(session, actor, username, parse_body(body, staff.RolesIn)))


staff_api_router = Router(path="/api/v1", route_handlers=[set_roles])
