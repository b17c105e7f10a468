"""Arguments for and against a target: the same argument joins its first writer's, near-duplicates
are grouped under the first of their kind, and people mark arguments useful."""
from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from amendments.models import STANCES, Argument, ArgumentSupporter, UsefulMark
from amendments.services import consultation_days, position_staff, positions
from amendments.services.participation import Target, dialect_insert, get_target, require_open
from drafting.db import utcnow
from drafting.errors import Conflict, Invalid, NotFound
from drafting.models import User
from drafting import policy
from drafting.policy import require_user
from drafting.services import search
from drafting.texts import text_field

MAX_ARGUMENT = 5_000
# fuzz.ratio (normalised Indel similarity, 0-100) between two folded arguments at or above which the
# newer one is marked similar_to the older. Calibrated on the République numérique arguments: real
# rewordings of one argument score 95 to 99, distinct arguments sharing a phrase 81 and below.
SIMILARITY_THRESHOLD = 88.0
# The shortest/longest length ratio two texts need to possibly reach the threshold (ratio = 2·LCS/(a+b)).
_LENGTH_RATIO = (SIMILARITY_THRESHOLD / 100) / (2 - SIMILARITY_THRESHOLD / 100)


# --- arguments ---------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """The text an argument is compared by: NFKC, case folded, punctuation dropped, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(" " if unicodedata.category(char).startswith("P") else char for char in text)
    return _SPACES.sub(" ", text).strip()


def similarity(a: str, b: str) -> float:
    """How alike two folded arguments are, 0 to 100."""
    return fuzz.ratio(a, b)


def find_similar(session: Session, target: Target, stance: str, folded: str) -> int | None:
    """The visible argument of the same target and stance that ``folded`` nearly repeats, as the id
    of its group's first argument, or None."""
    if not folded:
        return None
    parent = aliased(Argument)
    low, high = math.ceil(len(folded) * _LENGTH_RATIO), math.floor(len(folded) / _LENGTH_RATIO)
    rows = session.execute(
        select(Argument.id, Argument.folded, Argument.similar_to_id, parent.hidden_by_id)
        .outerjoin(parent, parent.id == Argument.similar_to_id)
        .where(target.matches(Argument), Argument.stance == stance, Argument.hidden_by_id.is_(None),
               func.length(Argument.folded).between(low, high))
    ).all()
    if not rows:
        return None
    best = process.extractOne(folded, {row.id: row.folded for row in rows}, scorer=fuzz.ratio,
                              score_cutoff=SIMILARITY_THRESHOLD)
    if best is None:
        return None
    found = next(row for row in rows if row.id == best[2])
    if found.similar_to_id is not None and found.hidden_by_id is None:
        return found.similar_to_id
    return found.id


@dataclass
class ArgumentResult:
    argument: Argument
    created: bool


def add_argument(session: Session, actor: User | None, target: Target, stance: Any, body: Any,
                 vector: np.ndarray | None = None, *, entered_by: User | None = None) -> ArgumentResult:
    """A new argument; the same argument written again (folded) joins the first one's supporters.
    ``entered_by``: the staff member who typed it in for ``actor`` (an assisted participant).

    A new argument takes its place in the argument map in this transaction: ``vector`` is its embedding,
    computed by the caller before the transaction (``positions.vector_of`` in a worker thread); without
    it the configured embedder runs here (tests and scripts only)."""
    user = require_user(actor)
    if stance not in STANCES:
        raise Invalid("stance", "must be one of {choices}", choices=', '.join(STANCES))
    body = text_field("body", body, max_length=MAX_ARGUMENT)
    folded = fold(body)
    if not folded:
        raise Invalid("body", "must contain words")
    # Serialise the arguments of one target (row lock on PostgreSQL; SQLite writers queue anyway),
    # so two people posting the same text at once still make one argument.
    target = get_target(session, target.kind, target.id, for_update=True)
    require_open(target)
    same = session.scalar(
        select(Argument).where(target.matches(Argument), Argument.stance == stance, Argument.folded == folded)
        .order_by(Argument.created_at, Argument.id).limit(1)
    )
    if same is not None:
        if same.hidden_by_id is not None:
            raise Conflict("body: this contribution was hidden by moderation", field="body")
        if same.author_id != user.id:
            now = utcnow()
            statement = dialect_insert(session)(ArgumentSupporter).values(
                argument_id=same.id, user_id=user.id, created_at=now
            ).on_conflict_do_nothing().returning(ArgumentSupporter.user_id)
            if session.execute(statement).first() is not None:
                positions.join_supporter(session, same, user.id)
                consultation_days.support(session, target, user, now)
        return ArgumentResult(same, created=False)
    argument = Argument(stance=stance, body=body, folded=folded, author_id=user.id, useful_count=0,
                        entered_by_id=entered_by.id if entered_by else None,
                        similar_to_id=find_similar(session, target, stance, folded), **target.values())
    session.add(argument)
    session.flush()
    search.index_argument(session, target.bill, argument)
    positions.place_argument(session, target, argument, positions.vector_of(body) if vector is None else vector)
    position_staff.settle(session, target)
    counting = functools.partial(consultation_days.argument, session, target, argument, user)
    consultation_days.count_in_lock_order(session, counting, target.kind, target.id, **{
        f"arguments_{stance}": 1, f"groups_{stance}": int(argument.similar_to_id is None)})
    return ArgumentResult(argument, created=True)


async def vector_for(body: Any) -> np.ndarray | None:
    """The embedding of a body about to be posted, computed in a worker thread: never on the event loop
    nor inside the write transaction (~0.3 s of CPU). None when the body will be refused anyway."""
    try:
        text = text_field("body", body, max_length=MAX_ARGUMENT)
    except Invalid:
        return None
    if not fold(text):
        return None
    return await anyio.to_thread.run_sync(positions.vector_of, text)


def get_argument(session: Session, argument_id: int) -> Argument:
    argument = session.get(Argument, argument_id)
    if argument is None:
        raise NotFound("no argument {argument_id}", argument_id=argument_id)
    return argument


def argument_target(session: Session, argument: Argument) -> Target:
    if argument.article_id is not None:
        return get_target(session, "article", argument.article_id)
    return get_target(session, "amendment", argument.amendment_id)


def set_useful(session: Session, actor: User | None, argument: Argument, useful: bool) -> int:
    """Mark (or unmark) an argument useful, once per person; answers the argument's count."""
    user = require_user(actor)
    require_open(argument_target(session, argument))
    policy.require_visible(argument)
    if useful:
        changed = len(session.execute(dialect_insert(session)(UsefulMark).values(
            argument_id=argument.id, user_id=user.id, created_at=utcnow()
        ).on_conflict_do_nothing().returning(UsefulMark.user_id)).all())
    else:
        changed = -len(session.execute(delete(UsefulMark).where(
            UsefulMark.argument_id == argument.id, UsefulMark.user_id == user.id
        ).returning(UsefulMark.user_id)).all())
    # The mark's primary key (argument, person) makes ``changed`` exact; the update is atomic.
    if changed:
        session.execute(update(Argument).where(Argument.id == argument.id)
                        .values(useful_count=Argument.useful_count + changed))
    return useful_counts(session, [argument.id])[argument.id]


@functools.cache
def _reading_statements():
    """Built once (building costs more than running): the arguments a reader marked useful among
    ``ids`` (user_id, ids), who joined each of ``ids``, and their useful counts."""
    ids = bindparam("ids", expanding=True)
    return (
        select(UsefulMark.argument_id).where(UsefulMark.user_id == bindparam("user_id"), UsefulMark.argument_id.in_(ids)),
        select(ArgumentSupporter.argument_id, User).join(User, User.id == ArgumentSupporter.user_id)
        .where(ArgumentSupporter.argument_id.in_(ids)).order_by(ArgumentSupporter.created_at, User.id),
        select(Argument.id, Argument.useful_count).where(Argument.id.in_(ids)),
    )


def useful_marks_statement():
    """Which of ``ids`` the reader ``user_id`` marked useful (for a plain connection)."""
    return _reading_statements()[0]


def useful_marked_by(session: Session, user: User | None, ids: list[int]) -> set[int]:
    if user is None or not ids:
        return set()
    return set(session.scalars(_reading_statements()[0], {"user_id": user.id, "ids": list(ids)}))


def useful_counts(session: Session, ids: list[int]) -> dict[int, int]:
    """The useful count of each of ``ids`` (0 for one no longer stored): one statement, built once."""
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts.update(session.execute(_reading_statements()[2], {"ids": list(ids)}).all())
    return counts


def supporters_of(session: Session, ids: list[int]) -> dict[int, list[User]]:
    """Who joined each argument, in the order they did."""
    found: dict[int, list[User]] = defaultdict(list)
    if ids:
        rows = session.execute(_reading_statements()[1], {"ids": list(ids)})
        for argument_id, user in rows:
            found[argument_id].append(user)
    return found


def list_arguments(session: Session, target: Target, *, limit: int | None = None,
                   offset: int = 0) -> list[tuple[Argument, int]]:
    """Visible arguments with their useful counts, most useful first, then oldest first."""
    query = (select(Argument, Argument.useful_count).where(target.matches(Argument), Argument.hidden_by_id.is_(None))
             .order_by(Argument.useful_count.desc(), Argument.created_at, Argument.id).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    return [(argument, count) for argument, count in session.execute(query)]


@dataclass
class ArgumentGroup:
    """An argument with the near-duplicates written after it ("similar" ones), shown together."""

    argument: Argument
    useful: int
    similar: list[tuple[Argument, int]]
    # How many near-duplicates the group has in all (only the most useful few are loaded).
    similar_total: int = 0

    @property
    def ids(self) -> list[int]:
        return [self.argument.id, *(a.id for a, _ in self.similar)]


SIMILAR_SHOWN = 5  # near-duplicates shown under an argument; the rest are counted


def argument_groups(session: Session, target: Target, stance: str, *, limit: int,
                    offset: int = 0) -> list[ArgumentGroup]:
    """One page of a column: the first arguments of their groups, most useful first, each with its
    similar ones (an argument whose first is hidden stands on its own)."""
    parent = aliased(Argument)
    useful = Argument.useful_count
    heads = session.execute(
        select(Argument, useful).outerjoin(parent, parent.id == Argument.similar_to_id)
        .where(target.matches(Argument), Argument.stance == stance, Argument.hidden_by_id.is_(None),
               or_(Argument.similar_to_id.is_(None), parent.hidden_by_id.is_not(None)))
        .order_by(useful.desc(), Argument.created_at, Argument.id).limit(limit).offset(offset)
    ).all()
    groups = {argument.id: ArgumentGroup(argument, count, []) for argument, count in heads}
    if groups:
        shown = (
            select(
                Argument.id, useful.label("useful"),
                func.row_number().over(
                    partition_by=Argument.similar_to_id,
                    order_by=(useful.desc(), Argument.created_at, Argument.id),
                ).label("rank"),
                func.count().over(partition_by=Argument.similar_to_id).label("total"),
            )
            .where(Argument.similar_to_id.in_(list(groups)), Argument.hidden_by_id.is_(None))
            .subquery()
        )
        for argument, count, total in session.execute(
            select(Argument, shown.c.useful, shown.c.total).join(shown, shown.c.id == Argument.id)
            .where(shown.c.rank <= SIMILAR_SHOWN).order_by(shown.c.useful.desc(), Argument.created_at, Argument.id)
        ):
            group = groups[argument.similar_to_id]
            group.similar.append((argument, count))
            group.similar_total = total
    return list(groups.values())


def argument_counts(counts: dict[str, int]) -> dict[str, dict[str, int]]:
    """Per stance: visible arguments (``all``) and groups (``groups``), for pagination and headings,
    out of a target's stored counts (``tallies.read``)."""
    return {stance: {"all": counts[f"arguments_{stance}"], "groups": counts[f"groups_{stance}"]}
            for stance in STANCES}
