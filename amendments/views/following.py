"""View models of following (issue 13): the changes list (the ``drafting/_changes.html`` partial), the
/me/changes page, the personal Atom feed, and their JSON shapes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from amendments.services import following
from amendments.services.following import Change, Followed
from amendments.views.authors_desk import OPINION_LABELS
from amendments.views.shapes import ChangeJSON, ChangesJSON, FollowJSON
from drafting.models import Follow, User
from drafting.views.json import iso
from drafting.web.urls import Reverse

FEED_ENTRIES = 50
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def title_of(kind: str, row: Any) -> str:
    """A followed item's name in lists (the template translates the kind)."""
    if kind == "bill":
        return row.title
    if kind == "article":
        return row.number
    return row.title or ""


def follow_json(followed: Followed) -> FollowJSON:
    f: Follow = followed.follow
    return {"type": f.kind, "id": f.target_id, "bill": followed.bill.slug, "title": title_of(f.kind, followed.row),
            "created_at": iso(f.created_at)}


def change_json(change: Change) -> ChangeJSON:
    return {
        "kind": change.kind, "at": iso(change.at), "bill": change.bill.slug,
        "article": change.article.id if change.article else None,
        "amendment": change.amendment.id if change.amendment else None,
        "version": change.number if change.kind in ("article_version", "bill_version") else None,
        "text": change.label, "actor": change.actor.username if change.actor else None, "mine": change.mine,
    }


def changes_json(session: Session, user: User, since: datetime | None) -> ChangesJSON:
    since = since or following.last_seen(session, user)
    return {"since": iso(since), "items": [change_json(c) for c in following.changes(session, user, since)]}


@dataclass
class ChangesPage:
    """The /me/changes page: ``changes`` since ``since``, ``follows`` (Followed), the feed's path or None."""

    user: User
    since: datetime
    changes: list[Change]
    follows: list[Followed]
    feed_path: str | None


def changes_page(session: Session, user: User, reverse: Reverse) -> dict[str, Any]:
    since = following.last_seen(session, user)
    token = following.feed_token(session, user)
    page = ChangesPage(user, since, following.changes(session, user, since), following.follows(session, user),
                       reverse("following:atom", feed_file=f"{token}.atom") if token else None)
    return {"page": page, "changes": page.changes, "opinion_labels": OPINION_LABELS}


def feed_context(session: Session, user: User) -> dict[str, Any]:
    """The feed of ``user``'s changes: the latest ones whatever was seen (feed readers keep their own)."""
    entries = following.changes(session, user, EPOCH, limit=FEED_ENTRIES)
    return {"owner": user, "changes": entries, "opinion_labels": OPINION_LABELS,
            "updated": entries[0].at if entries else user.created_at}
