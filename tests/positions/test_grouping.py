"""The grouping's contract: identical texts in one position, never a position across stances, the
incremental placement agreeing with the batch, kept state that survives a round trip, and labels."""
from __future__ import annotations

import json

import numpy as np
import pytest

from amendments.positions import (
    PositionVector,
    Space,
    embed,
    fold,
    group,
    label,
    place,
    rebuild,
    representative,
    text_key,
)
from tests.positions.conftest import LABELS


@pytest.fixture(scope="module")
def reasons() -> list[dict]:
    return json.loads((LABELS / "crosslingual.json").read_text(encoding="utf-8"))["reasons"]


def test_fold_ignores_case_spaces_and_punctuation():
    assert fold("  Le SMS, c'est   OBSOLÈTE !!! ") == fold("le sms c est obsolète")
    assert text_key("Trop cher.") == text_key("trop  CHER") != text_key("trop cher pour moi")


def test_identical_texts_always_share_a_position():
    texts = [
        "Le paiement par SMS ouvre la porte à la fraude.",
        "Les opérateurs prennent des commissions énormes.",
        "LE PAIEMENT PAR SMS ouvre la porte à la fraude !!",
        "Le SMS est une technologie dépassée.",
        "le paiement par sms   ouvre la porte a la fraude",  # unaccented "a": a different text
        "Les opérateurs prennent des commissions énormes",
    ]
    clusters = group(texts, "fr", threshold=0.99)  # a threshold no two different texts reach
    assert clusters[0] == clusters[2]
    assert clusters[1] == clusters[5]
    assert len({clusters[0], clusters[1], clusters[3]}) == 3


def test_no_position_spans_two_stances():
    text = "Le paiement par SMS ouvre la porte à la fraude."
    texts = [text, text, "Le don par SMS aide les associations.", "Le don par SMS aide les associations !"]
    stances = ["against", "for", "for", "against"]
    clusters = group(texts, "fr", stances=stances, threshold=-1.0)  # everything would merge within a stance
    by_stance = {s: {c for c, t in zip(clusters, stances) if t == s} for s in set(stances)}
    assert len(by_stance["for"]) == len(by_stance["against"]) == 1
    assert by_stance["for"].isdisjoint(by_stance["against"])


def test_group_numbers_positions_in_order_of_first_appearance():
    texts = ["Trop cher.", "Pas sûr du tout, fraude.", "trop cher"]
    clusters = group(texts, "fr", threshold=0.99)
    assert clusters == [0, 1, 0]
    assert group([], "fr") == []


def test_a_new_argument_joins_the_position_the_batch_gave_its_reason(reasons):
    """Batch over two languages of each reason, then the third language's texts placed one by one."""
    kept = [(r["key"], r["stance"], lang, t) for r in reasons for lang, t in r["texts"].items() if lang != "en"]
    new = [(r["key"], r["stance"], "en", r["texts"]["en"]) for r in reasons]
    built = rebuild([k[3] for k in kept], [k[2] for k in kept], stances=[k[1] for k in kept])
    position_of_reason = {}
    for (key, *_), cluster in zip(kept, built.clusters):
        assert position_of_reason.setdefault(key, cluster) == cluster  # the batch groups each reason
    assert len(set(position_of_reason.values())) == len(reasons)
    positions, space = built.position_vectors(), built.space
    stance_of_position = {c: k[1] for k, c in zip(kept, built.clusters)}
    for key, stance, lang, text in new:
        same_stance = [p for p in positions if stance_of_position[p.id] == stance]
        placed = place(text, lang, same_stance, space)
        assert placed.position == position_of_reason[key], (key, placed)
        space = placed.space
    assert space.count == len(kept) + len(new)


def test_an_unrelated_argument_opens_a_new_position(reasons):
    kept = [(r["stance"], lang, t) for r in reasons for lang, t in r["texts"].items()]
    built = rebuild([k[2] for k in kept], [k[1] for k in kept], stances=[k[0] for k in kept])
    against = [p for p, s in zip(built.position_vectors(), _stance_per_cluster(built.clusters, kept)) if s == "against"]
    placed = place("Cet article n'a rien à faire dans une loi sur la République numérique.", "fr", against, built.space)
    assert placed.position is None


def _stance_per_cluster(clusters, kept):
    stance = {}
    for c, k in zip(clusters, kept):
        stance[c] = k[0]
    return [stance[c] for c in sorted(stance)]


def test_a_twin_text_joins_its_twins_position_whatever_the_similarity():
    space = Space()
    first = place("Trop dangereux.", "fr", [], space)
    assert first.position is None
    position = PositionVector.opened("p1", first.features)
    other = PositionVector.opened("p2", place("Le don aide les associations.", "fr", [], first.space).features)
    twin = place("trop dangereux", "fr", [other, position], first.space, twin="p1", threshold=2.0)
    assert twin.position == "p1"


def test_kept_state_survives_a_json_round_trip():
    texts = ["Le paiement par SMS ouvre la porte à la fraude.", "Le SMS est une technologie dépassée.",
             "Les opérateurs prennent des commissions énormes sur chaque don."]
    built = rebuild(texts, "fr", threshold=0.99)
    space = Space.from_json(json.loads(json.dumps(built.space.to_json())))
    positions = [PositionVector.from_json(p.id, json.loads(json.dumps(p.to_json()))) for p in built.position_vectors()]
    assert space.count == 3 and space.document_frequency == built.space.document_frequency
    np.testing.assert_allclose(space.vector_sum, built.space.vector_sum, rtol=1e-6)
    new = "Avec un téléphone volé, la fraude au paiement par SMS est facile."
    vector = embed([new])[0]
    before = place(new, "fr", built.position_vectors(), built.space, vector=vector)
    after = place(new, "fr", positions, space, vector=vector)
    assert before.position == after.position
    assert after.similarity == pytest.approx(before.similarity, abs=1e-5)


def test_representative_is_the_most_central_member_and_label_its_first_sentence():
    texts = ["Le SMS n'est pas sûr. Un virus suffit.", "Le paiement par SMS n'est pas sûr du tout.",
             "Pas sûr, et les opérateurs se servent au passage sur chaque paiement par SMS."]
    built = rebuild(texts, "fr", threshold=-1.0)
    central = representative(built.features)
    similarities = [sum(f.similarity(g) for g in built.features) for f in built.features]
    assert similarities[central] == max(similarities)
    assert label("Le SMS n'est pas sûr. Un virus suffit.") == "Le SMS n'est pas sûr."
    long = label("Le paiement par SMS " + "est vraiment très dangereux " * 10 + ". Fin.")
    assert len(long) <= 90 and long.endswith("…") and not long[:-1].endswith(" ")


def test_a_member_taken_out_leaves_the_sums_of_the_others():
    texts = ["Le paiement par SMS ouvre la porte à la fraude.", "Avec un téléphone volé, la fraude est facile.",
             "Le SMS est une technologie dépassée."]
    built = rebuild(texts, "fr", threshold=-1.0)
    a, b, c = built.features
    everything = PositionVector.opened(0, a).joined(b).joined(c)
    two = everything.without(c)
    expected = PositionVector.opened(0, a).joined(b)
    assert two.count == 2
    np.testing.assert_allclose(two.meaning_sum, expected.meaning_sum, atol=1e-9)
    assert two.words_sum.keys() == expected.words_sum.keys()
    assert two.similarity(c) == pytest.approx(expected.similarity(c))
