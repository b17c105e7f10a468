"""Public history pages: bill timeline, bill and article versions, comparisons, blame, Atom feed.

Published versions and the differences between two named versions never change: those responses
carry a strong ETag and ``Cache-Control: max-age=31536000, immutable`` (public for anonymous readers)
and answer 304 to a matching If-None-Match. Handlers only translate HTTP; drafting.history computes.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Annotated, Callable
from urllib.parse import urlencode

import msgspec
from litestar import MediaType, Request, Response, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState
from sqlalchemy.orm import Session

from amendments import engine, templating
from drafting import history, i18n, services
from drafting.app import request_language
from drafting.controllers import render
from drafting.models import Article, Bill, BillVersion, User
from drafting.settings import TEMPLATES_DIR
from drafting.web import SESSION_COOKIE, page_user, threaded, transaction

ONE_YEAR = 365 * 24 * 3600
IMMUTABLE_PUBLIC = f"public, max-age={ONE_YEAR}, immutable"
IMMUTABLE_PRIVATE = f"private, max-age={ONE_YEAR}, immutable"
# Immutable pages skip the CSRF middleware: it would set a cookie on a publicly cached response.
NO_CSRF_COOKIE = {"exclude_from_csrf": True}
FromVersion = Annotated[str | None, QueryParameter(name="from", required=False)]
ToVersion = Annotated[str | None, QueryParameter(name="to", required=False)]
View = Annotated[str | None, QueryParameter(name="view", required=False)]


# --- immutable responses -----------------------------------------------------------------------

@functools.cache
def _render_id() -> str:
    """Changes whenever what renders a version could change: release, templates, translations, diff code."""
    digest = hashlib.sha256()
    try:
        digest.update(importlib.metadata.version("navette").encode())
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        digest.update(b"dev")
    code = [Path(history.__file__), Path(engine.__file__), Path(templating.__file__), Path(__file__)]
    for path in [*code, *sorted(p for p in TEMPLATES_DIR.rglob("*") if p.is_file())]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(i18n.catalog_digest().encode())
    return digest.hexdigest()


def _strong_etag(*parts: Any) -> str:
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode())
    return f'"{digest.hexdigest()[:40]}"'


def _fresh(request: Request, etag: str) -> bool:
    """If-None-Match compares weakly (RFC 9110 §13.1.2): W/"x" matches "x"."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag in tags


def json_etag(request: Request) -> str:
    """The ETag of an immutable JSON answer: its URL and the code that renders it.

    Known before any database work, so a client revalidating a version costs almost nothing.
    """
    query = sorted(request.query_params.items())
    return _strong_etag(_render_id(), _serializers_id(), request.url.path, query)


@functools.cache
def _serializers_id() -> str:
    from drafting import api, serializers

    return hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in (api, serializers))).hexdigest()


def not_modified(request: Request) -> Response | None:
    """304 when the reader already has this immutable JSON answer, before any work."""
    etag = json_etag(request)
    if _fresh(request, etag):
        return Response(content=b"", status_code=304, headers={"ETag": etag, "Cache-Control": IMMUTABLE_PUBLIC})
    return None


def immutable_json(request: Request, body: Any) -> Response:
    """A JSON body that never changes (a version, a diff between named versions), cached for good."""
    headers = {"ETag": json_etag(request), "Cache-Control": IMMUTABLE_PUBLIC}
    return Response(content=msgspec.json.encode(body), media_type=MediaType.JSON, headers=headers)


def _immutable_page(request: Request, user: User | None, key: tuple[Any, ...],
                    build: Callable[[], tuple[str, dict[str, Any]]]) -> Response:
    """Render an immutable page, or 304 if the reader already has it.

    The representation depends on the URL's resource (``key``), the language, whether htmx asked for
    a fragment, and the reader: anonymous readers all get the same bytes (no CSRF token, no user
    menu), so that page is public; a signed-in reader's page carries their menu, so it is private.
    """
    hx = bool(request.headers.get("hx-request"))
    if user is None:
        viewer, cache_control = "anonymous", IMMUTABLE_PUBLIC
    else:
        csrf_cookie = request.app.csrf_config.cookie_name if request.app.csrf_config else ""
        viewer = hashlib.sha256(
            f"{user.id}:{request.cookies.get(SESSION_COOKIE, '')}:{request.cookies.get(csrf_cookie, '')}".encode()
        ).hexdigest()
        cache_control = IMMUTABLE_PRIVATE
        # The sign-out form in the menu still needs the reader's own token.
        if csrf_cookie and request.cookies.get(csrf_cookie):
            ScopeState.from_scope(request.scope).csrf_token = request.cookies[csrf_cookie]
    headers = {
        "ETag": _strong_etag(_render_id(), *key, request_language(request), hx, viewer),
        "Cache-Control": cache_control,
        "Vary": "Cookie, HX-Request, Accept-Language",
    }
    if _fresh(request, headers["ETag"]):
        return Response(content=b"", status_code=304, headers=headers)
    template, context = build()
    return Template(template_name=template, context={**context, "user": user}, headers=headers)


def _query(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v is not None})


def _choices(versions: list[BillVersion]) -> list[tuple[int, str]]:
    return [(v.seq, f"{v.seq}. {v.label}") for v in versions]


def _article_choices(article: Article) -> list[tuple[int, str]]:
    return [(n, str(n)) for n in range(1, article.current_version + 1)]


def _bill_article(session: Session, article_id: int) -> tuple[Bill, Article]:
    article = services.get_article(session, article_id)
    return session.get(Bill, article.bill_id), article


# --- the bill ----------------------------------------------------------------------------------

@get("/bills/{slug:str}/history", name="bills:history")
@threaded
def bill_history(request: Request, slug: FromPath[str]) -> Template:
    """The timeline: publications, article versions and the amendments they merged, openings, closings."""
    with transaction(request) as session:
        bill = services.get_bill(session, slug)
        versions = services.bill_versions(session, bill)
        return render(
            "drafting/history/bill_history.html", session, request,
            bill=bill, entries=history.bill_timeline(session, bill), versions=versions, choices=_choices(versions),
        )


@get("/bills/{slug:str}/versions/{seq:int}", name="bills:version", opt=NO_CSRF_COOKIE)
@threaded
def bill_version_page(request: Request, slug: FromPath[str], seq: FromPath[int]) -> Response:
    """A published snapshot of the bill, every article as it was; a permanent, immutable page."""
    with transaction(request) as session:
        bill = services.get_bill(session, slug)
        services.get_bill_version(session, bill, seq)  # 404 before any 304

        def build() -> tuple[str, dict[str, Any]]:
            version, articles = history.bill_version_snapshot(session, bill, seq)
            versions = services.bill_versions(session, bill)
            return "drafting/history/bill_version.html", {
                "bill": bill, "version": version, "articles": articles, "versions": versions,
                "previous": next((v for v in versions if v.seq == seq - 1), None),
                "next": next((v for v in versions if v.seq == seq + 1), None),
            }

        return _immutable_page(request, page_user(session, request), ("bill-version", bill.id, seq), build)


def _default_pair(numbers: list[int], from_: int | None, to: int | None) -> tuple[int, int]:
    """Fill in a missing end of a comparison: the latest version, and the one before the other end."""
    to = numbers[-1] if to is None else to
    if from_ is None:
        earlier = [n for n in numbers if n < to]
        from_ = earlier[-1] if earlier else to
    return from_, to


@get("/bills/{slug:str}/diff", name="bills:diff", opt=NO_CSRF_COOKIE)
@threaded
def bill_diff_page(request: Request, slug: FromPath[str], from_: FromVersion = None, to: ToVersion = None,
                   view: View = None) -> Response:
    """Two bill versions compared article by article; without both versions, the latest change."""
    with transaction(request) as session:
        bill = services.get_bill(session, slug)
        versions = services.bill_versions(session, bill)
        old = history.version_number("from", from_) if from_ not in (None, "") else None
        new = history.version_number("to", to) if to not in (None, "") else None
        if old is None or new is None:
            if not versions:
                return render("drafting/history/bill_diff.html", session, request, bill=bill, versions=[],
                              choices=[], comparison=None)
            old, new = _default_pair([v.seq for v in versions], old, new)
            target = request.app.route_reverse("bills:diff", slug=slug)
            return Redirect(path=f"{target}?{_query(**{'from': old, 'to': new, 'view': view})}", status_code=302)
        services.get_bill_version(session, bill, old)
        services.get_bill_version(session, bill, new)
        side = view == "side"

        def build() -> tuple[str, dict[str, Any]]:
            changes = history.bill_diff(session, bill, old, new)
            counts = {kind: sum(1 for c in changes if c["change"] == kind)
                      for kind in ("added", "removed", "modified", "unchanged")}
            by_seq = {v.seq: v for v in versions}
            template = ("drafting/history/_bill_comparison.html" if request.headers.get("hx-request")
                        else "drafting/history/bill_diff.html")
            return template, {"bill": bill, "versions": versions, "choices": _choices(versions), "comparison": {
                "old": by_seq[old], "new": by_seq[new], "changes": changes, "counts": counts,
                "unchanged": [c for c in changes if c["change"] == "unchanged"], "view": "side" if side else "inline",
            }}

        return _immutable_page(request, page_user(session, request), ("bill-diff", bill.id, old, new, side), build)


@get("/bills/{slug:str}/feed.atom", name="bills:feed", opt=NO_CSRF_COOKIE)
@threaded
def bill_feed(request: Request, slug: FromPath[str]) -> Response:
    """An Atom 1.0 feed of the bill's new versions, article versions and public answers, newest first."""
    with transaction(request) as session:
        bill = services.get_bill(session, slug)
        entries = history.feed_entries(session, bill)
        redlines = {
            e.key: history.redline(engine.diff_words(e.previous.text, e.version.text))
            for e in entries if e.kind == "article_version" and e.previous is not None
        }
        base = str(request.base_url).rstrip("/")
        template = request.app.template_engine.get_template("drafting/history/feed.atom.xml")
        body = template.render(request=request, bill=bill, entries=entries, redlines=redlines, base=base,
                               updated=entries[0].at if entries else bill.created_at)
        return Response(content=_NOT_XML.sub("", body).encode(), media_type="application/atom+xml; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=300", "Vary": "Accept-Language, Cookie"})


# Characters XML 1.0 forbids even escaped; a pasted legal text may carry one (a form feed, say).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- one article -------------------------------------------------------------------------------

@get("/articles/{article_id:int}/history", name="articles:history")
@threaded
def article_history_page(request: Request, article_id: FromPath[int]) -> Template:
    """Every version of an article, newest first, with what it merged and its change."""
    with transaction(request) as session:
        bill, article = _bill_article(session, article_id)
        records = history.article_history(session, article)
        return render("drafting/history/article_history.html", session, request,
                      bill=bill, article=article, records=list(reversed(records)), choices=_article_choices(article))


@get("/articles/{article_id:int}/versions/{n:int}", name="articles:version", opt=NO_CSRF_COOKIE)
@threaded
def article_version_page(request: Request, article_id: FromPath[int], n: FromPath[int]) -> Response:
    """One version of an article: its text, who wrote it and why; a permanent, immutable page."""
    with transaction(request) as session:
        bill, article = _bill_article(session, article_id)
        history.article_versions_by_number(session, article, [n])  # 404 before any 304

        def build() -> tuple[str, dict[str, Any]]:
            record = history.article_version_record(session, article, n)
            return "drafting/history/article_version.html", {"bill": bill, "article": article, "record": record}

        return _immutable_page(request, page_user(session, request), ("article-version", article.id, n), build)


@get("/articles/{article_id:int}/compare", name="articles:compare", opt=NO_CSRF_COOKIE)
@threaded
def article_compare_page(request: Request, article_id: FromPath[int], from_: FromVersion = None,
                         to: ToVersion = None, view: View = None) -> Response:
    """Any two versions of an article as a redline (or side by side); without both, the latest change."""
    with transaction(request) as session:
        bill, article = _bill_article(session, article_id)
        old = history.version_number("from", from_) if from_ not in (None, "") else None
        new = history.version_number("to", to) if to not in (None, "") else None
        if old is None or new is None:
            old, new = _default_pair(list(range(1, article.current_version + 1)), old, new)
            target = request.app.route_reverse("articles:compare", article_id=article.id)
            return Redirect(path=f"{target}?{_query(**{'from': old, 'to': new, 'view': view})}", status_code=302)
        history.article_versions_by_number(session, article, [old, new])
        side = view == "side"

        def build() -> tuple[str, dict[str, Any]]:
            comparison = history.compare_article(session, article, old, new)
            template = ("drafting/history/_article_comparison.html" if request.headers.get("hx-request")
                        else "drafting/history/article_compare.html")
            return template, {
                "bill": bill, "article": article, "comparison": comparison, "choices": _article_choices(article),
                "view": "side" if side else "inline",
            }

        return _immutable_page(request, page_user(session, request), ("article-compare", article.id, old, new, side),
                               build)


@get("/articles/{article_id:int}/blame", name="articles:blame")
@threaded
def article_blame_page(request: Request, article_id: FromPath[int],
                       version: Annotated[str | None, QueryParameter(required=False)] = None) -> Template:
    """Each passage of the text marked with the version that wrote it, its amendment and proposer."""
    with transaction(request) as session:
        bill, article = _bill_article(session, article_id)
        upto = history.version_number("version", version) if version not in (None, "") else article.current_version
        segments = history.blame_segments(session, article, upto)
        marks = _blame_marks(segments)
        legend = sorted({m.anchor: (s, m) for s, m in zip(segments, marks)}.values(), key=lambda pair: pair[1].order)
        return render("drafting/history/blame.html", session, request, bill=bill, article=article, upto=upto,
                      marked=list(zip(segments, marks)), legend=legend)


@dataclass(frozen=True)
class BlameMark:
    """The mark of a passage: the version that wrote it (``v3``), lettered when it merged several amendments.

    ``shown`` is false where the mark would repeat the previous visible one (or the passage is only spaces).
    """

    label: str
    anchor: str
    order: tuple[int, int]
    shown: bool


def _blame_marks(segments: list[history.BlameSegment]) -> list[BlameMark]:
    credited: dict[int, set[int]] = {}
    for segment in segments:
        credited.setdefault(segment.version.version, set()).add(segment.amendment.id if segment.amendment else 0)
    marks, last_shown = [], None
    for segment in segments:
        number, ids = segment.version.version, sorted(credited[segment.version.version])
        amendment_id = segment.amendment.id if segment.amendment else 0
        index = ids.index(amendment_id)
        suffix = "abcdefghijklmnopqrstuvwxyz"[index % 26] if len(ids) > 1 else ""
        anchor = f"blame-v{number}" + (f"-a{amendment_id}" if amendment_id else "")
        shown = bool(segment.text.strip()) and anchor != last_shown
        if segment.text.strip():
            last_shown = anchor
        marks.append(BlameMark(f"v{number}{suffix}", anchor, (number, index), shown))
    return marks


history_pages = [
    bill_history, bill_version_page, bill_diff_page, bill_feed,
    article_history_page, article_version_page, article_compare_page, article_blame_page,
]
