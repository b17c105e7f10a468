"""The rules of amendments: who may propose, co-sign and withdraw, and which state follows which."""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, union_all
from sqlalchemy.orm import Session

from amendments import engine
from amendments.services import consultation_days, falling, tallies
from amendments.models import AMENDMENT_STATUSES, Amendment, AmendmentCosigner, AmendmentEvent, TargetCounts
from drafting import policy
from drafting.db import by_id
from drafting.policy import require_user
from drafting.services import bills, search
from drafting.errors import Invalid, NotFound
from drafting.models import Article, ArticleVersion, Bill, User
from drafting.texts import MAX_ARTICLE_TEXT, MAX_HEADING, MAX_TITLE, text_field

MAX_TEXT = MAX_ARTICLE_TEXT
MAX_EXPLANATION = 50_000
SORTS = ("recent", "votes")


@dataclass(frozen=True)
class Proposed:
    """The outcome of a proposal: a new amendment, or an identical open one the proposer co-signed."""

    amendment: Amendment
    created: bool


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- lookups -----------------------------------------------------------------------------------

def get_amendment(session: Session, amendment_id: int) -> Amendment:
    amendment = by_id(session, Amendment, amendment_id)
    if amendment is None:
        raise NotFound("no amendment {amendment_id}", amendment_id=amendment_id)
    return amendment


def base_text(session: Session, amendment: Amendment) -> str:
    """The text the amendment was written on: "" for a new article, its parent's for a sub-amendment."""
    if amendment.parent_id is not None:
        return amendment.parent_text or ""
    if amendment.article_id is None or amendment.base_version is None:
        return ""
    return session.scalar(
        select(ArticleVersion.text).where(ArticleVersion.article_id == amendment.article_id,
                                          ArticleVersion.version == amendment.base_version)
    ) or ""


def amendment_diff(session: Session, amendment: Amendment) -> engine.Diff:
    return engine.diff_words(base_text(session, amendment), amendment.text)


def cosigners(session: Session, amendment: Amendment) -> list[User]:
    return list(session.scalars(
        select(User).join(AmendmentCosigner, AmendmentCosigner.user_id == User.id)
        .where(AmendmentCosigner.amendment_id == amendment.id)
        .order_by(AmendmentCosigner.created_at, User.id)
    ))


def events(session: Session, amendment: Amendment) -> list[AmendmentEvent]:
    return list(session.scalars(
        select(AmendmentEvent).where(AmendmentEvent.amendment_id == amendment.id)
        .order_by(AmendmentEvent.created_at, AmendmentEvent.id)
    ))


@functools.cache
def _cosigner_counts_statement():
    return (select(AmendmentCosigner.amendment_id, func.count())
            .where(AmendmentCosigner.amendment_id.in_(bindparam("ids", expanding=True)))
            .group_by(AmendmentCosigner.amendment_id))


def cosigner_counts(session: Session, amendment_ids: list[int]) -> dict[int, int]:
    counts = dict.fromkeys(amendment_ids, 0)
    if amendment_ids:
        counts.update(session.execute(
            _cosigner_counts_statement(), {"ids": list(amendment_ids)}
        ).all())
    return counts


def check_status_filter(status: str | None) -> str | None:
    if status in (None, ""):
        return None
    if status not in AMENDMENT_STATUSES:
        raise Invalid("status", "must be one of {choices}", choices=', '.join(AMENDMENT_STATUSES))
    return status


def check_sort(sort: str | None) -> str:
    if sort in (None, ""):
        return "recent"
    if sort not in SORTS:
        raise Invalid("sort", "must be 'votes' or 'recent'")
    return sort


def _article_amendments_where(article: Article, status: str | None, include_insertions: bool) -> list:
    where = Amendment.article_id == article.id
    if include_insertions:
        where = where | ((Amendment.kind == "insert") & (Amendment.after_article_id == article.id))
    return [where, Amendment.hidden_by_id.is_(None), *([Amendment.status == status] if status else [])]


def list_article_amendments(session: Session, article: Article, *, status: str | None = None,
                            sort: str | None = "recent", include_insertions: bool = False,
                            limit: int | None = None, offset: int = 0) -> list[Amendment]:
    """The visible amendments of an article (hidden ones leave lists), ``limit`` of them from ``offset``
    (all by default).

    ``sort="votes"``: most supported first (agree votes, then co-signers), newest first on ties;
    ``include_insertions`` adds the new articles proposed right after this one. Newest first, a page
    comes straight from the indexes on (article, created_at) and (after_article, created_at), whatever
    the number of amendments; most supported first sorts the article's amendments by their stored
    tallies (cost grows with the article's amendments, not with the votes).
    """
    status, sort = check_status_filter(status), check_sort(sort)
    if sort == "recent" and limit is not None:
        return list(session.scalars(_recent_statement(status is not None, include_insertions), {
            "article_id": article.id, "status": status, "window": offset + limit, "limit": limit, "offset": offset}))
    query = select(Amendment).where(*_article_amendments_where(article, status, include_insertions))
    if sort == "votes":
        signed = (select(func.count()).select_from(AmendmentCosigner)
                  .where(AmendmentCosigner.amendment_id == Amendment.id)
                  .correlate(Amendment).scalar_subquery())
        query = (query.outerjoin(TargetCounts, TargetCounts.amendment_id == Amendment.id)
                 .order_by(func.coalesce(TargetCounts.agree, 0).desc(), signed.desc()))
    query = query.order_by(Amendment.created_at.desc(), Amendment.id.desc())
    if limit is not None:
        query = query.limit(limit).offset(offset)
    elif offset:
        query = query.offset(offset)
    return list(session.scalars(query))


@functools.lru_cache(maxsize=4)
def _recent_statement(has_status: bool, include_insertions: bool):
    """One page of amendments, newest first: the first ``window`` (offset + limit) of each half
    (amendments of the article, new articles proposed after it), each read in order from its index,
    then merged. Built once per shape (building costs more than running); parameters article_id,
    status, window, limit, offset."""
    status = [Amendment.status == bindparam("status")] if has_status else []

    def half(*where):
        return (select(Amendment.id, Amendment.created_at)
                .where(*where, Amendment.hidden_by_id.is_(None), *status)
                .order_by(Amendment.created_at.desc(), Amendment.id.desc()).limit(bindparam("window")).subquery())

    halves = [half(Amendment.article_id == bindparam("article_id"))]
    if include_insertions:
        halves.append(half(Amendment.after_article_id == bindparam("article_id"), Amendment.kind == "insert"))
    merged = union_all(*(select(h.c.id, h.c.created_at) for h in halves)).subquery()
    page = (select(merged.c.id).order_by(merged.c.created_at.desc(), merged.c.id.desc())
            .limit(bindparam("limit")).offset(bindparam("offset")))
    return select(Amendment).where(Amendment.id.in_(page)).order_by(Amendment.created_at.desc(), Amendment.id.desc())


@functools.cache
def _insertions_count_statement():
    return select(func.count()).select_from(Amendment).where(
        Amendment.after_article_id == bindparam("article_id"), Amendment.kind == "insert",
        Amendment.hidden_by_id.is_(None))


def count_article_amendments(session: Session, article: Article, *, status: str | None = None,
                             include_insertions: bool = False) -> int:
    """How many amendments ``list_article_amendments`` lists with the same filters. Without a status
    filter: the article's stored count (plus its insertions, an index range); with one, a COUNT on the
    (article, status) index."""
    status = check_status_filter(status)
    if status is None:
        total = tallies.read(session, "article", [article.id])[article.id]["amendments"]
        if include_insertions:
            total += session.scalar(_insertions_count_statement(), {"article_id": article.id}) or 0
        return total
    return session.scalar(select(func.count()).select_from(Amendment)
                          .where(*_article_amendments_where(article, status, include_insertions))) or 0


# --- proposing ---------------------------------------------------------------------------------

def _open_bill(session: Session, bill_id: int, *, lock: bool = False, share: bool = False) -> Bill:
    """The bill, if its consultation is open; ``lock`` serialises insertions into it (PostgreSQL).

    ``share`` (a proposal on one of its articles) takes the bill's FOR KEY SHARE lock, which the new
    amendment's foreign key takes anyway, before the article's lock: every writer then locks the bill,
    the article, the counts in that order (an insertion holds the bill and checks its anchor article).
    """
    query = select(Bill).where(Bill.id == bill_id)
    if lock or share:
        query = query.with_for_update(read=not lock, key_share=not lock)
    bill = session.scalar(query)
    policy.require_consultation_open(bill)
    return bill


def _locked_article(session: Session, article: Article) -> None:
    """Serialise proposals on one article, so identical ones co-sign instead of racing (PostgreSQL),
    and read its head again once the lock is held."""
    session.execute(
        select(Article).where(Article.id == article.id).with_for_update()
        .execution_options(populate_existing=True)
    )


def _proposal_text(value: str | None) -> str:
    """The proposed text, normalised; an empty or blank text is refused (deleting is its own kind)."""
    return text_field("text", value, max_length=MAX_TEXT, strip=False)


def _texts(title: str | None, explanation: str | None) -> tuple[str, str]:
    return (
        text_field("title", title, required=False, max_length=MAX_TITLE),
        text_field("explanation", explanation, required=False, max_length=MAX_EXPLANATION),
    )


def _base_version(session: Session, article: Article, wanted: int | None) -> ArticleVersion:
    """The version a proposal is written on: the head unless ``wanted`` names an existing one."""
    policy.require_article_present(article)
    if wanted is None:
        return bills.head_version(session, article)
    found = session.scalar(
        select(ArticleVersion).where(ArticleVersion.article_id == article.id, ArticleVersion.version == wanted)
    )
    if found is None:
        raise Invalid("base_version", "article {id} has no version {wanted} (the head is version {current_version})",
                      id=article.id, wanted=wanted, current_version=article.current_version)
    return found


def _identical(session: Session, query) -> Amendment | None:
    return session.scalar(
        query.where(Amendment.status == "open", Amendment.hidden_by_id.is_(None)).order_by(Amendment.id).limit(1)
    )


def _cosign(session: Session, user: User, amendment: Amendment) -> Proposed:
    """Add ``user`` to the co-signers, once; the proposer does not co-sign their own amendment."""
    if user.id != amendment.author_id and session.get(AmendmentCosigner, (amendment.id, user.id)) is None:
        session.add(AmendmentCosigner(amendment_id=amendment.id, user_id=user.id))
        session.add(AmendmentEvent(amendment_id=amendment.id, kind="cosigned", actor_id=user.id))
        session.flush()
    return Proposed(amendment, created=False)


def _create(session: Session, user: User, entered_by: User | None = None, **fields) -> Proposed:
    amendment = Amendment(author_id=user.id, status="open", text_digest=text_digest(fields["text"]),
                          entered_by_id=entered_by.id if entered_by else None, **fields)
    session.add(amendment)
    session.flush()
    session.add(AmendmentEvent(amendment_id=amendment.id, kind="proposed", actor_id=(entered_by or user).id,
                               to_version=amendment.base_version))
    session.flush()
    counting = functools.partial(consultation_days.amendment, session, amendment, user)
    consultation_days.count_in_lock_order(session, counting, "article", amendment.article_id, amendments=1)
    search.index_amendments(session, [amendment])
    return Proposed(amendment, created=True)


def _propose_on_article(session: Session, user: User, article: Article, *, kind: str, text: str, title: str,
                        explanation: str, base: ArticleVersion, entered_by: User | None) -> Proposed:
    if text == base.text:
        raise Invalid("text", "is identical to the text it amends (version {version}): nothing changes",
                      version=base.version)
    digest = text_digest(text)
    same = _identical(session, select(Amendment).where(
        Amendment.article_id == article.id, Amendment.base_version == base.version,
        Amendment.kind == kind, Amendment.text_digest == digest,
    ))
    if same is not None and same.text == text:
        return _cosign(session, user, same)
    return _create(session, user, entered_by, bill_id=article.bill_id, article_id=article.id, kind=kind, title=title,
                   explanation=explanation, base_version=base.version, text=text)


def propose_amendment(session: Session, actor: User | None, article: Article, *, text: str | None,
                      explanation: str | None = "", title: str | None = "",
                      base_version: int | None = None, entered_by: User | None = None) -> Proposed:
    """A new text for an article, written on ``base_version`` (the head by default); ``entered_by``
    the staff member who typed it in for ``actor`` (an assisted participant)."""
    user = require_user(actor)
    _open_bill(session, article.bill_id, share=True)
    _locked_article(session, article)
    base = _base_version(session, article, base_version)
    new_text = _proposal_text(text)
    title, explanation = _texts(title, explanation)
    return _propose_on_article(session, user, article, kind="modify", text=new_text, title=title,
                               explanation=explanation, base=base, entered_by=entered_by)


def propose_deletion(session: Session, actor: User | None, article: Article, *, explanation: str | None = "",
                     title: str | None = "", base_version: int | None = None,
                     entered_by: User | None = None) -> Proposed:
    """Deleting the article: the proposed text is empty and its diff deletes everything."""
    user = require_user(actor)
    _open_bill(session, article.bill_id, share=True)
    _locked_article(session, article)
    base = _base_version(session, article, base_version)
    title, explanation = _texts(title, explanation)
    return _propose_on_article(session, user, article, kind="delete", text="", title=title,
                               explanation=explanation, base=base, entered_by=entered_by)


def propose_insertion(session: Session, actor: User | None, bill: Bill, *, after_article: int | None,
                      text: str | None, heading: str | None = "", explanation: str | None = "",
                      title: str | None = "", entered_by: User | None = None) -> Proposed:
    """A new article placed after ``after_article`` (an article of this bill), or first when None."""
    user = require_user(actor)
    _open_bill(session, bill.id, lock=True)
    if after_article is not None:
        anchor = session.get(Article, after_article)
        if anchor is None or anchor.bill_id != bill.id:
            raise Invalid("after_article", "no article {after_article} in bill '{slug}'",
                          after_article=after_article, slug=bill.slug)
        if anchor.removed:
            raise Invalid("after_article", policy.ARTICLE_DELETED)
    new_text = _proposal_text(text)
    heading = text_field("heading", heading, required=False, max_length=MAX_HEADING)
    title, explanation = _texts(title, explanation)
    digest = text_digest(new_text)
    same = _identical(session, select(Amendment).where(
        Amendment.bill_id == bill.id, Amendment.kind == "insert", Amendment.text_digest == digest,
        Amendment.after_article_id.is_(None) if after_article is None else Amendment.after_article_id == after_article,
    ))
    if same is not None and same.text == new_text and same.heading == heading:
        return _cosign(session, user, same)
    return _create(session, user, entered_by, bill_id=bill.id, article_id=None, kind="insert", title=title,
                   explanation=explanation, base_version=None, text=new_text, after_article_id=after_article,
                   heading=heading)


# --- state changes -----------------------------------------------------------------------------

def withdraw_amendment(session: Session, actor: User | None, amendment: Amendment) -> Amendment:
    """Its proposer takes an open or conflicting amendment back; the record keeps it."""
    user = policy.require_proposer(actor, amendment)
    previous = session.scalar(select(Amendment.status).where(Amendment.id == amendment.id).with_for_update())
    amendment.status = policy.transition(previous, "withdraw")
    session.add(AmendmentEvent(amendment_id=amendment.id, kind="withdrawn", actor_id=user.id, detail=previous))
    session.flush()
    falling.fall_subamendments(session, amendment, user.id)
    return amendment
