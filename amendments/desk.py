"""The authors' desk: publishing article versions, direct edits and merges, then rebasing."""
from __future__ import annotations

from sqlalchemy.orm import Session

from drafting import services
from drafting.errors import Invalid
from drafting.models import Article, ArticleVersion, Bill, User


def publish_article_version(
    session: Session,
    actor: User | None,
    article: Article,
    *,
    expected_version: int,
    message: str,
    text: str | None,
    merge: list[int],
) -> ArticleVersion:
    """A new version of an article by its bill's authors: a direct edit with ``text``."""
    bill = session.get(Bill, article.bill_id)
    user = services.require_author(session, bill, actor)
    message = services.text_field("message", message, required=False, max_length=20_000)
    if merge:
        raise Invalid("merge", "merging amendments is not available yet")
    if text is None:
        raise Invalid("text", "is required when nothing is merged")
    new_text = services.check_new_text(text)
    return services.append_article_version(
        session, user, article, expected_version, services.NewVersion(text=new_text, message=message)
    )
