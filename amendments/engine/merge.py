"""Word-level three-way merge of two texts derived from one base; changes that touch conflict.

A change is never placed where it might not belong: a merge is exact or a conflict.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from typing import NamedTuple

from amendments.engine.merge_diff import DiffCache, _changes, _Fused
from amendments.engine.tokens import tokenize


class _Hunk(NamedTuple):
    start: int  # character offsets in the base text, always on token boundaries
    end: int
    text: str  # what replaces base[start:end]
    side: int  # 0 ours, 1 theirs, 2 both (the same change made on both sides)


@dataclass(frozen=True, slots=True)
class Conflict:
    """Base words changed by both sides, and what each side made of them."""

    start: int  # token offsets in the base text: tokenize(base)[start:end]
    end: int
    char_start: int  # the same range as character offsets: base[char_start:char_end]
    char_end: int
    base: str
    ours: str
    theirs: str


@dataclass(frozen=True, slots=True)
class MergeResult:
    """The merged text, or None and the conflicts that prevent it."""

    text: str | None
    conflicts: tuple[Conflict, ...] = ()

    @property
    def clean(self) -> bool:
        return self.text is not None


def _apply(base: str, start: int, end: int, hunks: Iterable[_Hunk]) -> str:
    pieces, position = [], start
    for hunk in hunks:
        pieces += (base[position : hunk.start], hunk.text)
        position = hunk.end
    pieces.append(base[position:end])
    return "".join(pieces)


def _reach(base: str, hunk: _Hunk) -> tuple[int, int]:
    """The base span a hunk may stand for: every place its change could sit with the same result.

    A pure insertion or deletion can slide along repeated text ("a b" + "b " = "a b" + " b");
    an insertion also reaches over the whitespace around it.
    """
    low, high, text = hunk.start, hunk.end, hunk.text
    if low == high:  # moving the insertion one character left rotates its text right, and back
        steps = 0
        while low and base[low - 1] == text[-1 - steps % len(text)]:
            low, steps = low - 1, steps + 1
        steps = 0
        while high < len(base) and base[high] == text[steps % len(text)]:
            high, steps = high + 1, steps + 1
        while low and base[low - 1].isspace():
            low -= 1
        while high < len(base) and base[high].isspace():
            high += 1
    elif not text:  # a deletion can move while the character it leaves equals the one it takes
        length = high - low
        while low and base[low - 1] == base[low - 1 + length]:
            low -= 1
        while high < len(base) and base[high] == base[high - length]:
            high += 1
    return low, high


def _chance_links(hunks: list[_Hunk], side: int, fused: tuple[_Fused, ...]) -> list[tuple[int, int]]:
    """Pairs of hunks (indices) that conflict because the other side changed words that `side` may
    have kept only by chance between its own changes (`_Fused`)."""

    def among_kept(hunk: _Hunk, block: _Fused) -> bool:
        if hunk.start == hunk.end:  # an insertion, even at either end of the kept words
            return any(low <= hunk.start <= high for low, high in block.kept)
        return any(low < hunk.end and hunk.start < high for low, high in block.kept)

    links = []
    for block in fused:
        members = [k for k, h in enumerate(hunks) if h.side == side and block.start <= h.start and h.end <= block.end]
        intruders = [k for k, h in enumerate(hunks) if h.side == 1 - side and among_kept(h, block)]
        if members and intruders:
            links += [(members[0], k) for k in members[1:] + intruders]
    return links


def _conflicting(base: str, hunks: list[_Hunk], links: Iterable[tuple[int, int]] = ()) -> list[list[_Hunk]]:
    """Groups of changes by different sides that touch the same words, in base order.

    Two ranges conflict when they overlap; an insertion conflicts with a change of the other side
    when nothing but whitespace lies between them. Both are judged over every place the diff
    could have put the change (`_reach`), so the verdict does not hang on an arbitrary choice.
    links: more pairs of hunks (indices) that conflict.
    """
    parent = list(range(len(hunks)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = i = parent[parent[i]]
        return i

    reach = [_reach(base, hunk) for hunk in hunks]
    order = sorted(range(len(hunks)), key=lambda i: reach[i])
    active: list[int] = []
    for i in order:
        low, high = reach[i]
        active = [j for j in active if reach[j][1] >= low]
        if hunks[i].side == 2:  # taken once, in both texts already: it cannot disagree
            continue
        for j in active:
            if hunks[j].side == hunks[i].side:
                continue
            ranges = hunks[i].start < hunks[i].end and hunks[j].start < hunks[j].end
            if reach[j][0] < high and low < reach[j][1] if ranges else reach[j][0] <= high:
                parent[root(j)] = root(i)
        active.append(i)
    for i, j in links:
        parent[root(j)] = root(i)
    groups: dict[int, list[_Hunk]] = {}
    for i, hunk in enumerate(hunks):
        groups.setdefault(root(i), []).append(hunk)
    return [group for group in groups.values() if len(group) > 1]


def merge3(base: str, ours: str, theirs: str, cache: DiffCache | None = None) -> MergeResult:
    """Word-level three-way merge of two texts derived from base; changes that touch conflict.

    Changes to different words merge; the same change made on both sides is taken once, however
    each side's diff cut it. Changes that overlap, and an insertion by one side inside or next to a
    change by the other (nothing but whitespace between), conflict unless both sides leave the same
    text there; so does a change among words the other side may have kept only by chance between
    two of its changes (`_merge_diff`). A change is never placed where it might not belong.
    cache: where to find and keep the diffs of base to each side (`DiffCache`), for a caller merging
    many texts with one base and one side.
    """
    changes = cache.changes if cache is not None else _changes
    (mine, mine_fused), (others, others_fused) = changes(base, ours), changes(base, theirs)
    shared = set(mine) & set(others)
    hunks = sorted(
        [_Hunk(*h, 2) for h in shared]
        + [_Hunk(*h, 0) for h in mine if h not in shared]
        + [_Hunk(*h, 1) for h in others if h not in shared]
    )
    links = _chance_links(hunks, 0, mine_fused) + _chance_links(hunks, 1, others_fused)
    groups = _conflicting(base, hunks, links)
    if not groups:
        return MergeResult(_apply(base, 0, len(base), hunks))
    spans, agreed, conflicts = [], [], []
    offsets: list[int] = []
    for group in groups:
        start, end = min(h.start for h in group), max(h.end for h in group)
        inside = [h for h in hunks if start <= h.start and h.end <= end]  # with any change both made
        mine_there = _apply(base, start, end, [h for h in inside if h.side != 1])
        theirs_there = _apply(base, start, end, [h for h in inside if h.side != 0])
        spans.append((start, end))
        if mine_there == theirs_there:  # one change, that the two diffs cut differently: taken once
            agreed.append(_Hunk(start, end, mine_there, 2))
            continue
        offsets = offsets or list(accumulate(map(len, tokenize(base)), initial=0))
        conflicts.append(
            Conflict(
                start=bisect_right(offsets, start) - 1,
                end=bisect_right(offsets, end) - 1,
                char_start=start,
                char_end=end,
                base=base[start:end],
                ours=mine_there,
                theirs=theirs_there,
            )
        )
    if conflicts:
        return MergeResult(None, tuple(conflicts))
    rest = [h for h in hunks if not any(start <= h.start and h.end <= end for start, end in spans)]
    return MergeResult(_apply(base, 0, len(base), sorted(rest + agreed)))

