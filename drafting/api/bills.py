"""JSON API for bills, articles and bill versions (CONTRACT §2); handlers only translate HTTP."""
from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Request, Response, Router, get, patch, post
from litestar.params import FromPath, QueryParameter, RawBody

from amendments.services import desk
from drafting.ids import RowId
from drafting.policy import require_user
from drafting.services import bills, history, staff
from drafting.views import json as out
from drafting.views.shapes import (
    ArticleDiffJSON, ArticleJSON, ArticleVersionJSON, AuthorsJSON, BillDiffJSON, BillJSON, BillSummaryJSON,
    BillVersionJSON, BillVersionSummaryJSON, BlameJSON,
)
from drafting.web.immutable import immutable_json, not_modified
from drafting.web.paging import PageWindow, paginated
from drafting.web.bodies import json_body, parse_body
from drafting.web.documents import document
from drafting.web.request import api_user, threaded, transaction


# Read as text so that a bad value gets a 400 naming the parameter (history.version_number).
FromVersion = Annotated[str | None, QueryParameter(name="from", required=False)]
ToVersion = Annotated[str | None, QueryParameter(name="to", required=False)]


class UsernameIn(msgspec.Struct):
    username: str


class StatusIn(msgspec.Struct):
    status: str


class BillVersionIn(msgspec.Struct):
    label: str
    message: str = ""


class ArticleVersionIn(msgspec.Struct):
    expected_version: RowId
    message: str = ""
    merge: list[RowId] | None = None
    text: str | None = None
    hunks: dict[str, list[int]] | None = None  # partial merge (CONTRACT §8): amendment id → hunk indexes


@post("/bills", status_code=201, dependencies=json_body(bills.BillIn))
@threaded
def create_bill(request: Request, body: RawBody) -> BillJSON:
    with transaction(request) as session:
        actor = require_user(api_user(session, request))
        payload = parse_body(body, bills.BillIn)
        bill = bills.create_bill(session, actor, payload)
        return out.bill_json(session, bill)


@get("/bills", name="api:bills")
@threaded
def list_bills(request: Request, page: PageWindow) -> Response[list[BillSummaryJSON]]:
    with transaction(request) as session:
        return paginated(request, page, lambda limit, offset: bills.list_bills(session, limit=limit, offset=offset),
                         lambda rows: [out.bill_summary_json(b) for b in rows])


@get("/bills/{slug:str}")
@threaded
def bill_detail(request: Request, slug: FromPath[str]) -> BillJSON:
    with transaction(request) as session:
        return out.bill_json(session, bills.get_bill(session, slug))


@patch("/bills/{slug:str}", status_code=200, dependencies=json_body(staff.BillPatch))
@threaded
def update_bill(request: Request, slug: FromPath[str], body: RawBody) -> BillJSON:
    with transaction(request) as session:
        actor = require_user(api_user(session, request))
        bill = bills.get_bill(session, slug)
        staff.update_bill(session, actor, bill, parse_body(body, staff.BillPatch))
        return out.bill_json(session, bill)


@post("/bills/{slug:str}/authors", status_code=201, dependencies=json_body(UsernameIn))
@threaded
def add_author(request: Request, slug: FromPath[str], body: RawBody) -> AuthorsJSON:
    with transaction(request) as session:
        actor = require_user(api_user(session, request))
        bill = bills.get_bill(session, slug)
        payload = parse_body(body, UsernameIn)
        user = bills.add_author(session, actor, bill, payload.username)
        return {"bill": bill.slug, "author": user.username,
                "authors": [u.username for u in bills.bill_authors(session, bill)]}


@post("/bills/{slug:str}/status", status_code=200, dependencies=json_body(StatusIn))
@threaded
def set_status(request: Request, slug: FromPath[str], body: RawBody) -> BillJSON:
    with transaction(request) as session:
        actor = require_user(api_user(session, request))
        bill = bills.get_bill(session, slug)
        payload = parse_body(body, StatusIn)
        bills.set_status(session, actor, bill, payload.status)
        return out.bill_json(session, bill)


@post("/bills/{slug:str}/versions", status_code=201, dependencies=json_body(BillVersionIn))
@threaded
def publish_bill_version(request: Request, slug: FromPath[str], body: RawBody) -> BillVersionJSON:
    with transaction(request) as session:
        actor = require_user(api_user(session, request))
        bill = bills.get_bill(session, slug)
        payload = parse_body(body, BillVersionIn)
        version = bills.publish_bill_version(session, actor, bill, payload.label, payload.message)
        return out.bill_version_json(session, version, with_texts=False)


@get("/bills/{slug:str}/versions")
@threaded
def list_bill_versions(request: Request, slug: FromPath[str], page: PageWindow) -> Response[list[BillVersionSummaryJSON]]:
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        return paginated(request, page,
                         lambda limit, offset: bills.bill_versions(session, bill, limit=limit, offset=offset),
                         lambda rows: [out.bill_version_summary(v) for v in rows])


@get("/bills/{slug:str}/versions/{seq:int}", name="api:bill:version")
@threaded
def bill_version_detail(request: Request, slug: FromPath[str], seq: FromPath[int]) -> Response[BillVersionJSON]:
    if (cached := not_modified(request)) is not None:
        return cached
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        version = bills.get_bill_version(session, bill, seq)
        return immutable_json(request, out.bill_version_json(session, version, with_texts=True))


@get("/bills/{slug:str}/diff")
@threaded
def bill_diff(request: Request, slug: FromPath[str], from_: FromVersion = None,
              to: ToVersion = None) -> Response[BillDiffJSON]:
    if (cached := not_modified(request)) is not None:
        return cached
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        return immutable_json(request, history.bill_diff_json(session, bill, from_, to))


@get("/articles/{article_id:int}")
@threaded
def article_detail(request: Request, article_id: FromPath[int]) -> Response[ArticleJSON]:
    return document(request, ("article", article_id), lambda session: out.article_document(session, article_id))


@get("/articles/{article_id:int}/versions")
@threaded
def article_versions(request: Request, article_id: FromPath[int], page: PageWindow) -> Response[list[ArticleVersionJSON]]:
    with transaction(request) as session:
        article = bills.get_article(session, article_id)
        return paginated(request, page,
                         lambda limit, offset: bills.article_versions(session, article, limit=limit, offset=offset),
                         lambda rows: out.article_versions_json(session, rows))


@get("/articles/{article_id:int}/versions/{n:int}", name="api:article:version")
@threaded
def article_version_detail(request: Request, article_id: FromPath[int],
                           n: FromPath[int]) -> Response[ArticleVersionJSON]:
    if (cached := not_modified(request)) is not None:
        return cached
    with transaction(request) as session:
        article = bills.get_article(session, article_id)
        version = bills.article_version(session, article, n)
        return immutable_json(request, out.article_versions_json(session, [version])[0])


@post("/articles/{article_id:int}/versions", status_code=201, dependencies=json_body(ArticleVersionIn))
@threaded
def publish_article_version(request: Request, article_id: FromPath[int],
                            body: RawBody) -> ArticleVersionJSON:
    with transaction(request) as session:
        actor = require_user(api_user(session, request))
        article = bills.get_article(session, article_id)
        payload = parse_body(body, ArticleVersionIn)
        version = desk.publish_article_version(
            session, actor, article, expected_version=payload.expected_version,
            message=payload.message, text=payload.text, merge=payload.merge or [],
            hunks=desk.hunks_field(payload.hunks),
        )
        return out.article_versions_json(session, [version])[0]


@get("/articles/{article_id:int}/diff")
@threaded
def article_diff(request: Request, article_id: FromPath[int], from_: FromVersion = None,
                 to: ToVersion = None) -> Response[ArticleDiffJSON]:
    if (cached := not_modified(request)) is not None:
        return cached
    with transaction(request) as session:
        article = bills.get_article(session, article_id)
        return immutable_json(request, history.article_diff_json(session, article, from_, to))


@get("/articles/{article_id:int}/blame")
@threaded
def article_blame(request: Request, article_id: FromPath[int]) -> BlameJSON:
    with transaction(request) as session:
        return history.blame_json(session, bills.get_article(session, article_id))


api_router = Router(
    path="/api/v1",
    route_handlers=[
        create_bill, list_bills, bill_detail, update_bill, add_author, set_status,
        publish_bill_version, list_bill_versions, bill_version_detail, bill_diff,
        article_detail, article_versions, article_version_detail, publish_article_version,
        article_diff, article_blame,
    ],
)
