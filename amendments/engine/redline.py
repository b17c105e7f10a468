"""Redline data: a diff cut into alinéas for display, folded around the changes, or side by side."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import zip_longest
from typing import NamedTuple, TypeAlias

from amendments.engine.tokens import _LINE, EQUAL, Part


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
