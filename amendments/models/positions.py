"""The argument map's tables (issue 14, CONTRACT §7): positions, the space of a target's arguments,
each argument's placement, the people holding a position and the staff's corrections."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from drafting.db import Base, utcnow
from drafting.models import User

class Position(Base):
    """One reason given for or against a target, with everyone who holds it.

    ``state`` keeps what placing a new argument needs (``PositionVector.to_json``: size and feature sums),
    so a new argument is placed with one dot product per position; ``supporters`` and ``citizens``
    are counted from ``PositionPerson`` rows in the transaction that changes them. ``staff`` marks a
    position a bill author merged into or split out: a rebuild keeps its members in it.
    """

    __tablename__ = "positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("amendments.id", ondelete="CASCADE"))
    stance: Mapped[str] = mapped_column(String(8))
    label: Mapped[str] = mapped_column(Text, default="")
    label_by_staff: Mapped[bool] = mapped_column(default=False, server_default="0")
    staff: Mapped[bool] = mapped_column(default=False, server_default="0")
    representative_id: Mapped[int | None] = mapped_column(ForeignKey("arguments.id", ondelete="SET NULL"))
    arguments_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    supporters: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    citizens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    state: Mapped[str] = mapped_column(Text, default="{}")
    # The position as the map's JSON shows it (CONTRACT §7), and the first organizations holding it as a
    # page names them: both written with the position (services/argument_maps.py), read as they are.
    document: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)
    holders: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("stance in ('for', 'against')", name="stance"),
        CheckConstraint("(article_id is null) <> (amendment_id is null)", name="one_target"),
        # Pages read a stance's most supported positions in this order, with a LIMIT.
        Index("ix_positions_article_rank", "article_id", "stance", "supporters", "arguments_count"),
        Index("ix_positions_amendment_rank", "amendment_id", "stance", "supporters", "arguments_count"),
    )


class PositionSpace(Base):
    """What one target's arguments share (``Space.to_json``: count, embedding sum, stems' frequencies)."""

    __tablename__ = "position_spaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), unique=True)
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("amendments.id", ondelete="CASCADE"), unique=True)
    state: Mapped[str] = mapped_column(Text, default="{}")
    # The whole map of the target as its JSON answers it (CONTRACT §7), and how many positions each
    # stance has: rewritten in each transaction that changes a position of the target.
    document: Mapped[str | None] = mapped_column(Text, deferred=True)
    positions_for: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    positions_against: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Moved by each rewrite of ``document``: pages keep the map's HTML under it (drafting/web/fragments.py).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("(article_id is null) <> (amendment_id is null)", name="one_target"),
    )


class ArgumentPlacement(Base):
    """An argument's embedding (384 little-endian float32), its text key and its position (none while
    hidden). ``pinned``: a bill author put it there (merge or split), and no regrouping moves it."""

    __tablename__ = "argument_placements"

    argument_id: Mapped[int] = mapped_column(ForeignKey("arguments.id", ondelete="CASCADE"), primary_key=True)
    position_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id", ondelete="SET NULL"), index=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    text_key: Mapped[str] = mapped_column(String(32), index=True)
    pinned: Mapped[bool] = mapped_column(default=False, server_default="0")


class PositionPerson(Base):
    """A person holding a position: ``weight`` counts their arguments and supports in it, so a person
    who wrote one of its arguments and supports another counts once."""

    __tablename__ = "position_people"

    position_id: Mapped[int] = mapped_column(ForeignKey("positions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer, default=1)


class PositionCorrection(Base):
    """A bill author's correction of the map, kept as history: merge, split or label."""

    __tablename__ = "position_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("positions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    # The other position of a merge (each one merged in) or a split (the one it was split from).
    from_position_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id", ondelete="SET NULL"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # JSON: merge {"positions": [ids]}, split {"arguments": [ids], "from": id}, label {"from", "to"}.
    detail: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (CheckConstraint("kind in ('merge', 'split', 'label')", name="kind"),)
