"""The baselines the benchmarks divide by, served exactly like Navette (uvicorn, one worker, loopback).

- ``app``: a minimal Litestar hello-world handler (H) at ``/``; ``/threaded`` answers the same from a
  worker thread, as Navette's handlers run on PostgreSQL (a diagnostic, not a baseline of any target).
- ``create_render_app()`` (uvicorn ``--factory``): Navette's own app, plus ``/bench/render/{page}``
  answering the same templates with the very context the real pages computed once at start-up,
  so the only difference left with the real page is the database work (the render-only ceiling).
  Environment: ``NAVETTE_BENCH_DATABASE_URL`` and ``NAVETTE_BENCH_PAGES`` (JSON: name -> path).
"""
from __future__ import annotations

import concurrent.futures
import json
import os
from typing import Any

import jinja2
from litestar import Litestar, MediaType, get
from litestar.params import FromPath
from litestar.response import Template

from drafting.web.request import threaded


@get("/", media_type=MediaType.TEXT)
async def hello() -> str:
    return "Hello, world!"


@get("/threaded", media_type=MediaType.TEXT)
@threaded
def hello_threaded() -> str:
    """The same answer from a worker thread, the way Navette runs handlers in "threads" mode (drafting.web.threaded)."""
    return "Hello, world!"


app = Litestar(route_handlers=[hello, hello_threaded], openapi_config=None)


def capture_contexts(navette: Litestar, pages: dict[str, str], keep_injected: bool = False,
                     headers: dict[str, str] | None = None) -> dict[str, tuple[str, dict[str, Any]]]:
    """GET each page once in-process and keep the template name and context its handler rendered
    (without what Litestar adds at each render, ``request`` and ``csrf_input``, unless ``keep_injected``)."""
    from litestar.testing import TestClient

    environment: jinja2.Environment = navette.template_engine.engine
    captured: dict[str, tuple[str, dict[str, Any]]] = {}
    current: list[str] = []

    class Recording(jinja2.Template):
        def render(self, *args: Any, **kwargs: Any) -> str:
            if current and current[0] not in captured:
                captured[current[0]] = (self.name, dict(*args, **kwargs))
            return super().render(*args, **kwargs)

    environment.template_class = Recording
    environment.cache.clear() if environment.cache is not None else None
    try:
        with TestClient(app=navette) as client:
            client.headers.update(headers or {})
            for name, path in pages.items():
                current[:] = [name]
                response = client.get(path)
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}")
    finally:
        environment.template_class = jinja2.Template
        environment.cache.clear() if environment.cache is not None else None
    if keep_injected:
        return captured
    for _, context in captured.values():
        for injected in ("request", "csrf_input"):
            context.pop(injected, None)
    return captured


def create_render_app() -> Litestar:
    from drafting.app import create_app
    from drafting.settings import Settings

    # Both caches off: the ceiling is the whole template rendered at each request.
    settings = Settings.load(database_url=os.environ["NAVETTE_BENCH_DATABASE_URL"], page_cache_seconds=0,
                             render_cache_seconds=0)
    navette = create_app(settings)
    pages = json.loads(os.environ["NAVETTE_BENCH_PAGES"])
    # In a thread of its own: uvicorn calls this factory inside its running event loop.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        contexts = pool.submit(capture_contexts, navette, pages, False,
                               json.loads(os.environ.get("NAVETTE_BENCH_HEADERS", "{}"))).result()

    @get("/bench/render/{name:str}")  # not ``page``: the app provides a dependency of that name
    async def render(name: FromPath[str]) -> Template:
        template_name, context = contexts[name]
        return Template(template_name=template_name, context=context, headers={"Vary": "HX-Request"})

    navette.register(render)
    return navette
