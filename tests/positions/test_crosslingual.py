"""A French, a German and an English argument giving the same reason land in one position (issue 14)."""
from __future__ import annotations

import json

import pytest

from amendments.positions import group
from tests.positions.conftest import LABELS


@pytest.fixture(scope="module")
def rows() -> list[tuple[str, str, str, str]]:
    reasons = json.loads((LABELS / "crosslingual.json").read_text(encoding="utf-8"))["reasons"]
    return [(r["key"], r["stance"], lang, text) for r in reasons for lang, text in r["texts"].items()]


def test_each_reason_is_one_position_across_french_german_and_english(rows):
    clusters = group([r[3] for r in rows], [r[2] for r in rows], stances=[r[1] for r in rows])
    by_reason = {}
    for (key, *_), cluster in zip(rows, clusters):
        by_reason.setdefault(key, set()).add(cluster)
    assert all(len(found) == 1 for found in by_reason.values()), by_reason
    assert len({next(iter(found)) for found in by_reason.values()}) == len(by_reason)


@pytest.mark.parametrize("pair", [("fr", "de"), ("fr", "en"), ("de", "en")])
def test_pairs_of_languages_alone_group_by_reason(rows, pair):
    chosen = [r for r in rows if r[2] in pair]
    clusters = group([r[3] for r in chosen], [r[2] for r in chosen], stances=[r[1] for r in chosen])
    positions = {}
    for (key, *_), cluster in zip(chosen, clusters):
        positions.setdefault(key, set()).add(cluster)
    assert all(len(found) == 1 for found in positions.values()), positions
    assert len(set(clusters)) == len(positions)
