"""The discussion order of a bill's amendments (CONTRACT §8): the order of the text.

By article; within one article the deletion first, then the modifications by the position of their
first change, then the new articles placed after that article; sub-amendments right after their
parent; ties by id. New articles placed first come before the first article.

Identical amendments (amendments.services.identical) are discussed together: a group comes at the
place of its first member, its members one after the other by id, each followed right away by its
own sub-amendments (identical sub-amendments of one parent together in the same way).
"""
from __future__ import annotations

import os.path

from sqlalchemy import select
from sqlalchemy.orm import Session

from amendments.models import AMENDMENT_KINDS, Amendment
from amendments.services import identical
from amendments.services.proposing import check_status_filter
from drafting.errors import Invalid
from drafting.models import Bill
from drafting.services import bills

_KIND_RANK = {"delete": 0, "modify": 1, "insert": 2}


def check_kind_filter(kind: str | None) -> str | None:
    if kind in (None, ""):
        return None
    if kind not in AMENDMENT_KINDS:
        raise Invalid("kind", "must be one of modify, delete, insert")
    return kind


def first_change(base: str, text: str) -> int:
    """Where a text first differs from its base (the position of an amendment's first change)."""
    return len(os.path.commonprefix([base, text]))


def discussion_order(session: Session, bill: Bill, *, status: str | None = None,
                     kind: str | None = None) -> list[Amendment]:
    """Every visible amendment of the bill in the order of the text, filtered by status and kind
    (a filtered-out parent leaves its sub-amendments where it would have been)."""
    status, kind = check_status_filter(status), check_kind_filter(kind)
    amendments = list(session.scalars(select(Amendment).where(Amendment.bill_id == bill.id,
                                                              Amendment.hidden_by_id.is_(None))))
    positions = {a.id: index for index, a in
                 enumerate(bills.bill_articles(session, bill, include_removed=True), start=1)}
    texts = bills.version_texts(session, {(a.article_id, a.base_version) for a in amendments
                                          if a.article_id and a.base_version})

    def key(amendment: Amendment) -> tuple:
        if amendment.kind == "insert":
            return (positions.get(amendment.after_article_id, 0), 2, 0, amendment.id)
        base = texts.get((amendment.article_id, amendment.base_version), "")
        at = first_change(base, amendment.text) if amendment.kind == "modify" else 0
        return (positions.get(amendment.article_id, 0), _KIND_RANK[amendment.kind], at, amendment.id)

    children: dict[int, list[Amendment]] = {}
    for amendment in amendments:
        if amendment.parent_id is not None:
            children.setdefault(amendment.parent_id, []).append(amendment)
    present = {a.id for a in amendments}
    same = identical.groups(amendments)
    tops = sorted((a for a in amendments if a.parent_id is None or a.parent_id not in present), key=key)
    ordered = []
    for group in _together(tops, same):
        for amendment in group:
            ordered.append(amendment)
            subs = sorted(children.get(amendment.id, []),
                          key=lambda sub: (first_change(sub.parent_text or "", sub.text), sub.id))
            ordered.extend(sub for members in _together(subs, same) for sub in members)
    return [a for a in ordered if (status is None or a.status == status) and (kind is None or a.kind == kind)]


def _together(ordered: list[Amendment], same: dict[int, list[int]]) -> list[list[Amendment]]:
    """The amendments in order, each with those identical to it brought up to the first of them."""
    place = {a.id: index for index, a in enumerate(ordered)}
    taken: set[int] = set()
    runs = []
    for amendment in ordered:
        if amendment.id in taken:
            continue
        members = sorted((i for i in same.get(amendment.id, [amendment.id]) if i in place), key=place.__getitem__)
        taken.update(members)
        runs.append([ordered[place[i]] for i in members])
    return runs
