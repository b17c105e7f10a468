"""Quality floor of the grouping on the hand-made positions of tests/data/positions (issue 14).

Measured with the shipped THRESHOLD (README, "The argument map"): pooled pairwise F1 0.31; per article 0.37
(Article 27), 0.21 (Article 7), 0.29 (Article 9). Chosen leave-one-set-out (threshold on two articles, scored
on the third), the held-out figure is 0.30. The map as the service keeps it (each argument placed in the order
written, the target regrouped below 30 arguments and at each doubling): 0.32; per article 0.42, 0.24, 0.27
(no parameter of it was tuned on these labels). The floors sit just under those figures."""
from __future__ import annotations

import pytest

from amendments.positions import evaluation, group
from amendments.services.position_staff import regroups

POOLED_FLOOR = 0.30
ARTICLE_FLOORS = {"rn_article27_sms": 0.33, "rn_article7_statistique": 0.18, "rn_article9_libre_acces": 0.26}
KEPT_FLOOR = 0.30
KEPT_ARTICLE_FLOORS = {"rn_article27_sms": 0.39, "rn_article7_statistique": 0.21, "rn_article9_libre_acces": 0.24}


@pytest.fixture(scope="module")
def scores(articles, vectors) -> dict[str, evaluation.Scores]:
    return {
        a.name: evaluation.score(a.gold, group(a.texts, "fr", stances=a.stances, vectors=vectors[a.name]))
        for a in articles
    }


def test_labels_cover_every_argument_of_each_article_once(articles):
    for article in articles:
        assert len(article.ids) == len(set(article.ids)) >= 40
        assert len(article.gold) == len(article.texts)


def test_pooled_pairwise_f1_stays_above_the_floor(scores):
    pooled = evaluation.pooled(list(scores.values()))
    assert pooled.f1 >= POOLED_FLOOR, pooled


@pytest.mark.parametrize("name", sorted(ARTICLE_FLOORS))
def test_each_article_stays_above_its_floor(scores, name):
    assert scores[name].f1 >= ARTICLE_FLOORS[name], scores[name]


def test_grouping_beats_one_position_per_stance(articles, scores):
    trivial = evaluation.pooled([evaluation.score(a.gold, a.stances) for a in articles])
    assert evaluation.pooled(list(scores.values())).f1 > trivial.f1 + 0.1
    assert evaluation.pooled(list(scores.values())).ari > trivial.ari + 0.1


@pytest.fixture(scope="module")
def kept_scores(articles, vectors) -> dict[str, evaluation.Scores]:
    """The map as the service keeps it: placed one at a time in the order written, regrouped as it grows."""
    return {a.name: evaluation.score(a.gold, evaluation.kept(a, vectors[a.name], a.order, regroups)) for a in articles}


def test_the_map_as_kept_one_argument_at_a_time_stays_above_the_floor(kept_scores):
    pooled = evaluation.pooled(list(kept_scores.values()))
    assert pooled.f1 >= KEPT_FLOOR, pooled


@pytest.mark.parametrize("name", sorted(KEPT_ARTICLE_FLOORS))
def test_each_article_kept_one_argument_at_a_time_stays_above_its_floor(kept_scores, name):
    assert kept_scores[name].f1 >= KEPT_ARTICLE_FLOORS[name], kept_scores[name]
