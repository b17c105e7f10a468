"""Sources cited on a target: absolute http(s) addresses, each once per target."""
from __future__ import annotations

import functools
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from amendments.models import Source
from amendments.services.participation import Target, require_open
from drafting.errors import Conflict, Invalid, NotFound
from drafting.models import User
from drafting.policy import require_user
from drafting.texts import text_field

MAX_SOURCE_TITLE = 300
MAX_SOURCE_URL = 2_000
MAX_SOURCE_NOTE = 2_000


def check_url(url: Any) -> str:
    """An absolute http(s) URL with a host; anything else (javascript:, data:, relative) is refused."""
    if not isinstance(url, str) or not url.strip():
        raise Invalid("url", "is required")
    url = url.strip()
    if len(url) > MAX_SOURCE_URL:
        raise Invalid("url", "is longer than the limit of {limit} characters", limit=MAX_SOURCE_URL)
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in url):
        raise Invalid("url", "must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise Invalid("url", "is not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise Invalid("url", "must be an http:// or https:// address")
    return url


def add_source(session: Session, actor: User | None, target: Target, title: Any, url: Any,
               note: Any = None) -> Source:
    user = require_user(actor)
    title = text_field("title", title, max_length=MAX_SOURCE_TITLE)
    url = check_url(url)
    note = text_field("note", note if note else None, required=False, max_length=MAX_SOURCE_NOTE)
    require_open(target)
    cited = session.scalar(select(Source.id).where(target.matches(Source), Source.url == url).limit(1))
    if cited is not None:
        raise Conflict("url: this address is already cited here (source {cited})", cited=cited, field="url",
                       extra={"source": cited})
    source = Source(title=title, url=url, note=note, author_id=user.id, **target.values())
    session.add(source)
    session.flush()
    return source


def get_source(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound("no source {source_id}", source_id=source_id)
    return source


@functools.lru_cache(maxsize=2)
def _all_sources_statement(kind: str):
    column = Source.article_id if kind == "article" else Source.amendment_id
    return (select(Source).where(column == bindparam("target"), Source.hidden_by_id.is_(None))
            .order_by(Source.created_at, Source.id))


def list_sources(session: Session, target: Target, *, limit: int | None = None, offset: int = 0) -> list[Source]:
    if limit is None and not offset:  # the pages: built once
        return list(session.scalars(_all_sources_statement(target.kind), {"target": target.id}))
    return list(session.scalars(
        select(Source).where(target.matches(Source), Source.hidden_by_id.is_(None))
        .order_by(Source.created_at, Source.id).limit(limit).offset(offset)
    ))
