"""What the article page shows of its amendments (documented context)."""
from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy.orm import Session

from drafting.models import Article, Bill, User


def article_amendments_context(session: Session, bill: Bill, article: Article, user: User | None,
                               query: Mapping[str, str]) -> dict[str, Any]:
    return {}
