"""The diff the three-way merge takes its changes from (`_merge_diff`: minimal, each change as narrow
as it can be, with the spans of words kept maybe only by chance), and a cache of those diffs that a
caller merging many texts onto one passes in (`DiffCache`)."""

from __future__ import annotations

from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from itertools import accumulate
from typing import NamedTuple

from amendments.engine.diff import _diff_chars, _normalized
from amendments.engine.tokens import _KEY, DELETE, EQUAL, INSERT, Diff, _Codebook, _shared_ends, _tokens


def _units(text: str, start: int, end: int) -> tuple[list[str], list[int]]:
    """text[start:end] (start, end: token boundaries) cut into units: a key (`_KEY`) and the spaces
    and punctuation after it, which may also come first with no key (""). The keys, and where each
    unit starts, then end."""
    parts = _KEY.split(text[start:end])  # what is between keys, key, what is between keys, ...
    offsets = list(accumulate(map(len, parts), initial=start))[1::2]  # each key's start, then end
    if parts[0]:
        return ["", *parts[1::2]], [start, *offsets]
    return parts[1::2], offsets


class _Fused(NamedTuple):
    """Changes by one side and the few words kept between them that may be kept only by chance."""

    start: int  # base span from the first of the changes to the end of the last
    end: int
    kept: tuple[tuple[int, int], ...]  # the base spans kept between the changes


def _merge_diff(old: str, new: str) -> tuple[Diff, tuple[_Fused, ...]]:
    """The word diff the merge takes its changes from: minimal, each change as narrow as it can be.

    diff_words cleans its diff up for people to read, fusing two nearby changes and the words kept
    between them into one change, which then overlaps whatever the other side did to those words.
    This diff has no such cleanup, and it aligns words and line breaks only (`_KEY`): a minimal diff
    of all tokens would as readily keep the spaces between rewritten words as the words themselves
    ("mot0 mot1 mot2" -> "a b c mot0" keeps three spaces, or "mot0").
    The spaces and punctuation after a kept word differ only where they changed, and each change is
    trimmed of the tokens it leaves as they were.

    A minimal diff also keeps words that a rewrite merely reuses: "des sommes" of a sentence replaced
    by another that also says "des sommes". Where the semantic cleanup would fuse two changes across
    the words kept between them (no more of those words than either change has) and none of those
    words is an anchor (found once in each text), they are returned as _Fused: words that may be
    kept only by chance, among which `merge3` places no change of the other side.
    """
    if old == new:
        return ([(EQUAL, old)] if old else []), ()
    head, tail = _shared_ends(old, new)
    old_end, new_end = len(old) - tail, len(new) - tail
    keys_old, at_old = _units(old, head, old_end)
    keys_new, at_new = _units(new, head, new_end)
    parts: Diff = [(EQUAL, old[:head])]
    fused: tuple[_Fused, ...] = ()
    if keys_old and keys_new:
        encode = _Codebook().__getitem__
        runs = _diff_chars("".join(map(encode, keys_old)), "".join(map(encode, keys_new)), semantic=False)
        spans = []  # the base span of each run
        i = j = 0
        for op, n in runs:
            if op == INSERT:
                parts.append((INSERT, new[at_new[j] : at_new[j + n]]))
                spans.append((at_old[i], at_old[i]))
                j += n
                continue
            spans.append((at_old[i], at_old[i + n]))
            if op == DELETE:
                parts.append((DELETE, old[at_old[i] : at_old[i + n]]))
                i += n
                continue
            k = 0  # the same words, maybe with other whitespace or punctuation after some of them
            while k < n:
                same = _same_units(old, at_old, i + k, new, at_new, j + k, n - k)
                parts.append((EQUAL, old[at_old[i + k] : at_old[i + k + same]]))
                k += same
                if k < n:
                    was, now = old[at_old[i + k] : at_old[i + k + 1]], new[at_new[j + k] : at_new[j + k + 1]]
                    key = len(keys_old[i + k])
                    parts += [(EQUAL, was[:key]), (DELETE, was[key:]), (INSERT, now[key:])]
                    k += 1
            i += n
            j += n
        fused = _fused(runs, spans, keys_old, old, new)
    else:
        parts += [(DELETE, old[head:old_end]), (INSERT, new[head:new_end])]
    parts.append((EQUAL, old[old_end:]))
    return _trimmed(_normalized(parts), old, new), fused


def _same_units(old: str, at_old: list[int], i: int, new: str, at_new: list[int], j: int, n: int) -> int:
    """How many of the n units from unit i of old and unit j of new, which have the same words, are
    the same text, counted from the first (a binary search: the first m are, or are not, as a whole)."""
    if old[at_old[i] : at_old[i + n]] == new[at_new[j] : at_new[j + n]]:
        return n
    low, high = 0, n - 1
    while low < high:
        middle = (low + high + 1) // 2
        if old[at_old[i] : at_old[i + middle]] == new[at_new[j] : at_new[j + middle]]:
            low = middle
        else:
            high = middle - 1
    return low


@dataclass(slots=True)
class _KeptRun:
    """A run of units both texts keep, on the stack of `_fused`."""

    units: int  # how many
    start: int  # its base span
    end: int
    first: int  # the index of its first unit in old


@dataclass(slots=True)
class _ChangedRun:
    """Changes with, between them, the kept runs fused into them so far, on the stack of `_fused`."""

    deleted: int  # units deleted and inserted, those of the fused kept runs included
    inserted: int
    start: int  # the base span from its first change to the end of its last
    end: int
    kept: list[tuple[int, int]] = field(default_factory=list)  # the base spans of the fused kept runs


def _fused(
    runs: list[tuple[int, int]], spans: list[tuple[int, int]], keys: list[str], old: str, new: str
) -> tuple[_Fused, ...]:
    """The _Fused spans of a diff of the units of old into new: runs, the base span of each, and the
    keys of old's units, which the runs count. Found as the semantic cleanup finds the equalities it
    removes: left to right, each fusion letting the equality before it be fused in turn."""
    stack: list[_KeptRun | _ChangedRun] = []
    counted: list[Counter] = []
    unit = 0
    for (op, n), (start, end) in zip(runs, spans):
        if op == EQUAL:
            stack.append(_KeptRun(n, start, end, unit))
            unit += n
            continue
        if op == DELETE:
            unit += n
        if not stack or isinstance(stack[-1], _KeptRun):
            stack.append(_ChangedRun(0, 0, start, end))
        block = stack[-1]
        if op == DELETE:
            block.deleted += n
        else:
            block.inserted += n
        block.end = end
        while len(stack) >= 3 and isinstance(stack[-2], _KeptRun) and isinstance(stack[-3], _ChangedRun):
            left, kept, right = stack[-3:]
            if kept.units > max(left.deleted, left.inserted) or kept.units > max(right.deleted, right.inserted):
                break
            if not counted:  # only now: the words of the whole of both texts
                counted += (Counter(_KEY.findall(old)), Counter(_KEY.findall(new)))
            if any(counted[0][key] == 1 == counted[1][key] for key in keys[kept.first : kept.first + kept.units] if key.strip()):
                break  # an anchor: these words are where they were
            stack[-3:] = [
                _ChangedRun(left.deleted + kept.units + right.deleted, left.inserted + kept.units + right.inserted,
                            left.start, right.end, [*left.kept, (kept.start, kept.end), *right.kept])
            ]  # fmt: skip
    return tuple(_Fused(run.start, run.end, tuple(run.kept)) for run in stack if isinstance(run, _ChangedRun) and run.kept)


def _trimmed(diff: Diff, old: str, new: str) -> Diff:
    """A normalized diff with each replacement trimmed of the tokens it leaves in place at either end."""
    trimmed: Diff = []
    i = j = 0  # where the current pair starts in old and in new
    for k, (op, text) in enumerate(diff):
        if op == INSERT and k and diff[k - 1][0] == DELETE:
            deleted = trimmed.pop()[1]
            tokens_old, tokens_new = _tokens(old, i - len(deleted), i), _tokens(new, j, j + len(text))
            shortest = min(len(tokens_old), len(tokens_new))
            first = 0
            while first < shortest and tokens_old[first] == tokens_new[first]:
                first += 1
            last = 0
            while last < shortest - first and tokens_old[-1 - last] == tokens_new[-1 - last]:
                last += 1
            trimmed += [
                (EQUAL, "".join(tokens_old[:first])),
                (DELETE, "".join(tokens_old[first : len(tokens_old) - last])),
                (INSERT, "".join(tokens_new[first : len(tokens_new) - last])),
                (EQUAL, "".join(tokens_new[len(tokens_new) - last :])),
            ]
        else:
            trimmed.append((op, text))
        i += len(text) if op <= 0 else 0
        j += len(text) if op >= 0 else 0
    return _normalized(trimmed)


class _Changes(NamedTuple):
    """The changes from a base to a text, as the merge takes them."""

    hunks: tuple[tuple[int, int, str], ...]  # (start, end, replacement) over base character offsets
    fused: tuple[_Fused, ...]


def _changes(base: str, text: str) -> _Changes:
    """The changes from base to text from `_merge_diff`, and its _Fused spans."""
    diff, fused = _merge_diff(base, text)
    hunks = []
    position = 0
    start, replacement = None, ""
    for op, part in diff:
        if op == EQUAL:
            if start is not None:
                hunks.append((start, position, replacement))
                start, replacement = None, ""
            position += len(part)
            continue
        if start is None:
            start = position
        if op == DELETE:
            position += len(part)
        else:
            replacement = part
    if start is not None:
        hunks.append((start, position, replacement))
    return _Changes(tuple(hunks), fused)


class DiffCache:
    """The merge's diffs of recent (base, text) pairs, for a caller that merges many texts onto one:
    rebasing every open amendment of an article diffs its base and the new head once, not once each."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[str, str], _Changes] = OrderedDict()

    def changes(self, base: str, text: str) -> _Changes:
        key = (base, text)
        if key in self._entries:
            self._entries.move_to_end(key)
            return self._entries[key]
        self._entries[key] = found = _changes(base, text)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return found
