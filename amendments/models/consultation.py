"""What a bill's consultation drew, kept per day (issue 14, the synthesis): counts per bill, day (UTC)
and kind of person, who took part each day, and who took part in the bill; each write adds to them in
its own transaction (amendments/services/consultation_days.py), so the synthesis reads a row per day."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from drafting.db import Base


class BillDayCounts(Base):
    """One day of one bill for citizens or organizations (``kind``): visible votes by value, amendments,
    arguments by stance, supports (an argument written again) and the people who did any of these."""

    __tablename__ = "bill_day_counts"

    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    votes_agree: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    votes_mixed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    votes_disagree: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    amendments: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    arguments_for: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    arguments_against: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    supports: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    participants: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class BillDayPerson(Base):
    """Someone who contributed to the bill that day: ``weight`` counts their visible contributions, so
    the day's ``participants`` counts each person once and loses them with their last one."""

    __tablename__ = "bill_day_people"

    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer)


class BillPerson(Base):
    """Someone who contributed to the bill, with their visible contributions (the synthesis names the
    organizations that contributed most)."""

    __tablename__ = "bill_people"

    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    organization: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    weight: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_bill_people_rank", "bill_id", "organization", "weight"),)
