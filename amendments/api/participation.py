"""JSON API for votes, arguments, sources, reports and moderation (CONTRACT §2); handlers only
translate HTTP. Every write counts against the caller's rate limit first."""
from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, Router, delete, get, post, put
from litestar.params import FromPath, FromQuery, RawBody
from sqlalchemy.orm import Session

from amendments.services import moderation
from amendments.services import participation
from amendments.services import arguments
from amendments.services import sources
from drafting import policy
from drafting.web import ratelimit
from amendments.models import Argument, ModerationDecision, Report, Source
from drafting.views import json as out
from drafting.services import bills, participants
from drafting.errors import Invalid, NotFound
from drafting.models import User
from drafting.web.bodies import parse_body
from drafting.web.request import api_user, threaded, transaction


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
    id: int
    reason: str


class HideIn(msgspec.Struct):
    reason: str


class DismissIn(msgspec.Struct):
    reason: str | None = None


# --- JSON shapes -------------------------------------------------------------------------------

def organization_json(user: User) -> dict[str, str] | None:
    if not user.is_organization:
        return None
    return {"name": user.organization_name or "", "declared_interests": user.declared_interests or ""}


def hidden_json(decision: ModerationDecision) -> dict[str, Any]:
    return {"reason": decision.reason, "at": out.iso(decision.created_at)}


def vote_json(votes: dict[str, int], mine: str | None) -> dict[str, Any]:
    """The target's tallies (at the top level and under ``votes``) and the caller's vote."""
    return {**votes, "votes": votes, "vote": mine}


def arguments_json(session: Session, rows: list[tuple[Argument, int]]) -> list[dict[str, Any]]:
    """Arguments with their supporters and useful counts, in a constant number of queries."""
    ids = [argument.id for argument, _ in rows]
    supporters = arguments.supporters_of(session, ids)
    decisions = moderation.hidden_decisions(session, [argument for argument, _ in rows])
    return [argument_json(argument, useful, supporters.get(argument.id, []), decisions.get(argument.hidden_by_id))
            for argument, useful in rows]


def argument_json(argument: Argument, useful: int, supporters: list[User],
                  decision: ModerationDecision | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": argument.id,
        "article": argument.article_id,
        "amendment": argument.amendment_id,
        "stance": argument.stance,
        "body": argument.body,
        "author": argument.author.username,
        "author_organization": organization_json(argument.author),
        "entered_by": argument.entered_by.username if argument.entered_by_id else None,
        "supporters": [user.username for user in supporters],
        "useful": useful,
        "similar_to": argument.similar_to_id,
        "created_at": out.iso(argument.created_at),
    }
    if decision is not None:
        body["body"] = None
        body["hidden"] = hidden_json(decision)
    return body


def one_argument_json(session: Session, argument: Argument) -> dict[str, Any]:
    useful = arguments.useful_counts(session, [argument.id])[argument.id]
    return arguments_json(session, [(argument, useful)])[0]


def sources_json(session: Session, sources: list[Source]) -> list[dict[str, Any]]:
    decisions = moderation.hidden_decisions(session, sources)
    return [source_json(source, decisions.get(source.hidden_by_id)) for source in sources]


def source_json(source: Source, decision: ModerationDecision | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": source.id,
        "article": source.article_id,
        "amendment": source.amendment_id,
        "title": source.title,
        "url": source.url,
        "note": source.note,
        "author": source.author.username,
        "author_organization": organization_json(source.author),
        "created_at": out.iso(source.created_at),
    }
    if decision is not None:
        body.update(title=None, url=None, note=None, hidden=hidden_json(decision))
    return body


def report_json(report: Report) -> dict[str, Any]:
    return {
        "id": report.id,
        "target": report.target_type,
        "target_id": report.target_id,
        "reason": report.reason,
        "reporter": report.reporter.username,
        "status": "pending" if report.decision_id is None else "settled",
        "decision": report.decision_id,
        "created_at": out.iso(report.created_at),
    }


def decision_json(decision: ModerationDecision) -> dict[str, Any]:
    return {
        "id": decision.id,
        "action": decision.action,
        "target": decision.target_type,
        "target_id": decision.target_id,
        "reason": decision.reason,
        "moderator": decision.moderator.username,
        "at": out.iso(decision.created_at),
    }


def trash_json(item: moderation.TrashItem) -> dict[str, Any]:
    return {"target": item.target, "id": item.id, "title": item.title, "author": item.author.username,
            "reason": item.reason, "at": out.iso(item.at)}


# --- handlers, once per kind of target ----------------------------------------------------------

def _writer(session: Session, request: Request) -> User | None:
    """The caller of a write, after counting the write against the rate limits."""
    user = api_user(session, request)
    ratelimit.enforce(session, request, user)
    return user


def _target_handlers(kind: str) -> list:
    """The vote, argument and source endpoints of articles or amendments."""
    base = f"/{kind}s/{{target_id:int}}"

    @put(f"{base}/vote", name=f"api:{kind}:vote", status_code=200)
    @threaded
    def put_vote(request: Request, target_id: FromPath[int], body: RawBody) -> dict[str, Any]:
        with transaction(request) as session:
            user = _writer(session, request)
            payload = parse_body(body, VoteIn)
            policy.require_own_vote(payload.on_behalf_of)
            target = participation.get_target(session, kind, target_id)
            votes = participation.cast_vote(session, user, target, payload.value)
            return vote_json(votes, payload.value)

    @delete(f"{base}/vote", name=f"api:{kind}:unvote", status_code=200)
    @threaded
    def delete_vote(request: Request, target_id: FromPath[int]) -> dict[str, Any]:
        with transaction(request) as session:
            user = _writer(session, request)
            target = participation.get_target(session, kind, target_id)
            return vote_json(participation.take_back_vote(session, user, target), None)

    @get(f"{base}/arguments", name=f"api:{kind}:arguments")
    @threaded
    def list_arguments(request: Request, target_id: FromPath[int], limit: FromQuery[int | None] = None,
                       offset: FromQuery[int] = 0) -> list[dict[str, Any]]:
        if (limit is not None and limit < 0) or offset < 0:
            raise Invalid("limit" if limit is not None and limit < 0 else "offset", "must not be negative")
        with transaction(request) as session:
            target = participation.get_target(session, kind, target_id)
            return arguments_json(session, arguments.list_arguments(session, target, limit=limit, offset=offset))

    @post(f"{base}/arguments", name=f"api:{kind}:argue")
    @threaded
    def create_argument(request: Request, target_id: FromPath[int], body: RawBody) -> Response:
        with transaction(request) as session:
            user = _writer(session, request)
            payload = parse_body(body, ArgumentIn)
            target = participation.get_target(session, kind, target_id)
            author, entered_by = participants.acting_for(session, user, target.bill, payload.on_behalf_of)
            result = arguments.add_argument(session, author, target, payload.stance, payload.body, entered_by)
            return Response(one_argument_json(session, result.argument), status_code=201 if result.created else 200)

    @get(f"{base}/sources", name=f"api:{kind}:sources")
    @threaded
    def list_sources(request: Request, target_id: FromPath[int]) -> list[dict[str, Any]]:
        with transaction(request) as session:
            target = participation.get_target(session, kind, target_id)
            return sources_json(session, sources.list_sources(session, target))

    @post(f"{base}/sources", name=f"api:{kind}:cite", status_code=201)
    @threaded
    def create_source(request: Request, target_id: FromPath[int], body: RawBody) -> dict[str, Any]:
        with transaction(request) as session:
            user = _writer(session, request)
            payload = parse_body(body, SourceIn)
            target = participation.get_target(session, kind, target_id)
            source = sources.add_source(session, user, target, payload.title, payload.url, payload.note)
            return source_json(source)

    return [put_vote, delete_vote, list_arguments, create_argument, list_sources, create_source]


@get("/arguments/{argument_id:int}", name="api:argument")
@threaded
def argument_detail(request: Request, argument_id: FromPath[int]) -> dict[str, Any]:
    with transaction(request) as session:
        return one_argument_json(session, arguments.get_argument(session, argument_id))


@put("/arguments/{argument_id:int}/useful", name="api:argument:useful", status_code=200)
@threaded
def mark_useful(request: Request, argument_id: FromPath[int]) -> dict[str, int]:
    with transaction(request) as session:
        user = _writer(session, request)
        argument = arguments.get_argument(session, argument_id)
        return {"useful": arguments.set_useful(session, user, argument, True)}


@delete("/arguments/{argument_id:int}/useful", name="api:argument:unuseful", status_code=200)
@threaded
def unmark_useful(request: Request, argument_id: FromPath[int]) -> dict[str, int]:
    with transaction(request) as session:
        user = _writer(session, request)
        argument = arguments.get_argument(session, argument_id)
        return {"useful": arguments.set_useful(session, user, argument, False)}


@get("/sources/{source_id:int}", name="api:source")
@threaded
def source_detail(request: Request, source_id: FromPath[int]) -> dict[str, Any]:
    with transaction(request) as session:
        return sources_json(session, [sources.get_source(session, source_id)])[0]


@post("/reports", name="api:report", status_code=201)
@threaded
def create_report(request: Request, body: RawBody) -> dict[str, Any]:
    with transaction(request) as session:
        user = _writer(session, request)
        payload = parse_body(body, ReportIn)
        return report_json(moderation.report(session, user, payload.target, payload.id, payload.reason))


@get("/moderation/reports", name="api:moderation:queue")
@threaded
def pending_reports(request: Request) -> list[dict[str, Any]]:
    with transaction(request) as session:
        entries = moderation.queue(session, api_user(session, request))
        return [report_json(r) for entry in entries for r in entry.reports]


@post("/moderation/{target:str}/{target_id:int}/hide", name="api:moderation:hide", status_code=200)
@threaded
def hide(request: Request, target: FromPath[str], target_id: FromPath[int], body: RawBody) -> dict[str, Any]:
    with transaction(request) as session:
        user = _writer(session, request)
        policy.require_moderator(user)
        if target not in moderation.MODELS:
            raise NotFound(f"no moderation target '{target}'")
        payload = parse_body(body, HideIn)
        decision = moderation.hide(session, user, target, target_id, payload.reason)
        return {**decision_json(decision), "hidden": hidden_json(decision)}


@post("/moderation/reports/{report_id:int}/dismiss", name="api:moderation:dismiss", status_code=200)
@threaded
def dismiss(request: Request, report_id: FromPath[int], body: RawBody) -> dict[str, Any]:
    with transaction(request) as session:
        user = _writer(session, request)
        policy.require_moderator(user)
        payload = parse_body(body, DismissIn) if body.strip() else DismissIn()
        return decision_json(moderation.dismiss(session, user, report_id, payload.reason))


@get("/bills/{slug:str}/trash", name="api:bill:trash")
@threaded
def bill_trash(request: Request, slug: FromPath[str]) -> list[dict[str, Any]]:
    with transaction(request) as session:
        return [trash_json(item) for item in moderation.trash(session, bills.get_bill(session, slug))]


participation_api_router = Router(
    path="/api/v1",
    route_handlers=[
        *_target_handlers("article"), *_target_handlers("amendment"),
        argument_detail, mark_useful, unmark_useful, source_detail,
        create_report, pending_reports, hide, dismiss, bill_trash,
    ],
)
