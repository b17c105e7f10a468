"""A bill's public timeline and its Atom feed's entries, from immutable rows (versions, answers, openings)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from amendments.models import Amendment, AmendmentOpinion, AmendmentResponse
from drafting import db, policy
from drafting.models import Article, ArticleVersion, Bill, BillStatusChange, BillVersion, User
from drafting.services import bills
from drafting.services.history import merged_amendments


# --- the bill's timeline -----------------------------------------------------------------------

# Within one moment, the order events happen in: an edit comes before the publication that takes it.
_RANK = {"initial": 0, "article_version": 1, "opinion": 2, "response": 2, "status": 3, "bill_version": 4}


@dataclass
class TimelineEntry:
    """One event of a bill's public history; ``kind`` says which fields are set."""

    kind: str  # initial | article_version | response | opinion | status | bill_version
    at: datetime
    actor: User | None = None
    article: Article | None = None
    version: ArticleVersion | None = None
    previous: ArticleVersion | None = None
    amendments: list[Amendment] = field(default_factory=list)
    bill_version: BillVersion | None = None
    articles: list[tuple[Article, ArticleVersion]] = field(default_factory=list)
    status: str | None = None
    response: AmendmentResponse | None = None
    amendment: Amendment | None = None
    opinion: AmendmentOpinion | None = None

    @property
    def key(self) -> str:
        """A stable identifier of the event (feed entry ids, anchors)."""
        if self.kind == "bill_version":
            return f"bill-version-{self.bill_version.seq}"
        if self.kind == "article_version":
            return f"article-{self.article.id}-v{self.version.version}"
        if self.kind == "response":
            return f"response-{self.response.id}"
        if self.kind == "opinion":
            return f"opinion-{self.opinion.id}"
        if self.kind == "status":
            return f"status-{int(self.at.timestamp())}-{self.status}"
        return "initial"


def bill_timeline(session: Session, bill: Bill, *, include_status: bool = True, include_responses: bool = False,
                  include_initial: bool = True, with_texts: bool = False) -> list[TimelineEntry]:
    """The bill's history, newest first: publications, article versions and what they merged,
    consultation openings and closings, and (optionally) the authors' public answers to amendments.

    The initial text (first versions written before the first publication, crediting nothing) is one
    entry. Texts are loaded only ``with_texts`` (the feed shows each change). Six queries whatever the
    length of the history.
    """
    articles = {a.id: a for a in bills.bill_articles(session, bill, include_removed=True)}
    query = (
        select(ArticleVersion).join(Article, Article.id == ArticleVersion.article_id)
        .where(Article.bill_id == bill.id).order_by(ArticleVersion.article_id, ArticleVersion.version)
    )
    if not with_texts:
        query = query.options(defer(ArticleVersion.text, raiseload=True))
    versions = list(session.scalars(query))
    credits = merged_amendments(session, [v.id for v in versions])
    bill_versions = bills.bill_versions(session, bill)
    first_publication = bill_versions[0].published_at if bill_versions else None

    entries: list[TimelineEntry] = []
    initial: list[tuple[Article, ArticleVersion]] = []
    previous: ArticleVersion | None = None
    for version in versions:
        article = articles[version.article_id]
        before = previous if previous is not None and previous.article_id == version.article_id else None
        previous = version
        amendments = credits.get(version.id, [])
        if (version.version == 1 and not amendments
                and (first_publication is None or version.created_at <= first_publication)):
            initial.append((article, version))
            continue
        entries.append(TimelineEntry("article_version", version.created_at, version.author, article=article,
                                     version=version, previous=before, amendments=amendments))
    if initial and include_initial:
        initial.sort(key=lambda pair: pair[0].position)
        entries.append(TimelineEntry("initial", min(v.created_at for _, v in initial), initial[0][1].author,
                                     articles=initial))
    for bill_version in bill_versions:
        entries.append(TimelineEntry("bill_version", bill_version.published_at, bill_version.published_by,
                                     bill_version=bill_version))
    if include_status:
        for change, user in session.execute(
            select(BillStatusChange, User).join(User, User.id == BillStatusChange.changed_by_id)
            .where(BillStatusChange.bill_id == bill.id)
        ):
            entries.append(TimelineEntry("status", change.changed_at, user, status=change.status))
        entries += scheduled_status_changes(bill, {(e.status, e.at) for e in entries if e.kind == "status"})
    if include_responses:
        for response, amendment in session.execute(
            select(AmendmentResponse, Amendment).join(Amendment, Amendment.id == AmendmentResponse.amendment_id)
            .where(Amendment.bill_id == bill.id)
        ):
            entries.append(TimelineEntry("response", response.created_at, response.author, response=response,
                                         amendment=amendment,
                                         article=articles.get(amendment.article_id) if amendment.article_id else None))
        for opinion, amendment in session.execute(
            select(AmendmentOpinion, Amendment).join(Amendment, Amendment.id == AmendmentOpinion.amendment_id)
            .where(Amendment.bill_id == bill.id)
        ):
            entries.append(TimelineEntry("opinion", opinion.created_at, opinion.author, opinion=opinion,
                                         amendment=amendment,
                                         article=articles.get(amendment.article_id) if amendment.article_id else None))
    entries.sort(key=lambda e: (e.at, _RANK[e.kind], e.key), reverse=True)
    return entries


def scheduled_status_changes(bill: Bill, recorded: set[tuple[str, datetime]]) -> list[TimelineEntry]:
    """The openings and closings the bill's dates made by themselves (no actor), up to now: read from
    the dates, not written by the request that first noticed them (drafting.policy.bill_status);
    a date an author's own opening or closing set is already in ``recorded``."""
    now = db.utcnow()
    found = []
    for status, at in (("open", bill.consultation_opens_at), ("closed", bill.consultation_closes_at)):
        if at is None or at > now or (status, at) in recorded:
            continue
        before = policy.effective_status(bill.recorded_status, bill.consultation_opens_at,
                                         bill.consultation_closes_at, at - timedelta(microseconds=1))
        after = policy.effective_status(bill.recorded_status, bill.consultation_opens_at,
                                        bill.consultation_closes_at, at)
        if before != after == status:
            found.append(TimelineEntry("status", at, None, status=status))
    return found


def feed_entries(session: Session, bill: Bill, limit: int = 50) -> list[TimelineEntry]:
    """The newest public events for the bill's Atom feed: bill and article versions, public answers,
    official opinions."""
    entries = bill_timeline(session, bill, include_status=False, include_responses=True, include_initial=False,
                            with_texts=True)
    return entries[:limit]
