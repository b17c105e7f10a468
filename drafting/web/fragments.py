"""Kept fragments: a part of a page rendered once and kept while what it shows is unchanged, with the
parts that change per request or per reader (its *holes*) filled in at each use.

The argument map of a target (templates/participation/_argument_map.html) is one: its HTML depends on
the kept map, which names its own version (``position_spaces.version``, moved by every rewrite of the
map, amendments/services/argument_maps.py), on the target's argument counts, on the page's language and
on whether the reader is signed in or a moderator (the report and moderation links). What changes
without the map changing, each argument's useful count and the reader's mark, is a hole: the page's
own ``useful_button`` macro draws it at each request. So a page shows a map of 5,000 arguments for what
one of 50 costs: one read of the map's stamp, the useful counts of the arguments it shows, and the
kept HTML.

A view model asks ``for_session(session).get(key, stamp)`` before reading a map; on a miss it reads
the map and ``put``s the data the template renders it from; the template's
``{% call(hole) keep_fragment(kept, fill, counts) %}`` renders the body once per language (``hole(id)``
marks where an argument's useful button goes) and joins the kept pieces with ``fill(argument, count)``
at each request. One cache per database engine, so two apps of one process never share an entry.
"""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Callable

from jinja2 import pass_context
from markupsafe import Markup
from sqlalchemy.orm import Session

from drafting import i18n
from drafting.web.markers import Markers
from drafting.web.stamped import Stamped

MAX_ENTRIES = 300  # targets kept (each with its HTML in up to three languages)
_MARKERS = Markers("\x01")  # drafting/web/markers.py; not the reader cache's, whose pages hold these
_MARK = _MARKERS.numbered


@dataclass
class Kept:
    """One fragment's data (what its template reads on a miss) under ``stamp``, and its HTML per
    language cut at its holes: (pieces between the holes, the argument id of each hole)."""

    stamp: tuple
    data: Any
    html: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = field(default_factory=dict)


class Fragments:
    """The kept fragments of one database engine, least recently used first."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._kept = Stamped(max_entries)

    def get(self, key: tuple, stamp: tuple) -> Kept | None:
        return self._kept.get(key, stamp)

    def put(self, key: tuple, stamp: tuple, data: Any) -> Kept:
        return self._kept.put(key, stamp, Kept(stamp, data))

    def __len__(self) -> int:
        return len(self._kept)


_BY_ENGINE: "weakref.WeakKeyDictionary[Any, Fragments]" = weakref.WeakKeyDictionary()
_BY_ENGINE_LOCK = threading.Lock()


def for_session(session: Session) -> Fragments:
    """The kept fragments of the database ``session`` reads."""
    engine = session.get_bind()
    with _BY_ENGINE_LOCK:
        found = _BY_ENGINE.get(engine)
        if found is None:
            found = _BY_ENGINE[engine] = Fragments()
        return found


def _hole_marker(marks: list[int]) -> Callable[[int], Markup]:
    def hole(argument_id: int) -> Markup:
        marks.append(argument_id)
        return Markup(_MARKERS.mark(len(marks) - 1))
    return hole


@pass_context
def keep_fragment(context, kept: Kept, fill: Callable[[Any, int], Any], counts: dict[int, int], *,
                  caller: Callable[[Callable[[int], Markup]], str]) -> Markup:
    """``kept``'s HTML in the page's language (the call's body rendered the first time, ``hole(id)``
    standing for an argument's useful button), each hole filled by ``fill(argument, useful count)``."""
    request = context.get("request")
    language = i18n.request_language(request) if request is not None else i18n.DEFAULT_LANGUAGE
    cut = kept.html.get(language)
    if cut is None:
        marks: list[int] = []
        body = str(caller(_hole_marker(marks)))
        parts = _MARK.split(body)
        cut = (tuple(parts[0::2]), tuple(marks[int(i)] for i in parts[1::2]))
        if "_csrf_token" not in body:  # a form's token is the reader's: such a body is never kept
            kept.html[language] = cut
    pieces, holes = cut
    out = [pieces[0]]
    for argument_id, piece in zip(holes, pieces[1:]):
        out.append(str(fill(SimpleNamespace(id=argument_id), counts.get(argument_id, 0))))
        out.append(piece)
    return Markup("".join(out))
