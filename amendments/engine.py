"""Word diff, three-way merge, blame and redline data for legal texts: pure functions, no I/O.

Every function works on the same tokens (`tokenize`): words, runs of whitespace, single
punctuation characters. A diff is a list of `(op, text)` pairs, op -1 deleted, 0 kept, 1 inserted,
as diff-match-patch writes them, and no boundary between two pairs falls inside a token.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, zip_longest
from typing import NamedTuple, TypeAlias

try:  # the C++ build; the pure-Python library gives the same diffs, slower
    import fast_diff_match_patch as _fast
except ImportError:  # pragma: no cover - exercised only where the wheel is missing
    _fast = None
if getattr(_fast, "CHAR_WIDTH", 4) < 4:  # pragma: no cover - UTF-16 builds split our code points
    _fast = None
from diff_match_patch import diff_match_patch as _PurePythonDMP

__all__ = [
    "DELETE", "EQUAL", "INSERT", "Part", "Diff", "tokenize", "diff_words", "old_text", "new_text",
    "Conflict", "MergeResult", "merge3", "Segment", "blame",
    "Changed", "Unchanged", "Folded", "Block", "redline_blocks", "Row", "side_by_side",
]  # fmt: skip

DELETE, EQUAL, INSERT = -1, 0, 1

Part: TypeAlias = tuple[int, str]
Diff: TypeAlias = list[Part]

# A word character: any Unicode letter or digit (\w), plus the combining diacritics that decomposed
# (NFD) text puts after a letter.
_WORD_CHARACTERS = r"\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_W = rf"[{_WORD_CHARACTERS}]"
_TOKEN = re.compile(
    rf"{_W}+(?:[-\u2010\u2011]{_W}+|(?<=\d)[.,](?=\d){_W}+)*°?(?:['’](?={_W}))?"  # word, 131-26-1, 2,5, 1°, l'
    r"|[^\S\n]+"  # a run of whitespace (U+00A0 and U+202F included) within one line
    r"|\n"  # a line break is a token of its own: alinéas stay aligned
    r"|\S"  # any other character alone
)
# What the merge diff aligns (`_merge_diff`): words as _TOKEN cuts them, but for an elision kept with
# the word after it ("l'État"), and line breaks.
_KEY = re.compile(rf"({_W}+(?:[-\u2010\u2011'’]{_W}+|(?<=\d)[.,](?=\d){_W}+)*°?|\n)")
# Where a text may be cut without changing its tokens: after a line break, or between a
# non-space character and the whitespace that follows it.
_CUT = re.compile(r"\n|\S(?=\s)")
_LAST_CUT = re.compile(r".*(?:\n|\S(?=\s))", re.DOTALL)
_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_WORD_CHAR = re.compile(_W)
_JOINERS = frozenset("-\u2010\u2011.,°'’")  # what may continue a word: 123-4, 2,5, 1°, l'État


def tokenize(text: str) -> list[str]:
    """Split text into words, whitespace runs and single punctuation marks; they join back to text."""
    return _TOKEN.findall(text)


# --- word diff ---------------------------------------------------------------------------------


class _Codebook(dict):
    """Gives each distinct token one character, so that a diff of characters is a diff of tokens."""

    def __init__(self) -> None:
        super().__init__({"\n": "\n", " ": " "})  # lets the semantic cleanup see lines and spaces
        self._next = 0x100

    def __missing__(self, token: str) -> str:
        code = self._next
        if code == 0xD800:  # surrogates are not characters
            code = 0xE000
        if code > 0x10FFFF:
            raise ValueError("text too large for a word diff: more than 1.1 million distinct words")
        self._next = code + 1
        self[token] = char = chr(code)
        return char


_FAST_OPS = {"=": EQUAL, "-": DELETE, "+": INSERT}


def _diff_chars(a: str, b: str, semantic: bool = True) -> list[tuple[int, int]]:
    """Exact (no time limit) diff of two strings, as (op, length) pairs.

    semantic: with the semantic cleanup, which fuses nearby changes for people to read; without it,
    the minimal diff (only merged and shifted by diff-match-patch's cleanupMerge).
    """
    if _fast is not None:
        cleanup = "Semantic" if semantic else "No"
        raw = _fast.diff(a, b, timelimit=0, checklines=False, cleanup=cleanup, counts_only=True)
        return [(_FAST_OPS[op], n) for op, n in raw]
    dmp = _PurePythonDMP()
    dmp.Diff_Timeout = 0
    diffs = dmp.diff_main(a, b, False)
    if semantic:
        dmp.diff_cleanupSemantic(diffs)
    return [(op, len(text)) for op, text in diffs]


def _common_prefix(a: str, b: str) -> int:
    """Length of the common head, by binary search on slices (compared in C, each part once)."""
    if not a or not b or a[0] != b[0]:
        return 0
    low, high, start = 0, min(len(a), len(b)), 0
    middle = high
    while low < middle:
        if a[start:middle] == b[start:middle]:
            low = start = middle
        else:
            high = middle
        middle = (high - low) // 2 + low
    return middle


def _common_suffix(a: str, b: str, limit: int) -> int:
    """Length of the common tail, at most limit, like _common_prefix."""
    if limit <= 0 or a[-1] != b[-1]:
        return 0
    low, high, end = 0, limit, 0
    middle = high
    while low < middle:
        if a[len(a) - middle : len(a) - end] == b[len(b) - middle : len(b) - end]:
            low = end = middle
        else:
            high = middle
        middle = (high - low) // 2 + low
    return middle


def _ends_token(text: str, k: int) -> bool:
    """Whether a token of text ends at offset k, read from the text up to two characters past k."""
    if k <= 0 or k >= len(text):
        return True
    before, after = text[k - 1], text[k]
    if before.isspace() or after.isspace():
        return not (before.isspace() and after.isspace()) or "\n" in (before, after)
    if _WORD_CHAR.match(before) and _WORD_CHAR.match(after):
        return False
    if before not in _JOINERS and after not in _JOINERS or after in ".," and not before.isdecimal():
        return True
    # No token continues on more than two characters of lookahead (123-4, 2,5, l'État), so the
    # tokens from a sure cut up to k + 2 end where those of the whole text do, up to k.
    match = _LAST_CUT.match(text, 0, k)
    start = match.end() if match else 0
    return k in accumulate(map(len, _TOKEN.findall(text, start, k + 2)), initial=start)


def _tokens(text: str, start: int, end: int) -> list[str]:
    """The tokens of text[start:end] as the whole text has them (start and end are token boundaries)."""
    stop = min(len(text), end + 2)
    tokens = _TOKEN.findall(text, start, stop)
    extra = stop - end
    while extra > 0:
        extra -= len(tokens.pop())
    return tokens


def _shared_ends(a: str, b: str) -> tuple[int, int]:
    """Lengths of a common head and tail that end and start on token boundaries of both texts."""
    head = _common_prefix(a, b)
    if not (_ends_token(a, head) and _ends_token(b, head)):
        match = _LAST_CUT.match(a, 0, head)  # endpos hides what differs after head
        head = match.end() if match else 0
    tail = _common_suffix(a, b, min(len(a), len(b)) - head)
    if not (_ends_token(a, len(a) - tail) and _ends_token(b, len(b) - tail)):
        match = _CUT.search(a, len(a) - tail) if tail else None
        tail = len(a) - match.end() if match else 0
    return head, tail


def _token_diff(a: str, a_start: int, a_end: int, b: str, b_start: int, b_end: int) -> Diff:
    """The middle of diff_words: tokenize, encode one character per token, diff, decode."""
    if a_start == a_end or b_start == b_end:
        return [(DELETE, a[a_start:a_end]), (INSERT, b[b_start:b_end])]
    tokens_a, tokens_b = _tokens(a, a_start, a_end), _tokens(b, b_start, b_end)
    encode = _Codebook().__getitem__
    coded_a, coded_b = "".join(map(encode, tokens_a)), "".join(map(encode, tokens_b))
    diff: Diff = []
    i = j = 0
    for op, n in _diff_chars(coded_a, coded_b):
        if op == INSERT:
            diff.append((INSERT, "".join(tokens_b[j : j + n])))
            j += n
        else:
            diff.append((op, "".join(tokens_a[i : i + n])))
            i += n
            if op == EQUAL:
                j += n
    return diff


def _normalized(parts: Iterable[Part]) -> Diff:
    """Drops empty pairs; between two kept runs, all deletions first, then all insertions."""
    diff: Diff = []
    deleted: list[str] = []
    inserted: list[str] = []
    for op, text in parts:
        if not text:
            continue
        if op == DELETE:
            deleted.append(text)
        elif op == INSERT:
            inserted.append(text)
        else:
            if deleted:
                diff.append((DELETE, "".join(deleted)))
                deleted = []
            if inserted:
                diff.append((INSERT, "".join(inserted)))
                inserted = []
            if diff and diff[-1][0] == EQUAL:
                diff[-1] = (EQUAL, diff[-1][1] + text)
            else:
                diff.append((EQUAL, text))
    if deleted:
        diff.append((DELETE, "".join(deleted)))
    if inserted:
        diff.append((INSERT, "".join(inserted)))
    return diff


def diff_words(old: str, new: str) -> Diff:
    """Word-level diff of old into new: exact, deterministic, cleaned up for people to read."""
    if old == new:
        return [(EQUAL, old)] if old else []
    head, tail = _shared_ends(old, new)
    middle = _token_diff(old, head, len(old) - tail, new, head, len(new) - tail)
    return _normalized([(EQUAL, old[:head]), *middle, (EQUAL, old[len(old) - tail :])])


def old_text(diff: Iterable[Part]) -> str:
    """The text a diff starts from."""
    return "".join(text for op, text in diff if op <= 0)


def new_text(diff: Iterable[Part]) -> str:
    """The text a diff leads to."""
    return "".join(text for op, text in diff if op >= 0)


# --- three-way merge ---------------------------------------------------------------------------


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


def _fused(
    runs: list[tuple[int, int]], spans: list[tuple[int, int]], keys: list[str], old: str, new: str
) -> tuple[_Fused, ...]:
    """The _Fused spans of a diff of the units of old into new: runs, the base span of each, and the
    keys of old's units, which the runs count. Found as the semantic cleanup finds the equalities it
    removes: left to right, each fusion letting the equality before it be fused in turn."""
    stack: list[list] = []  # ["=", units, start, end, first unit] or ["±", deleted, inserted, start, end, kept]
    counted: list[Counter] = []
    unit = 0
    for (op, n), (start, end) in zip(runs, spans):
        if op == EQUAL:
            stack.append(["=", n, start, end, unit])
            unit += n
            continue
        if op == DELETE:
            unit += n
        if not stack or stack[-1][0] == "=":
            stack.append(["±", 0, 0, start, end, []])
        block = stack[-1]
        block[1 if op == DELETE else 2] += n
        block[4] = end
        while len(stack) >= 3 and stack[-2][0] == "=" and stack[-3][0] == "±":
            left, (_, size, kept_start, kept_end, first), right = stack[-3:]
            if size > max(left[1], left[2]) or size > max(right[1], right[2]):
                break
            if not counted:  # only now: the words of the whole of both texts
                counted += (Counter(_KEY.findall(old)), Counter(_KEY.findall(new)))
            if any(counted[0][key] == 1 == counted[1][key] for key in keys[first : first + size] if key.strip()):
                break  # an anchor: these words are where they were
            stack[-3:] = [
                ["±", left[1] + size + right[1], left[2] + size + right[2], left[3], right[4],
                 left[5] + [(kept_start, kept_end)] + right[5]]
            ]  # fmt: skip
    return tuple(_Fused(block[3], block[4], tuple(block[5])) for block in stack if block[0] == "±" and block[5])


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


@functools.lru_cache(maxsize=16)  # rebasing many amendments diffs the same base and head each time
def _hunks(base: str, text: str) -> tuple[tuple[tuple[int, int, str], ...], tuple[_Fused, ...]]:
    """The changes from base to text as (start, end, replacement) over base character offsets, from
    `_merge_diff`, and its _Fused spans."""
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
    return tuple(hunks), fused


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


def merge3(base: str, ours: str, theirs: str) -> MergeResult:
    """Word-level three-way merge of two texts derived from base; changes that touch conflict.

    Changes to different words merge; the same change made on both sides is taken once, however
    each side's diff cut it. Changes that overlap, and an insertion by one side inside or next to a
    change by the other (nothing but whitespace between), conflict unless both sides leave the same
    text there; so does a change among words the other side may have kept only by chance between
    two of its changes (`_merge_diff`). A change is never placed where it might not belong.
    """
    (mine, mine_fused), (others, others_fused) = _hunks(base, ours), _hunks(base, theirs)
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


# --- blame -------------------------------------------------------------------------------------


class Segment(NamedTuple):
    """A stretch of the last text and the label of the version whose change wrote it."""

    text: str
    label: Hashable


def blame(versions: Sequence[tuple[str | None, Hashable]]) -> list[Segment]:
    """Label each stretch of the last text with the version that wrote it, oldest version first.

    A None text (the article deleted in that version) counts as "": whatever comes back later is
    labelled with the version that brought it back. Adjacent stretches with one label are merged.
    """
    runs: list[list] = []  # [length, label] covering the previous text in order
    previous = ""
    for text, label in versions:
        text = text or ""
        new_runs: list[list] = []
        old = iter(runs)
        length, old_label = 0, None
        for op, part in diff_words(previous, text):
            need = len(part)
            if op == INSERT:
                _extend(new_runs, need, label)
                continue
            while need:
                if not length:
                    length, old_label = next(old)
                taken = min(length, need)
                if op == EQUAL:
                    _extend(new_runs, taken, old_label)
                length -= taken
                need -= taken
        runs, previous = new_runs, text
    segments, position = [], 0
    for length, label in runs:
        segments.append(Segment(previous[position : position + length], label))
        position += length
    return segments


def _extend(runs: list[list], length: int, label: Hashable) -> None:
    if runs and runs[-1][1] == label:
        runs[-1][0] += length
    else:
        runs.append([length, label])


# --- redline data ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Changed:
    """An alinéa with a change: its diff pairs, the line break included in whichever pair ends it."""

    parts: tuple[Part, ...]


@dataclass(frozen=True, slots=True)
class Unchanged:
    """An unchanged alinéa shown as context around a change (line break included)."""

    text: str


@dataclass(frozen=True, slots=True)
class Folded:
    """A run of `count` unchanged alinéas left out of the redline; `text` lets a reader unfold it."""

    count: int
    text: str


Block: TypeAlias = Changed | Unchanged | Folded


def _alineas(diff: Iterable[Part]) -> Iterator[list[Part]]:
    """Cuts a diff after every line break of either text: one list of pairs per displayed alinéa."""
    line: list[Part] = []
    for op, text in diff:
        start = 0
        while (newline := text.find("\n", start)) >= 0:
            line.append((op, text[start : newline + 1]))
            yield line
            line, start = [], newline + 1
        if start < len(text):
            line.append((op, text[start:]))
    if line:
        yield line


def redline_blocks(diff: Iterable[Part], context: int = 1) -> list[Block]:
    """The alinéas of a diff for a redline: changed ones, `context` unchanged ones around each, the rest folded.

    A run of a single unchanged alinéa beyond the context is shown as Unchanged rather than folded,
    since the fold marker would take as much room as the alinéa.
    """
    lines = list(_alineas(diff))
    changed = [any(op != EQUAL for op, _ in line) for line in lines]
    near = [False] * len(lines)
    for index, is_changed in enumerate(changed):
        if is_changed:
            for other in range(max(0, index - context), min(len(lines), index + context + 1)):
                near[other] = True
    blocks: list[Block] = []
    hidden: list[str] = []

    def fold() -> None:
        if len(hidden) == 1:
            blocks.append(Unchanged(hidden[0]))
        elif hidden:
            blocks.append(Folded(len(hidden), "".join(hidden)))
        hidden.clear()

    for line, is_changed, is_near in zip(lines, changed, near):
        if is_changed:
            fold()
            blocks.append(Changed(tuple(line)))
        elif is_near:
            fold()
            blocks.append(Unchanged("".join(text for _, text in line)))
        else:
            hidden.append("".join(text for _, text in line))
    fold()
    return blocks


class Row(NamedTuple):
    """One row of a side-by-side view: the old alinéa's pairs (ops 0, -1) and the new one's (0, 1).

    A side is None where the other side has an alinéa with no counterpart.
    """

    old: tuple[Part, ...] | None
    new: tuple[Part, ...] | None


def side_by_side(diff: Iterable[Part]) -> list[Row]:
    """The alinéas of old and new text, paired so that alinéas ending in the same kept text share a row."""
    rows: list[Row] = []
    old_lines: list[tuple[Part, ...]] = []
    new_lines: list[tuple[Part, ...]] = []
    old_line: list[Part] = []
    new_line: list[Part] = []

    def pair(aligned_last: bool) -> None:
        if aligned_last and old_lines and new_lines:
            rows.extend(Row(*r) for r in zip_longest(old_lines[:-1], new_lines[:-1]))
            rows.append(Row(old_lines[-1], new_lines[-1]))
        else:
            rows.extend(Row(*r) for r in zip_longest(old_lines, new_lines))
        old_lines.clear()
        new_lines.clear()

    for op, text in diff:
        for piece in _LINE.findall(text):
            if op <= 0:
                old_line.append((op, piece))
            if op >= 0:
                new_line.append((op, piece))
            if not piece.endswith("\n"):
                continue
            if op <= 0:
                old_lines.append(tuple(old_line))
                old_line = []
            if op >= 0:
                new_lines.append(tuple(new_line))
                new_line = []
            if op == EQUAL:
                pair(aligned_last=True)
    both_open = bool(old_line and new_line)
    if old_line:
        old_lines.append(tuple(old_line))
    if new_line:
        new_lines.append(tuple(new_line))
    pair(aligned_last=both_open)
    return rows
