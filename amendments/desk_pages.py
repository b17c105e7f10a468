"""Pages of the authors' desk: review by article, merge preview, publishing."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from drafting.models import User

desk_pages: list = []


def amendment_desk_context(session: Session, amendment, user: User | None) -> dict[str, Any]:
    return {}
