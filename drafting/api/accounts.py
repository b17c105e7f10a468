"""JSON API for accounts: tokens, sign-up and accounts opened by staff, the signed-in person (CONTRACT §2)."""
from __future__ import annotations

import msgspec
from litestar import Request, Router, delete, get, patch, post
from litestar.params import FromPath, RawBody

from amendments.services import organizations
from drafting.models import User
from drafting.policy import require_user
from drafting.services import accounts, bills, participants
from drafting.views import json as out
from drafting.views.shapes import DeclarationJSON, MeJSON, ParticipantJSON, TokenJSON, UserJSON
from drafting.web import ratelimit
from drafting.web import signin
from drafting.web.bodies import json_body, parse_body
from drafting.web.request import api_user, bearer_token, blocking, threaded, transaction


class TokenIn(msgspec.Struct):
    username: str
    password: str


class CodeIn(msgspec.Struct):
    code: str


class PasswordIn(msgspec.Struct):
    new: str
    current: str | None = None


class MeIn(msgspec.Struct):
    organization: accounts.OrganizationIn | None = None


class ParticipantIn(msgspec.Struct):
    display_name: str
    username: str | None = None


@post("/auth/token", status_code=200, dependencies=json_body(TokenIn))
async def create_token(request: Request, body: RawBody) -> TokenJSON:
    payload = parse_body(body, TokenIn)
    return {"token": await signin.sign_in(request, payload.username, payload.password, "api")}


@delete("/auth/token", status_code=204)
@threaded
def revoke_token(request: Request) -> None:
    """The bearer token sent stops working."""
    with transaction(request) as session:
        require_user(api_user(session, request))
        accounts.revoke_token(session, bearer_token(request))


@post("/auth/code", status_code=200, dependencies=json_body(CodeIn))
async def sign_in_with_code(request: Request, body: RawBody) -> TokenJSON:
    """A printed one-time code (an assisted participant's) for a token; the code is then spent.
    Throttled with password sign-ins (drafting/web/signin.py)."""
    payload = parse_body(body, CodeIn)
    return {"token": await signin.sign_in_with_code(request, payload.code, "api")}


@post("/me/password", status_code=204, dependencies=json_body(PasswordIn))
async def change_password(request: Request, body: RawBody) -> None:
    payload = parse_body(body, PasswordIn)
    user = await blocking(request, _password_changer, request)
    await signin.change_password(request, user, payload.current, payload.new)


def _password_changer(request: Request) -> User:
    with transaction(request) as session:
        user = require_user(api_user(session, request))
        ratelimit.enforce(session, request, user)
        return user


@post("/bills/{slug:str}/participants", status_code=201, dependencies=json_body(ParticipantIn))
@threaded
def create_participant(request: Request, slug: FromPath[str], body: RawBody) -> ParticipantJSON:
    """A bill's author opens an account for a person without e-mail and gets their one-time code."""
    payload = parse_body(body, ParticipantIn)
    with transaction(request) as session:
        staff = require_user(api_user(session, request))
        ratelimit.enforce(session, request, staff)
        created = participants.create_participant(session, staff, bills.get_bill(session, slug),
                                                  payload.display_name, payload.username)
        return {"user": out.user_json(created.user), "sign_in_code": created.code}


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


@patch("/me", status_code=200, dependencies=json_body(MeIn))
@threaded
def change_me(request: Request, body: RawBody) -> MeJSON:
    """The signed-in person changes their public description: an organization its name and declared
    interests (the argument maps that name it follow in the same transaction)."""
    payload = parse_body(body, MeIn)
    with transaction(request) as session:
        user = require_user(api_user(session, request))
        ratelimit.enforce(session, request, user)
        if payload.organization is not None:
            organizations.update_organization(session, user, payload.organization)
        return out.me_json(user)


@get("/users/{username:str}")
@threaded
def user_detail(request: Request, username: FromPath[str]) -> UserJSON:
    with transaction(request) as session:
        return out.user_json(bills.get_user(session, username))


@get("/users/{username:str}/declarations")
@threaded
def user_declarations(request: Request, username: FromPath[str]) -> list[DeclarationJSON]:
    """What an organization declared of itself (name, interests), oldest first: empty for a citizen."""
    with transaction(request) as session:
        return [out.declaration_json(d) for d in accounts.declarations(session, bills.get_user(session, username))]


accounts_api_router = Router(path="/api/v1", route_handlers=[
    create_token, revoke_token, sign_in_with_code, change_password, create_participant, create_user, me, change_me, user_detail,
    user_declarations,
])
