"""Accounts, bills, divisions, articles and their immutable versions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from drafting import policy
from drafting.db import Base, utcnow

USER_KINDS = ("citizen", "organization")
BILL_STATUSES = ("draft", "open", "closed")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16), default="citizen")
    organization_name: Mapped[str | None] = mapped_column(String(200))
    declared_interests: Mapped[str | None] = mapped_column(Text)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_moderator: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when a bill's author opened the account for someone without e-mail (in-person events).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped["User | None"] = relationship(remote_side="User.id", lazy="raise")

    __table_args__ = (CheckConstraint("kind in ('citizen', 'organization')", name="kind"),)

    @property
    def roles(self) -> list[str]:
        return [role for role, held in (("admin", self.is_admin), ("moderator", self.is_moderator)) if held]

    @property
    def is_organization(self) -> bool:
        return self.kind == "organization"


class OrganizationDeclaration(Base):
    """What an organization declared of itself: its name and interests from a moment on. A row at the
    account's creation and one at each change (amendments/services/organizations.py); never updated,
    so anyone can see what it declared while it took part. The user's columns hold the latest."""

    __tablename__ = "organization_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organization_name: Mapped[str] = mapped_column(String(200))
    declared_interests: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_organization_declarations_user", "user_id", "id"),)


class AuthToken(Base):
    """A bearer token (API) or a browser session; only its SHA-256 is stored."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # "api" or "web"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Past this moment the token signs nobody in (NAVETTE_TOKEN_DAYS after its creation).
    expires_at: Mapped[datetime]
    # Refreshed at most once a minute (drafting/services/accounts.py), shown on /me.
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class SignInFailure(Base):
    """A sign-in that did not succeed: written before the password is checked and deleted if it
    matches, so a request that fails in any way still counts. Counted per username and per address
    over the last minutes (drafting/signin.py); older rows are deleted as new ones come."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    __table_args__ = (Index("ix_sign_in_failures_username_at", "username", "at"),
                      Index("ix_sign_in_failures_address_at", "address", "at"))


class Bill(Base):
    __tablename__ = "bills"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    # The status an author last set (or "draft"); ``status`` is what the consultation's dates make of it.
    recorded_status: Mapped[str] = mapped_column("status", String(8), default="draft")
    language: Mapped[str] = mapped_column(String(2), default="fr", server_default="fr")
    consultation_opens_at: Mapped[datetime | None]
    consultation_closes_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    authors: Mapped[list["BillAuthor"]] = relationship(
        back_populates="bill", lazy="raise", order_by="BillAuthor.created_at"
    )

    __table_args__ = (
        CheckConstraint("status in ('draft', 'open', 'closed')", name="status"),
        CheckConstraint("language in ('fr', 'de', 'en')", name="language"),
    )

    @property
    def status(self) -> str:
        """The status now: a bill opens and closes by itself at its dates (drafting.policy.bill_status)."""
        return policy.bill_status(self)

    @status.setter
    def status(self, value: str) -> None:
        self.recorded_status = value


class BillAuthor(Base):
    __tablename__ = "bill_authors"

    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    bill: Mapped[Bill] = relationship(back_populates="authors", lazy="raise")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class BillStatusChange(Base):
    """Each opening or closing of a consultation, with who and when."""

    __tablename__ = "bill_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(8))
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Division(Base):
    """A Titre, Chapitre or Section of a bill; divisions nest through ``parent_id``."""

    __tablename__ = "divisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("divisions.id"))
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(120))
    heading: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)


class Article(Base):
    """An article keeps its id for life; its text lives in ``ArticleVersion`` rows."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id", ondelete="CASCADE"), index=True)
    division_id: Mapped[int | None] = mapped_column(ForeignKey("divisions.id"))
    number: Mapped[str] = mapped_column(String(40))
    heading: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)
    # The head version number; equals max(ArticleVersion.version), kept in the same transaction.
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    # True once a version deleting the article is the head: it leaves later bill versions.
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    bill: Mapped[Bill] = relationship(lazy="raise")
    versions: Mapped[list["ArticleVersion"]] = relationship(
        back_populates="article", lazy="raise", order_by="ArticleVersion.version"
    )

    __table_args__ = (Index("ix_articles_bill_position", "bill_id", "position"),)


class ArticleVersion(Base):
    """One immutable text of an article, numbered from 1."""

    __tablename__ = "article_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # A version that deletes the article (its text is then empty).
    deletes_article: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship(back_populates="versions", lazy="raise")
    author: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("article_id", "version"),)


class BillVersion(Base):
    """A published snapshot of a bill: every article's head version at that moment."""

    __tablename__ = "bill_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text, default="")
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)

    published_by: Mapped[User] = relationship(lazy="joined")
    articles: Mapped[list["BillVersionArticle"]] = relationship(
        lazy="raise", order_by="BillVersionArticle.position"
    )

    __table_args__ = (UniqueConstraint("bill_id", "seq"),)


class BillVersionArticle(Base):
    __tablename__ = "bill_version_articles"

    bill_version_id: Mapped[int] = mapped_column(
        ForeignKey("bill_versions.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40))
    heading: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)
    division_id: Mapped[int | None] = mapped_column(ForeignKey("divisions.id"))


# --- search (drafting/services/search/) --------------------------------------------------------

SEARCH_KINDS = ("bill", "article", "amendment", "argument")


class SearchEntry(Base):
    """One searchable bill, article, amendment or argument, with the words its snippets show.

    The full-text index over it, ``search_index`` (an FTS5 table on SQLite, a tsvector with a GIN index
    on PostgreSQL, keyed by this row's id), is made by migration 0006_search, not by the models: the
    search service writes both in the transaction that changes the item, and a hidden item leaves both.
    """

    __tablename__ = "search_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(Integer)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        UniqueConstraint("kind", "target_id"),
        CheckConstraint("kind in ('bill', 'article', 'amendment', 'argument')", name="kind"),
    )


# --- accounts opened by staff, and their one-time sign-in codes (issue 12) ----------------------

class AssistedParticipant(Base):
    """An account a bill's staff opened for a person without e-mail, at an event for that bill."""

    __tablename__ = "assisted_participants"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class SignInCode(Base):
    """A one-time code printed for an assisted participant; only its SHA-256 is stored."""

    __tablename__ = "sign_in_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

# --- following (amendments/services/following.py) -------------------------------------------------

FOLLOW_KINDS = ("bill", "article", "amendment")


class Follow(Base):
    """A person follows a bill, an article or an amendment: one row a follow, gone when taken back
    (a private preference, not part of the public record)."""

    __tablename__ = "follows"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(Integer)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "kind", "target_id"),
        CheckConstraint("kind in ('bill', 'article', 'amendment')", name="kind"),
    )


class ChangesReader(Base):
    """Per person: when they last marked their list of changes as seen, and the secret of their feed."""

    __tablename__ = "changes_readers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    seen_at: Mapped[datetime | None] = mapped_column()
    # The personal Atom feed's address is /feeds/{feed_token}.atom; renewing it forgets the old one.
    feed_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    feed_token_at: Mapped[datetime | None] = mapped_column()
