"""What the parliament-grade desk shows (CONTRACT §8): an amendment's formal wording, official opinion,
sub-amendments and numbered alinéas, and the bill's amendments worked through in discussion order."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from amendments import engine
from amendments.models import OPINIONS, Amendment, AmendmentOpinion
from amendments.services import desk_record, order, proposing
from amendments.services.wording import bill_language
from drafting import policy
from drafting.models import Article, Bill, User
from drafting.services import bills

OPINION_LABELS = {"favorable": "Favorable", "defavorable": "Défavorable", "sagesse": "Sagesse",
                  "retrait": "Demande de retrait", "satisfait": "Satisfait"}
PAGE_SIZE = 50


@dataclass(frozen=True)
class NumberedAlinea:
    number: int
    text: str


def numbered_alineas(text: str) -> list[NumberedAlinea]:
    """The alinéas of a text as the wordings number them (engine.alineas)."""
    return [NumberedAlinea(a.number, a.text) for a in engine.alineas(text)]


def wants_numbers(query: Mapping[str, str]) -> bool:
    """The margin numbers toggle: ``?alineas=1``."""
    return query.get("alineas") == "1"


@dataclass
class SubItem:
    amendment: Amendment
    can_incorporate: bool


@dataclass
class AuthoringPanel:
    """For templates/amendments/_authoring.html on an amendment's page."""

    amendment: Amendment
    wording: str
    opinion: AmendmentOpinion | None
    fallen: str | None
    parent: Amendment | None
    subamendments: list[SubItem]
    can_subamend: bool
    numbered: bool
    base_alineas: list[NumberedAlinea]
    text_alineas: list[NumberedAlinea]


def amendment_authoring_context(session: Session, amendment: Amendment, user: User | None,
                                query: Mapping[str, str]) -> dict[str, Any]:
    """``authoring`` (AuthoringPanel): the wording (None when hidden), the latest opinion, why it fell,
    its parent or its sub-amendments (with who may incorporate them), and, with ``?alineas=1``, the
    base and the proposed text in numbered alinéas."""
    bill = session.get(Bill, amendment.bill_id)
    record = desk_record.DeskRecord.load(session, [amendment])
    base = proposing.base_text(session, amendment)
    hidden = amendment.hidden_by_id is not None
    staff = bills.is_bill_staff(session, bill, user)
    parent = session.get(Amendment, amendment.parent_id) if amendment.parent_id else None
    subs = list(session.scalars(select(Amendment).where(Amendment.parent_id == amendment.id,
                                                        Amendment.hidden_by_id.is_(None)).order_by(Amendment.id)))
    numbered = wants_numbers(query)
    return {"authoring": AuthoringPanel(
        amendment=amendment,
        wording=None if hidden else record.wording(amendment, base, bill_language(bill)),
        opinion=record.opinions.get(amendment.id), fallen=record.fallen.get(amendment.id), parent=parent,
        subamendments=[SubItem(s, user is not None and policy.may_incorporate(user, staff, s, amendment)) for s in subs],
        can_subamend=user is not None and policy.may_subamend(bill, amendment),
        numbered=numbered,
        base_alineas=numbered_alineas(base) if numbered and not hidden else [],
        text_alineas=numbered_alineas(amendment.text) if numbered and not hidden else [],
    ), "opinion_labels": OPINION_LABELS}


@dataclass
class OrderItem:
    """One amendment of the liasse: its place, wording, opinion, and where it goes."""

    position: int
    amendment: Amendment
    article: Article | None
    wording: str
    opinion: str | None
    fallen: str | None
    diff: list = field(default_factory=list)
    identical: list[int] = field(default_factory=list)  # the others identical to it (discussed together)
    starts_group: bool = False  # the first of its identical ones on this page

    @property
    def group(self) -> list[int]:
        """Its identical group's ids, itself included, ascending."""
        return sorted([self.amendment.id, *self.identical])


def order_context(session: Session, bill: Bill, query: Mapping[str, str]) -> dict[str, Any]:
    """For templates/amendments/desk/order.html: ``bill``, ``items`` (OrderItem of this page of the
    discussion order, filtered by ``status`` and ``opinion``), ``current`` (the OrderItem worked on,
    ``?at=N`` its position from 1), ``previous_at`` / ``next_at`` (positions or None), ``page`` bounds,
    ``status``, ``opinion`` (filters; opinion "none": not yet given), ``opinions`` (choices),
    ``numbered`` and ``current_alineas`` (its text in numbered alinéas when ``?alineas=1``). Identical
    amendments come together; each item's ``identical`` names the others, ``starts_group`` its group's
    first on the page."""
    status = query.get("status") or None
    status = status if status in ("open", "conflict", "accepted", "rejected", "withdrawn") else None
    wanted_opinion = query.get("opinion") or None
    ordered = order.discussion_order(session, bill, status=status)
    record = desk_record.DeskRecord.load(session, ordered)
    if wanted_opinion == "none":
        ordered = [a for a in ordered if a.id not in record.opinions]
    elif wanted_opinion in OPINIONS:
        ordered = [a for a in ordered if a.id in record.opinions and record.opinions[a.id].opinion == wanted_opinion]
    else:
        wanted_opinion = None
    try:
        at = max(1, min(int(query.get("at", "1")), len(ordered) or 1))
    except ValueError:
        at = 1
    first = (at - 1) // PAGE_SIZE * PAGE_SIZE
    page = ordered[first:first + PAGE_SIZE]
    articles = {a.id: a for a in bills.bill_articles(session, bill, include_removed=True)}
    language = bill_language(bill)
    bases = bills.version_texts(session, {(a.article_id, a.base_version) for a in page if a.article_id and a.base_version})
    items = []
    grouped: set[int] = set()  # the ids of the groups of the items so far
    for offset, amendment in enumerate(page):
        base = amendment.parent_text if amendment.parent_id else bases.get((amendment.article_id, amendment.base_version), "")
        opinion = record.opinions.get(amendment.id)
        items.append(OrderItem(first + offset + 1, amendment, articles.get(amendment.article_id or amendment.after_article_id),
                               record.wording(amendment, base or "", language),
                               opinion.opinion if opinion else None, record.fallen.get(amendment.id),
                               engine.diff_words(base or "", amendment.text) if first + offset + 1 == at else [],
                               record.identical.get(amendment.id, [])))
        # a member's sub-amendments come between it and the next member: the group starts once
        items[-1].starts_group = bool(items[-1].identical) and amendment.id not in grouped
        grouped.update(items[-1].group)
    current = next((item for item in items if item.position == at), None)
    numbered = wants_numbers(query)
    return {
        "bill": bill, "items": items, "current": current, "total": len(ordered),
        "previous_at": at - 1 if at > 1 else None, "next_at": at + 1 if at < len(ordered) else None,
        "status": status or "", "opinion": wanted_opinion or "", "opinions": OPINIONS, "numbered": numbered,
        "current_alineas": numbered_alineas(current.amendment.text) if numbered and current else [],
        "opinion_labels": OPINION_LABELS,
    }
