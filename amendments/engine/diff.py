"""Word diff: exact, deterministic, cleaned up for people to read.

A diff is a list of `(op, text)` pairs, op -1 deleted, 0 kept, 1 inserted, as diff-match-patch
writes them, and no boundary between two pairs falls inside a token (`tokenize`).
"""

from __future__ import annotations

from collections.abc import Iterable

try:  # the C++ build; the pure-Python library gives the same diffs, slower
    import fast_diff_match_patch as _fast
except ImportError:  # pragma: no cover - exercised only where the wheel is missing
    _fast = None
if getattr(_fast, "CHAR_WIDTH", 4) < 4:  # pragma: no cover - UTF-16 builds split our code points
    _fast = None
from diff_match_patch import diff_match_patch as _PurePythonDMP

from amendments.engine.tokens import DELETE, EQUAL, INSERT, Diff, Part, _Codebook, _shared_ends, _tokens

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
