"""Identical amendments ("amendements identiques", issue 16): distinct amendments that make the same
change, discussed together in the discussion order and marked as identical to each other.

Two visible amendments of one bill are identical when they make the same change to the same target:
two deletions of one article (whatever their base); two new texts of one article on the same base
version, equal after NFC; two new articles placed after the same article, heading and text equal
after NFC; two sub-amendments of one parent written on its same text, equal after NFC. Proposing one
of those while the other is open co-signs it (amendments.services.proposing); distinct ones arise
when one was proposed on an older base, or while the other was in conflict, and both were later
rebased onto the same head, when a proposer resubmits a text another already proposes, and for
sub-amendments, which are never co-signed.
"""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from amendments.models import Amendment


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def identity(amendment: Amendment) -> tuple:
    """What an amendment changes, as a key equal for identical amendments only."""
    if amendment.kind == "delete":
        return ("delete", amendment.bill_id, amendment.article_id)
    if amendment.kind == "insert":
        return ("insert", amendment.bill_id, amendment.after_article_id, _nfc(amendment.heading), _nfc(amendment.text))
    if amendment.parent_id is not None:
        return ("sub", amendment.bill_id, amendment.parent_id, _nfc(amendment.parent_text), _nfc(amendment.text))
    return ("modify", amendment.bill_id, amendment.article_id, amendment.base_version, _nfc(amendment.text))


def groups(amendments: Iterable[Amendment]) -> dict[int, list[int]]:
    """Each amendment that has identical ones → the ids of its group (itself included), ascending;
    hidden amendments are in no group."""
    by_key: dict[tuple, set[int]] = defaultdict(set)
    for amendment in amendments:
        if amendment.hidden_by_id is None:
            by_key[identity(amendment)].add(amendment.id)
    return {member: sorted(ids) for ids in by_key.values() if len(ids) > 1 for member in ids}


def identical_to(session: Session, amendments: list[Amendment]) -> dict[int, list[int]]:
    """Each given amendment → the ids of the other visible amendments identical to it, ascending (one
    query: identical texts share their digest, texts being stored in NFC)."""
    digests = {a.text_digest for a in amendments if a.hidden_by_id is None}
    if not digests:
        return {}
    candidates = {a.id: a for a in amendments}
    candidates.update((a.id, a) for a in session.scalars(select(Amendment).where(
        Amendment.bill_id.in_({a.bill_id for a in amendments}), Amendment.text_digest.in_(digests),
        Amendment.hidden_by_id.is_(None))))
    found = groups(candidates.values())
    return {a.id: [i for i in found[a.id] if i != a.id] for a in amendments if a.id in found}
