"""The synthesis of a bill's consultation (issue 14, CONTRACT §7): who took part, when, what each article
drew (votes, amendments, arguments, positions), the most supported and most disputed proposals, citizens
and organizations side by side, and how many of the most supported proposals got an official answer.

Totals come from the kept counts (TargetCounts) and the kept positions; the rest is a fixed number of
grouped queries (ten), whatever the number of articles, amendments or arguments.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, exists, func, literal_column, or_, select, union_all
from sqlalchemy.orm import Session

from amendments.models import (
    Amendment, AmendmentOpinion, AmendmentResponse, Argument, ArgumentSupporter, Position, TargetCounts, Vote,
)
from drafting.models import Article, Bill, User

# How many proposals the synthesis ranks; the "most supported" ones whose answers it counts; the
# positions it shows per article and stance; the organizations it names.
RANKED = 5
SUPPORTED_FOR_ANSWERS = 10
POSITIONS_PER_STANCE = 3
ORGANIZATIONS_NAMED = 20
VOTE_VALUES = ("agree", "mixed", "disagree")


@dataclass
class PositionWeight:
    id: int
    stance: str
    label: str
    supporters: int
    citizens: int

    @property
    def organizations(self) -> int:
        return self.supporters - self.citizens


@dataclass
class ArticleSummary:
    id: int
    number: str
    heading: str
    votes: dict[str, int]
    amendments: int
    arguments: int
    positions: list[PositionWeight] = field(default_factory=list)
    positions_total: int = 0


@dataclass
class ProposalSummary:
    """An amendment ranked by its votes; ``answered``: an opinion, a response, or merged."""

    id: int
    title: str
    article_number: str | None
    status: str
    votes: dict[str, int]
    arguments: int
    answered: bool = False


@dataclass
class Side:
    """What citizens (or organizations) did: people, votes by value, amendments, arguments by stance."""

    participants: int = 0
    votes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VOTE_VALUES, 0))
    amendments: int = 0
    arguments: dict[str, int] = field(default_factory=lambda: {"for": 0, "against": 0})


@dataclass
class NamedOrganization:
    name: str
    declared_interests: str
    contributions: int


@dataclass
class Day:
    date: date
    votes: int = 0
    amendments: int = 0
    arguments: int = 0


@dataclass
class Synthesis:
    bill: Bill
    votes: int
    amendments: int
    arguments: int
    by_day: list[Day]
    articles: list[ArticleSummary]
    supported: list[ProposalSummary]
    disputed: list[ProposalSummary]
    citizens: Side
    organizations: Side
    named_organizations: list[NamedOrganization]

    @property
    def participants(self) -> int:
        return self.citizens.participants + self.organizations.participants

    @property
    def answered(self) -> int:
        return sum(1 for p in self.supported if p.answered)

    @property
    def awaiting_answer(self) -> int:
        return sum(1 for p in self.supported if not p.answered)

    @property
    def articles_supported(self) -> list[ArticleSummary]:
        voted = [a for a in self.articles if a.votes["agree"]]
        return sorted(voted, key=lambda a: (-a.votes["agree"], -sum(a.votes.values())))[:RANKED]

    @property
    def articles_disputed(self) -> list[ArticleSummary]:
        voted = [a for a in self.articles if a.votes["disagree"]]
        return sorted(voted, key=lambda a: (-a.votes["disagree"], -min(a.votes["agree"], a.votes["disagree"])))[:RANKED]


# --- the bill's contributions, as one union: (user, what, detail, when) --------------------------

def _visible_amendments(bill: Bill):
    return and_(Amendment.bill_id == bill.id, Amendment.hidden_by_id.is_(None))


def contributions(bill: Bill):
    """Every visible vote, amendment, argument and support of the bill: ``user_id``, ``what`` (vote,
    amendment, argument, support), ``detail`` (the vote's value, the argument's stance) and ``at``."""
    empty = literal_column("''")
    on_articles = select(Article.id).where(Article.bill_id == bill.id)
    on_amendments = select(Amendment.id).where(_visible_amendments(bill))
    argued = or_(Argument.article_id.in_(on_articles), Argument.amendment_id.in_(on_amendments))
    return union_all(
        select(Vote.user_id.label("user_id"), literal_column("'vote'").label("what"), Vote.value.label("detail"),
               Vote.created_at.label("at"))
        .where(or_(Vote.article_id.in_(on_articles), Vote.amendment_id.in_(on_amendments))),
        select(Amendment.author_id, literal_column("'amendment'"), empty, Amendment.created_at).where(_visible_amendments(bill)),
        select(Argument.author_id, literal_column("'argument'"), Argument.stance, Argument.created_at)
        .where(argued, Argument.hidden_by_id.is_(None)),
        select(ArgumentSupporter.user_id, literal_column("'support'"), Argument.stance, ArgumentSupporter.created_at)
        .join(Argument, Argument.id == ArgumentSupporter.argument_id).where(argued, Argument.hidden_by_id.is_(None)),
    ).subquery()


def _sides(session: Session, rows) -> tuple[Side, Side]:
    sides = {"citizen": Side(), "organization": Side()}
    people = select(User.kind, func.count(rows.c.user_id.distinct())).select_from(rows).join(User, User.id == rows.c.user_id) \
        .group_by(User.kind)
    for kind, count in session.execute(people):
        sides[kind].participants = count
    done = select(User.kind, rows.c.what, rows.c.detail, func.count()).select_from(rows).join(User, User.id == rows.c.user_id) \
        .where(rows.c.what != "support").group_by(User.kind, rows.c.what, rows.c.detail)
    for kind, what, detail, count in session.execute(done):
        side = sides[kind]
        if what == "vote":
            side.votes[detail] = count
        elif what == "amendment":
            side.amendments = count
        else:
            side.arguments[detail] = count
    return sides["citizen"], sides["organization"]


def _named_organizations(session: Session, rows) -> list[NamedOrganization]:
    found = session.execute(
        select(User.organization_name, User.display_name, User.username, User.declared_interests, func.count())
        .select_from(rows).join(User, User.id == rows.c.user_id).where(User.kind == "organization")
        .group_by(User.id, User.organization_name, User.display_name, User.username, User.declared_interests)
        .order_by(func.count().desc(), User.id).limit(ORGANIZATIONS_NAMED))
    return [NamedOrganization(name or display or username, interests or "", count)
            for name, display, username, interests, count in found]


def _by_day(session: Session, rows) -> list[Day]:
    day = func.date(rows.c.at)
    days: dict[str, Day] = {}
    for when, what, count in session.execute(
            select(day, rows.c.what, func.count()).where(rows.c.what != "support")
            .group_by(day, rows.c.what).order_by(day)):
        key = str(when)[:10]
        entry = days.setdefault(key, Day(date.fromisoformat(key)))
        setattr(entry, "votes" if what == "vote" else f"{what}s", count)
    return list(days.values())


# --- articles, proposals and positions from the kept counts ---------------------------------------

def _votes(agree, mixed, disagree) -> dict[str, int]:
    return {"agree": int(agree or 0), "mixed": int(mixed or 0), "disagree": int(disagree or 0)}


def _articles(session: Session, bill: Bill) -> list[ArticleSummary]:
    counts = TargetCounts
    found = session.execute(
        select(Article.id, Article.number, Article.heading, counts.agree, counts.mixed, counts.disagree,
               counts.amendments, counts.arguments_for + counts.arguments_against)
        .outerjoin(counts, counts.article_id == Article.id)
        .where(Article.bill_id == bill.id, Article.removed.is_(False)).order_by(Article.position, Article.id))
    articles = [ArticleSummary(i, number, heading or "", _votes(a, m, d), int(amendments or 0), int(arguments or 0))
                for i, number, heading, a, m, d, amendments, arguments in found]
    by_id = {a.id: a for a in articles}
    order = (Position.supporters.desc(), Position.arguments_count.desc(), Position.id)
    ranked = (select(Position.id, Position.article_id, Position.stance, Position.label, Position.supporters,
                     Position.citizens,
                     func.row_number().over(partition_by=(Position.article_id, Position.stance), order_by=order)
                     .label("rank"),
                     func.count().over(partition_by=Position.article_id).label("total"))
              .join(Article, Article.id == Position.article_id)
              .where(Article.bill_id == bill.id, Position.arguments_count > 0).subquery())
    for row in session.execute(select(ranked).where(ranked.c.rank <= POSITIONS_PER_STANCE)
                               .order_by(ranked.c.article_id, ranked.c.supporters.desc(), ranked.c.rank)):
        article = by_id.get(row.article_id)
        if article is not None:
            article.positions.append(PositionWeight(row.id, row.stance, row.label, row.supporters, row.citizens))
            article.positions_total = row.total
    return articles


def _answered():
    return or_(Amendment.status == "accepted",
               exists().where(AmendmentOpinion.amendment_id == Amendment.id),
               exists().where(AmendmentResponse.amendment_id == Amendment.id))


def _proposals(session: Session, bill: Bill, order, limit: int, wanted) -> list[ProposalSummary]:
    counts = TargetCounts
    found = session.execute(
        select(Amendment.id, Amendment.title, Article.number, Amendment.status, counts.agree, counts.mixed,
               counts.disagree, counts.arguments_for + counts.arguments_against, _answered())
        .join(counts, counts.amendment_id == Amendment.id)
        .outerjoin(Article, Article.id == func.coalesce(Amendment.article_id, Amendment.after_article_id))
        .where(_visible_amendments(bill), Amendment.status != "withdrawn", wanted)
        .order_by(*order, Amendment.id).limit(limit))
    return [ProposalSummary(i, title or "", number, status, _votes(a, m, d), int(arguments or 0), bool(answered))
            for i, title, number, status, a, m, d, arguments, answered in found]


def _totals(session: Session, bill: Bill) -> tuple[int, int, int]:
    """Votes, amendments and arguments of the bill: the kept counts of its articles and amendments."""
    counts = TargetCounts
    votes = counts.agree + counts.mixed + counts.disagree
    arguments = counts.arguments_for + counts.arguments_against
    on_articles = session.execute(
        select(func.coalesce(func.sum(votes), 0), func.coalesce(func.sum(arguments), 0))
        .join(Article, Article.id == counts.article_id).where(Article.bill_id == bill.id)).one()
    on_amendments = session.execute(
        select(func.count(Amendment.id), func.coalesce(func.sum(votes), 0), func.coalesce(func.sum(arguments), 0))
        .outerjoin(counts, counts.amendment_id == Amendment.id).where(_visible_amendments(bill))).one()
    return (int(on_articles[0]) + int(on_amendments[1]), int(on_amendments[0]),
            int(on_articles[1]) + int(on_amendments[2]))


def synthesis(session: Session, bill: Bill) -> Synthesis:
    """The whole synthesis of ``bill``: ten queries, however big the consultation."""
    rows = contributions(bill)
    votes, amendments, arguments = _totals(session, bill)
    citizens, organizations = _sides(session, rows)
    supported = _proposals(session, bill, (TargetCounts.agree.desc(), TargetCounts.disagree), SUPPORTED_FOR_ANSWERS,
                           TargetCounts.agree > 0)
    disputed = _proposals(session, bill, (TargetCounts.disagree.desc(), TargetCounts.agree.desc()), RANKED,
                          TargetCounts.disagree > 0)
    return Synthesis(bill, votes, amendments, arguments, _by_day(session, rows), _articles(session, bill),
                     supported, disputed, citizens, organizations, _named_organizations(session, rows))
