"""The independent changes from a base text to an amendment's text, alinéa by alinéa: what a formal
wording writes one instruction for (`wording`) and what a partial merge picks from (`hunks`).

Each change is one of the forms of CONTRACT §8: the article deleted or rewritten; an alinéa deleted,
rewritten or inserted; words of an alinéa replaced, deleted or inserted. Numbers refer to the base.
Applied in order to the base (`apply_change`), all of them give the text exactly; any of them may
be left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from amendments.engine.alineas import Alinea, Amending, alineas, has_blank_lines
from amendments.engine.diff import _diff_chars, diff_words
from amendments.engine.tokens import EQUAL, _Codebook, tokenize

DELETE_ARTICLE, REWRITE_ARTICLE = "delete_article", "rewrite_article"
DELETE, REWRITE, INSERT, WORDS = "delete", "rewrite", "insert", "words"


@dataclass(frozen=True, slots=True)
class Change:
    """One independent change. number: the base alinéa it changes (INSERT: the one it follows, 0 for
    before alinéa 1); text: the new article, alinéa or words; start, end (WORDS): the span of the
    base alinéa's text that `text` replaces."""

    kind: str
    number: int = 0
    text: str = ""
    start: int = 0
    end: int = 0


def apply_change(amending: Amending, change: Change) -> None:
    """Makes one change to a text being amended."""
    if change.kind == DELETE_ARTICLE:
        amending.rewrite_article("")
    elif change.kind == REWRITE_ARTICLE:
        amending.rewrite_article(change.text)
    elif change.kind == DELETE:
        amending.delete(change.number)
    elif change.kind == REWRITE:
        amending.rewrite(change.number, change.text)
    elif change.kind == INSERT:
        amending.insert(change.number, change.text)
    else:
        amending.replace_span(change.number, change.start, change.end, change.text)


def applied(base: str | Amending, changes: Iterable[Change]) -> Amending:
    """The base (or a copy of a text being amended) with the changes made, in order."""
    amending = base.copy() if isinstance(base, Amending) else Amending(base)
    for change in changes:
        apply_change(amending, change)
    return amending


def plan(base: str, text: str) -> list[Change]:
    """The changes from base to text, in text order.

    The alinéas of both texts (the text's cut as the base's are) are aligned on those kept as they
    were; between two kept ones, alinéas are paired by the words they share, and each pair is
    rewritten when most of it changes, else changed word by word. Where separators between alinéas
    changed, which no alinéa form can say, the alinéas around are rewritten as one; the whole
    article when nothing else can say it.
    """
    if base == text:
        return []
    if not text:
        return [Change(DELETE_ARTICLE)]
    blank = has_blank_lines(base)
    old, new = alineas(base), alineas(text, blank)
    if not old or not new or base[: old[0].start] != text[: new[0].start] or base[old[-1].end :] != text[new[-1].end :]:
        return [Change(REWRITE_ARTICLE, text=text)]
    anchors = [(-1, -1), *_kept(old, new), (len(old), len(new))]
    origin = Amending(base)
    regions: list[list[Change]] = []
    groups: list[tuple[int, int] | None] = []  # per region: (first alinéa, text start) when rewritten as one
    for (i0, k0), (i1, k1) in zip(anchors, anchors[1:]):
        regions.append(_region(old[i0 + 1 : i1], new[k0 + 1 : k1], old[i0].number if i0 >= 0 else 0))
        groups.append(None)
        if _matches(origin, text, regions, old, new, i1, k1):
            continue
        first, start = (i0, new[k0].start) if i0 >= 0 else (0, new[0].start)
        if len(groups) > 1 and groups[-2] is not None:  # the previous group ends on this one's first alinéa
            first, start = groups[-2]
            regions[-2], groups[-2] = [], None
        last, end = (i1, new[k1].end) if i1 < len(old) else (len(old) - 1, new[-1].end)
        regions[-1] = [Change(DELETE, a.number) for a in old[first:last]] + [Change(REWRITE, old[last].number, text[start:end])]
        groups[-1] = (first, start)
        if not _matches(origin, text, regions, old, new, i1, k1, through=True):
            return [Change(REWRITE_ARTICLE, text=text)]
    changes = [change for region in regions for change in region]
    touched = {change.number for change in changes if change.kind != INSERT}
    if len(touched) == len(old) and all(change.kind != WORDS for change in changes):
        return [Change(REWRITE_ARTICLE, text=text)]
    return changes


def _matches(base: Amending, text: str, regions: list[list[Change]], old: list[Alinea], new: list[Alinea], i: int, k: int,
             through: bool = False) -> bool:
    """Whether the changes so far give the text up to kept alinéa old[i] = new[k] (through: up to its
    end; the whole text when i is past the last alinéa)."""
    amending = applied(base, (change for region in regions for change in region))
    if i >= len(old):
        return amending.text() == text
    if through:
        return amending.text_before(old[i].number) + amending.alinea(old[i].number) == text[: new[k].end]
    return amending.text_before(old[i].number) == text[: new[k].start]


def _kept(old: list[Alinea], new: list[Alinea]) -> list[tuple[int, int]]:
    """The alinéas both texts have, in order, as (index in old, index in new): a minimal diff."""
    encode = _Codebook().__getitem__
    runs = _diff_chars("".join(encode(a.text) for a in old), "".join(encode(a.text) for a in new), semantic=False)
    kept, i, k = [], 0, 0
    for op, n in runs:
        if op == EQUAL:
            kept += [(i + m, k + m) for m in range(n)]
        i += n if op <= 0 else 0
        k += n if op >= 0 else 0
    return kept


def _region(old: list[Alinea], new: list[Alinea], previous: int) -> list[Change]:
    """The changes that make the alinéas old of the base into the alinéas new of the text, between
    two kept alinéas (previous: the number of the one before, 0 at the start)."""
    changes: list[Change] = []
    for a, b in _pairs(old, new):
        if b is None:
            changes.append(Change(DELETE, a.number))
        elif a is None:
            changes.append(Change(INSERT, previous, b.text))
        else:
            changes += _alinea_changes(a, b.text)
            previous = a.number
    return changes


def _alinea_changes(alinea: Alinea, text: str) -> list[Change]:
    """An alinéa's changes: rewritten when most of it changes, else word by word."""
    diff = diff_words(alinea.text, text)
    if sum(len(part) for op, part in diff if op) * 2 > len(alinea.text) + len(text):
        return [Change(REWRITE, alinea.number, text)]
    changes, position, start, replacement = [], 0, None, ""
    for op, part in [*diff, (EQUAL, "")]:
        if op == EQUAL:
            if start is not None:
                changes.append(Change(WORDS, alinea.number, replacement, start, position))
                start, replacement = None, ""
            position += len(part)
            continue
        if start is None:
            start = position
        if op < 0:
            position += len(part)
        else:
            replacement += part
    return changes


def _words(text: str) -> Counter:
    return Counter(token for token in tokenize(text) if not token.isspace())


def _similarity(a: Counter, b: Counter) -> float:
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 1.0


def _pairs(old: list[Alinea], new: list[Alinea]) -> list[tuple[Alinea | None, Alinea | None]]:
    """Pairs each alinéa of the shorter list with one of the longer, in order, so that paired alinéas
    share the most words; the others of the longer list stand alone: (alinéa, None) or (None, alinéa)."""
    swap = len(old) > len(new)
    short, long_ = (new, old) if swap else (old, new)
    if len(short) * len(long_) > 40_000:  # too many to weigh: in order
        chosen = set(range(len(short)))
    else:
        words_short, words_long = [_words(a.text) for a in short], [_words(a.text) for a in long_]
        # best[i][j]: the best total for short[:i] paired within long_[:j]
        best = [[0.0] * (len(long_) + 1) for _ in range(len(short) + 1)]
        for i in range(1, len(short) + 1):
            best[i][i - 1] = float("-inf")
            for j in range(i, len(long_) + 1):
                best[i][j] = max(best[i][j - 1], best[i - 1][j - 1] + _similarity(words_short[i - 1], words_long[j - 1]))
        chosen, j = set(), len(long_)
        for i in range(len(short), 0, -1):
            while best[i][j] == best[i][j - 1] and j > i:
                j -= 1
            chosen.add(j - 1)
            j -= 1
    pairs: list[tuple[Alinea | None, Alinea | None]] = []
    partners = iter(short)
    for j, alinea in enumerate(long_):
        other = next(partners) if j in chosen else None
        pairs.append((alinea, other) if swap else (other, alinea))
    return pairs
