"""Alinéas (Absätze) of an article text, as CONTRACT §8 numbers them, and a text being amended alinéa
by alinéa: the model that formal wordings (`wording`) and partial merges (`hunks`) apply to.

The text is split at line breaks; a line that is empty or only white space is blank. When the text
(leading and trailing line breaks aside) has a blank line, an alinéa is a maximal run of non-blank
lines; otherwise each non-blank line is one. They are numbered from 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Alinea:
    """One alinéa: its number and where its text lies, text[start:end] (no line break at either end)."""

    number: int
    start: int
    end: int
    text: str


def has_blank_lines(text: str) -> bool:
    """Whether the text's alinéas are runs of lines separated by blank lines (else one per line)."""
    return any(not line.strip() for line in text.strip("\n").split("\n")) if text.strip("\n") else False


def alineas(text: str, blank_lines: bool | None = None) -> list[Alinea]:
    """The numbered alinéas of text (blank_lines: split as a text with blank lines, or not, rather than
    as this text's own lines say)."""
    if blank_lines is None:
        blank_lines = has_blank_lines(text)
    found: list[Alinea] = []
    start = end = None  # the open run of non-blank lines
    position = 0
    for line in text.split("\n"):
        if line.strip():
            if start is None or not blank_lines:
                if start is not None:
                    found.append(Alinea(len(found) + 1, start, end, text[start:end]))
                start = position
            end = position + len(line)
        elif start is not None:
            found.append(Alinea(len(found) + 1, start, end, text[start:end]))
            start = None
        position += len(line) + 1
    if start is not None:
        found.append(Alinea(len(found) + 1, start, end, text[start:end]))
    return found


def joiner(text: str) -> str:
    """What joins an inserted alinéa to its neighbour: a blank line in a text that has them."""
    return "\n\n" if has_blank_lines(text) else "\n"


class AmendingError(ValueError):
    """An instruction that does not apply to the text as it stands."""


@dataclass(slots=True)
class _Slot:
    number: int | None  # the alinéa's number in the base text; None for an inserted alinéa
    text: str
    after: str  # the separator that follows it ("" for the last one)
    live: bool = True
    shift: int = 0  # how far offsets of the base alinéa have moved by the changes made in it


@dataclass(slots=True)
class Amending:
    """A base text being amended; alinéas keep their base numbers whatever is done to the others.

    A deleted alinéa takes the separator that follows it (the one before it when it is the last); an
    inserted one is joined with the base's joiner (`joiner`) after the alinéa it follows and after
    the alinéas inserted there before it; leading and trailing line breaks stay as they are.
    """

    base: str
    prefix: str = ""
    suffix: str = ""
    slots: list[_Slot] = field(default_factory=list)
    whole: str | None = None  # the whole text, once an instruction replaced it
    parsed: bool = False  # slots, prefix and suffix given: the base is not split again

    def __post_init__(self) -> None:
        if self.parsed:
            return
        self.parsed = True
        found = alineas(self.base)
        if not found:
            self.prefix = self.base
            return
        self.prefix, self.suffix = self.base[: found[0].start], self.base[found[-1].end :]
        for alinea, following in zip(found, [*found[1:], None]):
            after = self.base[alinea.end : following.start] if following else ""
            self.slots.append(_Slot(alinea.number, alinea.text, after))

    def copy(self) -> Amending:
        """Another text being amended from where this one stands."""
        return Amending(self.base, self.prefix, self.suffix, [_Slot(s.number, s.text, s.after, s.live, s.shift) for s in self.slots],
                        self.whole, parsed=True)

    @property
    def count(self) -> int:
        """How many alinéas the base has."""
        return sum(1 for slot in self.slots if slot.number is not None)

    def text(self) -> str:
        """The text as it stands."""
        if self.whole is not None:
            return self.whole
        return self.prefix + "".join(s.text + s.after for s in self.slots if s.live) + self.suffix

    def text_before(self, number: int) -> str:
        """The text as it stands up to base alinéa `number` (which must not be deleted)."""
        pieces = [self.prefix]
        for slot in self.slots:
            if slot.number == number:
                return "".join(pieces)
            if slot.live:
                pieces += (slot.text, slot.after)
        raise AmendingError(f"there is no alinéa {number}")

    def alinea(self, number: int) -> str:
        """The text of base alinéa `number` as it stands."""
        return self._slot(number).text

    def position(self, number: int, offset: int) -> int:
        """Where an offset of base alinéa `number` (past the changes made before it) now is."""
        return offset + self._slot(number).shift

    def _slot(self, number: int) -> _Slot:
        if self.whole is not None:
            raise AmendingError("the article has been rewritten as a whole")
        for slot in self.slots:
            if slot.number == number:
                if not slot.live:
                    raise AmendingError(f"alinéa {number} has been deleted")
                return slot
        raise AmendingError(f"there is no alinéa {number}: the text has {self.count}")

    def rewrite_article(self, text: str) -> None:
        self.whole = text

    def rewrite(self, number: int, text: str) -> None:
        self._slot(number).text = text

    def delete(self, number: int) -> None:
        slot = self._slot(number)
        live = [s for s in self.slots if s.live]
        index = live.index(slot)
        if index == len(live) - 1 and index:  # the last: it takes the separator before it
            live[index - 1].after = ""
        slot.live = False

    def insert(self, after: int, text: str) -> None:
        """Inserts an alinéa after base alinéa `after`, or before alinéa 1 when `after` is 0."""
        if after == 0:
            first = self._slot(1)
            at = self.slots.index(first)
            self.slots.insert(at, _Slot(None, text, joiner(self.base)))
            return
        at = self.slots.index(self._slot(after))
        while at + 1 < len(self.slots) and self.slots[at + 1].number is None:
            at += 1  # after the alinéas inserted there before
        previous = self.slots[at]
        self.slots.insert(at + 1, _Slot(None, text, previous.after))
        previous.after = joiner(self.base)

    def replace_span(self, number: int, start: int, end: int, text: str) -> None:
        """Replaces base[start:end] of base alinéa `number` (offsets in that alinéa as the base has
        it); spans of one alinéa come in text order."""
        slot = self._slot(number)
        position = start + slot.shift
        slot.text = slot.text[:position] + text + slot.text[position + end - start :]
        slot.shift += len(text) - (end - start)

    def replace_words(self, number: int, old: str, new: str, *, keep: bool = False) -> None:
        """Replaces the one occurrence of `old` in alinéa `number` by `new` (keep: `new` goes after `old`)."""
        slot = self._slot(number)
        position = unique_position(slot.text, old)
        if position is None:
            count = occurrences(slot.text, old)
            where = "does not occur" if not count else f"occurs {count} times"
            raise AmendingError(f"the passage « {old} » {where} in alinéa {number}")
        slot.text = slot.text[:position] + (old + new if keep else new) + slot.text[position + len(old) :]


def occurrences(text: str, passage: str) -> int:
    """How many times passage occurs in text, overlapping occurrences counted."""
    count, position = 0, text.find(passage)
    while position >= 0:
        count += 1
        position = text.find(passage, position + 1)
    return count


def unique_position(text: str, passage: str) -> int | None:
    """Where passage occurs in text if it occurs exactly once, else None."""
    position = text.find(passage) if passage else -1
    if position < 0 or text.find(passage, position + 1) >= 0:
        return None
    return position
