"""Jinja helpers that present amendments (redlines); registered by the app shell.

Templates call ``redline(diff)`` (alinéa blocks for the inline view, long unchanged runs folded)
or ``redline_rows(diff)`` (the side-by-side rows, folded the same way), and tell blocks apart
with the tests ``changed``, ``unchanged`` and ``folded``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from jinja2 import Environment

from amendments import engine
from drafting.i18n import N_

STATUS_LABELS = {
    "open": N_("ouvert"),
    "conflict": N_("en conflit"),
    "accepted": N_("retenu"),
    "rejected": N_("rejeté"),
    "withdrawn": N_("retiré"),
}
KIND_LABELS = {
    "modify": N_("Modification"),
    "delete": N_("Suppression de l'article"),
    "insert": N_("Nouvel article"),
}
EVENT_LABELS = {
    "proposed": N_("proposée"),
    "cosigned": N_("co-signée"),
    "withdrawn": N_("retirée"),
    "rebased": N_("mise à jour sur la nouvelle version"),
    "conflict": N_("en conflit avec la nouvelle version"),
    "resubmitted": N_("proposée à nouveau"),
    "accepted": N_("retenue"),
    "rejected": N_("rejetée"),
    "responded": N_("réponse des auteurs"),
}


@dataclass(frozen=True, slots=True)
class FoldedRows:
    """Unchanged side-by-side rows left out; ``rows`` lets a reader unfold them."""

    count: int
    rows: tuple[engine.Row, ...]


def _blank(text: str) -> bool:
    return not text.strip()


def _unchanged_run(text: str, before: int, after: int) -> list[engine.Block]:
    """A run of unchanged alinéas: ``before`` shown after the change that precedes it, ``after`` before
    the change that follows, the rest folded. Blank lines (between alinéas) are neither shown nor counted."""
    lines = [line for line in text.splitlines(keepends=True) if not _blank(line)]
    middle_end = max(before, len(lines) - after)
    middle = lines[before:middle_end]
    shown: list[engine.Block] = [engine.Unchanged(line) for line in lines[:before]]
    if len(middle) == 1:
        shown.append(engine.Unchanged(middle[0]))
    elif middle:
        shown.append(engine.Folded(len(middle), "".join(middle)))
    return shown + [engine.Unchanged(line) for line in lines[middle_end:]]


def redline(diff: Iterable[engine.Part], context: int = 1) -> list[engine.Block]:
    """The inline redline: changed alinéas, ``context`` unchanged ones around them, the rest folded;
    the blank lines between alinéas are no alinéas (not shown, not counted in a fold)."""
    blocks = engine.redline_blocks(list(diff), context=0)  # changed alinéas and the maximal runs between
    def blank_change(block: engine.Block) -> bool:
        return isinstance(block, engine.Changed) and _blank("".join(text for _, text in block.parts))

    only_blank = all(blank_change(block) for block in blocks if isinstance(block, engine.Changed))
    shown: list[engine.Block] = []
    for index, block in enumerate(blocks):
        if isinstance(block, engine.Changed):
            if only_blank or not blank_change(block):  # a changed blank line shows only when nothing else changed
                shown.append(block)
            continue
        shown.extend(_unchanged_run(block.text, context if index > 0 else 0,
                                    context if index < len(blocks) - 1 else 0))
    return shown


def _row_changed(row: engine.Row) -> bool:
    return any(op != engine.EQUAL for side in (row.old, row.new) if side for op, _ in side)


def _blank_row(row: engine.Row) -> bool:
    return all(side is None or _blank("".join(text for _, text in side)) for side in (row.old, row.new))


def whole_deletion(diff: Iterable[engine.Part]) -> bool:
    """The diff deletes the whole text (an article's deletion): a banner says so."""
    parts = list(diff)
    return bool(parts) and all(op == engine.DELETE for op, _ in parts) and not _blank("".join(t for _, t in parts))


def redline_rows(diff: Iterable[engine.Part], context: int = 1) -> list[engine.Row | FoldedRows]:
    """Side-by-side rows with the same folding as the inline view (no row for the blank lines)."""
    rows = [row for row in engine.side_by_side(list(diff)) if not _blank_row(row)]
    changed = [_row_changed(row) for row in rows]
    near = [any(changed[max(0, i - context): i + context + 1]) for i in range(len(rows))]
    shown: list[engine.Row | FoldedRows] = []
    hidden: list[engine.Row] = []

    def fold() -> None:
        if len(hidden) == 1:
            shown.append(hidden[0])
        elif hidden:
            shown.append(FoldedRows(len(hidden), tuple(hidden)))
        hidden.clear()

    for row, is_near in zip(rows, near):
        if is_near:
            fold()
            shown.append(row)
        else:
            hidden.append(row)
    fold()
    return shown


def diff_counts(diff: Iterable[engine.Part]) -> dict[str, int]:
    """Words deleted and inserted, for a one-line summary of a change."""
    counts = {"deleted": 0, "inserted": 0}
    for op, text in diff:
        if op != engine.EQUAL:
            words = sum(1 for token in engine.tokenize(text) if not token.isspace())
            counts["deleted" if op == engine.DELETE else "inserted"] += words
    return counts


def register(environment: Environment) -> None:
    """Add the amendment filters and globals to the template environment."""
    environment.globals["redline"] = redline
    environment.globals["redline_rows"] = redline_rows
    environment.globals["amendment_status_labels"] = STATUS_LABELS
    environment.globals["amendment_kind_labels"] = KIND_LABELS
    environment.globals["amendment_event_labels"] = EVENT_LABELS
    environment.filters["diff_counts"] = diff_counts
    environment.tests["changed"] = lambda block: isinstance(block, engine.Changed)
    environment.tests["unchanged"] = lambda block: isinstance(block, engine.Unchanged)
    environment.tests["whole_deletion"] = whole_deletion
    environment.tests["folded"] = lambda block: isinstance(block, (engine.Folded, FoldedRows))
