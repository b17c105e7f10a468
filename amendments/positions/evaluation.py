"""Scoring a grouping against hand-made positions (tests/data/positions): pairwise precision, recall and
F1 over pairs of arguments of one article, and the adjusted Rand index (scikit-learn's metrics).

Used by the test suite's quality floor and by bench/bench_positions.py; needs the ``test`` extra."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from amendments.positions import grouping

STANCES = {1: "for", 0: "against"}


@dataclass(frozen=True)
class Article:
    """One hand-labelled article: its arguments (corpus order), their stances and gold positions."""

    name: str
    title: str
    ids: list[int]
    texts: list[str]
    stances: list[str]
    gold: list[str]
    written: list[str]  # when each argument was written (ISO), for placing them in that order

    @property
    def order(self) -> list[int]:
        """The arguments' indexes in the order they were written."""
        return sorted(range(len(self.ids)), key=lambda i: (self.written[i], self.ids[i]))


def load_articles(labels_dir: Path, opinions_path: Path) -> list[Article]:
    """The labelled articles, with the argument texts read from the consultation corpus."""
    opinions = {o["id"]: o for o in json.loads(opinions_path.read_text(encoding="utf-8"))["opinions"]}
    articles = []
    for path in sorted(labels_dir.glob("rn_*.json")):
        labels = json.loads(path.read_text(encoding="utf-8"))
        position_of = {a: p["key"] for p in labels["positions"] for a in p["arguments"]}
        arguments = [a for a in opinions[labels["opinion_id"]]["arguments"] if a["id"] in position_of]
        articles.append(Article(
            name=path.stem, title=labels["title"], ids=[a["id"] for a in arguments],
            texts=[a["body"] for a in arguments], stances=[STANCES[a["type"]] for a in arguments],
            gold=[position_of[a["id"]] for a in arguments], written=[a["created_at"] for a in arguments],
        ))
    return articles


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    ari: float
    pairs: np.ndarray  # sklearn's pair confusion matrix, kept for pooling articles


def score(gold: list, predicted: list) -> Scores:
    """Pairwise precision/recall/F1 and adjusted Rand index of ``predicted`` against ``gold``."""
    from sklearn.metrics import adjusted_rand_score
    from sklearn.metrics.cluster import pair_confusion_matrix

    pairs = pair_confusion_matrix(gold, predicted)
    return _from_pairs(pairs, adjusted_rand_score(gold, predicted))


def pooled(scores: list[Scores]) -> Scores:
    """All articles' pairs counted together (micro average); the ARI is the mean of the articles'."""
    return _from_pairs(sum(s.pairs for s in scores), float(np.mean([s.ari for s in scores])))


def _from_pairs(pairs: np.ndarray, ari: float) -> Scores:
    together_both, predicted_only, gold_only = pairs[1, 1], pairs[0, 1], pairs[1, 0]
    precision = together_both / max(together_both + predicted_only, 1)
    recall = together_both / max(together_both + gold_only, 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(float(precision), float(recall), float(f1), float(ari), pairs)


def stance_labels(stances: list[str], clusters: list) -> list[str]:
    """Cluster numbers made distinct across stances, for methods that group each stance on its own."""
    return [f"{s}:{c}" for s, c in zip(stances, clusters)]


def kept(article: Article, vectors: np.ndarray, order: list[int],
         regroups: Callable[[int], bool] = lambda count: False) -> list[str]:
    """The map as it is kept: each argument placed in turn (``grouping.place``) against the positions kept
    so far; when ``regroups(count)`` (the service's ``position_staff.regroups``) the arguments written so far
    are regrouped in a batch, as ``position_staff.settle`` does. A stance-qualified label per argument."""
    space, positions = grouping.Space(), {s: [] for s in set(article.stances)}
    labels = [""] * len(article.texts)
    for count, i in enumerate(order, start=1):
        stance, of_stance = article.stances[i], positions[article.stances[i]]
        placed = grouping.place(article.texts[i], "fr", of_stance, space, vector=vectors[i])
        space = placed.space
        if placed.position is None:
            of_stance.append(grouping.PositionVector.opened(len(of_stance), placed.features))
            labels[i] = f"{stance}:{len(of_stance) - 1}"
        else:
            of_stance[placed.position] = of_stance[placed.position].joined(placed.features)
            labels[i] = f"{stance}:{placed.position}"
        if regroups(count):
            space, positions = _regrouped(article, vectors, order[:count], labels)
    return labels


def _regrouped(article: Article, vectors: np.ndarray, members: list[int], labels: list[str]):
    rebuilt = grouping.rebuild([article.texts[i] for i in members], "fr",
                               stances=[article.stances[i] for i in members], vectors=vectors[members])
    positions: dict[str, list] = {s: [] for s in set(article.stances)}
    number: dict[int, int] = {}
    for i, cluster, described in zip(members, rebuilt.clusters, rebuilt.features):
        of_stance = positions[article.stances[i]]
        if cluster not in number:
            number[cluster] = len(of_stance)
            of_stance.append(grouping.PositionVector.opened(number[cluster], described))
        else:
            of_stance[number[cluster]] = of_stance[number[cluster]].joined(described)
        labels[i] = f"{article.stances[i]}:{number[cluster]}"
    return rebuilt.space, positions
