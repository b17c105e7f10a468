"""GET /schema/openapi.json documents every /api/v1 route of CONTRACT.md with its request and response
schemas; GET /schema shows it as a page with no script and nothing from another host (CONTRACT §6)."""
from __future__ import annotations

import inspect
import re

from litestar.routes import HTTPRoute

# Copied by hand from CONTRACT.md §2 and §6 (the routes this branch serves), as METHOD path; the
# contract's {id} is whatever name the route gives its parameter.
CONTRACT_ROUTES = """
POST /api/v1/auth/token
POST /api/v1/users
GET /api/v1/me
GET /api/v1/users/{username}
POST /api/v1/bills
GET /api/v1/bills
GET /api/v1/bills/{slug}
POST /api/v1/bills/{slug}/authors
POST /api/v1/bills/{slug}/status
GET /api/v1/articles/{id}
GET /api/v1/articles/{id}/versions
GET /api/v1/articles/{id}/versions/{n}
POST /api/v1/articles/{id}/versions
GET /api/v1/articles/{id}/diff
GET /api/v1/articles/{id}/blame
POST /api/v1/bills/{slug}/versions
GET /api/v1/bills/{slug}/versions
GET /api/v1/bills/{slug}/versions/{seq}
GET /api/v1/bills/{slug}/diff
POST /api/v1/articles/{id}/amendments
POST /api/v1/bills/{slug}/amendments
GET /api/v1/amendments/{id}
GET /api/v1/articles/{id}/amendments
POST /api/v1/amendments/{id}/reject
POST /api/v1/amendments/{id}/respond
POST /api/v1/amendments/{id}/withdraw
POST /api/v1/amendments/{id}/rebase
POST /api/v1/amendments/{id}/merge-insert
PUT /api/v1/articles/{id}/vote
DELETE /api/v1/articles/{id}/vote
PUT /api/v1/amendments/{id}/vote
DELETE /api/v1/amendments/{id}/vote
POST /api/v1/articles/{id}/arguments
GET /api/v1/articles/{id}/arguments
POST /api/v1/amendments/{id}/arguments
GET /api/v1/amendments/{id}/arguments
PUT /api/v1/arguments/{id}/useful
DELETE /api/v1/arguments/{id}/useful
POST /api/v1/reports
POST /api/v1/moderation/{target}/{id}/hide
GET /api/v1/bills/{slug}/trash
"""
# The routes that take no body (CONTRACT: "→ 200" with no object sent).
WITHOUT_BODY = {"POST /api/v1/amendments/{id}/withdraw", "PUT /api/v1/arguments/{id}/useful"}


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def _routes():
    return [tuple(line.split(" ", 1)) for line in CONTRACT_ROUTES.strip().splitlines()]


def test_every_contract_route_is_documented_with_its_bodies(client):
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    operations = {(method.upper(), _shape(path)): spec for path, item in document["paths"].items()
                  for method, spec in item.items() if method in ("get", "post", "put", "delete", "patch")}
    for method, path in _routes():
        spec = operations.get((method, _shape(path)))
        assert spec is not None, f"{method} {path} is not in the document"
        if method in ("POST", "PUT") and f"{method} {path}" not in WITHOUT_BODY:
            body = spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            assert body, f"{method} {path} has no request body schema"
        success = [status for status in spec["responses"] if status.startswith("2")]
        assert success, f"{method} {path} documents no 2xx answer"
        assert spec["responses"][success[0]]["content"]["application/json"]["schema"], f"{method} {path}"
        for status in ("400", "401", "403", "404", "409"):
            error = spec["responses"][status]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorJSON"}, f"{method} {path} {status}"


def test_the_schemas_describe_the_contract_objects(client):
    document = client.get("/schema/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert set(schemas["AmendmentJSON"]["required"]) >= {"id", "kind", "article", "bill", "author", "cosigners",
                                                          "status", "base_version", "text", "diff", "votes"}
    assert set(schemas["ErrorJSON"]["required"]) == {"status_code", "detail"}
    assert schemas["ProposalIn"]["properties"]["text"]
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer",
                                                                   "description": "A token from POST /api/v1/auth/token"}
    # Pages are HTML: only the JSON API is in the document.
    assert all(path.startswith("/api/v1/") for path in document["paths"])
    limit = next(p for p in document["paths"]["/api/v1/bills"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 500 and limit["schema"]["minimum"] == 1


def test_the_schema_page_lists_every_route_without_script_or_cdn(client):
    page = client.get("/schema")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "nothing may load from another host"
    for method, path in _routes():
        assert re.search(re.escape(method) + r" " + re.escape(_shape(path)).replace(r"\{\}", r"\{[^}]+\}"),
                         html), f"{method} {path} is not on the page"
    assert 'id="schema-AmendmentJSON"' in html and "/schema/openapi.json" in html


def test_no_other_schema_ui_is_served(client):
    for path in ("/schema/swagger", "/schema/redoc", "/schema/elements", "/schema/rapidoc", "/schema/scalar"):
        assert client.get(path).status_code == 404, path


def _reads_a_body(handler) -> bool:
    """The handler takes the request's body (``body: RawBody`` or ``data``), under its decorators."""
    function = handler.fn
    while hasattr(function, "__wrapped__"):
        function = function.__wrapped__
    return bool({"body", "data"} & set(inspect.signature(function).parameters))


def test_every_api_route_that_reads_a_body_documents_its_schema(client):
    """Beyond CONTRACT's list: each non-GET /api/v1 operation the app serves documents the body its
    handler reads (through ``json_body``), and one that reads none documents no body."""
    document = client.get("/schema/openapi.json").json()
    schemas = document["components"]["schemas"]
    checked = 0
    for route in client.app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/v1/"):
            continue
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        for handler in route.route_handlers:
            for method in handler.http_methods - {"GET", "HEAD", "OPTIONS"}:
                spec = document["paths"][path][method.lower()]
                body = spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
                if not _reads_a_body(handler):
                    assert body is None, f"{method} {path} reads no body but documents one"
                    continue
                checked += 1
                assert body, f"{method} {path} reads a body the document does not describe: add json_body(…)"
                if "$ref" in body:
                    assert schemas[body["$ref"].rsplit("/", 1)[-1]]["properties"], f"{method} {path}"
    assert checked >= len([r for r in _routes() if r[0] in ("POST", "PUT")]) - len(WITHOUT_BODY)
