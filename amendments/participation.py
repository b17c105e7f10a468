"""Votes, arguments and sources: how citizens take positions."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amendments.models import VOTE_VALUES, Vote


def vote_tallies(session: Session, target: str, ids: list[int]) -> dict[int, dict[str, int]]:
    """Counts per value for each target, counted from the rows (never a stored tally)."""
    tallies = {i: dict.fromkeys(VOTE_VALUES, 0) for i in ids}
    if not ids:
        return tallies
    column = Vote.article_id if target == "article" else Vote.amendment_id
    rows = session.execute(
        select(column, Vote.value, func.count()).where(column.in_(ids)).group_by(column, Vote.value)
    )
    for target_id, value, count in rows:
        tallies[target_id][value] = count
    return tallies
