"""The synthesis of a bill's consultation (issue 14, CONTRACT §7): who took part, when, what each article
drew (votes, amendments, arguments, positions), the most supported and most disputed proposals, citizens
and organizations side by side, and how many of the most supported proposals got an official answer.

Totals come from the kept counts (TargetCounts), the counts kept per bill and day (BillDayCounts, and
BillPerson for who took part) and the kept positions: a fixed number of grouped queries (ten), none of
which reads the contributions one by one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from amendments.models import (
    Amendment, AmendmentOpinion, AmendmentResponse, BillDayCounts, BillPerson, Position, TargetCounts,
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
    participants: int = 0


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


# --- the bill's contributions, from the counts kept per day (amendments/services/consultation_days.py) ---

def _visible_amendments(bill: Bill):
    return and_(Amendment.bill_id == bill.id, Amendment.hidden_by_id.is_(None))


def _sides(session: Session, bill: Bill) -> tuple[Side, Side]:
    days = BillDayCounts
    sides = {"citizen": Side(), "organization": Side()}
    for kind, agree, mixed, disagree, amendments, arguments_for, arguments_against in session.execute(
            select(days.kind, func.sum(days.votes_agree), func.sum(days.votes_mixed), func.sum(days.votes_disagree),
                   func.sum(days.amendments), func.sum(days.arguments_for), func.sum(days.arguments_against))
            .where(days.bill_id == bill.id).group_by(days.kind)):
        side = sides[kind]
        side.votes = _votes(agree, mixed, disagree)
        side.amendments = int(amendments or 0)
        side.arguments = {"for": int(arguments_for or 0), "against": int(arguments_against or 0)}
    for organization, count in session.execute(
            select(BillPerson.organization, func.count()).where(BillPerson.bill_id == bill.id)
            .group_by(BillPerson.organization)):
        sides["organization" if organization else "citizen"].participants = count
    return sides["citizen"], sides["organization"]


def _named_organizations(session: Session, bill: Bill) -> list[NamedOrganization]:
    found = session.execute(
        select(User.organization_name, User.display_name, User.username, User.declared_interests, BillPerson.weight)
        .join(User, User.id == BillPerson.user_id)
        .where(BillPerson.bill_id == bill.id, BillPerson.organization.is_(True))
        .order_by(BillPerson.weight.desc(), BillPerson.user_id).limit(ORGANIZATIONS_NAMED))
    return [NamedOrganization(name or display or username, interests or "", count)
            for name, display, username, interests, count in found]


def _by_day(session: Session, bill: Bill) -> list[Day]:
    days = BillDayCounts
    return [Day(day if isinstance(day, date) else date.fromisoformat(str(day)), int(votes), int(amendments),
                int(arguments), int(participants))
            for day, votes, amendments, arguments, participants in session.execute(
                select(days.day, func.sum(days.votes_agree + days.votes_mixed + days.votes_disagree),
                       func.sum(days.amendments), func.sum(days.arguments_for + days.arguments_against),
                       func.sum(days.participants))
                .where(days.bill_id == bill.id).group_by(days.day).order_by(days.day))
            if votes or amendments or arguments or participants]


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
    """The whole synthesis of ``bill``: ten queries, however big the consultation, none of which reads
    its contributions one by one (the counts per day are kept)."""
    votes, amendments, arguments = _totals(session, bill)
    citizens, organizations = _sides(session, bill)
    supported = _proposals(session, bill, (TargetCounts.agree.desc(), TargetCounts.disagree), SUPPORTED_FOR_ANSWERS,
                           TargetCounts.agree > 0)
    disputed = _proposals(session, bill, (TargetCounts.disagree.desc(), TargetCounts.agree.desc()), RANKED,
                          TargetCounts.disagree > 0)
    return Synthesis(bill, votes, amendments, arguments, _by_day(session, bill), _articles(session, bill),
                     supported, disputed, citizens, organizations, _named_organizations(session, bill))
