"""Amendments, their public record (rebases, answers, merges), votes, arguments and moderation."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, false as sa_false, ForeignKey, Index, Integer, String, Text, UniqueConstraint, desc
from sqlalchemy.orm import Mapped, mapped_column, relationship

from drafting.db import Base, utcnow
from drafting.models import Article, User

AMENDMENT_KINDS = ("modify", "delete", "insert")
AMENDMENT_STATUSES = ("open", "conflict", "accepted", "rejected", "withdrawn")
VOTE_VALUES = ("agree", "mixed", "disagree")
STANCES = ("for", "against")


class Amendment(Base):
    """A proposal: ``text`` is the article as its proposer would write it, on ``base_version``."""

    __tablename__ = "amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    kind: Mapped[str] = mapped_column(String(8))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    explanation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    base_version: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    # SHA-256 of the proposed text: identical proposals on one base become co-signatures.
    text_digest: Mapped[str] = mapped_column(String(64))
    # Insertions: where the new article goes, its heading, and the article created on merge.
    after_article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    heading: Mapped[str] = mapped_column(Text, default="")
    created_article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_decisions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Sub-amendments (CONTRACT §8): the amended amendment, and its text the sub-amendment is written on.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("amendments.id"), index=True)
    parent_text: Mapped[str | None] = mapped_column(Text)
    # Accepted for some of its changes only (a partial merge, CONTRACT §8).
    partial: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Staff who typed it in for its author, an in-person participant (CONTRACT §6 "on_behalf_of").
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id], lazy="joined")
    article: Mapped[Article | None] = relationship(foreign_keys=[article_id], lazy="raise")
    cosigners: Mapped[list["AmendmentCosigner"]] = relationship(
        lazy="raise", order_by="AmendmentCosigner.created_at"
    )
    hidden_by: Mapped["ModerationDecision | None"] = relationship(lazy="raise")

    __table_args__ = (
        CheckConstraint("kind in ('modify', 'delete', 'insert')", name="kind"),
        CheckConstraint(
            "status in ('open', 'conflict', 'accepted', 'rejected', 'withdrawn')", name="status"
        ),
        Index("ix_amendments_article_status", "article_id", "status"),
        Index("ix_amendments_identical", "article_id", "base_version", "text_digest"),
        # An article's page lists its amendments and the new articles proposed after it, newest first:
        # each half comes in order straight from one of these.
        Index("ix_amendments_article_recent", "article_id", "created_at", "id"),
        Index("ix_amendments_after_recent", "after_article_id", "created_at", "id"),
    )


class AmendmentCosigner(Base):
    __tablename__ = "amendment_cosigners"

    amendment_id: Mapped[int] = mapped_column(
        ForeignKey("amendments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class AmendmentEvent(Base):
    """The amendment's public record: proposed, rebased, conflict, resubmitted, withdrawn, ...

    ``from_version``/``to_version`` and ``previous_text`` keep what a rebase replaced.
    """

    __tablename__ = "amendment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_version: Mapped[int | None] = mapped_column(Integer)
    to_version: Mapped[int | None] = mapped_column(Integer)
    previous_text: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")


class AmendmentResponse(Base):
    """A public answer of the bill's authors; a rejection carries one too."""

    __tablename__ = "amendment_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(8))  # "respond" or "reject"
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")


class MergedAmendment(Base):
    """Credit: which amendments an article version merged."""

    __tablename__ = "merged_amendments"

    article_version_id: Mapped[int] = mapped_column(
        ForeignKey("article_versions.id", ondelete="CASCADE"), primary_key=True
    )
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class MergedHunk(Base):
    """A partial merge's record (CONTRACT §8): one hunk of an amendment that an article version took,
    with its instruction and its diff as the author chose them; blame credits the amendment for these only."""

    __tablename__ = "merged_hunks"

    article_version_id: Mapped[int] = mapped_column(
        ForeignKey("article_versions.id", ondelete="CASCADE"), primary_key=True
    )
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id"), primary_key=True)
    hunk_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    wording: Mapped[str] = mapped_column(Text, default="")
    diff: Mapped[str] = mapped_column(Text, default="[]")  # JSON [[op, text], ...]: the base to the base with this hunk


class Vote(Base):
    """One vote per person and target, held by unique constraints; a new vote replaces the old."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("amendments.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "article_id"),
        UniqueConstraint("user_id", "amendment_id"),
        CheckConstraint("value in ('agree', 'mixed', 'disagree')", name="value"),
        CheckConstraint("(article_id is null) <> (amendment_id is null)", name="one_target"),
        Index("ix_votes_article", "article_id", "value"),
        Index("ix_votes_amendment", "amendment_id", "value"),
    )


class TargetCounts(Base):
    """Running counts of one article or amendment: its votes, and (articles) its visible amendments, and
    its visible arguments and argument groups per stance.

    Each change adds to them in its own transaction (amendments/tallies.py), so a page reads one row per
    target instead of counting every vote of the debate; moderation recounts the target from its rows,
    and ``navette db recount`` rebuilds them all. Not part of the public record: the rows it counts are.
    """

    __tablename__ = "target_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), unique=True)
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("amendments.id", ondelete="CASCADE"), unique=True)
    agree: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    mixed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    disagree: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    amendments: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    arguments_for: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    arguments_against: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    groups_for: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    groups_against: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (
        CheckConstraint("(article_id is null) <> (amendment_id is null)", name="one_target"),
    )


class Argument(Base):
    __tablename__ = "arguments"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("amendments.id", ondelete="CASCADE"))
    stance: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text)
    # The body folded (case, spaces, punctuation): the same argument written again joins this one.
    folded: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    similar_to_id: Mapped[int | None] = mapped_column(ForeignKey("arguments.id"), index=True)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_decisions.id"))
    # How many people marked it useful (its UsefulMark rows), kept in the marking transaction so a
    # column of arguments comes most useful first straight from an index.
    useful_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Staff who typed it in for its author, an in-person participant (CONTRACT §6 "on_behalf_of").
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id], lazy="joined")
    hidden_by: Mapped["ModerationDecision | None"] = relationship(lazy="raise")

    __table_args__ = (
        CheckConstraint("stance in ('for', 'against')", name="stance"),
        CheckConstraint("(article_id is null) <> (amendment_id is null)", name="one_target"),
        # A column of a target's arguments: most useful first, then oldest first.
        Index("ix_arguments_article_rank", "article_id", "stance", desc("useful_count"), "created_at", "id"),
        Index("ix_arguments_amendment_rank", "amendment_id", "stance", desc("useful_count"), "created_at", "id"),
    )


class ArgumentSupporter(Base):
    __tablename__ = "argument_supporters"

    argument_id: Mapped[int] = mapped_column(ForeignKey("arguments.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UsefulMark(Base):
    __tablename__ = "useful_marks"

    argument_id: Mapped[int] = mapped_column(ForeignKey("arguments.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Source(Base):
    """A reference cited in the debate; http(s) only."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    amendment_id: Mapped[int | None] = mapped_column(
        ForeignKey("amendments.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(2000))
    note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_decisions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(12))
    target_id: Mapped[int] = mapped_column(Integer)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_decisions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    reporter: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (Index("ix_reports_target", "target_type", "target_id"),)


class ModerationDecision(Base):
    """A moderator's decision on a contribution: hide (with a public reason) or dismiss."""

    __tablename__ = "moderation_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(12))
    target_id: Mapped[int] = mapped_column(Integer)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    moderator: Mapped[User] = relationship(lazy="joined")


class RateLimitCounter(Base):
    """Writes counted per key (account or address) and fixed window, shared by every worker."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


# --- the authors' desk (CONTRACT §8) ---------------------------------------------------------------

OPINIONS = ("favorable", "defavorable", "sagesse", "retrait", "satisfait")


class AmendmentOpinion(Base):
    """An official opinion of the bill's authors on an amendment; given again, a new row (the latest counts)."""

    __tablename__ = "amendment_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id", ondelete="CASCADE"), index=True)
    opinion: Mapped[str] = mapped_column(String(12))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("opinion in ('favorable', 'defavorable', 'sagesse', 'retrait', 'satisfait')", name="opinion"),
    )


# The argument map's tables live beside, in amendments/models/positions.py.
from amendments.models.positions import (  # noqa: E402,F401
    ArgumentPlacement, Position, PositionCorrection, PositionPerson, PositionSpace)
from amendments.models.consultation import BillDayCounts, BillDayPerson, BillPerson  # noqa: E402,F401
