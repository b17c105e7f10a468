"""Formal wording (CONTRACT §8): an amendment written as a parliament files it, and the inverse.

`wording(base, text, language)` writes the changes from base to text (`changes.plan`) as the
Assemblée nationale (French; English bills too) or a Bundestag Änderungsantrag (German) writes
them; `apply_wording(base, wording, language)` reads those instructions and applies them, so that
`apply_wording(base, wording(base, text)) == text` exactly. Passages are verbatim and occur once in
their alinéa as it stands when the instruction is applied; numbers refer to the base's alinéas.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate

from amendments.engine.alineas import Amending, AmendingError, unique_position
from amendments.engine.changes import (
    DELETE, DELETE_ARTICLE, INSERT, REWRITE, REWRITE_ARTICLE, WORDS, Change, apply_change, plan,
)  # fmt: skip
from amendments.engine.tokens import tokenize

LANGUAGES = ("fr", "de", "en")

_FORMS = {
    "fr": {
        "delete_article": "Supprimer cet article.",
        "rewrite_article": "Rédiger ainsi cet article :\n« {text} »",
        "insert_article": "Après l'article {N}, insérer un article additionnel ainsi rédigé :\n« {text} »",
        "insert_article_first": "Avant l'article {N}, insérer un article additionnel ainsi rédigé :\n« {text} »",
        "delete": "Supprimer l'alinéa {n}.",
        "insert": "Après l'alinéa {n}, insérer l'alinéa suivant :\n« {text} »",
        "insert_first": "Avant l'alinéa 1, insérer l'alinéa suivant :\n« {text} »",
        "rewrite": "Rédiger ainsi l'alinéa {n} :\n« {text} »",
        "substitute": "À l'alinéa {n}, substituer aux mots : « {old} » les mots : « {new} ».",
        "strike": "À l'alinéa {n}, supprimer les mots : « {old} ».",
        "insert_words": "À l'alinéa {n}, après les mots : « {before} », insérer les mots : « {new} ».",
    },
    "de": {
        "delete_article": "Der Artikel wird aufgehoben.",
        "rewrite_article": "Der Artikel wird wie folgt gefasst:\n„{text}“",
        "insert_article": "Nach § {N} wird folgender § eingefügt:\n„{text}“",
        "insert_article_first": "Vor § {N} wird folgender § eingefügt:\n„{text}“",
        "delete": "Absatz {n} wird aufgehoben.",
        "insert": "Nach Absatz {n} wird folgender Absatz eingefügt:\n„{text}“",
        "insert_first": "Vor Absatz 1 wird folgender Absatz eingefügt:\n„{text}“",
        "rewrite": "Absatz {n} wird wie folgt gefasst:\n„{text}“",
        "substitute": "In Absatz {n} werden die Wörter „{old}“ durch die Wörter „{new}“ ersetzt.",
        "strike": "In Absatz {n} werden die Wörter „{old}“ gestrichen.",
        "insert_words": "In Absatz {n} werden nach den Wörtern „{before}“ die Wörter „{new}“ eingefügt.",
    },
}
_HOLE = re.compile(r"\{(text|old|new|before)\}")
_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]  # fmt: skip


class WordingError(AmendingError):
    """A wording that cannot be read, or an instruction of it that does not apply to the text."""


def _forms(language: str) -> dict[str, str]:
    if language not in LANGUAGES:
        raise ValueError(f"no formal wording in {language!r}: one of {', '.join(LANGUAGES)}")
    return _FORMS["de" if language == "de" else "fr"]


def roman(number: int) -> str:
    """I, II, III, IV…: the numbers of the instructions of a wording."""
    digits = []
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        digits.append(letters * count)
    return "".join(digits)


def numbered(instructions: list[str]) -> str:
    """The instructions one per line, numbered `I. – `, `II. – `… when there are several."""
    if len(instructions) == 1:
        return instructions[0]
    return "\n".join(f"{roman(k)}. – {instruction}" for k, instruction in enumerate(instructions, 1))


# --- writing -----------------------------------------------------------------------------------


def wording(base: str, text: str, language: str = "fr") -> str:
    """The formal wording of the changes from base to text ("" when there is none).

    Instructions that would not read back to the text (a passage that is itself a piece of the
    wording's syntax) give way to the whole article rewritten, which always does.
    """
    forms = _forms(language)
    changes = plan(base, text)
    if not changes:
        return ""
    written = numbered(instructions(base, changes, language))
    try:
        if apply_wording(base, written, language) == text:
            return written
    except WordingError:
        pass
    return forms["delete_article"] if not text else forms["rewrite_article"].format(text=text)


def instructions(base: str, changes: list[Change], language: str = "fr") -> list[str]:
    """One unnumbered instruction for each change, each written for the text as the changes before
    it left it."""
    forms = _forms(language)
    amending = Amending(base)
    written = []
    for change in changes:
        written.append(_instruction(amending, change, forms))
        apply_change(amending, change)
    return written


def _instruction(amending: Amending, change: Change, forms: dict[str, str]) -> str:
    if change.kind == DELETE_ARTICLE:
        return forms["delete_article"]
    if change.kind == REWRITE_ARTICLE:
        return forms["rewrite_article"].format(text=change.text)
    if change.kind == DELETE:
        return forms["delete"].format(n=change.number)
    if change.kind == REWRITE:
        return forms["rewrite"].format(n=change.number, text=change.text)
    if change.kind == INSERT:
        if change.number == 0:
            return forms["insert_first"].format(text=change.text)
        return forms["insert"].format(n=change.number, text=change.text)
    assert change.kind == WORDS
    current = amending.alinea(change.number)
    start = amending.position(change.number, change.start)
    kind, fields = _passages(current, start, start + change.end - change.start, change.text)
    return forms[kind].format(n=change.number, **fields)


def _passages(text: str, start: int, end: int, new: str) -> tuple[str, dict[str, str]]:
    """The form and passages that replace text[start:end] by new in an alinéa: the passages widened
    word by word until each occurs once in the alinéa."""
    cuts = sorted(set(accumulate(map(len, tokenize(text)), initial=0)) | {start, end})

    def left(k: int) -> int:
        return max((c for c in cuts if c < k), default=0)

    def right(k: int) -> int:
        return min((c for c in cuts if c > k), default=len(text))

    if start == end and start > 0:  # an insertion: after the words before it
        space = len(new) - len(new.rstrip())
        if space and text[start - space : start] == new[len(new) - space :]:  # "a |b " → "a| b": the space once
            start = end = start - space
            new = new[len(new) - space :] + new[: len(new) - space]
            cuts = sorted(set(cuts) | {start})
        low = left(start)
        while low > 0 and (not text[low:start].strip() or unique_position(text, text[low:start]) is None):
            low = left(low)
        if text[low:start].strip() and unique_position(text, text[low:start]) is not None:
            return "insert_words", {"before": text[low:start], "new": new}
    if not new and unique_position(text, text[start:end]) is not None:
        return "strike", {"old": text[start:end]}
    low, high = start, end
    while (low == high or unique_position(text, text[low:high]) is None) and (low > 0 or high < len(text)):
        if high < len(text):
            high = right(high)
            if unique_position(text, text[low:high]) is not None:
                break
        if low > 0:
            low = left(low)
    if text[low:high][:1].isspace() and low > 0:  # whole words at both ends
        low = left(low)
    if text[low:high][-1:].isspace() and high < len(text):
        high = right(high)
    return "substitute", {"old": text[low:high], "new": text[low:start] + new + text[end:high]}


def article_wording(kind: str, language: str = "fr", text: str = "", *,
                    after: str | None = None, before: str | None = None) -> str:
    """The wording of a change to a whole article: kind "delete", "rewrite" (to text), or "insert"
    (a new article, text, placed after article `after`, or before article `before` when it goes first)."""
    forms = _forms(language)
    if kind == "delete":
        return forms["delete_article"]
    if kind == "rewrite":
        return forms["rewrite_article"].format(text=text)
    if kind != "insert":
        raise ValueError(f"no article wording of kind {kind!r}: delete, rewrite or insert")
    if (after is None) == (before is None):
        raise ValueError("an inserted article goes after one article or before one, not both")
    number = (after if after is not None else before).strip()
    if language == "de":
        number = number.removeprefix("§").strip()
    form = forms["insert_article"] if after is not None else forms["insert_article_first"]
    return form.format(N=number, text=text)


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Instruction:
    """One instruction read from a wording: its form, the alinéa or article number, its passages."""

    form: str
    number: str
    passages: dict[str, str]


def _literal(literal: str) -> str:
    """A regular expression for a literal part of a form: spaces inside « » and before : plain or
    no-break, apostrophes ASCII or typographic."""
    pieces, i = [], 0
    rules = [("{n}", r"(\d+)"), ("{N}", r"([^\n]+?)"), ("« ", "«[ \u00a0]"), (" »", "[ \u00a0]»"),
             (" :", "[ \u00a0]:"), ("'", "['’]")]  # fmt: skip
    while i < len(literal):
        for plain, pattern in rules:
            if literal.startswith(plain, i):
                pieces.append(pattern)
                i += len(plain)
                break
        else:
            pieces.append(re.escape(literal[i]))
            i += 1
    return "".join(pieces)


def _compiled(language: str) -> list[tuple[str, list[re.Pattern], list[str]]]:
    """Each form as (name, the regular expressions of its literal parts, the names of its holes)."""
    compiled = []
    for name, form in _forms(language).items():
        parts = _HOLE.split(form)
        compiled.append((name, [re.compile(_literal(p)) for p in parts[::2]], parts[1::2]))
    return compiled


_COMPILED = {language: _compiled(language) for language in LANGUAGES}


def _readings(wording: str, at: int, literals: list[re.Pattern], holes: list[str],
              stop: str | None) -> Iterator[tuple[str, dict[str, str], int]]:
    """Every way the form matches from `at`: (number, passages, end), shortest passages first, no
    passage running into `stop` (where the next instruction starts)."""
    head = literals[0].match(wording, at)
    if not head:
        return
    number = head.group(1) if head.groups() else ""
    limit = wording.find(stop, head.end()) if stop else -1
    limit = len(wording) if limit < 0 else limit + len(stop)

    def fill(k: int, start: int, passages: dict[str, str]) -> Iterator[tuple[dict[str, str], int]]:
        if k == len(holes):
            yield passages, start
            return
        search = start
        while (found := literals[k + 1].search(wording, search)) is not None and found.start() < limit:
            yield from fill(k + 1, found.end(), {**passages, holes[k]: wording[start : found.start()]})
            search = found.start() + 1

    for passages, end in fill(0, head.end(), {}):
        yield number, passages, end


def parse_wording(wording: str, language: str = "fr") -> list[Instruction]:
    """The instructions of a wording, in order; a WordingError when it cannot be read."""
    _forms(language)
    forms = _COMPILED["de" if language == "de" else "fr"]
    several = wording.startswith("I. – ")

    def candidates(at: int, index: int) -> Iterator[tuple[Instruction, int]]:
        if several:
            label = f"{roman(index)}. – "
            if not wording.startswith(label, at):
                return
            at += len(label)
        stop = f"\n{roman(index + 1)}. – " if several else None
        for name, literals, holes in forms:
            for number, passages, end in _readings(wording, at, literals, holes, stop):
                yield Instruction(name, number, passages), end

    found: list[Instruction] = []
    pending = [candidates(0, 1)]
    while pending:
        reading = next(pending[-1], None)
        if reading is None:
            pending.pop()
            if found:
                found.pop()
            continue
        instruction, end = reading
        if end == len(wording):
            return [*found, instruction]
        if several and wording.startswith("\n", end):
            found.append(instruction)
            pending.append(candidates(end + 1, len(found) + 1))
    first = wording.split("\n", 1)[0][:80]
    raise WordingError(f"not a wording in the forms of CONTRACT §8 ({language}): {first!r}")


def apply_wording(base: str, wording: str, language: str = "fr") -> str:
    """The base with the wording's instructions applied in order; a WordingError naming the
    instruction that does not apply (a passage that does not occur once, an alinéa that is not there)."""
    if not wording:
        return base
    amending = Amending(base)
    read = parse_wording(wording, language)
    for k, instruction in enumerate(read, 1):
        try:
            _apply(amending, instruction)
        except AmendingError as error:
            label = f"instruction {roman(k)}: " if len(read) > 1 else ""
            raise WordingError(f"{label}{error}") from None
    return amending.text()


def _apply(amending: Amending, instruction: Instruction) -> None:
    form, passages = instruction.form, instruction.passages
    number = int(instruction.number) if instruction.number.isdecimal() else 0
    if form == "delete_article":
        amending.rewrite_article("")
    elif form == "rewrite_article":
        amending.rewrite_article(passages["text"])
    elif form in ("insert_article", "insert_article_first"):
        if amending.base:
            raise AmendingError("a new article is inserted into no text: its base must be empty")
        amending.rewrite_article(passages["text"])
    elif form == "delete":
        amending.delete(number)
    elif form == "insert":
        amending.insert(number, passages["text"])
    elif form == "insert_first":
        amending.insert(0, passages["text"])
    elif form == "rewrite":
        amending.rewrite(number, passages["text"])
    elif form == "substitute":
        amending.replace_words(number, passages["old"], passages["new"])
    elif form == "strike":
        amending.replace_words(number, passages["old"], "")
    else:
        amending.replace_words(number, passages["before"], passages["new"], keep=True)
