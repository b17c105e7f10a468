"""The diff and merge engine: laws checked with hypothesis, and on the real histories in ../shared/corpus."""

from __future__ import annotations

import html
import json
import os
import random
import re
from collections import Counter
from itertools import accumulate
from pathlib import Path
from unittest import mock

import fast_diff_match_patch
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amendments import engine
from amendments.engine import (
    Changed,
    DiffCache,
    Folded,
    MergeResult,
    Row,
    Segment,
    Unchanged,
    blame,
    diff_words,
    merge3,
    new_text,
    old_text,
    redline_blocks,
    side_by_side,
    tokenize,
)
from tests.conftest import missing

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
HISTORIES = sorted((CORPUS / "article_histories").glob("*/*.json"))
ARTICLE9 = CORPUS / "consultation_republique_numerique" / "article9_versions.json"

settings.register_profile("engine", deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("engine-thorough", settings.get_profile("engine"), max_examples=3000)
settings.load_profile(os.environ.get("NAVETTE_ENGINE_HYPOTHESIS_PROFILE", "engine"))

LEGAL_NUMBERS = ["123-4", "131-26-1", "1°", "2°", "611-14-1", "L122-5", "2013-404", "L. 123-4", "R. 611-14-1"]
FRAGMENTS = [
    *LEGAL_NUMBERS,
    "l'", "l’", "d’", "qu'", "article", "alinéa", "État", "code", "de", "la", "le", "du", "et", "peut-être",
    "Straße", "Größe", "Übergangsbestimmungen", "ß", "ä", "e\u0301",
    " ", " ", " ", "  ", "\n", "\n\n", "\u00a0", "\u202f", "\t",
    ",", ";", ":", ".", "«", "»", "–", "-", "'", "’", "(", ")",
]
fragment = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3))
texts = st.lists(fragment, max_size=40).map("".join)


def edit_fragments(draw, parts: list[str], edits: int = 5) -> str:
    """A version of a fragment list with a few fragments inserted, deleted or replaced."""
    new = list(parts)
    for _ in range(draw(st.integers(0, edits))):
        i = draw(st.integers(0, len(new)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        if kind == "insert":
            new.insert(i, draw(fragment))
        elif i < len(new):
            if kind == "delete":
                del new[i]
            else:
                new[i] = draw(fragment)
    return "".join(new)


@st.composite
def versions_of_one_text(draw, count: int) -> tuple[str, ...]:
    """A text followed by `count` independent edits of it."""
    base = draw(st.lists(fragment, max_size=40))
    return ("".join(base), *(edit_fragments(draw, base) for _ in range(count)))


text_pairs = st.one_of(versions_of_one_text(1), st.tuples(texts, texts))
text_triples = st.one_of(versions_of_one_text(2), st.tuples(texts, texts, texts))


def boundaries(text: str) -> set[int]:
    return set(accumulate(map(len, tokenize(text)), initial=0))


def assert_diff_laws(diff, old: str, new: str) -> None:
    assert old_text(diff) == old
    assert new_text(diff) == new
    assert all(op in (-1, 0, 1) and part for op, part in diff), "no empty pair"
    assert all(a[0] != b[0] for a, b in zip(diff, diff[1:])), "no two adjacent pairs with the same op"
    old_cuts, new_cuts = boundaries(old), boundaries(new)
    i = j = 0
    for op, part in diff:
        i += len(part) if op <= 0 else 0
        j += len(part) if op >= 0 else 0
        assert i in old_cuts and j in new_cuts, f"boundary inside a word after {part!r}"


def hunks(old: str, new: str) -> list[tuple[str, str]]:
    """The changes of a diff as (deleted text, inserted text), in order."""
    changes, deleted, inserted = [], "", ""
    for op, part in diff_words(old, new) + [(0, "")]:
        if op == -1:
            deleted += part
        elif op == 1:
            inserted += part
        elif deleted or inserted:
            changes.append((deleted, inserted))
            deleted = inserted = ""
    return changes


# --- tokenize ----------------------------------------------------------------------------------


@given(texts)
def test_tokens_join_back_to_the_text(text):
    tokens = tokenize(text)
    assert "".join(tokens) == text
    assert all(tokens)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("l'article", ["l'", "article"]),
        ("l’État", ["l’", "État"]),
        ("L. 123-4", ["L", ".", " ", "123-4"]),
        ("R. 611-14-1", ["R", ".", " ", "611-14-1"]),
        ("article 131-26-1 du code", ["article", " ", "131-26-1", " ", "du", " ", "code"]),
        ("1° Les copies ; 2° les", ["1°", " ", "Les", " ", "copies", " ", ";", " ", "2°", " ", "les"]),
        ("L122-5, alinéa", ["L122-5", ",", " ", "alinéa"]),
        ("article\u00a0L\u202f:", ["article", "\u00a0", "L", "\u202f", ":"]),
        ("Größenverhältnisse der Straße", ["Größenverhältnisse", " ", "der", " ", "Straße"]),
        ("fin.\n\nDébut", ["fin", ".", "\n", "\n", "Début"]),
        ("« guillemets »", ["«", " ", "guillemets", " ", "»"]),
        ("e\u0301te\u0301 2,5 %", ["e\u0301te\u0301", " ", "2,5", " ", "%"]),
    ],
)
def test_tokenize_keeps_legal_numbers_and_splits_elisions(text, tokens):
    assert tokenize(text) == tokens


@given(st.sampled_from(LEGAL_NUMBERS), texts, texts)
def test_legal_numbers_are_never_split(number, left, right):
    tokens = tokenize(f"{left} {number} {right}")
    assert number.split(" ")[-1] in tokens


def test_changing_the_word_after_an_elision_diffs_only_the_word():
    assert diff_words("Vu l'article 2", "Vu l'alinéa 2") == [(0, "Vu l'"), (-1, "article"), (1, "alinéa"), (0, " 2")]
    assert diff_words("de l’État", "de l’Union") == [(0, "de l’"), (-1, "État"), (1, "Union")]


# --- diff_words --------------------------------------------------------------------------------


@given(text_pairs)
def test_word_diff_gives_both_texts_back_and_cuts_only_between_words(pair):
    old, new = pair
    assert_diff_laws(diff_words(old, new), old, new)


@settings(max_examples=60)
@given(text_pairs)
def test_word_diff_is_the_same_without_the_cpp_build(pair):
    fast = diff_words(*pair)
    with mock.patch.object(engine.diff, "_fast", None):
        assert diff_words(*pair) == fast


@settings(max_examples=60)
@given(text_pairs)
def test_pure_python_fallback_keeps_the_laws(pair):
    old, new = pair
    with mock.patch.object(engine.diff, "_fast", None):
        diff = diff_words(old, new)
    assert_diff_laws(diff, old, new)


def test_word_diff_of_equal_and_empty_texts():
    assert diff_words("", "") == []
    assert diff_words("même texte", "même texte") == [(0, "même texte")]
    assert diff_words("", "nouveau") == [(1, "nouveau")]
    assert diff_words("ancien", "") == [(-1, "ancien")]


def test_word_diff_handles_more_distinct_words_than_the_basic_plane():
    old = " ".join(f"w{i}" for i in range(70_000))  # codes run past U+D800, the surrogates are skipped
    new = old.replace("w65000", "changé")
    diff = diff_words(old, new)
    assert_diff_laws(diff, old, new)
    assert [part for op, part in diff if op] == ["w65000", "changé"]


# --- merge3 ------------------------------------------------------------------------------------


@given(text_pairs)
def test_merging_with_an_unchanged_side_gives_the_other_side(pair):
    base, changed = pair
    assert merge3(base, changed, base) == MergeResult(changed)
    assert merge3(base, base, changed) == MergeResult(changed)


@given(text_pairs)
def test_the_same_change_on_both_sides_is_taken_once(pair):
    base, changed = pair
    assert merge3(base, changed, changed).text == changed


@given(text_triples)
def test_merge_is_symmetric(triple):
    base, ours, theirs = triple
    one, other = merge3(base, ours, theirs), merge3(base, theirs, ours)
    assert one.text == other.text
    assert [(c.start, c.end, c.base, c.ours, c.theirs) for c in one.conflicts] == [
        (c.start, c.end, c.base, c.theirs, c.ours) for c in other.conflicts
    ]


@given(text_triples)
def test_conflicts_describe_base_ranges(triple):
    base, ours, theirs = triple
    result = merge3(base, ours, theirs)
    assert result.clean == (not result.conflicts) == (result.text is not None)
    tokens = tokenize(base)
    for conflict in result.conflicts:
        assert base[conflict.char_start : conflict.char_end] == conflict.base
        assert "".join(tokens[conflict.start : conflict.end]) == conflict.base
        assert conflict.ours != conflict.theirs, "both sides leave the same text there: no conflict"


WORDS = [f"{stem}{i}" for i, stem in enumerate(["article", "alinéa", "code", "Straße", "État", "loi", "décret"] * 6)]
SEPARATORS = [" ", " ", ", ", " ; ", "\n", "\u00a0: "]


@st.composite
def word_texts(draw):
    """A base text of distinct words with separators, as (words, separators)."""
    count = draw(st.integers(6, 30))
    words = draw(st.permutations(WORDS))[:count]
    separators = [draw(st.sampled_from(SEPARATORS)) for _ in range(count - 1)]
    return words, separators


def render(words: list[str], separators: list[str]) -> str:
    return "".join(w + s for w, s in zip(words, separators + [""]))


@st.composite
def disjoint_edits(draw):
    """A base and two edits of word ranges with at least one untouched word between them."""
    words, separators = draw(word_texts())
    n = len(words)
    cut = draw(st.integers(2, n - 2))  # ours edits within words[:cut - 1], theirs within words[cut:]
    spans = []
    for low, high in ((0, cut - 2), (cut, n - 1)):
        first = draw(st.integers(low, high))
        kind = draw(st.sampled_from(["replace", "insert", "delete"]))
        last = first - 1 if kind == "insert" else draw(st.integers(first, min(high, first + 3)))
        fresh = " ".join(draw(st.lists(st.sampled_from(["NOUVEAU", "neu", "ajouté", "1°", "L. 9-9"]), min_size=1, max_size=3)))
        spans.append((first, last, None if kind == "delete" else fresh.replace(" ", f" X{first} ")))
    return words, separators, spans


def apply_spans(words, separators, spans) -> str:
    """Applies word-range edits from the last to the first, on a word list."""
    units = [[w, s] for w, s in zip(words, separators + [""])]
    for first, last, replacement in sorted(spans, reverse=True):
        if last < first:
            units.insert(first, [replacement, " "])
        elif replacement is None:
            del units[first : last + 1]
            if units and first == len(units):  # deleted the last words: drop the now dangling separator
                units[-1][1] = ""
        else:
            units[first : last + 1] = [[replacement, units[last][1]]]
    return "".join(w + s for w, s in units)


@given(disjoint_edits())
def test_edits_of_different_words_merge_in_either_order_and_nothing_is_lost(case):
    words, separators, (ours_span, theirs_span) = case
    base = render(words, separators)
    ours = apply_spans(words, separators, [ours_span])
    theirs = apply_spans(words, separators, [theirs_span])
    expected = apply_spans(words, separators, [ours_span, theirs_span])
    one, other = merge3(base, ours, theirs), merge3(base, theirs, ours)
    assert one.clean and other.clean
    assert one.text == other.text == expected
    # nothing lost or duplicated: each word is in the merge as often as the two changes make it
    counts = [Counter(tokenize(text)) for text in (one.text, ours, theirs, base)]
    merged, mine, others, original = counts
    assert all(merged[t] == mine[t] + others[t] - original[t] for t in mine | others | original | merged)


@given(word_texts(), st.integers(0, 100), st.integers(0, 3), st.integers(0, 3))
def test_edits_of_the_same_words_conflict(case, at, ours_extra, theirs_extra):
    words, separators = case
    first = at % len(words)
    ours = apply_spans(words, separators, [(first, min(first + ours_extra, len(words) - 1), "NOUS")])
    theirs = apply_spans(words, separators, [(first, min(first + theirs_extra, len(words) - 1), "EUX")])
    base = render(words, separators)
    result = merge3(base, ours, theirs)
    assert not result.clean and result.text is None
    [conflict] = result.conflicts
    assert base[: conflict.char_start] + conflict.ours + base[conflict.char_end :] == ours
    assert base[: conflict.char_start] + conflict.theirs + base[conflict.char_end :] == theirs
    assert words[first] in conflict.base


def test_an_insertion_next_to_the_other_sides_change_conflicts():
    base = "Le ministre peut accorder une dérogation."
    replaced = "Le ministre doit accorder une dérogation."
    assert not merge3(base, replaced, "Le ministre peut, par arrêté, accorder une dérogation.").clean
    assert not merge3(base, replaced, "Le ministre seul peut accorder une dérogation.").clean
    assert not merge3(base, "Le ministre peut accorder une dérogation", "Le ministre peut accorder une dérogation.\nFin.").clean


def test_an_insertion_one_word_away_from_the_other_sides_change_merges():
    base = "Le ministre peut accorder une dérogation."
    merged = merge3(base, "Le ministre doit accorder une dérogation.", "Le ministre peut accorder une seule dérogation.")
    assert merged.text == "Le ministre doit accorder une seule dérogation."


def test_an_insertion_that_could_sit_on_either_side_of_a_repeated_word_conflicts():
    # "de la loi" inserted before or after the existing "de la loi": the other side changed that very "loi"
    base = "en application de la loi du 6 janvier"
    assert not merge3(base, "en application de la loi de la loi du 6 janvier", "en application de la charte du 6 janvier").clean


def test_the_same_change_plus_another_merges_into_the_larger_change():
    base = "Article 1er. Le droit d’auteur est protégé."
    both = "Article 1er. Le droit d’auteur est garanti."
    more = "Article 2. Le droit d’auteur est garanti."
    assert merge3(base, more, both).text == more
    assert merge3(base, both, more).text == more


def test_two_different_insertions_at_one_place_conflict():
    base = "alinéa 1\nalinéa 3"
    result = merge3(base, "alinéa 1\nalinéa 2 a\nalinéa 3", "alinéa 1\nalinéa 2 b\nalinéa 3")
    assert not result.clean
    [conflict] = result.conflicts
    assert "2 a" in conflict.ours and "2 b" in conflict.theirs


@st.composite
def three_disjoint_edits(draw):
    """A base and three edits of word ranges, in base order, with an untouched word between each two."""
    words, separators = draw(word_texts())
    n = len(words)
    first_cut = draw(st.integers(2, n - 4))
    second_cut = draw(st.integers(first_cut + 2, n - 2))
    spans = []
    for low, high in ((0, first_cut - 2), (first_cut, second_cut - 2), (second_cut, n - 1)):
        first = draw(st.integers(low, high))
        kind = draw(st.sampled_from(["replace", "insert", "delete"]))
        last = first - 1 if kind == "insert" else draw(st.integers(first, min(high, first + 3)))
        fresh = " ".join(draw(st.lists(st.sampled_from(["NOUVEAU", "neu", "ajouté", "1°", "L. 9-9"]), min_size=1, max_size=3)))
        spans.append((first, last, None if kind == "delete" else fresh.replace(" ", f" X{first} ")))
    return words, separators, spans


@given(three_disjoint_edits(), st.integers(0, 2))
def test_a_change_both_sides_made_among_others_is_taken_once(case, shared):
    words, separators, spans = case
    common = spans[shared]
    mine, others = [span for span in spans if span is not common]
    base = render(words, separators)
    ours = apply_spans(words, separators, [common, mine])
    theirs = apply_spans(words, separators, [common, others])
    expected = apply_spans(words, separators, spans)
    assert merge3(base, ours, theirs).text == expected
    assert merge3(base, theirs, ours).text == expected


def test_a_change_both_sides_made_next_to_another_change_of_one_side_is_taken_once():
    # The display diff fuses ours's two changes, and the words kept between them, into one block:
    # the merge must not take that block for a change overlapping theirs's copy of the insertion.
    words = [f"mot{i}" for i in range(10)]
    base = " ".join(words)
    ours = " ".join(["a", "b", "c", *words[:3], *words[6:]])  # inserts "a b c ", deletes mot3 to mot5
    theirs = " ".join(["a", "b", "c", *words[:8], "x", *words[8:]])  # the same insertion, and "x"
    assert [op for op, _ in diff_words(base, ours)] == [-1, 1, 0]  # one block on display
    expected = "a b c mot0 mot1 mot2 mot6 mot7 x mot8 mot9"
    assert merge3(base, ours, theirs) == merge3(base, theirs, ours) == MergeResult(expected)


def test_the_same_deletion_cut_differently_by_the_two_diffs_is_taken_once():
    base = (
        "Le délai est de douze mois après la publication. Cette mise en ligne est gratuite.\n"
        "II. – Il entre en vigueur en 2017."
    )
    sentence = " Cette mise en ligne est gratuite."
    theirs = base.replace("douze", "six").replace(sentence, "")
    ours = base.replace(sentence, "").replace("2017", "2018")
    # theirs's diff ends the deletion where the unchanged end of the text starts, at the last full
    # stop: ". Cette … gratuite"; ours's, which reaches 2017, deletes " Cette … gratuite."
    cuts = [hunk for side in (ours, theirs) for hunk in engine.merge_diff._changes(base, side).hunks]
    deletions = {base[start:end] for start, end, text in cuts if not text}
    assert deletions == {". Cette mise en ligne est gratuite", " Cette mise en ligne est gratuite."}
    expected = "Le délai est de six mois après la publication.\nII. – Il entre en vigueur en 2018."
    assert merge3(base, ours, theirs) == merge3(base, theirs, ours) == MergeResult(expected)


def test_a_deletion_and_a_change_of_the_words_it_deletes_still_conflict():
    base = "Le délai est de douze mois après la publication. Cette mise en ligne est gratuite.\nII. – Fin."
    theirs = base.replace("douze", "six").replace(" Cette mise en ligne est gratuite.", "")
    ours = base.replace("gratuite", "payante")
    result = merge3(base, ours, theirs)
    assert [(c.base, c.ours, c.theirs) for c in result.conflicts] == [
        (". Cette mise en ligne est gratuite", ". Cette mise en ligne est payante", "")
    ]


def test_a_change_among_words_a_rewrite_may_keep_by_chance_conflicts():
    # A minimal diff keeps "le" and "des droits" of the rewritten sentence: words found elsewhere in
    # the text too, between changes bigger than they are. Theirs's "des taxes" has no sure place.
    base = "Le préfet fixe le montant des droits par arrêté. Le maire perçoit le produit des droits."
    ours = "Un décret précise le régime des droits applicables. Le maire perçoit le produit des droits."
    theirs = base.replace("montant des droits", "montant des taxes")
    result = merge3(base, ours, theirs)
    assert [(c.base, c.ours, c.theirs) for c in result.conflicts] == [
        ("Le préfet fixe le montant des droits par arrêté",
         "Un décret précise le régime des droits applicables",
         "Le préfet fixe le montant des taxes par arrêté"),
    ]  # fmt: skip
    assert not merge3(base, theirs, ours).clean
    # a change of the words the rewrite left after it merges
    elsewhere = base.replace("produit des droits", "produit des taxes")
    assert merge3(base, ours, elsewhere).text == ours.replace("produit des droits", "produit des taxes")


def test_a_change_among_words_a_rewrite_kept_where_they_were_merges():
    # "redevances" is found once in each text: the rewrite kept it, and theirs's change goes there
    base = "Le préfet fixe le montant des redevances par arrêté. Le maire perçoit le produit des droits."
    ours = "Un décret précise le régime des redevances applicables. Le maire perçoit le produit des droits."
    theirs = base.replace("redevances", "taxes")
    assert merge3(base, ours, theirs).text == merge3(base, theirs, ours).text == ours.replace("redevances", "taxes")


def test_a_diff_cache_gives_the_same_merges_and_diffs_each_pair_once():
    base = "Le préfet fixe le montant des droits par arrêté. Le maire perçoit le produit des droits."
    head = base.replace("préfet", "ministre")
    proposals = [base.replace("arrêté", "décret"), base.replace("maire", "receveur"), base.replace("fixe", "arrête")]
    cache = DiffCache(size=4)
    assert [merge3(base, p, head, cache=cache) for p in proposals] == [merge3(base, p, head) for p in proposals]
    with mock.patch.object(engine.merge_diff, "_merge_diff", wraps=engine.merge_diff._merge_diff) as diffed:
        again = [merge3(base, p, head, cache=cache) for p in proposals]
        assert diffed.call_count == 0  # the four pairs (head and three proposals) are all kept
        merge3(base, base + " Fin.", head, cache=cache)
        assert diffed.call_count == 1
        merge3(base, proposals[0], head, cache=cache)  # the oldest entry left when the fifth came
        assert diffed.call_count == 2
    assert [r.text for r in again] == [
        "Le ministre fixe le montant des droits par décret. Le maire perçoit le produit des droits.",
        "Le ministre fixe le montant des droits par arrêté. Le receveur perçoit le produit des droits.",
        "Le ministre arrête le montant des droits par arrêté. Le maire perçoit le produit des droits.",
    ]


# --- blame -------------------------------------------------------------------------------------


@given(st.lists(texts, min_size=1, max_size=5))
def test_blame_covers_the_last_text_in_order(history):
    segments = blame([(text, k) for k, text in enumerate(history, 1)])
    assert "".join(segment.text for segment in segments) == history[-1]
    assert all(segment.text for segment in segments)
    assert all(a.label != b.label for a, b in zip(segments, segments[1:]))
    assert {segment.label for segment in segments} <= set(range(1, len(history) + 1))


@given(word_texts(), st.lists(st.integers(0, 1000), min_size=1, max_size=6))
def test_a_word_inserted_in_version_k_is_labelled_k(case, positions):
    units = list(case[0])
    history = [" ".join(units)]
    for k, position in enumerate(positions, 2):
        units.insert(position % (len(units) + 1), f"Marque{k}")
        history.append(" ".join(units))
    labels: dict[str, set] = {}
    for segment in blame([(text, k) for k, text in enumerate(history, 1)]):
        for token in tokenize(segment.text):
            labels.setdefault(token, set()).add(segment.label)
    for k in range(2, len(positions) + 2):
        assert labels[f"Marque{k}"] == {k}
    assert all(labels[word] == {1} for word in case[0])


def test_blame_keeps_labels_of_kept_words_and_restarts_after_a_deletion():
    assert blame([("a b c", 1), ("a x b c", 2), ("a x b c d", 3)]) == [
        Segment("a ", 1),
        Segment("x ", 2),
        Segment("b c", 1),
        Segment(" d", 3),
    ]
    assert blame([("a b", "v1"), (None, "v2"), ("a b", "v3")]) == [Segment("a b", "v3")]
    assert blame([("a b", 1), (None, 2)]) == []
    assert blame([]) == []


# --- redline -----------------------------------------------------------------------------------


def block_parts(blocks):
    for block in blocks:
        if isinstance(block, Changed):
            yield from block.parts
        else:
            yield (0, block.text)


@given(text_pairs, st.integers(0, 3))
def test_redline_blocks_cover_the_diff(pair, context):
    old, new = pair
    blocks = redline_blocks(diff_words(old, new), context)
    parts = list(block_parts(blocks))
    assert old_text(parts) == old and new_text(parts) == new
    for block in blocks:
        if isinstance(block, Changed):
            assert any(op for op, _ in block.parts)
            assert all("\n" not in part[:-1] for _, part in block.parts)
        elif isinstance(block, Folded):
            assert block.count >= 2
            assert block.count == len(re.findall(r"[^\n]*\n|[^\n]+", block.text))


def test_redline_folds_unchanged_alineas_beyond_the_context():
    old = "\n".join(f"alinéa {i}" for i in range(1, 11))
    new = old.replace("alinéa 5", "alinéa cinq")
    assert redline_blocks(diff_words(old, new), context=1) == [
        Folded(3, "alinéa 1\nalinéa 2\nalinéa 3\n"),
        Unchanged("alinéa 4\n"),
        Changed(((0, "alinéa "), (-1, "5"), (1, "cinq"), (0, "\n"))),
        Unchanged("alinéa 6\n"),
        Folded(4, "alinéa 7\nalinéa 8\nalinéa 9\nalinéa 10"),
    ]
    assert redline_blocks(diff_words(old, old)) == [Folded(10, old)]
    assert redline_blocks([]) == []


@given(text_pairs)
def test_side_by_side_rows_give_both_texts_back(pair):
    old, new = pair
    rows = side_by_side(diff_words(old, new))
    assert "".join(part for row in rows if row.old for _, part in row.old) == old
    assert "".join(part for row in rows if row.new for _, part in row.new) == new
    for row in rows:
        assert row.old is not None or row.new is not None
        assert all(op in (0, -1) for op, _ in row.old or ())
        assert all(op in (0, 1) for op, _ in row.new or ())


def test_side_by_side_keeps_unchanged_alineas_on_one_row():
    rows = side_by_side(diff_words("un\ntrois\n", "un\ndeux\ntrois\n"))
    assert rows == [
        Row(((0, "un\n"),), ((0, "un\n"),)),
        Row(None, ((1, "deux\n"),)),
        Row(((0, "trois\n"),), ((0, "trois\n"),)),
    ]


# --- the real corpus ---------------------------------------------------------------------------


def consecutive_versions(path: Path) -> list[tuple[str, str]]:
    texts_ = [v["text"] for v in json.loads(path.read_text("utf-8"))["versions"] if v["text"] is not None]
    return list(zip(texts_, texts_[1:]))


def change_count(diff_pairs, equal) -> int:
    return sum(1 for k, (op, _) in enumerate(diff_pairs) if op != equal and (k == 0 or diff_pairs[k - 1][0] == equal))


@pytest.fixture(scope="module")
def histories():
    if not HISTORIES:
        missing(f"no article histories under {CORPUS}")
    return {path.stem: consecutive_versions(path) for path in HISTORIES}


def test_corpus_diffs_are_exact_word_level_and_not_fragmented(histories):
    ours_total = characters_total = 0
    for name, pairs in histories.items():
        for old, new in pairs:
            diff = diff_words(old, new)
            assert_diff_laws(diff, old, new)
            ours = change_count(diff, 0)
            characters = change_count(
                fast_diff_match_patch.diff(old, new, timelimit=0, checklines=False, cleanup="Semantic", counts_only=False), "="
            )
            assert ours <= 2 * characters + 1, f"{name}: {ours} changes where the character diff has {characters}"
            ours_total += ours
            characters_total += characters
    assert ours_total <= characters_total  # words group changes at least as well as characters overall


def test_corpus_diffs_are_the_same_without_the_cpp_build(histories):
    pairs = [pair for pairs in histories.values() for pair in pairs][:60]
    fast = [diff_words(old, new) for old, new in pairs]
    with mock.patch.object(engine.diff, "_fast", None):
        assert [diff_words(old, new) for old, new in pairs] == fast


def test_corpus_merges_are_the_same_without_the_cpp_build(histories):
    # each change of a history against the one after it, as if both had been proposed on the first
    triples = [(a[0], a[1], b[1]) for pairs in histories.values() for a, b in zip(pairs, pairs[1:])][:60]
    fast = [(merge3(*triple), merge3(triple[0], triple[2], triple[1])) for triple in triples]
    with mock.patch.object(engine.diff, "_fast", None):
        assert [(merge3(*triple), merge3(triple[0], triple[2], triple[1])) for triple in triples] == fast
    assert any(one.clean for one, _ in fast) and not all(one.clean for one, _ in fast)


def test_replaying_each_corpus_change_as_a_merge_gives_the_next_version(histories):
    for name, pairs in histories.items():
        for old, new in pairs:
            assert merge3(old, new, old).text == new, name
            assert merge3(old, old, new).text == new, name


def test_corpus_blame_covers_each_head_and_credits_the_last_change(histories):
    for path in HISTORIES:
        versions = [(v["text"], k) for k, v in enumerate(json.loads(path.read_text("utf-8"))["versions"], 1)]
        segments = blame(versions)
        head = versions[-1][0] or ""
        assert "".join(s.text for s in segments) == head, path.stem
        if len(versions) > 1 and versions[-2][0] is not None:
            labels = [label for s in segments for label in [s.label] * len(s.text)]
            position = 0
            for op, part in diff_words(versions[-2][0], head):
                if op == 1:
                    assert set(labels[position : position + len(part)]) == {len(versions)}, path.stem
                if op >= 0:
                    position += len(part)


# --- the République numérique consultation, article 9 ------------------------------------------


@pytest.fixture(scope="module")
def article9():
    if not ARTICLE9.exists():
        missing(f"no {ARTICLE9}")
    data = json.loads(ARTICLE9.read_text("utf-8"))
    modal = data["original_article"]["modals"][0]["after"]
    original = html.unescape(re.sub(r"<[^>]+>", "", modal.replace("</p><p>", "\n")))
    versions = sorted(data["versions"], key=lambda v: int(v["votes_total"]), reverse=True)
    return original, versions


def merge_each_onto_head(original: str, proposals: list[str], head: str) -> list[bool]:
    """Rebases each proposal onto head, telling which merged cleanly; a clean result must differ from
    head by the proposal's own changes."""
    verdicts = []
    head_changes = set(hunks(original, head))
    for proposal in proposals:
        result = merge3(original, proposal, head)
        verdicts.append(result.clean)
        if result.clean:
            own = [change for change in hunks(original, proposal) if change not in head_changes]
            assert hunks(head, result.text) == own
        else:
            for c in result.conflicts:
                assert original[c.char_start : c.char_end] == c.base
                assert c.ours != c.theirs
    return verdicts


def seeded_word_edits(tokens: list[str], seeds: list[int]) -> list[dict[int, str]]:
    """For each seed, one to three words of the text replaced, deleted or followed by " ajouté"."""
    words = [i for i, token in enumerate(tokens) if token[:1].isalnum()]
    edits = []  # for each seed: token index -> what replaces the token
    for seed in seeds:
        rng = random.Random(seed)
        chosen = {}
        for index in rng.sample(words, rng.randint(1, 3)):
            chosen[index] = rng.choice([f"mot{seed}", "", tokens[index] + " ajouté"])
        edits.append(chosen)
    return edits


def test_article9_word_edits_rebase_onto_the_real_whitespace_change(article9, record_property):
    original, versions = article9
    head = versions[0]["after"]
    # Every version of this export carries one text: the original without its paragraph break and
    # its two double spaces ("du  droit" became "dudroit"). Proposals are rebased onto that change.
    assert {v["after"] for v in versions} == {head} and original.count("  ") == 2
    assert head == original.replace("\n", "").replace("  ", "")
    tokens = tokenize(original)
    edits = seeded_word_edits(tokens, [int(v["id"]) for v in versions[1:]])
    proposals = ["".join(chosen.get(i, token) for i, token in enumerate(tokens)) for chosen in edits]
    verdicts = merge_each_onto_head(original, proposals, head)
    clean, conflict = verdicts.count(True), verdicts.count(False)
    record_property("article9_clean", clean)
    record_property("article9_conflict", conflict)
    print(f"article 9, word edits onto the real head: {clean} clean, {conflict} conflicts of {len(proposals)}")
    # a proposal conflicts only if it edits a word near the removed spaces or line break (the head's
    # diff rewrites "du  droit" as a whole, and an insertion next to that change conflicts)
    touched = {i for i, token in enumerate(tokens) if token in ("  ", "\n")}
    near = {j for i in touched for j in range(i - 3, i + 4)}
    for chosen, merged in zip(edits, verdicts):
        if not near & set(chosen):
            assert merged, chosen
    assert clean > conflict


def test_article9_concurrent_word_edits_rebase_or_conflict(article9, record_property):
    """Stand-ins for the proposals the export lost: one seeded word edit set per real version.

    Each edit replaces a word, deletes it, or inserts " ajouté" after it. Which proposals must
    conflict with the head is worked out from the edits themselves, by the rule: the two change one
    word differently; one inserts right after a word and the other changes the next word, with
    nothing but whitespace between; or both delete neighbouring words (each rewrites the space
    between them). The head's changed words are found once in the text, so no change can be among
    words kept only by chance.
    """
    original, versions = article9
    tokens = tokenize(original)
    edits = seeded_word_edits(tokens, [int(version["id"]) for version in versions])
    proposals = ["".join(chosen.get(i, token) for i, token in enumerate(tokens)) for chosen in edits]
    head, others = proposals[0], proposals[1:]
    assert all(tokens.count(tokens[i]) == 1 for i in edits[0])

    def next_word(i: int, j: int) -> bool:  # j follows i with nothing but whitespace between
        return i < j and not "".join(tokens[i + 1 : j]).strip()

    def must_conflict(mine: dict[int, str], theirs: dict[int, str]) -> bool:
        for i, a in mine.items():
            for j, b in theirs.items():
                inserts_a, inserts_b = a.endswith(" ajouté"), b.endswith(" ajouté")
                if (
                    i == j and a != b
                    or inserts_a and not inserts_b and next_word(i, j)
                    or inserts_b and not inserts_a and next_word(j, i)
                    or a == b == "" and (next_word(i, j) or next_word(j, i))
                ):  # fmt: skip
                    return True
        return False

    expected = [not must_conflict(chosen, edits[0]) for chosen in edits[1:]]
    verdicts = merge_each_onto_head(original, others, head)
    clean, conflict = verdicts.count(True), verdicts.count(False)
    record_property("article9_synthetic_clean", clean)
    record_property("article9_synthetic_conflict", conflict)
    print(f"article 9, seeded word edits: {clean} clean, {conflict} conflicts of {len(others)}")
    assert verdicts == expected
    assert clean > 0 and conflict > 0
