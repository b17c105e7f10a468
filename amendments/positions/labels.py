"""What a position shows: its representative argument (the most central member) and a short label."""
from __future__ import annotations

from collections.abc import Sequence

from amendments.positions.grouping import Features
from amendments.positions.text import first_sentences

LABEL_LENGTH = 90


def representative(members: Sequence[Features]) -> int:
    """The index of the member most similar, on average, to the others (the first on a tie)."""
    if len(members) <= 2:
        return 0
    totals = [sum(m.similarity(other) for other in members) for m in members]
    return max(range(len(members)), key=lambda i: (totals[i], -i))


def label(text: str, length: int = LABEL_LENGTH) -> str:
    """The first sentence of the representative argument, cut at a word under ``length`` characters."""
    head = first_sentences(text, 1, limit=10_000).strip()
    if len(head) <= length:
        return head
    cut = head[: length - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"
