"""Bounded lists (CONTRACT §6 "Lists"): ``limit`` and ``offset`` on every list endpoint, and a
``Link: <…>; rel="next"`` header while more items follow.

A list handler takes ``page: PageWindow`` (the app provides it from the query) and answers
``paginated(request, page, fetch, render)``: ``fetch(limit, offset)`` runs the query with SQL
LIMIT/OFFSET, asked for one row more than the page to learn whether another page follows.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Callable, Sequence, TypeVar
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from drafting.ids import MAX_ID

DEFAULT_LIMIT = 100
MAX_LIMIT = 500

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    limit: int = DEFAULT_LIMIT
    offset: int = 0


def page_of(
    limit: Annotated[int, QueryParameter(name="limit", ge=1, le=MAX_LIMIT,
                                    description=f"How many items, at most {MAX_LIMIT}.")] = DEFAULT_LIMIT,
    offset: Annotated[int, QueryParameter(name="offset", ge=0, le=MAX_ID,  # no table holds more rows
                                     description="How many items to skip.")] = 0,
) -> Page:
    return Page(limit, offset)


# The app's dependencies: a handler that takes ``page: PageWindow`` gets the request's window (named
# explicitly: Litestar 3 infers no dependency from a parameter's name).
PageWindow = NamedDependency[Page]
PAGE_DEPENDENCY = {"page": Provide(page_of, sync_to_thread=False)}


def next_link(request: Request, page: Page) -> str:
    """The root-relative URL of the next page, keeping the request's other query parameters."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("limit", "offset")]
    query += [("limit", str(page.limit)), ("offset", str(page.offset + page.limit))]
    return f"{request.url.path}?{urlencode(query)}"


def paginated(request: Request, page: Page, fetch: Callable[[int, int], Sequence[T]],
              render: Callable[[list[T]], list[Any]]) -> Response[list[Any]]:
    """One page of a list as a JSON array, with ``Link: rel="next"`` when more items follow."""
    rows = list(fetch(page.limit + 1, page.offset))
    headers = {"Link": f'<{next_link(request, page)}>; rel="next"'} if len(rows) > page.limit else None
    return Response(render(rows[:page.limit]), headers=headers)
