"""Word diff, three-way merge, blame and redline data for legal texts: pure functions, no I/O.

Every function works on the same tokens (`tokenize`): words, runs of whitespace, single
punctuation characters. A diff is a list of `(op, text)` pairs, op -1 deleted, 0 kept, 1 inserted,
as diff-match-patch writes them, and no boundary between two pairs falls inside a token.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
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
_W = r"[\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
_TOKEN = re.compile(
    rf"{_W}+(?:[-\u2010\u2011]{_W}+|(?<=\d)[.,](?=\d){_W}+)*°?(?:['’](?={_W}))?"  # word, 131-26-1, 2,5, 1°, l'
    r"|[^\S\n]+"  # a run of whitespace (U+00A0 and U+202F included) within one line
    r"|\n"  # a line break is a token of its own: alinéas stay aligned
    r"|\S"  # any other character alone
)
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


def _diff_chars(a: str, b: str) -> list[tuple[int, int]]:
    """Exact (no time limit) diff of two strings with semantic cleanup, as (op, length) pairs."""
    if _fast is not None:
        raw = _fast.diff(a, b, timelimit=0, checklines=False, cleanup="Semantic", counts_only=True)
        return [(_FAST_OPS[op], n) for op, n in raw]
    dmp = _PurePythonDMP()
    dmp.Diff_Timeout = 0
    diffs = dmp.diff_main(a, b, False)
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


@functools.lru_cache(maxsize=16)  # rebasing many amendments diffs the same base and head each time
def _hunks(base: str, text: str) -> tuple[tuple[int, int, str], ...]:
    """The changes from base to text as (start, end, replacement) over base character offsets."""
    hunks = []
    position = 0
    start, replacement = None, ""
    for op, part in diff_words(base, text):
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
    return tuple(hunks)


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


def _conflicting(base: str, hunks: list[_Hunk]) -> list[list[_Hunk]]:
    """Groups of changes by different sides that touch the same words, in base order.

    Two ranges conflict when they overlap; an insertion conflicts with a change of the other side
    when nothing but whitespace lies between them. Both are judged over every place the diff
    could have put the change (`_reach`), so the verdict does not hang on an arbitrary choice.
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
    groups: dict[int, list[_Hunk]] = {}
    for i, hunk in enumerate(hunks):
        groups.setdefault(root(i), []).append(hunk)
    return [group for group in groups.values() if len(group) > 1]


def merge3(base: str, ours: str, theirs: str) -> MergeResult:
    """Word-level three-way merge of two texts derived from base; changes that touch conflict.

    Changes to different words merge; the same change made on both sides is taken once. Changes
    that overlap, and an insertion by one side inside or next to a change by the other (nothing but
    whitespace between), conflict: a change is never placed where it might not belong.
    """
    mine, others = _hunks(base, ours), _hunks(base, theirs)
    shared = set(mine) & set(others)
    hunks = sorted(
        [_Hunk(*h, 2) for h in shared]
        + [_Hunk(*h, 0) for h in mine if h not in shared]
        + [_Hunk(*h, 1) for h in others if h not in shared]
    )
    groups = _conflicting(base, hunks)
    if not groups:
        return MergeResult(_apply(base, 0, len(base), hunks))
    offsets = list(accumulate(map(len, tokenize(base)), initial=0))
    conflicts = []
    for group in groups:
        start, end = min(h.start for h in group), max(h.end for h in group)
        conflicts.append(
            Conflict(
                start=bisect_right(offsets, start) - 1,
                end=bisect_right(offsets, end) - 1,
                char_start=start,
                char_end=end,
                base=base[start:end],
                ours=_apply(base, start, end, [h for h in group if h.side == 0]),
                theirs=_apply(base, start, end, [h for h in group if h.side == 1]),
            )
        )
    return MergeResult(None, tuple(conflicts))


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
