"""Hunks (CONTRACT §8, partial merge): an amendment's independent changes, each with its diff and its
instruction, and the base with only some of them made.

A hunk is one change of `changes.plan` (one instruction), except where changes touch in the eyes of
the three-way merge (`merge3`): two alinéas inserted at one place, two neighbouring alinéas
deleted. Made apart, those would conflict when the second is merged after the first, so they are
one hunk, whose wording numbers its instructions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from amendments.engine.alineas import Amending
from amendments.engine.changes import INSERT, Change, applied, plan
from amendments.engine.diff import diff_words
from amendments.engine.merge import merge3
from amendments.engine.merge_diff import DiffCache
from amendments.engine.tokens import Diff
from amendments.engine.wording import WordingError, apply_wording, article_wording, instructions, numbered


@dataclass(frozen=True, slots=True)
class Hunk:
    """One independent change: its index in text order from 0, the instruction that makes it on the
    base (`wording`), the word diff of the base to the base with this hunk alone, and its changes."""

    index: int
    wording: str
    diff: Diff
    changes: tuple[Change, ...]


def hunks(base: str, text: str, language: str = "fr") -> list[Hunk]:
    """The independent changes from base to text, in text order."""
    found = []
    for index, group in enumerate(_independent(base, plan(base, text))):
        alone = applied(base, group).text()
        written = numbered(instructions(base, group, language))
        try:
            reads_back = apply_wording(base, written, language) == alone
        except WordingError:
            reads_back = False
        if not reads_back:  # a passage that is itself a piece of the wording's syntax
            written = article_wording("rewrite", language, alone)
        found.append(Hunk(index, written, diff_words(base, alone), tuple(group)))
    return found


def apply_hunks(base: str, text: str, indexes: Iterable[int]) -> str:
    """The base with only the chosen hunks of text made (indexes as `hunks` numbers them); all of
    them give text, none the base."""
    groups = _independent(base, plan(base, text))
    chosen = sorted(set(indexes))
    wrong = [index for index in chosen if not 0 <= index < len(groups)]
    if wrong:
        numbered_as = f"the hunks are numbered 0 to {len(groups) - 1}" if groups else "the text makes no change"
        raise IndexError(f"no hunk {wrong[0]}: {numbered_as}")
    return applied(base, [change for index in chosen for change in groups[index]]).text()


def _place(change: Change) -> float:
    """Where a change is, in alinéas of the base: an insertion between the one it follows and the next."""
    return change.number + (0.5 if change.kind == INSERT else 0)


def _near(runs: list[list[Change]], k: int) -> bool:
    """Whether another run has a change within two alinéas of run k's."""
    low, high = _place(runs[k][0]), _place(runs[k][-1])
    return (k > 0 and low - _place(runs[k - 1][-1]) <= 2) or (k + 1 < len(runs) and _place(runs[k + 1][0]) - high <= 2)


def _independent(base: str, changes: list[Change]) -> list[list[Change]]:
    """The changes in runs that merge apart: a change is joined to the next when the three-way merge
    does not take the two, made apart, back into the text with both; and a run to its neighbour
    while the merge does not find the run inside the text (as when the amendment is rebased onto a
    partial merge), or, for a run with changes nearby, does not take the run and all the others,
    made apart, back into the text."""
    origin = Amending(base)
    alone = [applied(origin, [change]).text() for change in changes]
    cache = DiffCache(size=2 * len(changes) + 2)
    joined_until = list(range(len(changes)))  # how far the run of each change reaches
    for i, change in enumerate(changes):
        for j in range(i + 1, len(changes)):
            if _place(changes[j]) - _place(change) > 1:
                break
            both = applied(origin, [change, changes[j]]).text()
            if merge3(base, alone[i], alone[j], cache=cache).text != both:
                joined_until[i] = max(joined_until[i], j)
    runs, start, end = [], 0, -1
    for i in range(len(changes)):
        end = max(end, joined_until[i])
        if i == end:
            runs.append(changes[start : i + 1])
            start = i + 1
    text = applied(origin, changes).text()
    k = 0
    while k < len(runs) and len(runs) > 1:
        made = alone[changes.index(runs[k][0])] if len(runs[k]) == 1 else applied(origin, runs[k]).text()
        apart = merge3(base, text, made, cache=cache).text == text
        if apart and _near(runs, k):
            others = applied(origin, [change for run in runs[:k] + runs[k + 1 :] for change in run]).text()
            apart = merge3(base, made, others, cache=cache).text == text
        if apart:
            k += 1
            continue
        k = min(k, len(runs) - 2)
        runs[k : k + 2] = [runs[k] + runs[k + 1]]
    return runs
