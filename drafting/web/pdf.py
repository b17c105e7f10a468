"""A page as a PDF document (issue 14: the synthesis to download): the page's own template and print
stylesheet laid out by WeasyPrint, with no network.

WeasyPrint reads the stylesheets and images the page links to through a URL fetcher; ours answers only
the site's own static files, read from disk (``STATIC_DIR``), and refuses every other address (another
host, ``file:``, ``data:``, a path out of the static folder), so rendering never leaves the process.

A render costs about a second and a half of processor time for the demo's synthesis (README "The
synthesis of a consultation"), so each document is kept per process and replayed while the database's
write mark (``Database.write_mark``) has not moved, for at most ``MAX_AGE`` seconds (a bill opens and
closes by itself at its dates, which no write marks).
"""
from __future__ import annotations

import logging
import mimetypes
from typing import Callable
from urllib.parse import unquote, urlsplit

from litestar import Request
from litestar.response import Template
from sqlalchemy.orm import Session

from drafting import i18n
from drafting.settings import STATIC_DIR
from drafting.web.request import database, transaction
from drafting.web.stamped import Stamped

MEDIA_TYPE = "application/pdf"
MAX_AGE = 300.0  # seconds
KEPT = 32  # documents kept per process

# WeasyPrint warns, at every render, about the screen rules it does not lay out (media queries on
# width, grid auto-fit, user-select): noise for a print rendering; errors still show.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


_kept = Stamped(KEPT, MAX_AGE)  # documents under the write mark they were laid out at


def page_pdf(request: Request, page: Callable[[Session], Template]) -> bytes:
    """The PDF of the page ``page`` renders in a read transaction (its template with the print
    stylesheet), kept while nothing is written. ``page`` should render for nobody in particular
    (``user=None``): the document is the same for every reader."""
    db = database(request)
    origin = f"{request.url.scheme}://{request.url.netloc}"
    # `navette mirror` links its copy's PDFs to the copy's own files (drafting.mirror): never kept
    links = (request.app.state.get("mirror") or {}).get("pdf_links")
    mark = None if links else db.write_mark()  # read before rendering: a write during the render leaves an older mark
    key = (db.url, origin, request.url.path, i18n.request_language(request))
    if mark is not None and (kept := _kept.get(key, mark)) is not None:
        return kept
    with transaction(request) as session:
        response = page(session)
        template = request.app.template_engine.get_template(response.template_name)
        html = template.render(**response.create_template_context(request))
    document = html_pdf(html, origin + request.url.path, origin,
                        links=(lambda target: links(request.url.path, target)) if links else None)
    if mark is not None:
        _kept.put(key, mark, document)
    return document


def html_pdf(html: str, url: str, origin: str, *, links: Callable[[str], str | None] | None = None) -> bytes:
    """``html``, served at ``url``, as a PDF; the only files it may use are ``origin``'s static files.
    ``links`` (when given) says what each link to another document (an absolute address) becomes in
    the PDF: another address, or None for no link (its words stay)."""
    import weasyprint  # a heavy import: loaded by the first document, not by every command

    document = weasyprint.HTML(string=html, base_url=url, url_fetcher=_static_fetcher(origin)).render()
    if links is not None:
        for page in document.pages:
            kept = []
            for kind, target, rectangle, box in page.links:
                if kind == "external":
                    target = links(target)
                if target is not None:
                    kept.append((kind, target, rectangle, box))
            page.links = kept
    return document.write_pdf()


def _static_fetcher(origin: str):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = STATIC_DIR.resolve()
    prefix = origin + "/static/"

    class StaticFiles(URLFetcher):
        """The site's static files, from disk; nothing else (WeasyPrint logs the refusal and goes on)."""

        def fetch(self, url: str, headers=None) -> URLFetcherResponse:
            if url.startswith(prefix):
                path = (root / unquote(urlsplit(url).path[len("/static/"):])).resolve()
                if path.is_relative_to(root) and path.is_file():
                    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
            raise ValueError(f"not one of the site's static files: {url}")

    return StaticFiles()
