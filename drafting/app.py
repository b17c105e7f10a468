"""The app shell: routes, templates, static files, CSRF, the page cache, and how errors become responses."""
from __future__ import annotations

import logging
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from litestar import Litestar, MediaType, Request, Response, get
from litestar.config.csrf import CSRFConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.exceptions import HTTPException
from litestar.plugins.htmx import HTMXPlugin
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.template.config import TemplateConfig
from sqlalchemy import text
from sqlalchemy.exc import DataError

from drafting import i18n
from drafting.db import Database
from drafting.errors import DomainError, RateLimited
from drafting.pagecache import PageCache, PageCacheMiddleware, cacheable_path
from drafting.rendering import law_text_html, markdown_html
from drafting.settings import STATIC_DIR, TEMPLATES_DIR, Settings
from drafting.web import page_user, threaded

log = logging.getLogger("navette")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def _error_response(request: Request, status_code: int, detail: str, extra: Any = None,
                    headers: dict[str, str] | None = None) -> Response:
    if _wants_json(request):
        body: dict[str, Any] = {"status_code": status_code, "detail": detail}
        if extra:
            body["extra"] = extra
        return Response(body, status_code=status_code, media_type=MediaType.JSON, headers=headers)
    return Template(
        template_name="errors/error.html",
        context={"status_code": status_code, "detail": detail, "user": _signed_in(request)},
        status_code=status_code,
        headers=headers,
    )


def _signed_in(request: Request):
    """The page's user, so an error page keeps the header right; None if that fails too."""
    try:
        with request.app.state.db.session(write=False) as session:
            return page_user(session, request)
    except Exception:
        return None


def bad_value_handler(request: Request, error: Exception) -> Response:
    """A value the database cannot hold (an id beyond its range): the client's error."""
    return _error_response(request, 400, "a value is out of range or malformed")


def domain_error_handler(request: Request, error: DomainError) -> Response:
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None
    extra = dict(error.extra or {})
    if error.field:
        extra.setdefault("field", error.field)
    return _error_response(request, error.status_code, error.detail, extra or None, headers)


def http_error_handler(request: Request, error: HTTPException) -> Response:
    detail = error.detail or "error"
    if error.status_code == 413:
        detail = "request body is larger than the limit of 1 MiB"
    return _error_response(request, error.status_code, detail, error.extra or None, error.headers)


def internal_error_handler(request: Request, error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return _error_response(request, HTTP_500_INTERNAL_SERVER_ERROR, "internal server error")


@get("/healthz", name="healthz")
@threaded
def healthz(request: Request) -> dict[str, str]:
    with request.app.state.db.session(write=False) as session:
        session.execute(text("select 1"))
    return {"status": "ok"}


def request_language(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang")
    return lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


@pass_context
def _translate(context, message: str, **values: Any) -> str:
    request = context.get("request")
    return i18n.translate(message, request_language(request) if request is not None else i18n.DEFAULT_LANGUAGE, **values)


def template_environment() -> Environment:
    from amendments import templating as amendment_filters

    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["_"] = _translate
    environment.globals["language_of"] = request_language
    # An anonymous page on such a path is shared through the page cache: no per-visitor token on it.
    environment.globals["shared_when_anonymous"] = lambda request: cacheable_path(request.url.path)
    environment.filters["markdown"] = markdown_html
    environment.filters["law_text"] = law_text_html
    amendment_filters.register(environment)
    return environment


def create_app(settings: Settings | None = None) -> Litestar:
    from amendments.api import amendments_api_router
    from amendments.controllers import amendment_pages
    from amendments.desk_api import desk_api_router
    from amendments.desk_pages import desk_pages
    from amendments.participation_api import participation_api_router
    from amendments.participation_pages import participation_pages
    from drafting.api import api_router
    from drafting.controllers import drafting_pages
    from drafting.history_pages import history_pages
    from drafting.records_routes import records_routes
    from drafting.records.export_routes import export_routes

    settings = settings or Settings.load()
    db = Database(settings.database_url)
    csrf_config = CSRFConfig(
        secret=settings.secret_key,
        cookie_name="navette_csrf",
        cookie_samesite="lax",
        exclude=["/api/", "/healthz"],
    )
    page_cache = None
    middleware = []
    if settings.page_cache_seconds > 0 and settings.page_cache_entries > 0:
        page_cache = PageCache(settings.page_cache_seconds, settings.page_cache_entries)
        middleware.append(PageCacheMiddleware(page_cache, request_language, csrf_config.cookie_name,
                                              write_mark=db.write_mark))

    def on_shutdown(app: Litestar) -> None:
        db.dispose()

    app = Litestar(
        route_handlers=[
            healthz,
            api_router,
            amendments_api_router,
            desk_api_router,
            participation_api_router,
            *drafting_pages,
            *amendment_pages,
            *desk_pages,
            *participation_pages,
            *history_pages,
            *records_routes,
            *export_routes,
            create_static_files_router(path="/static", directories=[STATIC_DIR], name="static"),
        ],
        template_config=TemplateConfig(
            engine=JinjaTemplateEngine.from_environment(template_environment())
        ),
        csrf_config=csrf_config,
        middleware=middleware,
        plugins=[HTMXPlugin()],
        exception_handlers={
            DomainError: domain_error_handler,
            HTTPException: http_error_handler,
            DataError: bad_value_handler,
            OverflowError: bad_value_handler,
            Exception: internal_error_handler,
        },
        request_max_body_size=settings.max_body_bytes,
        on_shutdown=[on_shutdown],
        debug=settings.debug,
        openapi_config=None,
    )
    app.state.db = db
    app.state.settings = settings
    app.state.page_cache = page_cache
    return app
