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

import functools
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, bindparam, select, tuple_, union_all
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


def identical_to(session: Session, amendments: Sequence[Any]) -> dict[int, list[int]]:
    """Each given amendment (an Amendment, or a row with its columns) → the ids of the other visible
    amendments identical to it, ascending (one query: identical texts share their digest, texts being
    stored in NFC; the candidates come from the indexes of what ``identity`` compares)."""
    digests = {a.text_digest for a in amendments if a.hidden_by_id is None}
    if not digests:
        return {}
    session.flush()  # a plain SELECT does not write the session's pending changes first
    keys: dict[str, set] = {"texts": set(), "deletions": set(), "afters": set(), "parents": set(), "bills": set()}
    for a in amendments:  # where ``identity`` says an identical one is, in its order
        if a.kind == "delete":
            keys["deletions"].add(a.article_id)
        elif a.kind == "insert" and a.after_article_id is not None:
            keys["afters"].add(a.after_article_id)
        elif a.kind == "insert":
            keys["bills"].add(a.bill_id)
        elif a.parent_id is not None:
            keys["parents"].add(a.parent_id)
        else:
            keys["texts"].add((a.article_id, a.base_version, a.text_digest))
    wanted = tuple(name for name, values in keys.items() if values)
    parameters = {"digests": list(digests), **{name: list(keys[name]) for name in wanted}}
    candidates: dict[int, Any] = {a.id: a for a in amendments}
    candidates.update((row.id, row) for row in session.execute(_candidates_statement(wanted), parameters))
    found = groups(candidates.values())
    return {a.id: [i for i in found[a.id] if i != a.id] for a in amendments if a.id in found}


@functools.lru_cache(maxsize=32)
def _candidates_statement(keys: tuple[str, ...]):
    """The visible amendments with one of the digests on one of the targets named (``keys``: which of
    the texts of an article on a base, deletions of an article, new articles' places, parents, and
    bills for new articles placed first), what ``identity`` reads of each: a UNION ALL of indexed
    lookups, built once per combination."""
    table = Amendment.__table__
    columns = [table.c[name] for name in (
        "id", "kind", "bill_id", "article_id", "after_article_id", "heading", "parent_id", "parent_text",
        "base_version", "text", "hidden_by_id")]
    targets = {
        "texts": tuple_(table.c.article_id, table.c.base_version, table.c.text_digest).in_(
            bindparam("texts", expanding=True)),
        "deletions": and_(table.c.article_id.in_(bindparam("deletions", expanding=True)), table.c.kind == "delete"),
        "afters": table.c.after_article_id.in_(bindparam("afters", expanding=True)),
        "parents": table.c.parent_id.in_(bindparam("parents", expanding=True)),
        "bills": and_(table.c.bill_id.in_(bindparam("bills", expanding=True)), table.c.kind == "insert",
                      table.c.after_article_id.is_(None)),
    }
    parts = [select(*columns).where(targets[key], table.c.text_digest.in_(bindparam("digests", expanding=True)),
                                    table.c.hidden_by_id.is_(None)) for key in keys]
    return parts[0] if len(parts) == 1 else union_all(*parts)
