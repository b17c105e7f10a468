"""The public history: diffs between versions, blame and snapshots, from immutable rows.

Every function reads rows that are never updated (article versions, bill versions and their snapshot,
merge credits, public answers), in a number of queries that does not grow with the history.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from amendments import engine
from amendments.models import Amendment, MergedAmendment, MergedHunk
from drafting.services import bills
from drafting.errors import Invalid, NotFound
from drafting.ids import in_id_range
from drafting.models import (
    Article,
    ArticleVersion,
    Bill,
    BillVersion,
    BillVersionArticle,
    Division,
    User,
)


# --- parameters --------------------------------------------------------------------------------

VersionArg = int | str | None  # a version number, or the raw query-string value naming one


def version_number(field_name: str, value: VersionArg) -> int:
    """A version number from a query string; 400 naming the parameter when missing or not an integer."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if value is None or not str(value).strip():
        raise Invalid(field_name, "is required: a version number")
    try:
        return int(str(value).strip())
    except ValueError:
        raise Invalid(field_name, "must be an integer version number, not '{value}'", value=value) from None


# --- lookups in bounded queries ----------------------------------------------------------------

def diff_json(diff: Iterable[tuple[int, str]]) -> list[list[Any]]:
    return [[op, text] for op, text in diff]


def article_versions_by_number(session: Session, article: Article,
                               numbers: Iterable[int]) -> dict[int, ArticleVersion]:
    """The named versions of one article in one query; 404 for any that does not exist."""
    wanted = set(numbers)
    found = {
        v.version: v
        for v in session.scalars(
            select(ArticleVersion).where(ArticleVersion.article_id == article.id,
                                         ArticleVersion.version.in_([n for n in wanted if in_id_range(n)]))
        )
    }
    missing = sorted(wanted - found.keys())
    if missing:
        raise NotFound("article {id} has no version {version}", id=article.id, version=missing[0])
    return found


def merged_amendments(session: Session, version_ids: Iterable[int]) -> dict[int, list[Amendment]]:
    """The amendments each article version merged, in merge order, with their proposers (one query)."""
    ids = list(set(version_ids))
    credited: dict[int, list[Amendment]] = defaultdict(list)
    if not ids:
        return credited
    rows = session.execute(
        select(MergedAmendment.article_version_id, Amendment)
        .join(Amendment, Amendment.id == MergedAmendment.amendment_id)
        .where(MergedAmendment.article_version_id.in_(ids))
        .order_by(MergedAmendment.article_version_id, MergedAmendment.position, Amendment.id)
    )
    for version_id, amendment in rows:
        credited[version_id].append(amendment)
    return credited


# --- comparing versions ------------------------------------------------------------------------

@dataclass(frozen=True)
class ArticleComparison:
    article: Article
    old: ArticleVersion
    new: ArticleVersion
    diff: engine.Diff


def compare_article(session: Session, article: Article, from_: VersionArg, to: VersionArg) -> ArticleComparison:
    """The word diff between two versions of an article (404 if either does not exist)."""
    old_number, new_number = version_number("from", from_), version_number("to", to)
    versions = article_versions_by_number(session, article, (old_number, new_number))
    old, new = versions[old_number], versions[new_number]
    return ArticleComparison(article, old, new, engine.diff_words(old.text, new.text))


def article_diff_json(session: Session, article: Article, from_: VersionArg, to: VersionArg) -> dict[str, Any]:
    comparison = compare_article(session, article, from_, to)
    return {"from": comparison.old.version, "to": comparison.new.version, "diff": diff_json(comparison.diff)}


def bill_diff(session: Session, bill: Bill, from_: VersionArg, to: VersionArg) -> list[dict[str, Any]]:
    """Article by article: added, removed, modified or unchanged between two bill versions, in text order."""
    old = bills.get_bill_version(session, bill, version_number("from", from_))
    new = bills.get_bill_version(session, bill, version_number("to", to))
    old_entries = {e.article_id: e for e in old.articles}
    new_entries = {e.article_id: e for e in new.articles}
    texts = bills.version_texts(session, {(e.article_id, e.version) for e in (*old.articles, *new.articles)})
    changes = []
    for entry in _text_order(old.articles, new.articles):
        before, after = old_entries.get(entry.article_id), new_entries.get(entry.article_id)
        old_text = texts[(before.article_id, before.version)] if before else ""
        new_text = texts[(after.article_id, after.version)] if after else ""
        if before is None:
            change = "added"
        elif after is None:
            change = "removed"
        elif old_text != new_text:
            change = "modified"
        else:
            change = "unchanged"
        changes.append({
            "id": entry.article_id,
            "number": entry.number,
            "heading": entry.heading,
            "change": change,
            "from_version": before.version if before else None,
            "to_version": after.version if after else None,
            "diff": diff_json(engine.diff_words(old_text, new_text)),
        })
    return changes


def _text_order(old: list[BillVersionArticle], new: list[BillVersionArticle]) -> list[BillVersionArticle]:
    """The new version's articles in order, each removed one back between its old neighbours (after any
    article added there). Positions are not compared across versions: an insertion may renumber them.
    """
    kept_before = {e.article_id for e in old}
    present = {e.article_id for e in new}
    removed_after: dict[int | None, list[BillVersionArticle]] = defaultdict(list)
    anchor = None
    for entry in old:
        if entry.article_id in present:
            anchor = entry.article_id
        else:
            removed_after[anchor].append(entry)
    order: list[BillVersionArticle] = []
    anchor = None
    for entry in new:
        if entry.article_id in kept_before:
            order.extend(removed_after.pop(anchor, []))
            anchor = entry.article_id
        order.append(entry)
    order.extend(removed_after.pop(anchor, []))
    return order


def bill_diff_json(session: Session, bill: Bill, from_: VersionArg, to: VersionArg) -> dict[str, Any]:
    old, new = version_number("from", from_), version_number("to", to)
    return {"from": old, "to": new, "articles": bill_diff(session, bill, old, new)}


# --- blame -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BlameSegment:
    """A passage of the text and what wrote it: a version, and the amendment merged there if any."""

    text: str
    version: ArticleVersion
    amendment: Amendment | None

    @property
    def author(self) -> User:
        return self.amendment.author if self.amendment is not None else self.version.author


def merged_hunks(session: Session, version_ids: list[int]) -> dict[tuple[int, int], list[int]]:
    """(article version id, amendment id) → the hunks that version took of an amendment it merged in
    part (CONTRACT §8), in one query."""
    found: dict[tuple[int, int], list[int]] = defaultdict(list)
    if version_ids:
        for version_id, amendment_id, index in session.execute(
            select(MergedHunk.article_version_id, MergedHunk.amendment_id, MergedHunk.hunk_index)
            .where(MergedHunk.article_version_id.in_(version_ids)).order_by(MergedHunk.hunk_index)
        ):
            found[(version_id, amendment_id)].append(index)
    return found


def _merge_steps(previous: str, version: ArticleVersion, amendments: list[Amendment], texts: dict[int, str],
                 chosen: dict[tuple[int, int], list[int]]) -> list[tuple[str, tuple[int, int | None]]]:
    """Intermediate texts of a version that merged several amendments, one per amendment.

    Each amendment is applied in merge order onto the text so far (word-level three-way merge from
    its own base), with only the hunks the version took of it when it was merged in part; what the
    final text adds beyond that (an edit by the authors, or an amendment that no longer applies) is
    credited to the first amendment.
    """
    merged = []
    for amendment in amendments:
        base = texts.get(amendment.base_version, "") if amendment.base_version else ""
        text = amendment.text or ""
        if (version.id, amendment.id) in chosen:
            try:
                text = engine.apply_hunks(base, text, chosen[(version.id, amendment.id)])
            except IndexError:  # a record the engine no longer numbers so: the whole text
                pass
        merged.append((base, text, (version.version, amendment.id)))
    return engine.merged_in_turn(previous, version.text, merged, (version.version, amendments[0].id))


def blame_segments(session: Session, article: Article, upto: int | None = None) -> list[BlameSegment]:
    """Each passage of the article's text at version ``upto`` (default: the head) with what wrote it."""
    upto = article.current_version if upto is None else upto
    if not in_id_range(upto):
        raise NotFound("article {id} has no version {version}", id=article.id, version=upto)
    query = select(ArticleVersion).where(ArticleVersion.article_id == article.id, ArticleVersion.version <= upto)
    versions = list(session.scalars(query.order_by(ArticleVersion.version)))
    if not versions or versions[-1].version != upto:
        raise NotFound("article {id} has no version {version}", id=article.id, version=upto)
    credits = merged_amendments(session, [v.id for v in versions])
    texts = {v.version: v.text for v in versions}
    chosen = merged_hunks(session, [v.id for v in versions if len(credits.get(v.id, [])) > 1])
    steps: list[tuple[str, tuple[int, int | None]]] = []
    for version in versions:
        amendments = credits.get(version.id, [])
        if len(amendments) > 1:
            steps.extend(_merge_steps(texts.get(version.version - 1, ""), version, amendments, texts, chosen))
        else:
            steps.append((version.text, (version.version, amendments[0].id if amendments else None)))
    by_number = {v.version: v for v in versions}
    by_id = {a.id: a for merged in credits.values() for a in merged}
    return [
        BlameSegment(text, by_number[number], by_id.get(amendment_id) if amendment_id else None)
        for text, (number, amendment_id) in engine.blame(steps)
    ]


def blame(session: Session, article: Article, upto: int | None = None) -> list[dict[str, Any]]:
    """Each passage of the head with the version that wrote it, its amendment and its author (JSON)."""
    return [
        {
            "text": segment.text,
            "version": segment.version.version,
            "amendment": segment.amendment.id if segment.amendment is not None else None,
            "author": segment.author.username,
        }
        for segment in blame_segments(session, article, upto)
    ]


def blame_json(session: Session, article: Article, upto: int | None = None) -> dict[str, Any]:
    upto = article.current_version if upto is None else upto
    return {"version": upto, "segments": blame(session, article, upto)}


# --- one article's history ---------------------------------------------------------------------

@dataclass(frozen=True)
class VersionRecord:
    """An article version with what it merged and its change from the previous version."""

    version: ArticleVersion
    previous: ArticleVersion | None
    amendments: list[Amendment]
    diff: engine.Diff | None = None


def article_history(session: Session, article: Article, *, with_diffs: bool = True) -> list[VersionRecord]:
    """Every version of an article, oldest first, with its credits and (optionally) its diff."""
    versions = bills.article_versions(session, article)
    credits = merged_amendments(session, [v.id for v in versions])
    records = []
    for index, version in enumerate(versions):
        previous = versions[index - 1] if index else None
        diff = engine.diff_words(previous.text, version.text) if with_diffs and previous is not None else None
        records.append(VersionRecord(version, previous, credits.get(version.id, []), diff))
    return records


def article_version_record(session: Session, article: Article, number: int) -> VersionRecord:
    """One version with its credits and its diff from the previous one."""
    versions = article_versions_by_number(session, article, {number} | ({number - 1} if number > 1 else set()))
    version, previous = versions[number], versions.get(number - 1)
    diff = engine.diff_words(previous.text, version.text) if previous is not None else None
    return VersionRecord(version, previous, merged_amendments(session, [version.id]).get(version.id, []), diff)


# --- a bill version ----------------------------------------------------------------------------

@dataclass(frozen=True)
class SnapshotArticle:
    entry: BillVersionArticle
    text: str
    divisions: list[Division]  # the divisions this article opens, outermost first


def bill_version_snapshot(session: Session, bill: Bill, seq: int) -> tuple[BillVersion, list[SnapshotArticle]]:
    """A published bill version: every article's number, heading and text as published, in order."""
    version = bills.get_bill_version(session, bill, seq)
    texts = bills.version_texts(session, {(e.article_id, e.version) for e in version.articles})
    divisions = {d.id: d for d in bills.bill_divisions(session, bill)}
    articles, shown = [], set()
    for entry in version.articles:
        chain, current = [], divisions.get(entry.division_id) if entry.division_id else None
        while current is not None and current.id not in shown:
            chain.append(current)
            current = divisions.get(current.parent_id) if current.parent_id else None
        shown.update(d.id for d in chain)
        articles.append(SnapshotArticle(entry, texts[(entry.article_id, entry.version)], list(reversed(chain))))
    return version, articles
