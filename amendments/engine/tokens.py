"""Tokens of legal texts: words (legal numbers and elisions kept whole), whitespace runs, single
punctuation marks; and where a text may be cut without cutting a token. Shared by diff and merge."""

from __future__ import annotations

import re
from itertools import accumulate
from typing import TypeAlias

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

