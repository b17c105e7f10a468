"""The desk's record of many amendments at once (CONTRACT §8): latest official opinions, why the
fallen ones fell, the identical ones, and the article numbers their wordings name, in a few queries."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amendments.models import Amendment, AmendmentEvent, AmendmentOpinion
from amendments.services import identical
from amendments.services.wording import amendment_wording
from drafting.models import Article

FELL = "fell"  # the event of an amendment made moot; its detail is the reason shown


def latest_opinions(session: Session, ids: list[int]) -> dict[int, AmendmentOpinion]:
    """The latest opinion row of each amendment that has one."""
    found: dict[int, AmendmentOpinion] = {}
    if ids:
        for row in session.scalars(select(AmendmentOpinion).where(AmendmentOpinion.amendment_id.in_(ids))
                                   .order_by(AmendmentOpinion.created_at, AmendmentOpinion.id)):
            found[row.amendment_id] = row
    return found


def fall_reasons(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(
        select(AmendmentEvent.amendment_id, AmendmentEvent.detail)
        .where(AmendmentEvent.amendment_id.in_(ids), AmendmentEvent.kind == FELL).order_by(AmendmentEvent.id)
    ).all())


@dataclass
class DeskRecord:
    opinions: dict[int, AmendmentOpinion] = field(default_factory=dict)
    fallen: dict[int, str] = field(default_factory=dict)
    numbers: dict[int, str] = field(default_factory=dict)  # article id → number
    first_numbers: dict[int, str] = field(default_factory=dict)  # bill id → its first article's number
    identical: dict[int, list[int]] = field(default_factory=dict)  # amendment id → the others identical to it

    @classmethod
    def load(cls, session: Session, amendments: list[Amendment]) -> "DeskRecord":
        ids = [a.id for a in amendments]
        inserts = [a for a in amendments if a.kind == "insert"]
        numbers: dict[int, str] = {}
        firsts: dict[int, str] = {}
        if inserts:
            wanted = {a.after_article_id for a in inserts if a.after_article_id}
            if wanted:
                numbers = dict(session.execute(select(Article.id, Article.number).where(Article.id.in_(wanted))).all())
            for bill_id in {a.bill_id for a in inserts if not a.after_article_id}:
                firsts[bill_id] = session.scalar(
                    select(Article.number).where(Article.bill_id == bill_id, Article.removed.is_(False))
                    .order_by(Article.position).limit(1)) or "1"
        return cls(latest_opinions(session, ids), fall_reasons(session, ids), numbers, firsts,
                   identical.identical_to(session, amendments))

    def wording(self, amendment: Amendment, base: str, language: str) -> str:
        return amendment_wording(amendment, base, language,
                                 after_number=self.numbers.get(amendment.after_article_id),
                                 first_number=self.first_numbers.get(amendment.bill_id))

    def fields(self, amendment: Amendment, base: str, language: str) -> dict[str, Any]:
        """The desk's fields of one amendment's JSON object."""
        opinion = self.opinions.get(amendment.id)
        return {
            "wording": self.wording(amendment, base, language),
            "opinion": opinion.opinion if opinion is not None else None,
            "parent": amendment.parent_id,
            "partial": bool(amendment.partial),
            "fallen": self.fallen.get(amendment.id),
            "identical_to": self.identical.get(amendment.id, []),
        }
