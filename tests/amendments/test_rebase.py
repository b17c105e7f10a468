"""Rebasing (CONTRACT §3) as properties of the word-level three-way merge, through the desk's verdict.

``rebase_one`` is what ``rebase_open_amendments`` applies to each open amendment after a new version:
base = the amendment's base version, ours = its text, theirs = the new head.
"""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amendments import engine
from amendments.services.rebase import CONFLICT, REBASED, SUPERSEDED, rebase_one

PROPERTIES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Proposal:
    """Stands for an Amendment row: what rebase_one reads of it."""

    text: str
    kind: str = "modify"


@dataclass
class Head:
    """Stands for the new ArticleVersion."""

    text: str
    deletes_article: bool = False
    version: int = 2


def rebase(base: str, ours: str, theirs: str) -> tuple[str, str | None]:
    verdict, result = rebase_one(Proposal(ours), base, Head(theirs))
    return verdict, (result.text if result is not None else None)


@dataclass(frozen=True)
class Edit:
    """Replace the words [start, end) of the base by ``words`` (start == end: an insertion)."""

    start: int
    end: int
    words: tuple[str, ...]

    def apply(self, words: list[str]) -> list[str]:
        return words[: self.start] + list(self.words) + words[self.end :]


def text_of(words: list[str]) -> str:
    return " ".join(words)


def apply_both(words: list[str], first: Edit, second: Edit) -> list[str]:
    """Two separate edits applied from the right, so the left one's indices stay valid."""
    for edit in sorted((first, second), key=lambda e: e.start, reverse=True):
        words = edit.apply(words)
    return words


# Words of the base are all distinct and new words never occur in it: each edit has one reading.
BASE_WORDS = [f"mot{n}" for n in range(40)]
FRESH = st.lists(st.sampled_from(["nouveau", "texte", "ajouté", "1er", "bis", "données", "publiques"]),
                 min_size=0, max_size=3, unique=True).map(tuple)


@st.composite
def separate_edits(draw) -> tuple[list[str], Edit, Edit]:
    """A base and two edits with at least one unchanged word between them (they touch different words)."""
    size = draw(st.integers(min_value=4, max_value=len(BASE_WORDS)))
    words = BASE_WORDS[:size]
    cut = draw(st.integers(min_value=1, max_value=size - 2))  # the first edit ends before `cut`, the second after
    a_start = draw(st.integers(min_value=0, max_value=cut - 1))
    a_end = draw(st.integers(min_value=a_start, max_value=cut - 1))
    b_start = draw(st.integers(min_value=cut + 1, max_value=size))
    b_end = draw(st.integers(min_value=b_start, max_value=size))
    first = Edit(a_start, a_end, draw(FRESH.map(lambda w: tuple(f"{x}A" for x in w))))
    second = Edit(b_start, b_end, draw(FRESH.map(lambda w: tuple(f"{x}B" for x in w))))
    edits = [first, second]
    if draw(st.booleans()):
        edits.reverse()
    for edit in edits:  # an edit that changes nothing is no edit: make it change something
        if edit.start == edit.end and not edit.words:
            return draw(separate_edits())
    return words, edits[0], edits[1]


LEGAL_TEXT = st.lists(
    st.sampled_from(list("abcdeéèàçô ABC12°«»’',.;:-–()\n") + ["\u00a0", "Article ", "L. 123-4", "1er", "  "]),
    max_size=60,
).map("".join)


@PROPERTIES
@given(base=LEGAL_TEXT, ours=LEGAL_TEXT)
def test_rebasing_onto_an_unchanged_head_changes_nothing(base, ours):
    verdict, merged = rebase(base, ours, base)
    if ours == base:
        assert verdict == SUPERSEDED
    else:
        assert (verdict, merged) == (REBASED, ours)


@PROPERTIES
@given(case=separate_edits())
def test_non_overlapping_edits_merge_to_the_same_text_in_either_order(case):
    words, first, second = case
    base, ours, theirs = text_of(words), text_of(first.apply(words)), text_of(second.apply(words))
    one_way = rebase(base, ours, theirs)
    other_way = rebase(base, theirs, ours)
    assert one_way[0] == other_way[0] == REBASED
    assert one_way[1] == other_way[1]


@PROPERTIES
@given(case=separate_edits())
def test_nothing_is_lost_or_duplicated(case):
    words, first, second = case
    base, ours, theirs = text_of(words), text_of(first.apply(words)), text_of(second.apply(words))
    verdict, merged = rebase(base, ours, theirs)
    assert verdict == REBASED
    assert merged == text_of(apply_both(words, first, second))
    for word in (*first.words, *second.words):
        assert engine.tokenize(merged).count(word) == 1
    # the rebased amendment still makes exactly its own change, now against the new head
    own = [part for part in engine.diff_words(base, ours) if part[0] != engine.EQUAL]
    kept = [part for part in engine.diff_words(theirs, merged) if part[0] != engine.EQUAL]
    assert [(op, text.strip()) for op, text in kept] == [(op, text.strip()) for op, text in own]


@PROPERTIES
@given(size=st.integers(min_value=1, max_value=30), data=st.data())
def test_overlapping_edits_conflict(size, data):
    words = BASE_WORDS[:size]
    start = data.draw(st.integers(min_value=0, max_value=size - 1))
    end = data.draw(st.integers(min_value=start + 1, max_value=size))
    # the other side changes a word inside the first one's range, differently
    inner = data.draw(st.integers(min_value=start, max_value=end - 1))
    ours = Edit(start, end, ("réécritA",)).apply(words)
    theirs = Edit(inner, inner + 1, ("réécritB",)).apply(words)
    verdict, merged = rebase(text_of(words), text_of(ours), text_of(theirs))
    assert (verdict, merged) == (CONFLICT, None)


@PROPERTIES
@given(size=st.integers(min_value=2, max_value=30), data=st.data())
def test_an_insertion_next_to_a_change_of_the_other_side_conflicts(size, data):
    words = BASE_WORDS[:size]
    at = data.draw(st.integers(min_value=0, max_value=size - 1))
    ours = Edit(at, at, ("ajoutA",)).apply(words)  # inserted right before word `at`
    theirs = Edit(at, at + 1, ("changéB",)).apply(words)  # which the other side rewrites
    assert rebase(text_of(words), text_of(ours), text_of(theirs))[0] == CONFLICT


@PROPERTIES
@given(base=LEGAL_TEXT, ours=LEGAL_TEXT)
def test_the_same_change_on_both_sides_is_taken_once(base, ours):
    verdict, merged = rebase(base, ours, ours)
    assert verdict == SUPERSEDED  # the head already makes the change: nothing left to propose
    assert merged == ours


def test_rebase_follows_the_real_words_of_a_legal_text():
    base = ("I. – Les administrations publient en ligne les documents administratifs.\n"
            "II. – Un décret en Conseil d'État fixe les modalités d'application du présent article.")
    head = base.replace("Les administrations", "Les administrations et les collectivités")
    ours = base.replace("Un décret en Conseil d'État", "Un décret")
    verdict, merged = rebase(base, ours, head)
    assert verdict == REBASED
    assert merged == head.replace("Un décret en Conseil d'État", "Un décret")
    same_word = base.replace("Les administrations", "Les services de l'État")
    assert rebase(base, same_word, head)[0] == CONFLICT


def test_deleting_the_article_conflicts_with_edits_and_supersedes_deletions():
    base = "Les administrations publient en ligne les documents administratifs."
    verdict, _ = rebase_one(Proposal(base.replace("publient", "diffusent")), base, Head("", deletes_article=True))
    assert verdict == CONFLICT
    verdict, _ = rebase_one(Proposal("", kind="delete"), base, Head("", deletes_article=True))
    assert verdict == SUPERSEDED
    verdict, _ = rebase_one(Proposal("", kind="delete"), base, Head(base + " Sans délai."))
    assert verdict == REBASED


@st.composite
def three_separate_edits(draw) -> tuple[list[str], Edit, Edit, Edit]:
    """A base and three edits with unchanged words between them, in base order."""
    size = draw(st.integers(min_value=8, max_value=len(BASE_WORDS)))
    words = BASE_WORDS[:size]
    cuts = sorted(draw(st.lists(st.integers(min_value=2, max_value=size - 3), min_size=2, max_size=2, unique=True)))
    if cuts[1] - cuts[0] < 3:
        return draw(three_separate_edits())
    bounds = [(0, cuts[0] - 1), (cuts[0] + 1, cuts[1] - 1), (cuts[1] + 1, size)]
    edits = []
    for n, (low, high) in enumerate(bounds):
        start = draw(st.integers(min_value=low, max_value=high))
        end = draw(st.integers(min_value=start, max_value=high))
        new = draw(FRESH.map(lambda w, n=n: tuple(f"{x}{n}" for x in w)))
        if start == end and not new:
            new = (f"ajout{n}",)
        edits.append(Edit(start, end, new))
    return words, edits[0], edits[1], edits[2]


@PROPERTIES
@given(case=three_separate_edits(), shared=st.integers(min_value=0, max_value=2))
def test_a_change_both_sides_made_among_others_is_taken_once(case, shared):
    words, *edits = case
    common = edits[shared]
    mine, theirs_only = [e for e in edits if e is not common]
    ours = apply_both(words, common, mine)
    theirs = apply_both(words, common, theirs_only)
    verdict, merged = rebase(text_of(words), text_of(ours), text_of(theirs))
    assert verdict == REBASED
    everything = words
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        everything = edit.apply(everything)
    assert merged == text_of(everything)
