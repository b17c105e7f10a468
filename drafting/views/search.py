"""The search's results as JSON (CONTRACT §6) and as the ``/search`` page: snippets cut around the first
word found, with the places of the words found, so a page marks them without ever reading user text as
HTML."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from drafting.models import SEARCH_KINDS
from drafting.services import search
from drafting.services.search import Hit
from drafting.web.urls import Reverse

SNIPPET_WIDTH = 220  # characters of text around the first word found
LEAD = 60  # of which before it
PAGE_SIZE = 20


@dataclass(frozen=True)
class Snippet:
    """An excerpt and the [start, end) places of the words found in it."""

    text: str
    marks: list[tuple[int, int]]

    @property
    def segments(self) -> list[tuple[str, bool]]:
        """The excerpt cut into (text, found) pieces, for ``<mark>`` on the page."""
        pieces, at = [], 0
        for start, end in self.marks:
            if start > at:
                pieces.append((self.text[at:start], False))
            pieces.append((self.text[start:end], True))
            at = end
        if at < len(self.text):
            pieces.append((self.text[at:], False))
        return pieces


def _found(language: str, terms: set[str], value: str) -> Iterator[tuple[int, int]]:
    return ((m.start(), m.end()) for m in search.words(value)
            if search.word_stem(language, m.group()) in terms)


def _excerpt(value: str, at: int) -> str:
    """About SNIPPET_WIDTH characters of ``value`` from a little before ``at``, cut between words."""
    start = max(0, at - LEAD)
    if start:
        start = value.rfind(" ", 0, start) + 1
    end = start + SNIPPET_WIDTH
    if end < len(value):
        cut = value.rfind(" ", start, end)
        end = cut if cut > at else end
    piece = " ".join(value[start:end].split())
    return ("… " if start else "") + piece + (" …" if end < len(value) else "")


def snippet(hit: Hit, query: str) -> Snippet:
    """The passage of the hit's body (else its title) where a word of ``query`` is found first."""
    terms = search.query_stems(hit.language, query)
    for value in (hit.body, hit.title):
        first = next(_found(hit.language, terms, value), None)  # only up to the first word found
        if first is not None:
            text = _excerpt(value, first[0])
            return Snippet(text, list(_found(hit.language, terms, text)))
    return Snippet(_excerpt(hit.body or hit.title, 0), [])


def hit_url(reverse: Reverse, hit: Hit) -> str:
    """The page of the item found (an argument: its place on its article's or amendment's page)."""
    if hit.kind == "bill":
        return reverse("bills:detail", slug=hit.bill)
    if hit.kind == "article":
        return reverse("articles:detail", slug=hit.bill, article_id=hit.id)
    if hit.kind == "amendment":
        return reverse("amendments:detail", amendment_id=hit.id)
    kind, target_id = hit.target
    if kind == "article":
        return reverse("articles:detail", slug=hit.bill, article_id=target_id) + f"#argument-{hit.id}"
    return reverse("amendments:detail", amendment_id=target_id) + f"#argument-{hit.id}"


def hit_json(reverse: Reverse, hit: Hit, query: str) -> dict[str, Any]:
    """One item of ``GET /api/v1/search``: the contract's fields, then the title, the places of the
    words found in the snippet, the page's URL and (amendments) the status."""
    found = snippet(hit, query)
    item = {"type": hit.kind, "id": hit.id, "bill": hit.bill, "snippet": found.text,
            "title": hit.title.replace("\n", " — "), "highlights": [list(mark) for mark in found.marks],
            "url": hit_url(reverse, hit)}
    if hit.status is not None:
        item["status"] = hit.status
    return item


@dataclass
class Result:
    kind: str
    id: int
    title: str  # the item's own title lines; "" for an argument (the template names it)
    url: str
    snippet: Snippet
    status: str | None
    bill: str


@dataclass
class SearchContext:
    """``templates/drafting/search.html``: the query and filters as sent (an empty query shows the form
    only), the bills to filter by (slug, title), one page of results and the links around it."""

    q: str = ""
    bill: str = ""
    kind: str = ""
    bills: list[tuple[str, str]] = field(default_factory=list)
    kinds: tuple[str, ...] = SEARCH_KINDS
    results: list[Result] = field(default_factory=list)
    searched: bool = False
    page: int = 1
    first: int = 1  # the number of the page's first result
    previous_url: str | None = None
    next_url: str | None = None
    error: str | None = None


def results(reverse: Reverse, hits: list[Hit], query: str) -> list[Result]:
    return [Result(hit.kind, hit.id, hit.title.replace("\n", " — "), hit_url(reverse, hit), snippet(hit, query),
                   hit.status, hit.bill) for hit in hits]
