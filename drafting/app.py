"""The app shell: every route, the templates, static files, CSRF, the page cache and the error handlers, wired once."""
from __future__ import annotations

from litestar import Litestar, Request, Router, get
from litestar.config.csrf import CSRFConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from sqlalchemy import text

from amendments.api.amendments import amendments_api_router
from amendments.api.desk import desk_api_router
from amendments.api.authors_desk import authors_desk_api_router
from amendments.api.participation import VOTE_FAST_ROUTES, participation_api_router
from amendments.api.positions import positions_api_router
from amendments.api.synthesis import synthesis_api_router

from amendments.api.following import following_api_router
from amendments.pages.amendments import amendment_pages
from amendments.pages.desk import desk_pages
from amendments.pages.authors_desk import authors_desk_pages
from amendments.pages.moderation import moderation_pages
from amendments.pages.participation import participation_pages
from amendments.pages.positions import position_pages
from amendments.pages.synthesis import synthesis_pages

from amendments.pages.following import following_pages
from amendments.views import redline
from drafting.api.accounts import accounts_api_router
from drafting.api.bills import api_router
from drafting.api.search import search_api_router
from drafting.api.staff import staff_api_router
from drafting.db import Database
from drafting.pages.accounts import account_pages
from drafting.pages.bills import drafting_pages
from drafting.pages.history import history_pages
from drafting.pages.export import export_routes
from drafting.pages.records import records_routes
from drafting.pages.schema import document_api, openapi_config
from drafting.pages.search import search_pages
from drafting.pages.staff import staff_pages
from drafting.settings import STATIC_DIR, Settings
from drafting.web.batching import vote_batcher
from drafting.web.bodies import JSONRequest
from drafting.web.documents import DocumentCache
from drafting.web.errors import EXCEPTION_HANDLERS
from drafting.web.fastroutes import FastRoutes
from drafting.web.pagecache import PageCache, PageCacheMiddleware
from drafting.web.readercache import ReaderCache
from drafting.web.paging import PAGE_DEPENDENCY
from drafting.web.paths import unknown_ids
from drafting.web.request import threaded
from drafting.web.security import security_headers
from drafting.web.templates import request_language, template_engine, template_environment, vary_on_language


@get("/healthz", name="healthz", include_in_schema=False)
@threaded
def healthz(request: Request) -> dict[str, str]:
    with request.app.state.db.session(write=False) as session:
        session.execute(text("select 1"))
    return {"status": "ok"}


def create_app(settings: Settings | None = None) -> Litestar:
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
            accounts_api_router,
            api_router,
            staff_api_router,
            amendments_api_router,
            desk_api_router,
            authors_desk_api_router,
            participation_api_router,
            search_api_router,
            positions_api_router,
            synthesis_api_router,

            following_api_router,
            *records_routes,
            *export_routes,
            # Pages answer HTML: the OpenAPI document describes the JSON API only.
            Router(path="/", include_in_schema=False, route_handlers=[
                *staff_pages,
                *drafting_pages,
                *account_pages,
                *amendment_pages,
                *authors_desk_pages,
                *desk_pages,
                *participation_pages,
                *moderation_pages,
                *position_pages,
                *synthesis_pages,
                *history_pages,
                *search_pages,
                *following_pages,
            ]),
            create_static_files_router(path="/static", directories=[STATIC_DIR], name="static"),
        ],
        template_config=TemplateConfig(
            engine=template_engine(template_environment(debug=settings.debug, extensions=(redline.register,)))
        ),
        csrf_config=csrf_config,
        middleware=middleware,
        plugins=[HTMXPlugin()],
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=settings.max_body_bytes,
        on_shutdown=[on_shutdown],
        before_request=unknown_ids,
        after_request=vary_on_language,
        before_send=[security_headers],
        debug=settings.debug,
        openapi_config=openapi_config(),
        request_class=JSONRequest,
        dependencies=PAGE_DEPENDENCY,
    )
    document_api(app)
    # The votes, the most frequent write, answered before Litestar's routing when nothing else is asked.
    app.asgi_handler = FastRoutes(app, VOTE_FAST_ROUTES, page_cache)
    app.state.db = db
    app.state.settings = settings
    app.state.votes = vote_batcher(db, settings)  # the API's votes, written in batches
    app.state.page_cache = page_cache
    # Signed-in participants' pages, rendered once for all of them (drafting/web/readercache.py).
    app.state.reader_cache = (ReaderCache(settings.render_cache_seconds, db.write_mark)
                              if settings.render_cache_seconds > 0 else None)
    # JSON documents the same for every reader, signed in or not (drafting/web/documents.py).
    app.state.document_cache = (DocumentCache(settings.document_cache_entries)
                                if settings.document_cache_entries > 0 else None)
    return app
