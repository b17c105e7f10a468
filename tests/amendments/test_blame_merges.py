"""Blame of a version that merged several amendments, some in part (issue 16): each amendment is
applied in turn with only the hunks chosen of it, so nothing of the hunks left out is credited to it;
on hand-written cases, generated edits and the real histories of the corpus."""

from __future__ import annotations

import random

from hypothesis import assume, given
from hypothesis import strategies as st

from amendments.engine import apply_hunks, blame, hunks, merge3, merged_in_turn
from amendments.engine.changes import applied
from tests.amendments.test_wording import edited_texts, pairs  # noqa: F401 - the corpus fixture

CONSEIL = "Le maire convoque le conseil.\nLe conseil délibère.\nLe préfet est informé."


def labelled(segments) -> dict:
    found: dict = {}
    for segment in segments:
        found[segment.label] = found.get(segment.label, "") + segment.text
    return found


def test_only_the_chosen_hunk_of_an_amendment_is_credited_to_it():
    two_changes = CONSEIL.replace("convoque", "réunit").replace("informé", "averti")
    other = CONSEIL.replace("délibère", "vote")
    chosen = apply_hunks(CONSEIL, two_changes, [0])
    final = "Le maire réunit le conseil.\nLe conseil vote.\nLe préfet est informé."
    steps = merged_in_turn(CONSEIL, final, [(CONSEIL, chosen, "A"), (CONSEIL, other, "B")], "rest")
    assert [label for _, label in steps] == ["A", "B"]
    credit = labelled(blame([(CONSEIL, "v1"), *steps]))
    assert (credit["A"], credit["B"]) == ("réunit", "vote")
    assert "informé" in credit["v1"] and "rest" not in credit
    # given the whole text instead, the amendment would take the credit for "informé" too
    whole = merged_in_turn(CONSEIL, final, [(CONSEIL, two_changes, "A"), (CONSEIL, other, "B")], "A")
    assert "informé" in labelled(blame([(CONSEIL, "v1"), *whole]))["A"]


def test_what_the_final_text_adds_is_credited_to_the_rest_label():
    chosen = CONSEIL.replace("convoque", "réunit")
    final = chosen.replace("délibère", "délibère publiquement")
    steps = merged_in_turn(CONSEIL, final, [(CONSEIL, chosen, "A")], "rest")
    credit = labelled(blame([(CONSEIL, "v1"), *steps]))
    assert (credit["A"], credit["rest"]) == ("réunit", " publiquement")
    assert credit["v1"] == "Le maire  le conseil.\nLe conseil délibère.\nLe préfet est informé."
    # a change that no longer applies leaves the final text to the rest label
    assert merged_in_turn(CONSEIL, CONSEIL, [(CONSEIL, CONSEIL, "A")], "rest") == [(CONSEIL, "rest")]


def three_ways(base: str, text: str, rng: random.Random):
    """The hunks of base → text dealt between the chosen part of A, its left-out part and B: A's text,
    the part of it chosen, B's text, and the hunks left out."""
    found = hunks(base, text)
    deal = [rng.randrange(3) for _ in found]
    part = {k: [c for h, d in zip(found, deal) if d == k for c in h.changes] for k in range(3)}
    a_text = applied(base, part[0] + part[1]).text()
    return a_text, applied(base, part[0]).text(), applied(base, part[2]).text(), [h for h, d in zip(found, deal) if d == 1]


def merged_version(base: str, chosen: str, other: str) -> str | None:
    """The text a version merging A's chosen part, then B, gets (as the desk combines them)."""
    first = merge3(base, chosen, base)
    return merge3(base, other, first.text).text if first.clean else None


def check(base: str, text: str, seed: int) -> int | None:
    """The laws of one partial merge (None when the deal merges nothing or conflicts): answers how many
    passages of left-out hunks it checked."""
    _, chosen, other, left_out = three_ways(base, text, random.Random(seed))
    final = merged_version(base, chosen, other)
    if final is None or chosen == base or final == chosen:
        return None
    steps = merged_in_turn(base, final, [(base, chosen, "A"), (base, other, "B")], "rest")
    segments = blame([(base, "v1"), *steps])
    assert "".join(s.text for s in segments) == final
    assert "rest" not in labelled(segments)
    # the same as if A's chosen part and B had been two versions in turn
    assert segments == blame([(base, "v1"), (chosen, "A"), (final, "B")])
    # the base text a left-out hunk would have replaced, found once in the final text, stays the base's
    passages = 0
    for hunk in left_out:
        for op, passage in hunk.diff:
            if op == -1 and len(passage.strip()) >= 12 and final.count(passage) == 1 and base.count(passage) == 1:
                start, position = final.index(passage), 0
                passages += 1
                for segment in segments:
                    end = position + len(segment.text)
                    if end > start and position < start + len(passage):
                        assert segment.label != "A", (passage, segment)
                    position = end
    return passages


@given(edited_texts(), st.integers(0, 2**16))
def test_generated_partial_merges_credit_only_the_chosen_hunks(case, seed):
    base, text = case
    assume(len(hunks(base, text)) >= 2)
    check(base, text, seed)


def test_real_partial_merges_credit_only_the_chosen_hunks(pairs):  # noqa: F811 - the fixture
    merges = passages = 0
    for name, _, base, text in pairs:
        if len(hunks(base, text)) < 3:
            continue
        try:
            found = check(base, text, 16)
        except AssertionError as error:
            raise AssertionError(f"{name}: {error}") from None
        if found is not None:
            merges, passages = merges + 1, passages + found
    # 16 merges and 39 passages, 37 of which crediting A's whole text would give to A
    assert merges >= 10 and passages >= 20, (merges, passages)
