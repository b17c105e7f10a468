"""Votes, arguments and sources: how citizens take positions (the rules, and the queries behind lists).

A participation target is an article or an amendment. Writes need a signed-in person and an open
consultation; hidden amendments and arguments take no new votes, arguments or useful marks.
"""
from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from rapidfuzz import fuzz, process
from sqlalchemy import Integer, bindparam, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from amendments import tallies
from amendments.models import (
    STANCES,
    VOTE_VALUES,
    Amendment,
    Argument,
    ArgumentSupporter,
    Source,
    UsefulMark,
    Vote,
)
from drafting.db import utcnow
from drafting.errors import Conflict, Invalid, NotFound
from drafting.models import Article, Bill, User
from drafting.services import require_user
from drafting.validation import normalise_newlines, text_field

TARGET_KINDS = ("article", "amendment")
MAX_ARGUMENT = 5_000
MAX_SOURCE_TITLE = 300
MAX_SOURCE_URL = 2_000
MAX_SOURCE_NOTE = 2_000
# fuzz.ratio (normalised Indel similarity, 0-100) between two folded arguments at or above which the
# newer one is marked similar_to the older. Calibrated on the République numérique arguments: real
# rewordings of one argument score 95 to 99, distinct arguments sharing a phrase 81 and below.
SIMILARITY_THRESHOLD = 88.0
# The shortest/longest length ratio two texts need to possibly reach the threshold (ratio = 2·LCS/(a+b)).
_LENGTH_RATIO = (SIMILARITY_THRESHOLD / 100) / (2 - SIMILARITY_THRESHOLD / 100)


# --- targets -----------------------------------------------------------------------------------

@dataclass
class Target:
    """An article or an amendment that people vote on and argue about, with its bill."""

    kind: str
    row: Article | Amendment
    bill: Bill

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def hidden(self) -> bool:
        return isinstance(self.row, Amendment) and self.row.hidden_by_id is not None

    def column(self, model: Any):
        """The model's column that points at this kind of target."""
        return model.article_id if self.kind == "article" else model.amendment_id

    def matches(self, model: Any):
        return self.column(model) == self.id

    def values(self) -> dict[str, int]:
        return {"article_id": self.id} if self.kind == "article" else {"amendment_id": self.id}


@functools.lru_cache(maxsize=4)
def _target_statement(kind: str):
    """The target and its bill in one statement, built once (an amendment's author comes joined, as
    its mapping says, so a page rendered after the session closed can still show it)."""
    model = Article if kind == "article" else Amendment
    return select(model, Bill).join(Bill, Bill.id == model.bill_id).where(model.id == bindparam("target_id"))


def get_target(session: Session, kind: str, target_id: int, *, for_update: bool = False) -> Target:
    """The article or amendment ``target_id``; ``for_update`` locks its row (PostgreSQL) until commit."""
    if kind not in TARGET_KINDS:
        raise NotFound("no target kind '{kind}'", kind=kind)
    model = Article if kind == "article" else Amendment
    if for_update:  # lock the bare row: FOR UPDATE refuses the eager join of the author
        session.execute(select(model.id).where(model.id == target_id).with_for_update())
    found = session.execute(_target_statement(kind), {"target_id": target_id}).first()
    if found is None:
        raise NotFound("no {kind} {target_id}", kind=kind, target_id=target_id)
    return Target(kind, found[0], found[1])


def target_for_row(session: Session, row: Article | Amendment) -> Target:
    return Target("article" if isinstance(row, Article) else "amendment", row, session.get(Bill, row.bill_id))


def require_open(target: Target) -> None:
    """Participation writes need an open consultation and a visible target."""
    if target.bill.status != "open":
        raise Conflict("the consultation on '{slug}' is {status}, not open",
                       slug=target.bill.slug, status=target.bill.status)
    if target.hidden:
        raise Conflict("amendment {id} was hidden by moderation", id=target.id)
    if isinstance(target.row, Article) and target.row.removed:
        raise Conflict("article {id} was removed from the bill", id=target.id)


def _insert(session: Session):
    """The dialect's INSERT, which knows ON CONFLICT."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


# --- votes -------------------------------------------------------------------------------------

def vote_tallies(session: Session, target: str, ids: list[int]) -> dict[int, dict[str, int]]:
    """Counts per value for each target: their stored counts (amendments/tallies.py), one indexed row each."""
    return {target_id: tallies.votes_of(counts) for target_id, counts in tallies.read(session, target, ids).items()}


def percentages(counts: dict[str, int]) -> dict[str, int]:
    """Whole percentages that add up to 100 (largest remainders), or all 0 without votes."""
    total = sum(counts.values())
    if not total:
        return dict.fromkeys(counts, 0)
    exact = {key: 100 * count / total for key, count in counts.items()}
    shares = {key: math.floor(value) for key, value in exact.items()}
    for key in sorted(exact, key=lambda k: exact[k] - shares[k], reverse=True)[: 100 - sum(shares.values())]:
        shares[key] += 1
    return shares


def my_vote(session: Session, user: User | None, target: Target) -> str | None:
    if user is None:
        return None
    return session.scalar(select(Vote.value).where(Vote.user_id == user.id, target.matches(Vote)))


@functools.lru_cache(maxsize=4)
def _vote_statements(kind: str):
    """The vote path's statements, built once per kind of target (building costs more than running):
    the previous vote, a new vote, a changed vote, a vote taken back. Parameters: voter, target,
    new_value, now."""
    column = Vote.article_id if kind == "article" else Vote.amendment_id
    mine = (Vote.user_id == bindparam("voter", type_=Integer)) & (column == bindparam("target", type_=Integer))
    table = Vote.__table__
    return (
        select(Vote.value).where(mine),
        table.insert().values({"user_id": bindparam("voter"), column.key: bindparam("target"),
                               "value": bindparam("new_value"), "created_at": bindparam("now"),
                               "updated_at": bindparam("now")}),
        table.update().where(mine).values(value=bindparam("new_value"), updated_at=bindparam("now")),
        table.delete().where(mine),
    )


def _previous_vote(session: Session, user: User, target: Target) -> tuple[dict[str, int], str | None]:
    """The target's counts and the person's vote on it, read once the counts are locked
    (``tallies.lock``): every change of a vote on this target waits for that lock, so both stay true
    until this transaction ends."""
    counts = tallies.lock(session, target.kind, target.id)
    previous = session.execute(_vote_statements(target.kind)[0],
                               {"voter": user.id, "target": target.id}).scalar()
    return counts, previous


def cast_vote(session: Session, actor: User | None, target: Target, value: Any) -> dict[str, int]:
    """One vote per person and target, a new one replacing the old; the target's stored tally moves in
    the same transaction, so racing requests leave one row and an exact count."""
    user = require_user(actor)
    if value not in VOTE_VALUES:
        raise Invalid("value", "must be one of {choices}", choices=', '.join(VOTE_VALUES))
    require_open(target)
    counts, previous = _previous_vote(session, user, target)
    if previous == value:
        return tallies.votes_of(counts)
    _, insert, change, _ = _vote_statements(target.kind)
    session.execute(insert if previous is None else change,
                    {"voter": user.id, "target": target.id, "new_value": value, "now": utcnow()})
    moved = {value: 1, **({previous: -1} if previous else {})}
    return tallies.votes_of(tallies.add(session, target.kind, target.id, **moved))


def take_back_vote(session: Session, actor: User | None, target: Target) -> dict[str, int]:
    user = require_user(actor)
    require_open(target)
    counts, previous = _previous_vote(session, user, target)
    if previous is None:
        return tallies.votes_of(counts)
    session.execute(_vote_statements(target.kind)[3], {"voter": user.id, "target": target.id})
    return tallies.votes_of(tallies.add(session, target.kind, target.id, **{previous: -1}))


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


def add_argument(session: Session, actor: User | None, target: Target, stance: Any, body: Any) -> ArgumentResult:
    """A new argument; the same argument written again (folded) joins the first one's supporters."""
    user = require_user(actor)
    if stance not in STANCES:
        raise Invalid("stance", "must be one of {choices}", choices=', '.join(STANCES))
    if not isinstance(body, str):
        raise Invalid("body", "must be text")
    body = text_field("body", normalise_newlines(body), max_length=MAX_ARGUMENT)
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
            raise Conflict("body: this argument was hidden by moderation", field="body")
        if same.author_id != user.id:
            statement = _insert(session)(ArgumentSupporter).values(
                argument_id=same.id, user_id=user.id, created_at=utcnow()
            ).on_conflict_do_nothing()
            session.execute(statement)
        return ArgumentResult(same, created=False)
    argument = Argument(stance=stance, body=body, folded=folded, author_id=user.id, useful_count=0,
                        similar_to_id=find_similar(session, target, stance, folded), **target.values())
    session.add(argument)
    session.flush()
    tallies.add(session, target.kind, target.id, **{f"arguments_{stance}": 1,
                                                    f"groups_{stance}": int(argument.similar_to_id is None)})
    return ArgumentResult(argument, created=True)


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
    if argument.hidden_by_id is not None:
        raise Conflict("argument {id} was hidden by moderation", id=argument.id)
    if useful:
        changed = len(session.execute(_insert(session)(UsefulMark).values(
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


def useful_counts(session: Session, ids: list[int]) -> dict[int, int]:
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts.update(session.execute(select(Argument.id, Argument.useful_count).where(Argument.id.in_(ids))).all())
    return counts


def useful_marked_by(session: Session, user: User | None, ids: list[int]) -> set[int]:
    if user is None or not ids:
        return set()
    return set(session.scalars(select(UsefulMark.argument_id).where(
        UsefulMark.user_id == user.id, UsefulMark.argument_id.in_(ids)
    )))


def supporters_of(session: Session, ids: list[int]) -> dict[int, list[User]]:
    """Who joined each argument, in the order they did."""
    found: dict[int, list[User]] = defaultdict(list)
    if ids:
        rows = session.execute(
            select(ArgumentSupporter.argument_id, User).join(User, User.id == ArgumentSupporter.user_id)
            .where(ArgumentSupporter.argument_id.in_(ids))
            .order_by(ArgumentSupporter.created_at, User.id)
        )
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


# --- sources -----------------------------------------------------------------------------------

def check_url(url: Any) -> str:
    """An absolute http(s) URL with a host; anything else (javascript:, data:, relative) is refused."""
    if not isinstance(url, str) or not url.strip():
        raise Invalid("url", "is required")
    url = url.strip()
    if len(url) > MAX_SOURCE_URL:
        raise Invalid("url", "is longer than the limit of {limit} characters", limit=MAX_SOURCE_URL)
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in url):
        raise Invalid("url", "must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise Invalid("url", "is not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise Invalid("url", "must be an http:// or https:// address")
    return url


def add_source(session: Session, actor: User | None, target: Target, title: Any, url: Any,
               note: Any = None) -> Source:
    user = require_user(actor)
    if not isinstance(title, str):
        raise Invalid("title", "is required")
    title = text_field("title", title, max_length=MAX_SOURCE_TITLE)
    url = check_url(url)
    if note is not None and not isinstance(note, str):
        raise Invalid("note", "must be text")
    note = text_field("note", normalise_newlines(note) if note else None, required=False, max_length=MAX_SOURCE_NOTE)
    require_open(target)
    cited = session.scalar(select(Source.id).where(target.matches(Source), Source.url == url).limit(1))
    if cited is not None:
        raise Conflict("url: this address is already cited here (source {cited})", cited=cited, field="url",
                       extra={"source": cited})
    source = Source(title=title, url=url, note=note, author_id=user.id, **target.values())
    session.add(source)
    session.flush()
    return source


def get_source(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound("no source {source_id}", source_id=source_id)
    return source


def list_sources(session: Session, target: Target) -> list[Source]:
    return list(session.scalars(
        select(Source).where(target.matches(Source), Source.hidden_by_id.is_(None))
        .order_by(Source.created_at, Source.id)
    ))
