"""JSON API for accounts: tokens, sign-up and accounts opened by staff, the signed-in person (CONTRACT §2)."""
from __future__ import annotations

import msgspec
from litestar import Request, Router, get, post
from litestar.params import FromPath, RawBody

from drafting.policy import require_user
from drafting.services import accounts, bills
from drafting.views import json as out
from drafting.views.shapes import MeJSON, TokenJSON, UserJSON
from drafting.web import ratelimit
from drafting.web import signin
from drafting.web.bodies import json_body, parse_body
from drafting.web.request import api_user, blocking, threaded, transaction


class TokenIn(msgspec.Struct):
    username: str
    password: str


@post("/auth/token", status_code=200, dependencies=json_body(TokenIn))
async def create_token(request: Request, body: RawBody) -> TokenJSON:
    payload = parse_body(body, TokenIn)
    return {"token": await signin.sign_in(request, payload.username, payload.password, "api")}


@post("/users", status_code=201, dependencies=json_body(accounts.UserIn))
async def create_user(request: Request, body: RawBody) -> UserJSON:
    payload = parse_body(body, accounts.UserIn)
    return await blocking(request, _create_user, request, payload, await signin.new_password_hash(payload))


def _create_user(request: Request, payload: accounts.UserIn, password_hash: str | None) -> UserJSON:
    with transaction(request) as session:
        actor = api_user(session, request)
        ratelimit.enforce(session, request, actor)
        if actor is not None and payload.password in (None, ""):
            user = accounts.create_assisted_user(session, actor, payload)
        else:
            user = accounts.create_user(session, payload, password_hash=password_hash)
        return out.user_json(user)


@get("/me")
@threaded
def me(request: Request) -> MeJSON:
    with transaction(request) as session:
        return out.me_json(require_user(api_user(session, request)))


@get("/users/{username:str}")
@threaded
def user_detail(request: Request, username: FromPath[str]) -> UserJSON:
    with transaction(request) as session:
        return out.user_json(bills.get_user(session, username))


accounts_api_router = Router(path="/api/v1", route_handlers=[create_token, create_user, me, user_detail])
