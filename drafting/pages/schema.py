"""The OpenAPI document of the JSON API (``GET /schema/openapi.json``) and the page that shows it
(``GET /schema``), rendered here on the server: no script, no CDN (Litestar's own UI pages load both)."""
from __future__ import annotations

from typing import Any

from litestar import Litestar, Request
from litestar.enums import MediaType
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin
from litestar.datastructures import ResponseHeader
from litestar.openapi.spec import Components, SecurityScheme

from drafting.views import schema as view
from drafting.views.shapes import ERROR_RESPONSES


class SchemaPage(OpenAPIRenderPlugin):
    """``/schema``: every route of the document with its parameters, bodies and answers, as HTML."""

    def __init__(self) -> None:
        super().__init__(path="/", media_type=MediaType.HTML)

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        template = request.app.template_engine.get_template("schema/openapi.html")
        return template.render(request=request, json_url=self.get_openapi_json_route(request),
                               **view.schema_page(openapi_schema)).encode()


def openapi_config() -> OpenAPIConfig:
    """Only the JSON document and the page above under ``/schema``: any other ``/schema/…`` is a 404."""
    return OpenAPIConfig(
        title="Navette",
        version="2",
        description="The JSON API of Navette (CONTRACT.md §2, §6). Writes send `Authorization: Bearer TOKEN` "
                    "(POST /api/v1/auth/token). Errors: `{\"status_code\", \"detail\", \"extra\"?}`.",
        path="/schema",
        render_plugins=[SchemaPage(), JsonRenderPlugin()],
        components=Components(security_schemes={
            "bearer": SecurityScheme(type="http", scheme="bearer", description="A token from POST /api/v1/auth/token"),
        }),
        security=[{}, {"bearer": []}],
    )


LINK_HEADER = ResponseHeader(name="Link", value="</api/v1/bills?limit=100&offset=100>; rel=\"next\"", documentation_only=True,
                             required=False,
                             description='<…?limit=N&offset=M>; rel="next" while more items follow.')


def document_api(app: Litestar, prefix: str = "/api/") -> None:
    """Give every JSON route (``prefix``) the contract's error answers in the document, and every list
    (a handler taking ``page: Page``) its ``Link`` header, once for all: a route added later gets them
    without listing them."""
    for route in app.routes:
        if not route.path.startswith(prefix):
            continue
        for handler in getattr(route, "route_handlers", ()):
            handler.responses = {**ERROR_RESPONSES, **(handler.responses or {})}
            if "page" in handler.parsed_fn_signature.parameters:
                handler.response_headers = [*(handler.response_headers or ()), LINK_HEADER]
