"""Following (issue 13): a person follows bills, articles and amendments, reads what changed on them since
their last visit, and reads the same through a personal Atom feed behind a secret address.

The changes are read from the public record's own rows (article and bill versions, the authors' answers
and opinions, amendment events, positions of the argument map): nothing is written when something
changes, and nothing is written by reading. A person's own actions are not news to them."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, false, or_, select
from sqlalchemy.orm import Session

from amendments.models import Amendment, AmendmentEvent, AmendmentOpinion, AmendmentResponse, Position
from amendments.services.participation import dialect_insert
from drafting import policy
from drafting.db import utcnow
from drafting.errors import NotFound
from drafting.models import FOLLOW_KINDS, Article, ArticleVersion, Bill, BillVersion, ChangesReader, Follow, User

MODELS = {"bill": Bill, "article": Article, "amendment": Amendment}
# What happens to an amendment that its proposer (or a follower) hears of.
EVENT_KINDS = ("rebased", "conflict", "superseded", "accepted", "fell")
FIRST_VISIT = timedelta(days=30)  # a person who never marked their changes seen sees this far back
MAX_CHANGES = 100
MAX_FOLLOWS = 500


def target_row(session: Session, kind: str, target_id: int) -> Any:
    """The bill, article or amendment ``target_id``; 404 for an unknown kind or id."""
    if kind not in FOLLOW_KINDS:
        raise NotFound("no kind '{kind}' to follow (bill, article or amendment)", kind=kind)
    row = session.get(MODELS[kind], target_id)
    if row is None:
        raise NotFound("no {kind} {target_id}", kind=kind, target_id=target_id)
    return row


def _bill_id(kind: str, row: Any) -> int:
    return row.id if kind == "bill" else row.bill_id


@dataclass
class Followed:
    follow: Follow
    bill: Bill
    row: Any  # the Bill, Article or Amendment


def follow(session: Session, actor: User | None, kind: str, target_id: int) -> Followed:
    """Follow the target (again: nothing changes); answers the follow with its target and bill."""
    row = target_row(session, kind, target_id)
    user = policy.require_may_follow(actor, row)
    session.execute(dialect_insert(session)(Follow).values(
        user_id=user.id, kind=kind, target_id=target_id, bill_id=_bill_id(kind, row), created_at=utcnow(),
    ).on_conflict_do_nothing())
    made = session.scalar(select(Follow).where(Follow.user_id == user.id, Follow.kind == kind,
                                               Follow.target_id == target_id))
    return Followed(made, session.get(Bill, made.bill_id), row)


def unfollow(session: Session, actor: User | None, kind: str, target_id: int) -> None:
    """Stop following the target (not followed: nothing changes)."""
    target_row(session, kind, target_id)
    user = policy.require_user(actor)
    session.execute(delete(Follow).where(Follow.user_id == user.id, Follow.kind == kind,
                                         Follow.target_id == target_id))


def is_following(session: Session, user: User | None, kind: str, target_id: int) -> bool:
    if user is None:
        return False
    return session.scalar(select(Follow.id).where(Follow.user_id == user.id, Follow.kind == kind,
                                                  Follow.target_id == target_id)) is not None


def follow_state(session: Session, user: User | None, kind: str, row: Any) -> dict[str, Any]:
    """What a page's follow button shows: ``kind``, ``id``, ``following``, ``can_follow`` (the policy's)."""
    return {"kind": kind, "id": row.id, "following": is_following(session, user, kind, row.id),
            "can_follow": policy.can_follow(user, hidden=getattr(row, "hidden_by_id", None) is not None),
            "signed_in": user is not None}


def follows(session: Session, user: User, *, limit: int = MAX_FOLLOWS, offset: int = 0) -> list[Followed]:
    """What ``user`` follows, latest first, with each target's row and bill."""
    rows = list(session.execute(
        select(Follow, Bill).join(Bill, Bill.id == Follow.bill_id).where(Follow.user_id == user.id)
        .order_by(Follow.created_at.desc(), Follow.id.desc()).limit(limit).offset(offset)
    ))
    targets: dict[tuple[str, int], Any] = {}
    for kind, model in MODELS.items():
        ids = [f.target_id for f, _ in rows if f.kind == kind]
        if ids:
            targets.update({(kind, t.id): t for t in session.scalars(select(model).where(model.id.in_(ids)))})
    return [Followed(f, bill, targets[(f.kind, f.target_id)]) for f, bill in rows
            if (f.kind, f.target_id) in targets]


# --- what changed ------------------------------------------------------------------------------

@dataclass
class Change:
    """One thing that happened on what a person follows (or to their own amendments)."""

    kind: str  # bill_version, article_version, response, opinion, an EVENT_KINDS, position
    at: datetime
    bill: Bill
    key: str  # stable: the feed entry's id
    article: Article | None = None
    amendment: Amendment | None = None
    number: int | None = None  # the version's number (article or bill version)
    label: str = ""  # the bill version's label, the version's message, the answer, the opinion, the label
    actor: User | None = None
    mine: bool = False  # about the person's own amendment


@dataclass
class _Followed:
    bills: list[int]
    articles: list[int]
    amendments: list[int]


def _followed(session: Session, user: User) -> _Followed:
    rows = session.execute(select(Follow.kind, Follow.target_id).where(Follow.user_id == user.id)).all()
    return _Followed(*([t for k, t in rows if k == kind] for kind in FOLLOW_KINDS))


def _in(column, ids: list[int]):
    return column.in_(ids) if ids else false()


def _version_changes(session: Session, user: User, watched: _Followed, since: datetime, limit: int) -> list[Change]:
    found = [
        Change("article_version", v.created_at, bill, f"article-{article.id}-v{v.version}", article=article,
               number=v.version, label=v.message, actor=v.author)
        for v, article, bill in session.execute(
            select(ArticleVersion, Article, Bill).join(Article, Article.id == ArticleVersion.article_id)
            .join(Bill, Bill.id == Article.bill_id)
            .where(ArticleVersion.created_at > since, ArticleVersion.version > 1, ArticleVersion.author_id != user.id,
                   or_(_in(Article.id, watched.articles), _in(Article.bill_id, watched.bills)))
            .order_by(ArticleVersion.created_at.desc()).limit(limit)
        )
    ]
    found += [
        Change("bill_version", v.published_at, bill, f"bill-{bill.id}-v{v.seq}", number=v.seq, label=v.label,
               actor=v.published_by)
        for v, bill in session.execute(
            select(BillVersion, Bill).join(Bill, Bill.id == BillVersion.bill_id)
            .where(BillVersion.published_at > since, BillVersion.published_by_id != user.id,
                   _in(BillVersion.bill_id, watched.bills))
            .order_by(BillVersion.published_at.desc()).limit(limit)
        )
    ]
    return found


def _watched_amendment(user: User, watched: _Followed):
    """Amendments one hears of: one's own, the followed ones, those of followed articles and bills."""
    return (Amendment.hidden_by_id.is_(None)) & or_(
        Amendment.author_id == user.id, _in(Amendment.id, watched.amendments),
        _in(Amendment.article_id, watched.articles), _in(Amendment.bill_id, watched.bills))


def _amendment_changes(session: Session, user: User, watched: _Followed, since: datetime, limit: int) -> list[Change]:
    def query(model, when, who, *where):
        return session.execute(
            select(model, Amendment, Bill).join(Amendment, Amendment.id == model.amendment_id)
            .join(Bill, Bill.id == Amendment.bill_id)
            .where(when > since, or_(who.is_(None), who != user.id), *where).order_by(when.desc()).limit(limit)
        )

    found = [Change("response", r.created_at, bill, f"response-{r.id}", amendment=a, label=r.body, actor=r.author,
                    mine=a.author_id == user.id)
             for r, a, bill in query(AmendmentResponse, AmendmentResponse.created_at, AmendmentResponse.author_id,
                                     _watched_amendment(user, watched))]
    found += [Change("opinion", o.created_at, bill, f"opinion-{o.id}", amendment=a, label=o.opinion, actor=o.author,
                     mine=a.author_id == user.id)
              for o, a, bill in query(AmendmentOpinion, AmendmentOpinion.created_at, AmendmentOpinion.author_id,
                                      _watched_amendment(user, watched))]
    # Rebases, conflicts and merges: of one's own amendments and of the followed ones.
    own_or_followed = Amendment.hidden_by_id.is_(None) & or_(Amendment.author_id == user.id,
                                                             _in(Amendment.id, watched.amendments))
    found += [Change(e.kind, e.created_at, bill, f"event-{e.id}", amendment=a, number=e.to_version, actor=e.actor,
                     mine=a.author_id == user.id)
              for e, a, bill in query(AmendmentEvent, AmendmentEvent.created_at,
                                      AmendmentEvent.actor_id,
                                      AmendmentEvent.kind.in_(EVENT_KINDS), own_or_followed)]
    return found


def _position_changes(session: Session, watched: _Followed, since: datetime, limit: int) -> list[Change]:
    rows = session.execute(
        select(Position, Article, Bill).join(Article, Article.id == Position.article_id)
        .join(Bill, Bill.id == Article.bill_id)
        .where(Position.created_at > since, Position.arguments_count > 0, _in(Position.article_id, watched.articles))
        .order_by(Position.created_at.desc()).limit(limit)
    )
    return [Change("position", p.created_at, bill, f"position-{p.id}", article=article, label=p.label,
                   number=p.id) for p, article, bill in rows]


def changes(session: Session, user: User, since: datetime, *, limit: int = MAX_CHANGES) -> list[Change]:
    """What changed after ``since`` on what ``user`` follows and on their own amendments, newest first."""
    watched = _followed(session, user)
    found = (_version_changes(session, user, watched, since, limit)
             + _amendment_changes(session, user, watched, since, limit)
             + _position_changes(session, watched, since, limit))
    found.sort(key=lambda change: (change.at, change.key), reverse=True)
    return found[:limit]


# --- the last visit and the feed's secret ------------------------------------------------------

def _reader(session: Session, user: User) -> ChangesReader | None:
    return session.get(ChangesReader, user.id)


def last_seen(session: Session, user: User) -> datetime:
    """When ``user`` last marked their changes seen (a first visit looks back 30 days)."""
    reader = _reader(session, user)
    return reader.seen_at if reader is not None and reader.seen_at is not None else utcnow() - FIRST_VISIT


def _reader_for_update(session: Session, user: User) -> ChangesReader:
    session.execute(dialect_insert(session)(ChangesReader).values(user_id=user.id).on_conflict_do_nothing())
    return session.get(ChangesReader, user.id, with_for_update=True, populate_existing=True)


def mark_seen(session: Session, actor: User | None) -> datetime:
    user = policy.require_user(actor)
    reader = _reader_for_update(session, user)
    reader.seen_at = utcnow()
    return reader.seen_at


def feed_token(session: Session, user: User) -> str | None:
    reader = _reader(session, user)
    return reader.feed_token if reader is not None else None


def renew_feed_token(session: Session, actor: User | None) -> str:
    """A new secret address for the person's feed; the previous one stops answering."""
    user = policy.require_user(actor)
    reader = _reader_for_update(session, user)
    reader.feed_token, reader.feed_token_at = secrets.token_urlsafe(24), utcnow()
    return reader.feed_token


def feed_owner(session: Session, token: str) -> User:
    """The person whose feed this secret opens; 404 for any other string."""
    user = session.scalar(select(User).join(ChangesReader, ChangesReader.user_id == User.id)
                          .where(ChangesReader.feed_token == token)) if token else None
    if user is None:
        raise NotFound("no such feed")
    return user
