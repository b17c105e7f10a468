"""Blame: each stretch of an article's last text labelled with the version whose change wrote it."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import NamedTuple

from amendments.engine.diff import diff_words
from amendments.engine.merge import merge3
from amendments.engine.tokens import EQUAL, INSERT


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


def merged_in_turn(previous: str, final: str | None, merged: Sequence[tuple[str, str, Hashable]],
                   rest: Hashable) -> list[tuple[str, Hashable]]:
    """The texts one version that merged several changes passes through, as `blame` takes them.

    Each change ``(base, text, label)`` is applied in turn onto the text so far (``previous`` first)
    by the three-way merge from its own base, and labelled with its own label; ``text`` is what the
    change brought to the merge (for a partial merge, the base with only the chosen hunks), so that
    nothing it left out is labelled with it. What ``final`` has beyond that (an edit made while
    merging, or a change that no longer applies) is labelled ``rest``.
    """
    current, steps = previous, []
    for base, text, label in merged:
        result = merge3(base, text, current)
        if result.text is None or result.text == current:
            continue
        current = result.text
        steps.append((current, label))
    if current != (final or "") or not steps:
        steps.append((final, rest))
    return steps


def _extend(runs: list[list], length: int, label: Hashable) -> None:
    if runs and runs[-1][1] == label:
        runs[-1][0] += length
    else:
        runs.append([length, label])

