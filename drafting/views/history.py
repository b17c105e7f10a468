"""What the public history pages show (documented contexts): timelines, snapshots, comparisons, blame."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy.orm import Session

from amendments import engine
from amendments.views.authors_desk import OPINION_LABELS
from drafting.models import Article, Bill, BillVersion
from drafting.services import bills, history, timeline


def choices(versions: list[BillVersion]) -> list[tuple[int, str]]:
    """The (seq, label) options of a bill version picker."""
    return [(v.seq, f"{v.seq}. {v.label}") for v in versions]


def article_choices(article: Article) -> list[tuple[int, str]]:
    return [(n, str(n)) for n in range(1, article.current_version + 1)]


def default_pair(numbers: list[int], from_: int | None, to: int | None) -> tuple[int, int]:
    """Fill in a missing end of a comparison: the latest version, and the one before the other end."""
    to = numbers[-1] if to is None else to
    if from_ is None:
        earlier = [n for n in numbers if n < to]
        from_ = earlier[-1] if earlier else to
    return from_, to


def bill_history_context(session: Session, bill: Bill) -> dict[str, Any]:
    """For drafting/history/bill_history.html: ``bill``, ``entries`` (timeline.TimelineEntry, newest
    first), ``versions`` and ``choices``."""
    versions = bills.bill_versions(session, bill)
    return {"bill": bill, "entries": timeline.bill_timeline(session, bill), "versions": versions,
            "choices": choices(versions)}


def bill_version_context(session: Session, bill: Bill, seq: int) -> dict[str, Any]:
    """For drafting/history/bill_version.html: ``bill``, ``version``, ``articles`` (history.SnapshotArticle),
    ``versions``, ``previous`` and ``next`` (the neighbouring BillVersions or None)."""
    version, articles = history.bill_version_snapshot(session, bill, seq)
    versions = bills.bill_versions(session, bill)
    return {
        "bill": bill, "version": version, "articles": articles, "versions": versions,
        "previous": next((v for v in versions if v.seq == seq - 1), None),
        "next": next((v for v in versions if v.seq == seq + 1), None),
    }


def bill_comparison_context(session: Session, bill: Bill, versions: list[BillVersion], old: int, new: int,
                            side: bool) -> dict[str, Any]:
    """For drafting/history/bill_diff.html and _bill_comparison.html: ``bill``, ``versions``, ``choices``
    and ``comparison`` (``old``, ``new``, ``changes``, ``counts`` per kind of change, ``unchanged``, ``view``)."""
    changes = history.bill_diff(session, bill, old, new)
    counts = {kind: sum(1 for c in changes if c["change"] == kind)
              for kind in ("added", "removed", "modified", "unchanged")}
    by_seq = {v.seq: v for v in versions}
    return {"bill": bill, "versions": versions, "choices": choices(versions), "comparison": {
        "old": by_seq[old], "new": by_seq[new], "changes": changes, "counts": counts,
        "unchanged": [c for c in changes if c["change"] == "unchanged"], "view": "side" if side else "inline",
    }}


def article_compare_context(session: Session, bill: Bill, article: Article, old: int, new: int,
                            side: bool) -> dict[str, Any]:
    """For drafting/history/article_compare.html and _article_comparison.html."""
    return {
        "bill": bill, "article": article, "comparison": history.compare_article(session, article, old, new),
        "choices": article_choices(article), "view": "side" if side else "inline",
    }


def article_history_context(session: Session, bill: Bill, article: Article) -> dict[str, Any]:
    """For drafting/history/article_history.html: ``records`` (history.VersionRecord, newest first)."""
    records = history.article_history(session, article)
    return {"bill": bill, "article": article, "records": list(reversed(records)),
            "choices": article_choices(article)}


# --- the Atom feed -----------------------------------------------------------------------------

@dataclass(frozen=True)
class RedlineBlock:
    """One alinéa of a redline: ``changed`` (diff pairs), ``context`` (kept text) or ``folded`` lines."""

    kind: str
    parts: tuple[tuple[int, str], ...] = ()
    text: str = ""
    count: int = 0

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")[:-1] if self.text.endswith("\n") else self.text.split("\n")


def redline(diff: Iterable[tuple[int, str]], context: int = 1) -> list[RedlineBlock]:
    """The engine's redline blocks as plain data (the Atom feed's redline; pages use amendments/_redline.html)."""
    blocks = []
    for block in engine.redline_blocks(diff, context=context):
        if isinstance(block, engine.Changed):
            blocks.append(RedlineBlock("changed", parts=block.parts))
        elif isinstance(block, engine.Folded):
            blocks.append(RedlineBlock("folded", text=block.text, count=block.count))
        else:
            blocks.append(RedlineBlock("context", text=block.text))
    return blocks


def feed_context(session: Session, bill: Bill) -> dict[str, Any]:
    """For drafting/history/feed.atom.xml: ``bill``, ``entries`` (newest first), ``redlines`` (entry key →
    RedlineBlock list, for article versions with a previous one) and ``updated``."""
    entries = timeline.feed_entries(session, bill)
    redlines = {
        e.key: redline(engine.diff_words(e.previous.text, e.version.text))
        for e in entries if e.kind == "article_version" and e.previous is not None
    }
    return {"bill": bill, "entries": entries, "redlines": redlines, "opinion_labels": OPINION_LABELS,
            "updated": entries[0].at if entries else bill.created_at}


# --- blame -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BlameMark:
    """The mark of a passage: the version that wrote it (``v3``), lettered when it merged several amendments.

    ``shown`` is false where the mark would repeat the previous visible one (or the passage is only spaces).
    """

    label: str
    anchor: str
    order: tuple[int, int]
    shown: bool


def blame_marks(segments: list[history.BlameSegment]) -> list[BlameMark]:
    credited: dict[int, set[int]] = {}
    for segment in segments:
        credited.setdefault(segment.version.version, set()).add(segment.amendment.id if segment.amendment else 0)
    marks, last_shown = [], None
    for segment in segments:
        number, ids = segment.version.version, sorted(credited[segment.version.version])
        amendment_id = segment.amendment.id if segment.amendment else 0
        index = ids.index(amendment_id)
        suffix = "abcdefghijklmnopqrstuvwxyz"[index % 26] if len(ids) > 1 else ""
        anchor = f"blame-v{number}" + (f"-a{amendment_id}" if amendment_id else "")
        shown = bool(segment.text.strip()) and anchor != last_shown
        if segment.text.strip():
            last_shown = anchor
        marks.append(BlameMark(f"v{number}{suffix}", anchor, (number, index), shown))
    return marks


def blame_context(session: Session, bill: Bill, article: Article, upto: int) -> dict[str, Any]:
    """For drafting/history/blame.html: ``marked`` ((BlameSegment, BlameMark) pairs) and ``legend``
    (one pair per mark, in version order)."""
    segments = history.blame_segments(session, article, upto)
    marks = blame_marks(segments)
    legend = sorted({m.anchor: (s, m) for s, m in zip(segments, marks)}.values(), key=lambda pair: pair[1].order)
    return {"bill": bill, "article": article, "upto": upto, "marked": list(zip(segments, marks)), "legend": legend}
