"""The signed-in render cache: the article, amendment and bill pages rendered once for every plain
participant, with each reader's own parts filled in per request.

Who shares: a signed-in reader who is neither a moderator (nor an administrator) nor one of the bill's
staff, nor, on an amendment's page, its proposer. They all see the same page but for a few parts, so
the page is rendered once per (path, query string, language) for all of them. Such answers carry
``X-Navette-Reader-Cache: hit`` (stored page, reader's parts filled in) or ``miss`` (rendered now). Everyone else (staff,
moderators, proposers, anonymous readers, htmx requests, a page carrying a flash message) gets the page
rendered for them as before. Anonymous readers have the page cache (drafting/web/pagecache.py).

What is cached is the whole page's HTML, rendered from a context without anyone's personal data: the
view model's context with the reader replaced by ``PARTICIPANT`` (a stand-in with no name and no
roles), their vote, useful marks and follow state removed, and each CSRF token replaced by a marker.
What is rendered per request (the *holes*, each a marker in the stored HTML, filled by one render of
templates/_reader_holes.html): the header with the reader's name and the sign-out form (``header``),
the follow button (``follow``), the vote bar with the reader's vote (``votes``), each argument's useful
button with the reader's mark (``useful``), and the CSRF token everywhere. Templates mark a hole with
``{{ reader_holes.put(kind, ...) }}`` where ``reader_holes`` is defined (only in the shared render).
A hit (``hit``) runs before any ORM session, on a plain connection: one statement built once gives the
reader (from their session token), their staff role, follow state and vote, and one more their useful
marks when the page shows useful buttons; against 8 to 23 statements for the page.

Freshness: an entry is used only while the database's write mark is the one read before it was
rendered (``Database.write_mark``: any write by any process, this process's own write transactions
counted exactly) and for at most ``render_cache_seconds`` (what changes with time alone:
a consultation opening or closing at its date, the time left). The mark is read before the request's
transaction begins, so an entry never claims a mark newer than what it shows.
"""
from __future__ import annotations

import dataclasses
import functools
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

from litestar import Request, Response
from litestar.response import Template
from litestar.enums import MediaType
from litestar.utils.scope.state import ScopeState
from markupsafe import Markup, escape
from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from amendments.models import Vote
from amendments.services.arguments import useful_marks_statement
from drafting.db import Prepared
from drafting.models import BillAuthor, Follow, User
from drafting import i18n, policy
from drafting.services import accounts
from drafting.web import flash
from drafting.web.markers import Markers
from drafting.web.render import here, render
from drafting.web.request import SESSION_COOKIE, database

_MARKERS = Markers("\x00")  # drafting/web/markers.py
_HOLE = _MARKERS.numbered
CSRF_MARK = _MARKERS.mark("csrf")
_SEPARATOR = _MARKERS.mark("end")
MAX_ENTRIES = 300
MAX_RENDERED = 5000  # hole renderings kept per entry (one per reader for the header)
CACHE_HEADER = "X-Navette-Reader-Cache"  # "hit" or "miss" on a page this cache answered


class _Participant:
    """Who the shared render is for: signed in, no name, no roles, no row of their own (id 0)."""

    id = 0
    is_admin = False
    is_moderator = False
    is_organization = False
    created_by_id = None
    display_name = ""
    username = ""

    def __bool__(self) -> bool:
        return True


PARTICIPANT = _Participant()


class Holes:
    """The reader's own parts met while rendering a shared page: ``put`` returns the marker that stands
    for one (a ``kind`` of templates/_reader_holes.html and its arguments)."""

    def __init__(self) -> None:
        self.items: list[tuple[str, dict[str, Any]]] = []

    def put(self, kind: str, **arguments: Any) -> Markup:
        self.items.append((kind, arguments))
        return Markup(_MARKERS.mark(len(self.items) - 1))


@dataclass(frozen=True)
class Subject:
    """What a page's reader parts are computed from: the bill (staff check), what the follow button
    follows, the participation target (vote, useful marks), the amendment (its proposer reads alone)."""

    bill: Any
    follow_kind: str
    follow_row: Any
    target: Any = None  # amendments.services.participation.Target, or None (the bill page)
    amendment: Any = None


def subject_of(context: dict[str, Any], follow_kind: str, follow_row: Any, *, amendment: Any = None) -> Subject:
    """A page's Subject from its context (``bill``, and ``participation`` on a target's page)."""
    participation = context.get("participation")
    return Subject(context["bill"], follow_kind, follow_row,
                   target=participation.target if participation is not None else None, amendment=amendment)


@dataclass
class Own:
    """One reader's parts of a page."""

    following: bool
    my_vote: str | None = None
    useful_mine: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Entry:
    """One page rendered for every plain participant, cut at its holes."""

    template: str
    segments: tuple[str, ...]  # the HTML between the holes (CSRF markers left in)
    slots: tuple[int, ...]  # the index in ``holes`` of each hole, in the order the HTML shows them
    holes: tuple[tuple[str, dict[str, Any]], ...]
    useful_ids: tuple[int, ...]  # the arguments whose useful button is a hole
    context: dict[str, Any]  # the shared context (the holes' templates read it)
    subject: Subject
    mark: object
    expires: float
    # (hole index, reader state) → that hole's HTML (CSRF markers left in): readers in one state share it
    rendered: dict[tuple[int, object], str] = field(default_factory=dict)


class ReaderCache:
    """The entries of one process, least recently used first."""

    def __init__(self, seconds: float, write_mark: Callable[[], object], clock: Callable[[], float] = time.monotonic,
                 max_entries: int = MAX_ENTRIES) -> None:
        self.seconds = seconds
        self.write_mark = write_mark
        self.clock = clock
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()

    def get(self, key: tuple, mark: object) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.mark != mark or entry.expires <= self.clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: tuple, entry: Entry) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


@dataclass
class Lookup:
    """One request's use of the cache: ``entry`` when one may answer it (the reader still has to be
    one who shares it), ``mark`` read before the request's transaction."""

    cache: ReaderCache
    key: tuple
    mark: object
    entry: Entry | None


def lookup(request: Request) -> Lookup | None:
    """Before the request's transaction: the cache's answer for this page, or None when this request
    must be rendered for its reader alone (cache off, not signed in, htmx, a flash to show)."""
    cache: ReaderCache | None = request.app.state.get("reader_cache")
    if cache is None or request.headers.get("hx-request") or flash.pending(request) is not None:
        return None
    if not request.cookies.get(SESSION_COOKIE):
        return None
    key = (request.scope["path"], request.scope["query_string"], i18n.request_language(request))
    mark = cache.write_mark()
    return Lookup(cache, key, mark, cache.get(key, mark))


@functools.lru_cache(maxsize=4)
def _hit_statement(target_kind: str | None) -> Prepared:
    """Built once: the session token's person and, correlated on them, whether they are one of the bill's
    authors, whether they follow the page's subject, and (on a target's page) their vote: one statement."""
    reader = User.__table__.c.id
    columns = [
        exists().where(BillAuthor.bill_id == bindparam("bill"), BillAuthor.user_id == reader).label("author"),
        exists().where(Follow.user_id == reader, Follow.kind == bindparam("follow_kind"),
                       Follow.target_id == bindparam("follow_id")).label("following"),
    ]
    if target_kind is not None:
        column = Vote.article_id if target_kind == "article" else Vote.amendment_id
        columns.append(select(Vote.value).where(Vote.user_id == reader, column == bindparam("target"))
                       .scalar_subquery().label("my_vote"))
    return Prepared(accounts.person_select(*columns))


class Reader:
    """The signed-in reader of a stored page, from their row (what the holes' templates and the policy
    read of a ``User``), without the ORM."""

    def __init__(self, row: Any) -> None:
        self.__dict__.update(row._asdict())

    @property
    def is_organization(self) -> bool:
        return self.kind == "organization"

    def __bool__(self) -> bool:
        return True


def shares(user: Any, subject: Subject, *, staff: bool) -> bool:
    """Whether ``user`` (one of the bill's staff or not) sees the page every plain participant sees."""
    if user is None or policy.is_moderator(user) or staff:
        return False
    return subject.amendment is None or not policy.is_proposer(user, subject.amendment)


def hit(request: Request, found: Lookup | None) -> Response | None:
    """Before any session: the stored page with this reader's parts, if one is stored and this reader
    shares it, on a plain connection without the ORM: one statement for the reader (from their session
    token), their staff role, follow state and vote, one more for their useful marks when the page
    shows useful buttons. None (the page is rendered as usual) otherwise."""
    if found is None or found.entry is None:
        return None
    entry = found.entry
    subject = entry.subject
    target = subject.target
    with database(request).connection(write=False) as connection:
        row = _hit_statement(target.kind if target is not None else None).first(
            connection, **accounts.token_parameters(request.cookies.get(SESSION_COOKIE) or "", "web"),
            bill=subject.bill.id, follow_kind=subject.follow_kind, follow_id=subject.follow_row.id,
            target=target.id if target is not None else None)
        if row is None:
            return None
        user = Reader(row)
        if not shares(user, subject, staff=policy.can_edit_bill(user, bool(row.author))):
            return None
        marked = set(connection.execute(useful_marks_statement(), {"user_id": user.id, "ids": list(entry.useful_ids)})
                     .scalars()) if target is not None and entry.useful_ids else set()
    return answer(request, entry, user, Own(bool(row.following), row.my_vote if target is not None else None, marked),
                  hit=True)


def shared_or_own(session: Session, request: Request, found: Lookup | None, user: Any, template: str,
                  context: dict[str, Any], subject: Subject, *, staff: bool) -> Response | Template:
    """A page just computed for ``user``: rendered for every plain participant and kept, then filled
    with this reader's parts (taken from ``context``), when they are one; rendered for them alone
    otherwise."""
    if found is None or not shares(user, subject, staff=staff):
        return render(template, session, request, user=user, **context)
    entry = store(found, request, template, without_reader(context), subject)
    participation = context.get("participation")
    own = Own(bool(context["follow"]["following"]),
              my_vote=participation.my_vote if participation is not None else None,
              useful_mine=participation.useful_mine if participation is not None else set())
    return answer(request, entry, user, own, hit=False)


def without_reader(context: dict[str, Any]) -> dict[str, Any]:
    """A page's context with nothing of its reader left: ``PARTICIPANT`` for ``user``, the
    participation without the reader's vote and marks, the follow button without their state."""
    shared = {**context, "user": PARTICIPANT, "moderator": False}
    if "participation" in shared:
        shared["participation"] = dataclasses.replace(shared["participation"], user=PARTICIPANT, my_vote=None,
                                                      useful_mine=set())
    if "follow" in shared:
        shared["follow"] = {**shared["follow"], "following": False}
    return shared


def _page_context(request: Request, context: dict[str, Any], csrf_token: str) -> dict[str, Any]:
    """What Litestar's Template adds (``request``, ``csrf_input``), the token given, the language bound."""
    gettext_, ngettext_ = i18n.bound(i18n.request_language(request))
    return {**context, "request": request, "_": gettext_, "ngettext": ngettext_, "flash": None,
            "csrf_input": Markup(f'<input type="hidden" name="_csrf_token" value="{csrf_token}" />'),
            "csrf_token": lambda: csrf_token}


def store(found: Lookup, request: Request, template: str, context: dict[str, Any], subject: Subject) -> Entry:
    """Render ``template`` once for every plain participant (``context`` as ``without_reader`` left it)
    and keep it under the mark read before the request's transaction."""
    holes = Holes()
    environment = request.app.template_engine.engine
    html = environment.get_template(template).render(
        **_page_context(request, context, CSRF_MARK), reader_holes=holes)
    parts = _HOLE.split(html)
    useful_ids = tuple(arguments["argument"]["id"] for kind, arguments in holes.items if kind == "useful")
    entry = Entry(template, tuple(parts[0::2]), tuple(int(i) for i in parts[1::2]), tuple(holes.items), useful_ids,
                  context, subject, found.mark, found.cache.clock() + found.cache.seconds)
    found.cache.put(found.key, entry)
    return entry


def _state(kind: str, arguments: dict[str, Any], user: Any, own: Own) -> object:
    """What a hole's HTML depends on for one reader: readers in the same state share its rendering.
    The header shows the reader's own row, which only their own write (a new entry) changes."""
    if kind == "header":
        return user.id
    if kind == "follow":
        return own.following
    if kind == "votes":
        return own.my_vote
    return arguments["argument"]["id"] in own.useful_mine


def answer(request: Request, entry: Entry, user: Any, own: Own, *, hit: bool) -> Response:
    """The stored page with this reader's parts: each hole's HTML for the reader's state, rendered
    (by templates/_reader_holes.html, in one render for all those not rendered yet) the first time
    a reader in that state comes, then the pieces joined and the CSRF token written in."""
    states = [(index, _state(kind, arguments, user, own)) for index, (kind, arguments) in enumerate(entry.holes)]
    missing = [key for key in states if key not in entry.rendered]
    if missing:
        participation = entry.context.get("participation")
        if participation is not None:
            participation = dataclasses.replace(participation, user=user, my_vote=own.my_vote,
                                                useful_mine=own.useful_mine)
        environment = request.app.template_engine.engine
        follow = entry.context.get("follow")
        kinds = [entry.holes[index][0] for index, _ in missing]
        useful = [entry.holes[index][1] for index, _ in missing if entry.holes[index][0] == "useful"]
        parts = environment.get_template("_reader_holes.html").render(**_page_context(request, {
            **entry.context, "user": user, "moderator": False, "participation": participation,
            "follow": {**follow, "following": own.following} if follow is not None else None,
            "wanted": set(kinds), "useful_holes": [(u["argument"], u["useful"]) for u in useful],
            "separator": Markup(_SEPARATOR), "here": here(request)}, CSRF_MARK)).split(_SEPARATOR)
        # The header, follow button and vote bar of a page are each one thing, wherever they show.
        of_kind = {"header": parts[0], "follow": parts[1], "votes": parts[2]}
        useful_parts = iter(parts[3:])
        html = [of_kind[kind] if kind in of_kind else next(useful_parts) for kind in kinds]
        if len(entry.rendered) < MAX_RENDERED:
            entry.rendered.update(zip(missing, html))
        rendered = {**entry.rendered, **dict(zip(missing, html))}
    else:
        rendered = entry.rendered
    pieces = [entry.segments[0]]
    for slot, segment in zip(entry.slots, entry.segments[1:]):  # the holes in the order the HTML shows them
        pieces.append(rendered[states[slot]])
        pieces.append(segment)
    token = str(escape(ScopeState.from_scope(request.scope).csrf_token or ""))
    return Response(content="".join(pieces).replace(CSRF_MARK, token), media_type=MediaType.HTML,
                    headers={"Vary": "HX-Request", CACHE_HEADER: "hit" if hit else "miss"})
