"""Partial merges (CONTRACT §8): the hunks an author chose of each amendment merged in part, checked
once, and kept as rows (MergedHunk) with their instruction and diff, so that blame credits each
amendment for the passages its chosen hunks brought, and nothing of those left out."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from amendments import engine
from amendments.models import Amendment, MergedHunk
from amendments.services import proposing
from drafting.errors import Invalid
from drafting.models import ArticleVersion, Bill
from drafting.services.bills import bill_language


@dataclass(frozen=True)
class Choice:
    """The hunks of one amendment chosen for a merge, out of all of them."""

    chosen: tuple[engine.Hunk, ...]
    count: int

    @property
    def partial(self) -> bool:
        return len(self.chosen) < self.count


def choose(session: Session, amendments: list[Amendment], hunks: dict[int, list[int]] | None) -> dict[int, Choice]:
    """The ``hunks`` field of a new version checked against the amendments merged (a 400 naming the
    field): each names a merged amendment modifying the article, and at least one of its hunks."""
    if not hunks:
        return {}
    merged = {a.id: a for a in amendments}
    if set(hunks) - set(merged):
        raise Invalid("hunks", "names an amendment that is not merged")
    choices = {}
    for amendment_id, indexes in hunks.items():
        amendment = merged[amendment_id]
        if amendment.kind != "modify":
            raise Invalid("hunks", "only an amendment modifying an article is merged in part")
        if not indexes:
            raise Invalid("hunks", "chooses no change of amendment {amendment_id}: leave it out of merge",
                          amendment_id=amendment_id)
        found = engine.hunks(proposing.base_text(session, amendment), amendment.text,
                             bill_language(session.get(Bill, amendment.bill_id)))
        if any(not 0 <= index < len(found) for index in indexes):
            raise Invalid("hunks", "names a hunk the amendment does not have")
        wanted = set(indexes)
        choices[amendment_id] = Choice(tuple(h for h in found if h.index in wanted), len(found))
    return choices


def record(session: Session, version: ArticleVersion, amendment_id: int, choice: Choice | None) -> None:
    """The rows of the hunks ``version`` took of one amendment (none when it was merged whole)."""
    for hunk in choice.chosen if choice is not None else ():
        session.add(MergedHunk(article_version_id=version.id, amendment_id=amendment_id, hunk_index=hunk.index,
                               wording=hunk.wording,
                               diff=json.dumps([[op, text] for op, text in hunk.diff], ensure_ascii=False)))

