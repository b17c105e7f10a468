"""Scoring a grouping against hand-made positions (tests/data/positions): pairwise precision, recall and
F1 over pairs of arguments of one article, and the adjusted Rand index (scikit-learn's metrics).

Used by the test suite's quality floor and by bench/bench_positions.py; needs the ``test`` extra."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

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
            gold=[position_of[a["id"]] for a in arguments],
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
