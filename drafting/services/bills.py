"""The rules of bills, articles and versions: who may do what, and which state follows which."""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

import msgspec
from sqlalchemy import bindparam, func, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from drafting.services import importer, search
from drafting.services.accounts import USERNAME
from drafting.db import by_id, utcnow
from drafting import policy
from drafting.errors import Conflict, Invalid, NotFound
from drafting.ids import in_id_range
from drafting.models import (
    Article,
    ArticleVersion,
    Bill,
    BillAuthor,
    BillStatusChange,
    BillVersion,
    BillVersionArticle,
    Division,
    User,
)
from drafting.texts import MAX_ARTICLE_TEXT, MAX_BILL_TEXT, MAX_MESSAGE, MAX_TITLE, text_field

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
class ArticleIn(msgspec.Struct):
    number: str
    text: str
    heading: str | None = None


class BillIn(msgspec.Struct):
    title: str
    slug: str | None = None
    summary: str | None = None
    articles: list[ArticleIn] | None = None
    markdown: str | None = None
    language: str = "fr"


def bill_language(bill: Bill) -> str:
    """The language of a bill's text ("fr", "de" or "en"): formal wording, stemming, ``lang`` on pages."""
    return getattr(bill, "language", None) or "fr"


def check_language(value: object) -> str:
    if value not in policy.BILL_LANGUAGES:
        raise Invalid("language", "must be 'fr', 'de' or 'en'")
    return value


# --- permissions -------------------------------------------------------------------------------

def is_author(session: Session, bill: Bill, user: User | None) -> bool:
    if user is None:
        return False
    return session.get(BillAuthor, (bill.id, user.id)) is not None


def require_author(session: Session, bill: Bill, actor: User | None) -> User:
    """The bill's staff (its authors, and administrators) draft, review and publish (drafting.policy)."""
    return policy.require_bill_staff(actor, is_author(session, bill, actor))


def is_bill_staff(session: Session, bill: Bill, user: User | None) -> bool:
    return policy.can_edit_bill(user, is_author(session, bill, user))


# --- lookups -----------------------------------------------------------------------------------

@functools.cache
def _statement(name: str):
    """Statements every reading of a bill runs, built once (building one costs more than running it
    on SQLite); their values are bound parameters."""
    if name == "bill":
        return select(Bill).where(Bill.slug == bindparam("slug"))
    if name == "authors":
        return (select(User).join(BillAuthor, BillAuthor.user_id == User.id)
                .where(BillAuthor.bill_id == bindparam("bill_id")).order_by(BillAuthor.created_at, User.id))
    if name == "versions":
        return select(BillVersion).where(BillVersion.bill_id == bindparam("bill_id")).order_by(BillVersion.seq)
    if name == "heads":
        return select(ArticleVersion).join(Article, (Article.id == ArticleVersion.article_id) & (
            Article.current_version == ArticleVersion.version)).where(Article.id.in_(bindparam("ids", expanding=True)))
    if name == "article versions":
        return select(ArticleVersion).where(ArticleVersion.article_id == bindparam("article_id")).order_by("version")
    raise KeyError(name)


def get_bill(session: Session, slug: str) -> Bill:
    # Every stored slug matches SLUG; anything else (a NUL byte included) names no bill.
    bill = session.scalar(_statement("bill"), {"slug": slug}) if SLUG.fullmatch(slug or "") else None
    if bill is None:
        raise NotFound("no bill '{slug}'", slug=slug)
    return bill


def get_article(session: Session, article_id: int) -> Article:
    article = by_id(session, Article, article_id) if in_id_range(article_id) else None
    if article is None:
        raise NotFound("no article {article_id}", article_id=article_id)
    return article


def list_bills(session: Session, *, limit: int | None = None, offset: int = 0) -> list[Bill]:
    """Newest first; ``limit``/``offset`` page in SQL."""
    return list(session.scalars(select(Bill).order_by(Bill.created_at.desc(), Bill.id.desc())
                                .limit(limit).offset(offset)))


def bill_articles(session: Session, bill: Bill, *, include_removed: bool = False) -> list[Article]:
    query = select(Article).where(Article.bill_id == bill.id).order_by(Article.position)
    if not include_removed:
        query = query.where(Article.removed.is_(False))
    return list(session.scalars(query))


def bill_divisions(session: Session, bill: Bill) -> list[Division]:
    return list(session.scalars(select(Division).where(Division.bill_id == bill.id).order_by(Division.position)))


def head_versions(session: Session, articles: list[Article]) -> dict[int, ArticleVersion]:
    """The head version of each article, in one query."""
    if not articles:
        return {}
    rows = session.scalars(_statement("heads"), {"ids": [a.id for a in articles]})
    return {row.article_id: row for row in rows}


def article_version(session: Session, article: Article, version: int) -> ArticleVersion:
    found = session.scalar(
        select(ArticleVersion).where(ArticleVersion.article_id == article.id, ArticleVersion.version == version)
    ) if in_id_range(version) else None
    if found is None:
        raise NotFound("article {id} has no version {version}", id=article.id, version=version)
    return found


def version_texts(session: Session, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Texts of (article id, version) pairs, in one query that reads only those rows."""
    wanted = set(pairs)
    if not wanted:
        return {}
    rows = session.execute(
        select(ArticleVersion.article_id, ArticleVersion.version, ArticleVersion.text)
        .where(tuple_(ArticleVersion.article_id, ArticleVersion.version).in_(list(wanted)))
    )
    return {(a, n): t for a, n, t in rows}


def head_version(session: Session, article: Article) -> ArticleVersion:
    return article_version(session, article, article.current_version)


def article_versions(session: Session, article: Article, *, limit: int | None = None,
                     offset: int = 0) -> list[ArticleVersion]:
    """Oldest first; ``limit``/``offset`` page in SQL (all of them: a statement built once)."""
    statement = _statement("article versions")
    if limit is not None or offset:
        statement = statement.limit(limit).offset(offset)
    return list(session.scalars(statement, {"article_id": article.id}))


def bill_authors(session: Session, bill: Bill) -> list[User]:
    return list(session.scalars(_statement("authors"), {"bill_id": bill.id}))


def bill_versions(session: Session, bill: Bill, *, limit: int | None = None, offset: int = 0) -> list[BillVersion]:
    """Oldest first; ``limit``/``offset`` page in SQL."""
    statement = _statement("versions")
    if limit is not None or offset:
        statement = statement.limit(limit).offset(offset)
    return list(session.scalars(statement, {"bill_id": bill.id}))


def get_bill_version(session: Session, bill: Bill, seq: int) -> BillVersion:
    found = session.scalar(
        select(BillVersion).options(selectinload(BillVersion.articles))
        .where(BillVersion.bill_id == bill.id, BillVersion.seq == seq)
    ) if in_id_range(seq) else None
    if found is None:
        raise NotFound("bill '{slug}' has no version {seq}", slug=bill.slug, seq=seq)
    return found


# --- creating bills ----------------------------------------------------------------------------

def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:60].rstrip("-") or "projet"


def _unique_slug(session: Session, wanted: str) -> str:
    slug, n = wanted, 2
    while session.scalar(select(Bill.id).where(Bill.slug == slug)) is not None:
        slug = f"{wanted}-{n}"
        n += 1
    return slug


def create_bill(session: Session, actor: User | None, data: BillIn) -> Bill:
    """A draft bill from a list of articles or a bill text; the creator becomes its first author."""
    user = policy.require_admin(actor)
    title = text_field("title", data.title, max_length=MAX_TITLE)
    summary = text_field("summary", data.summary, required=False, max_length=MAX_MESSAGE)
    language = check_language(data.language)
    if data.slug is not None:
        if not SLUG.fullmatch(data.slug) or len(data.slug) > 80:
            raise Invalid("slug", "must be lower-case letters, digits and single dashes, at most 80 characters")
        if session.scalar(select(Bill.id).where(Bill.slug == data.slug)) is not None:
            raise Conflict("slug: a bill '{slug}' already exists", slug=data.slug, field="slug")
        slug = data.slug
    else:
        slug = _unique_slug(session, slugify(title))

    if (data.articles is None) == (data.markdown is None):
        raise Invalid("articles", "give either 'articles' or 'markdown'")
    if data.markdown is not None:
        markdown = text_field("markdown", data.markdown, max_length=MAX_BILL_TEXT, strip=False)
        try:
            parsed = importer.parse_bill_text(markdown)
        except importer.NoArticlesFound:
            raise Invalid("markdown", "no article found: each article must start with a line such as 'Article 1', "
                                      "'Art. 2' or '§ 3' (or a Markdown heading '## Article 1')") from None
        divisions = parsed.divisions
        articles = [(a.number, a.heading, a.text, a.division) for a in parsed.articles]
    else:
        if not data.articles:
            raise Invalid("articles", "must list at least one article")
        divisions = []
        articles = []
        for index, article in enumerate(data.articles):
            number = text_field(f"articles[{index}].number", article.number, max_length=40)
            heading = text_field(f"articles[{index}].heading", article.heading, required=False, max_length=1000)
            text = _article_text(f"articles[{index}].text", article.text, allow_blank=True)
            articles.append((number, heading, text, None))

    bill = Bill(slug=slug, title=title, summary=summary, status="draft", language=language,
                created_by_id=user.id)
    session.add(bill)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("slug: a bill '{slug}' was created at the same time; try again",
                       slug=slug, field="slug") from None
    session.add(BillAuthor(bill_id=bill.id, user_id=user.id, added_by_id=user.id))
    division_ids: dict[int, int] = {}
    for position, division in enumerate(divisions):
        row = Division(
            bill_id=bill.id,
            parent_id=division_ids.get(division.parent) if division.parent is not None else None,
            kind=division.kind,
            label=division.label[:120],
            heading=division.heading,
            position=position,
        )
        session.add(row)
        session.flush()
        division_ids[division.key] = row.id
    heads: dict[int, str] = {}
    for position, (number, heading, text, division_key) in enumerate(articles):
        text = _article_text("text", text, allow_blank=True)
        article = Article(
            bill_id=bill.id,
            number=number[:40],
            heading=heading or "",
            position=(position + 1) * 10,
            current_version=1,
            division_id=division_ids.get(division_key) if division_key is not None else None,
        )
        session.add(article)
        session.flush()
        session.add(ArticleVersion(article_id=article.id, version=1, text=text, author_id=user.id,
                                   message="Texte initial"))
        heads[article.id] = text
    session.flush()
    search.index_bill(session, bill, heads)
    return bill


def _article_text(field: str, text: str | None, *, allow_blank: bool = False) -> str:
    """Bills may carry empty articles (a real bill's "(Supprimé)" ones); new versions may not."""
    return text_field(field, text, max_length=MAX_ARTICLE_TEXT, strip=False, allow_blank=allow_blank)


def add_author(session: Session, actor: User | None, bill: Bill, username: str) -> User:
    require_author(session, bill, actor)
    user = find_user(session, username)
    if user is None:
        raise NotFound("username: no user '{username}'", username=username)
    if is_author(session, bill, user):
        raise Conflict("username: '{username}' is already an author of this bill", username=username, field="username")
    session.add(BillAuthor(bill_id=bill.id, user_id=user.id, added_by_id=actor.id))
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("username: '{username}' is already an author of this bill",
                       username=username, field="username") from None
    return user


def set_status(session: Session, actor: User | None, bill: Bill, status: str) -> Bill:
    """Open or close the consultation now; opening a never-published bill publishes version 1.

    The dates follow, so that they keep giving the status (policy.bill_status): opening moves a later
    opening date to now and drops a past closing date (a later one still closes it); closing sets the
    closing date to now."""
    user = require_author(session, bill, actor)
    if status not in ("open", "closed"):
        raise Invalid("status", "must be 'open' or 'closed'")
    now = utcnow()
    policy.require_bill_status_change(bill, status)
    bill.status = status
    if status == "open":
        if bill.consultation_opens_at is None or bill.consultation_opens_at > now:
            bill.consultation_opens_at = now
        if bill.consultation_closes_at is not None and bill.consultation_closes_at <= now:
            bill.consultation_closes_at = None
        if session.scalar(select(BillVersion.id).where(BillVersion.bill_id == bill.id).limit(1)) is None:
            publish_bill_version(session, user, bill, "Version 1", "Texte soumis à la consultation")
    else:
        bill.consultation_closes_at = now
    session.add(BillStatusChange(bill_id=bill.id, status=status, changed_by_id=user.id, changed_at=now))
    session.flush()
    return bill


def publish_bill_version(session: Session, actor: User | None, bill: Bill, label: str, message: str) -> BillVersion:
    """Snapshot every present article's head version under the next sequence number."""
    user = require_author(session, bill, actor)
    label = text_field("label", label, max_length=200)
    message = text_field("message", message, required=False, max_length=MAX_MESSAGE)
    seq = (session.scalar(select(func.max(BillVersion.seq)).where(BillVersion.bill_id == bill.id)) or 0) + 1
    version = BillVersion(bill_id=bill.id, seq=seq, label=label, message=message, published_by_id=user.id)
    session.add(version)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("another bill version was published at the same time; try again") from None
    for article in bill_articles(session, bill):
        session.add(BillVersionArticle(
            bill_version_id=version.id, article_id=article.id, version=article.current_version,
            number=article.number, heading=article.heading, position=article.position,
            division_id=article.division_id,
        ))
    session.flush()
    return version


# --- article versions --------------------------------------------------------------------------

@dataclass(frozen=True)
class NewVersion:
    text: str
    message: str
    deletes_article: bool = False


def append_article_version(session: Session, user: User, article: Article, expected_version: int,
                           new: NewVersion) -> ArticleVersion:
    """Append the next immutable version; 409 if someone else published since ``expected_version``."""
    if expected_version != article.current_version:
        raise Conflict(
            "expected_version: the head is version {current_version}, not {expected_version}",
            current_version=article.current_version, expected_version=expected_version,
            field="expected_version",
        )
    version = ArticleVersion(
        article_id=article.id, version=article.current_version + 1, text=new.text,
        deletes_article=new.deletes_article, author_id=user.id, message=new.message,
    )
    session.add(version)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("expected_version: another version was published at the same time") from None
    article.current_version = version.version
    article.removed = new.deletes_article
    session.flush()
    search.index_article(session, article, new.text)
    return version


def check_new_text(text: str | None, field: str = "text") -> str:
    """The text of a new article version: required, normalised, within the limit."""
    return _article_text(field, text)


def find_user(session: Session, username: str) -> User | None:
    """The account named ``username``, if any (a name that breaks the username rule names nobody)."""
    if not USERNAME.fullmatch(username or ""):
        return None
    return session.scalar(select(User).where(User.username == username))


def get_user(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise NotFound("no user '{username}'", username=username)
    return user
