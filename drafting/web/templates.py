"""The Jinja environment: translations, Markdown filters, and the page cache's sharing rule."""
from __future__ import annotations

from typing import Any, Callable

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from litestar import Litestar, Request, Response
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from markupsafe import Markup

from drafting import i18n
from drafting.settings import TEMPLATES_DIR
from drafting.web import fragments
from drafting.web.pagecache import cacheable_path
from drafting.web.rendering import law_text_html, markdown_html


request_language = i18n.request_language


def _page_language(context) -> str:
    request = context.get("request")
    return i18n.request_language(request) if request is not None else i18n.DEFAULT_LANGUAGE


@pass_context
def _gettext(context, message: str, **values: Any) -> str:
    return i18n.gettext(message, _page_language(context), **values)


@pass_context
def _ngettext(context, singular: str, plural: str, n: int, **values: Any) -> str:
    return i18n.ngettext(singular, plural, n, _page_language(context), **values)


@pass_context
def _text_lang(context, bill: Any = None) -> Markup:
    """` lang="fr"` on an element holding a bill's text when the page is in another language."""
    language = i18n.text_language(bill)
    return Markup(f' lang="{language}"') if language != _page_language(context) else Markup("")


def _localized(format_value: Callable[[Any, str], str]):
    @pass_context
    def filter_(context, value: Any) -> str:
        return format_value(value, _page_language(context))

    return filter_


async def vary_on_language(response: Response) -> Response:
    """Pages are rendered in the language the cookie or Accept-Language picks: caches must know.
    A coroutine: Litestar hands a plain function given as ``after_request`` to a worker thread, once
    per response."""
    if isinstance(response, Template) or str(getattr(response, "media_type", "") or "").startswith("text/html"):
        vary = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
        for name in ("Accept-Language", "Cookie"):
            if name.lower() not in {v.lower() for v in vary}:
                vary.append(name)
        response.headers["Vary"] = ", ".join(vary)
    return response


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
    environment.globals["_"] = environment.globals["gettext"] = _gettext
    environment.globals["ngettext"] = _ngettext
    # A text in another language than the page's: a sign-in sheet in the participant's language.
    # ``translate_in(language, "msgid", ...)``: extracted as its second argument (drafting.catalogs).
    environment.globals["translate_in"] = lambda language, message, **values: i18n.gettext(message, language, **values)
    environment.globals["language_of"] = request_language
    environment.globals["keep_fragment"] = fragments.keep_fragment
    environment.globals["languages"] = i18n.LANGUAGE_NAMES
    environment.globals["text_lang"] = _text_lang
    environment.filters["datetime"] = _localized(i18n.format_moment)
    environment.filters["date"] = _localized(i18n.format_day)
    environment.filters["number"] = _localized(i18n.format_number)
    # An anonymous page on such a path is shared through the page cache: no per-visitor token on it.
    environment.globals["shared_when_anonymous"] = lambda request: cacheable_path(request.url.path)
    environment.filters["markdown"] = markdown_html
    environment.filters["law_text"] = law_text_html
    for extend in extensions:
        extend(environment)
    return environment


_URLS_KEPT = 20_000  # distinct (route, parameters) remembered before the memo starts again


def template_engine(environment: Environment) -> JinjaTemplateEngine:
    """Litestar's engine on ``environment`` (one per app), with ``url_for`` remembered: a page builds
    dozens of links, and the routes never change while the app runs."""
    engine = JinjaTemplateEngine.from_environment(environment)
    urls: dict[tuple, str] = {}

    @pass_context
    def url_for(context, route_name: Any, /, **path_parameters: Any) -> str:
        reverse = context["request"].app.route_reverse
        try:
            key = (route_name, tuple(sorted(path_parameters.items())))
            found = urls.get(key)
        except TypeError:  # a parameter that cannot be a key
            return reverse(route_name, **path_parameters)
        if found is None:
            if len(urls) >= _URLS_KEPT:
                urls.clear()
            found = urls[key] = reverse(route_name, **path_parameters)
        return found

    environment.globals["url_for"] = url_for
    return engine
