"""Reports and moderation: anyone signed in reports, moderators hide (with a public reason) or dismiss.

Every decision is a ``ModerationDecision`` row with who and when; a hidden item's ``hidden_by_id``
points at its decision. Hidden items keep their ids, leave lists and tallies, and are listed in their
bill's public trash without their text.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amendments.services import consultation_days, participation, positions, tallies
from amendments.models import Amendment, Argument, ModerationDecision, Report, Source
from drafting.errors import Conflict, Invalid, NotFound
from drafting.models import Article, Bill, User
from drafting import policy
from drafting.policy import require_user
from drafting.services import search
from drafting.texts import text_field

MODELS: dict[str, Any] = {"amendment": Amendment, "argument": Argument, "source": Source}
MAX_REASON = 2_000
STANCE_LABELS = {"for": "pour", "against": "contre"}


def _check_target_type(target_type: Any) -> str:
    if target_type not in MODELS:
        raise Invalid("target", "must be one of {choices}", choices=', '.join(MODELS))
    return target_type


def get_item(session: Session, target_type: str, target_id: Any) -> Any:
    """The amendment, argument or source ``target_id``; 404 when unknown."""
    model = MODELS[_check_target_type(target_type)]
    if not isinstance(target_id, int) or isinstance(target_id, bool):
        raise Invalid("id", "must be an integer")
    item = session.get(model, target_id)
    if item is None:
        raise NotFound("no {target_type} {target_id}", target_type=target_type, target_id=target_id)
    return item


def bill_of(session: Session, item: Any) -> Bill:
    """The bill an amendment, argument or source belongs to."""
    if isinstance(item, Amendment):
        return session.get(Bill, item.bill_id)
    if item.article_id is not None:
        return session.get(Bill, session.scalar(select(Article.bill_id).where(Article.id == item.article_id)))
    return session.get(Bill, session.scalar(select(Amendment.bill_id).where(Amendment.id == item.amendment_id)))


def _reason(value: Any, *, required: bool) -> str:
    return text_field("reason", value if value else None, required=required, max_length=MAX_REASON)


def report(session: Session, actor: User | None, target_type: Any, target_id: Any, reason: Any) -> Report:
    """Anyone signed in reports a contribution to the moderators, once while the report is pending."""
    user = require_user(actor)
    item = get_item(session, target_type, target_id)
    reason = _reason(reason, required=True)
    if item.hidden_by_id is not None:
        raise Conflict("{target_type} {target_id} is already hidden", target_type=target_type, target_id=target_id)
    pending = session.scalar(select(Report.id).where(
        Report.target_type == target_type, Report.target_id == target_id, Report.reporter_id == user.id,
        Report.decision_id.is_(None),
    ).limit(1))
    if pending is not None:
        raise Conflict("you already reported this {target_type}; the report is awaiting a moderator",
                       target_type=target_type,
                       extra={"report": pending})
    row = Report(target_type=target_type, target_id=target_id, bill_id=bill_of(session, item).id,
                 reason=reason, reporter_id=user.id)
    session.add(row)
    session.flush()
    return row


def _resolve_reports(session: Session, target_type: str, target_id: int, decision: ModerationDecision) -> None:
    for pending in session.scalars(select(Report).where(
        Report.target_type == target_type, Report.target_id == target_id, Report.decision_id.is_(None)
    )):
        pending.decision_id = decision.id


def hide(session: Session, actor: User | None, target_type: Any, target_id: Any, reason: Any) -> ModerationDecision:
    """Hide a contribution with a public reason; the pending reports on it are settled by this decision."""
    moderator = policy.require_moderator(actor)
    item = get_item(session, target_type, target_id)
    reason = _reason(reason, required=True)
    if item.hidden_by_id is not None:
        raise Conflict("{target_type} {target_id} is already hidden", target_type=target_type, target_id=target_id)
    decision = ModerationDecision(target_type=target_type, target_id=target_id, bill_id=bill_of(session, item).id,
                                  action="hide", reason=reason, moderator_id=moderator.id)
    consultation_days.hiding(session, decision.bill_id, item)
    session.add(decision)
    session.flush()
    item.hidden_by_id = decision.id
    _resolve_reports(session, target_type, target_id, decision)
    session.flush()
    if isinstance(item, Argument):
        positions.leave(session, participation.target_for_row(session, _argument_target_row(session, item)), item)
    _recount_around(session, item)
    if isinstance(item, Amendment):
        search.unindex_amendment(session, item)
    elif isinstance(item, Argument):
        search.unindex(session, "argument", [item.id])
    return decision


def _argument_target_row(session: Session, argument: Argument) -> Any:
    if argument.article_id is not None:
        return session.get(Article, argument.article_id)
    return session.get(Amendment, argument.amendment_id)


def _recount_around(session: Session, item: Any) -> None:
    """Hiding changes what the stored counts of the item's article or amendment count (hidden items leave
    them): count that target again from its rows."""
    if isinstance(item, Amendment):
        if item.article_id is not None:
            tallies.recount(session, "article", item.article_id)
    elif isinstance(item, Argument):
        if item.article_id is not None:
            tallies.recount(session, "article", item.article_id)
        else:
            tallies.recount(session, "amendment", item.amendment_id)


def get_report(session: Session, report_id: int) -> Report:
    found = session.get(Report, report_id)
    if found is None:
        raise NotFound("no report {report_id}", report_id=report_id)
    return found


def dismiss(session: Session, actor: User | None, report_id: int, reason: Any = None) -> ModerationDecision:
    """Keep the reported contribution: the decision settles every pending report on it."""
    moderator = policy.require_moderator(actor)
    found = get_report(session, report_id)
    reason = _reason(reason, required=False)
    if found.decision_id is not None:
        raise Conflict("report {report_id} was already settled", report_id=report_id)
    decision = ModerationDecision(target_type=found.target_type, target_id=found.target_id, bill_id=found.bill_id,
                                  action="dismiss", reason=reason, moderator_id=moderator.id)
    session.add(decision)
    session.flush()
    _resolve_reports(session, found.target_type, found.target_id, decision)
    session.flush()
    return decision


def hidden_decisions(session: Session, items: list[Any]) -> dict[int, ModerationDecision]:
    """The decisions that hid these items, by decision id, in one query."""
    ids = {item.hidden_by_id for item in items if item.hidden_by_id is not None}
    if not ids:
        return {}
    return {d.id: d for d in session.scalars(select(ModerationDecision).where(ModerationDecision.id.in_(ids)))}


# --- the moderators' queue ---------------------------------------------------------------------

@dataclass
class QueueEntry:
    """One reported contribution and its pending reports, oldest first."""

    target_type: str
    target_id: int
    item: Any
    bill: Bill
    reports: list[Report] = field(default_factory=list)

    @property
    def first_reported(self) -> datetime:
        return self.reports[0].created_at


def _items(session: Session, wanted: dict[str, set[int]]) -> dict[tuple[str, int], Any]:
    found = {}
    for target_type, ids in wanted.items():
        if ids:
            model = MODELS[target_type]
            for item in session.scalars(select(model).where(model.id.in_(ids))):
                found[(target_type, item.id)] = item
    return found


def queue(session: Session, actor: User | None, *, limit: int = 200, offset: int = 0) -> list[QueueEntry]:
    """Pending reports grouped by contribution, the longest waiting first."""
    policy.require_moderator(actor)
    reports = list(session.scalars(
        select(Report).where(Report.decision_id.is_(None)).order_by(Report.created_at, Report.id).limit(limit).offset(offset)
    ))
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in reports:
        wanted[row.target_type].add(row.target_id)
    items = _items(session, wanted)
    bills = {b.id: b for b in session.scalars(select(Bill).where(Bill.id.in_({r.bill_id for r in reports})))} \
        if reports else {}
    entries: dict[tuple[str, int], QueueEntry] = {}
    for row in reports:
        key = (row.target_type, row.target_id)
        if key not in items:
            continue
        if key not in entries:
            entries[key] = QueueEntry(row.target_type, row.target_id, items[key], bills[row.bill_id])
        entries[key].reports.append(row)
    return list(entries.values())


# --- the public trash --------------------------------------------------------------------------

@dataclass
class TrashItem:
    """A hidden contribution as the public sees it: what it was, whose, why and when; never its text."""

    target: str
    id: int
    title: str
    author: User
    reason: str
    at: datetime
    moderator: User


def _argument_titles(session: Session, arguments: list[Argument]) -> dict[int, str]:
    article_numbers = dict(session.execute(select(Article.id, Article.number).where(
        Article.id.in_({a.article_id for a in arguments if a.article_id}))).all()) if arguments else {}
    titles = {}
    for argument in arguments:
        stance = STANCE_LABELS[argument.stance]
        if argument.article_id is not None:
            titles[argument.id] = f"Argument {stance}, article {article_numbers.get(argument.article_id, '?')}"
        else:
            titles[argument.id] = f"Argument {stance}, modification n° {argument.amendment_id}"
    return titles


def amendment_title(amendment: Amendment) -> str:
    return amendment.title or f"Modification n° {amendment.id}"


def trash(session: Session, bill: Bill, *, limit: int | None = None, offset: int = 0) -> list[TrashItem]:
    """The bill's hidden contributions, most recently hidden first."""
    decisions = list(session.scalars(
        select(ModerationDecision).where(ModerationDecision.bill_id == bill.id, ModerationDecision.action == "hide")
        .order_by(ModerationDecision.created_at.desc(), ModerationDecision.id.desc()).limit(limit).offset(offset)
    ))
    wanted: dict[str, set[int]] = defaultdict(set)
    for decision in decisions:
        wanted[decision.target_type].add(decision.target_id)
    items = _items(session, wanted)
    arguments = [i for (kind, _), i in items.items() if kind == "argument"]
    argument_titles = _argument_titles(session, arguments)
    found = []
    for decision in decisions:
        item = items.get((decision.target_type, decision.target_id))
        if item is None or item.hidden_by_id != decision.id:
            continue  # the item is gone, or no longer hidden by this decision
        if decision.target_type == "amendment":
            title = amendment_title(item)
        elif decision.target_type == "argument":
            title = argument_titles[item.id]
        else:
            title = item.title
        found.append(TrashItem(decision.target_type, item.id, title, item.author, decision.reason,
                               decision.created_at, decision.moderator))
    return found
