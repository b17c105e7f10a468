"""Pages and fragments for votes, arguments, sources and moderation."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from drafting.models import Article, User

participation_pages: list = []


def article_participation_context(session: Session, article: Article, user: User | None) -> dict[str, Any]:
    return {}


def amendment_participation_context(session: Session, amendment, user: User | None) -> dict[str, Any]:
    return {}
