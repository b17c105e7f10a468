"""Hunks (CONTRACT §8, partial merge): an amendment's independent changes, each with its instruction;
applying all gives the text, none the base, and any part then the rest by a three-way merge the text."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amendments.engine import apply_hunks, apply_wording, hunks, merge3, new_text, old_text
from amendments.engine.changes import applied
from tests.amendments.test_wording import edited_texts, pairs  # noqa: F401 - the corpus fixture

CONSEIL = "Le maire convoque le conseil.\nLe conseil délibère.\nLe préfet est informé."


def test_each_change_is_a_hunk_with_its_own_instruction():
    text = "Le maire réunit le conseil.\nLe conseil délibère.\nLe préfet est informé sans délai."
    found = hunks(CONSEIL, text, "fr")
    assert [h.index for h in found] == [0, 1]
    assert [h.wording for h in found] == [
        "À l'alinéa 1, substituer aux mots : « convoque » les mots : « réunit ».",
        "À l'alinéa 3, après les mots : « informé », insérer les mots : «  sans délai ».",
    ]
    assert [h.wording for h in hunks(CONSEIL, text, "de")] == [
        "In Absatz 1 werden die Wörter „convoque“ durch die Wörter „réunit“ ersetzt.",
        "In Absatz 3 werden nach den Wörtern „informé“ die Wörter „ sans délai“ eingefügt.",
    ]
    assert apply_hunks(CONSEIL, text, [1]) == "Le maire convoque le conseil.\nLe conseil délibère.\nLe préfet est informé sans délai."
    assert apply_hunks(CONSEIL, text, [0]) == "Le maire réunit le conseil.\nLe conseil délibère.\nLe préfet est informé."
    assert [part for part in found[1].diff if part[0]] == [(1, " sans délai")]
    with pytest.raises(IndexError, match="no hunk 2"):
        apply_hunks(CONSEIL, text, [2])


def test_changes_the_merge_would_not_take_apart_are_one_hunk():
    base, text = "un\ndeux\ntrois\nquatre", "un\nquatre"
    # deleting "deux" and deleting "trois" apart, then merging the two, conflicts: one hunk
    assert not merge3(base, "un\ntrois\nquatre", "un\ndeux\nquatre").clean
    [hunk] = hunks(base, text)
    assert hunk.wording == "I. – Supprimer l'alinéa 2.\nII. – Supprimer l'alinéa 3."
    assert apply_hunks(base, text, [0]) == text


def assert_hunk_laws(base: str, text: str, language: str, subsets: list[set[int]], found=None) -> None:
    found = hunks(base, text, language) if found is None else found
    everything = range(len(found))
    assert apply_hunks(base, text, everything) == text
    assert apply_hunks(base, text, []) == base
    for hunk in found:
        alone = applied(base, hunk.changes).text()
        assert old_text(hunk.diff) == base and new_text(hunk.diff) == alone
        assert apply_wording(base, hunk.wording, language) == alone
    for k, subset in enumerate(subsets):
        chosen = {i for i in subset if i < len(found)}
        part = applied(base, [c for h in found if h.index in chosen for c in h.changes]).text()
        if k == 0:
            assert apply_hunks(base, text, chosen) == part
        rest = applied(base, [c for h in found if h.index not in chosen for c in h.changes]).text()
        assert merge3(base, part, rest).text == text, sorted(chosen)


@given(edited_texts(), st.sampled_from(["fr", "de"]), st.lists(st.sets(st.integers(0, 8)), max_size=3))
def test_generated_edits_split_into_hunks_that_merge_back(case, language, subsets):
    base, text = case
    assert_hunk_laws(base, text, language, subsets)


def test_real_changes_split_into_hunks_that_merge_back(pairs):  # noqa: F811 - the fixture
    rng = random.Random(16)
    for name, language, base, text in pairs:
        found = hunks(base, text, language)
        count = len(found)
        randoms = [{i for i in range(count) if rng.random() < 0.5} for _ in range(2)]
        singles = [{i} for i in range(count)] if count <= 12 else []  # each alone, where that is quick
        try:
            assert_hunk_laws(base, text, language, randoms + singles, found)
        except AssertionError as error:
            raise AssertionError(f"{name}: {error}") from None
