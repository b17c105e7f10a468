"""The Jinja environment: translations, Markdown filters, and the page cache's sharing rule."""
from __future__ import annotations

from typing import Any, Callable

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from litestar import Request

from drafting import i18n
from drafting.settings import TEMPLATES_DIR
from drafting.web.pagecache import cacheable_path
from drafting.web.rendering import law_text_html, markdown_html


def request_language(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang")
    return lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


@pass_context
def _translate(context, message: str, **values: Any) -> str:
    request = context.get("request")
    return i18n.translate(message, request_language(request) if request is not None else i18n.DEFAULT_LANGUAGE, **values)


def template_environment(*, debug: bool = False,
                         extensions: tuple[Callable[[Environment], None], ...] = ()) -> Environment:
    """The environment of every page; ``extensions`` add their filters (the amendments' redlines).
    Templates are reloaded when they change only in debug: elsewhere each is read once."""
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=debug,
    )
    environment.globals["_"] = _translate
    # A text in another language than the page's: a sign-in sheet in the participant's language.
    environment.globals["translate_in"] = lambda language, message, **values: i18n.translate(message, language, **values)
    environment.globals["language_of"] = request_language
    # An anonymous page on such a path is shared through the page cache: no per-visitor token on it.
    environment.globals["shared_when_anonymous"] = lambda request: cacheable_path(request.url.path)
    environment.filters["markdown"] = markdown_html
    environment.filters["law_text"] = law_text_html
    for extend in extensions:
        extend(environment)
    return environment
