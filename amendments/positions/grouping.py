"""Arguments grouped into positions by meaning: a batch rebuild (average-linkage clustering) and the
incremental placement of one new argument against the kept positions, with the same similarity.

An argument is described by two parts, weighted ``1 - TERMS_WEIGHT`` and ``TERMS_WEIGHT``:
- meaning: its e5 embedding, centred on the mean embedding of its target (every argument of one article
  speaks of the same subject; what tells reasons apart is what remains once that common part is removed);
- key terms: TF-IDF of its word stems, with document frequencies counted within its target.
The similarity of two arguments is the weighted sum of the two cosines; the similarity of an argument to
a position is its average similarity to the position's members (average linkage), which a position's
two sums give in constant time, whatever the number of its members.
"""
from __future__ import annotations

import base64
import math
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix
from scipy.spatial.distance import squareform

from amendments.positions import embeddings
from amendments.positions.text import fold, terms

TERMS_WEIGHT = 0.4
# An argument joins a position when its average similarity to the members reaches this. Chosen on
# Article 9 of the République numérique consultation (132 arguments) and checked on two other articles.
THRESHOLD = 0.08


def _vector_to_text(vector: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")


def _vector_from_text(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f4").astype(np.float64)


@dataclass(frozen=True)
class Space:
    """What one target's arguments share: their count, the sum of their embeddings (for the mean that is
    taken away) and the document frequency of each stem. Kept per target, updated by each argument."""

    count: int = 0
    vector_sum: np.ndarray = field(default_factory=lambda: np.zeros(embeddings.DIMENSIONS))
    document_frequency: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, vectors: np.ndarray, term_lists: Sequence[Sequence[str]]) -> Space:
        frequency = Counter(t for stems in term_lists for t in set(stems))
        return cls(len(term_lists), np.asarray(vectors, dtype=np.float64).sum(axis=0), dict(frequency))

    def added(self, vector: np.ndarray, stems: Sequence[str]) -> Space:
        frequency = dict(self.document_frequency)
        for stem in set(stems):
            frequency[stem] = frequency.get(stem, 0) + 1
        return Space(self.count + 1, self.vector_sum + vector, frequency)

    @property
    def mean(self) -> np.ndarray:
        return self.vector_sum / max(self.count, 1)

    def idf(self, stem: str) -> float:
        return math.log((1 + self.count) / (1 + self.document_frequency.get(stem, 0))) + 1.0

    def to_json(self) -> dict:
        return {"count": self.count, "vector_sum": _vector_to_text(self.vector_sum), "df": self.document_frequency}

    @classmethod
    def from_json(cls, data: dict) -> Space:
        return cls(int(data["count"]), _vector_from_text(data["vector_sum"]), {k: int(v) for k, v in data["df"].items()})


@dataclass(frozen=True)
class Features:
    """One argument in the space of its target: the two weighted unit parts whose dot product with
    another argument's is their similarity."""

    meaning: np.ndarray
    words: dict[str, float]

    def similarity(self, other: Features) -> float:
        shared = sum(w * other.words[t] for t, w in self.words.items() if t in other.words)
        return float(self.meaning @ other.meaning) + shared


def features(vector: np.ndarray, stems: Sequence[str], space: Space, terms_weight: float = TERMS_WEIGHT) -> Features:
    """The features of an argument, given its embedding, its stems and its target's space
    (``terms_weight`` other than TERMS_WEIGHT only for measuring: kept sums assume the constant)."""
    centred = np.asarray(vector, dtype=np.float64) - space.mean
    norm = np.linalg.norm(centred)
    meaning = centred / norm if norm > 1e-9 else np.zeros_like(centred)
    counts = Counter(stems)
    weights = {t: (1.0 + math.log(c)) * space.idf(t) for t, c in counts.items()}
    length = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    scale = math.sqrt(terms_weight) / length
    return Features(meaning * math.sqrt(1.0 - terms_weight), {t: w * scale for t, w in weights.items()})


@dataclass(frozen=True)
class PositionVector:
    """What a kept position needs for placing new arguments: its size and the sums of its members'
    features (average similarity to the members = dot product with the sums / count)."""

    id: Hashable
    count: int
    meaning_sum: np.ndarray
    words_sum: dict[str, float]

    @classmethod
    def opened(cls, id: Hashable, first: Features) -> PositionVector:
        return cls(id, 1, first.meaning.copy(), dict(first.words))

    def joined(self, member: Features) -> PositionVector:
        words = dict(self.words_sum)
        for t, w in member.words.items():
            words[t] = words.get(t, 0.0) + w
        return PositionVector(self.id, self.count + 1, self.meaning_sum + member.meaning, words)

    def without(self, member: Features) -> PositionVector:
        """The position once a member is hidden or moved out (its features as computed when it joined,
        or recomputed in the current space: the sums then drift a little until the next rebuild)."""
        words = {t: w - member.words.get(t, 0.0) for t, w in self.words_sum.items()}
        words = {t: w for t, w in words.items() if abs(w) > 1e-9}
        return PositionVector(self.id, self.count - 1, self.meaning_sum - member.meaning, words)

    def similarity(self, argument: Features) -> float:
        shared = sum(w * self.words_sum[t] for t, w in argument.words.items() if t in self.words_sum)
        return (float(argument.meaning @ self.meaning_sum) + shared) / self.count

    def to_json(self) -> dict:
        return {"count": self.count, "meaning_sum": _vector_to_text(self.meaning_sum),
                "words_sum": {t: round(w, 6) for t, w in self.words_sum.items()}}

    @classmethod
    def from_json(cls, id: Hashable, data: dict) -> PositionVector:
        return cls(id, int(data["count"]), _vector_from_text(data["meaning_sum"]),
                   {t: float(w) for t, w in data["words_sum"].items()})


@dataclass(frozen=True)
class Placement:
    """Where a new argument goes: ``position`` is the id of the position it joins, or None when it opens
    a new one; ``space`` is the target's space with the argument counted, to be kept."""

    position: Hashable | None
    similarity: float
    features: Features
    space: Space


def place(
    text: str,
    language: str,
    positions: Sequence[PositionVector],
    space: Space,
    *,
    vector: np.ndarray | None = None,
    twin: Hashable | None = None,
    threshold: float = THRESHOLD,
) -> Placement:
    """Place one new argument among the kept positions of its target and stance.

    ``twin`` is the position of an argument of the same target and stance with the same ``text_key``, if
    there is one: identical texts always share a position. The cost is one embedding and one dot product
    per position, whatever the number of arguments."""
    if vector is None:
        vector = embeddings.embed([text])[0]
    stems = terms(text, language)
    space = space.added(vector, stems)
    argument = features(vector, stems, space)
    if twin is not None:
        return Placement(twin, 1.0, argument, space)
    best, best_similarity = None, -math.inf
    for position in positions:
        similarity = position.similarity(argument)
        if similarity > best_similarity:
            best, best_similarity = position.id, similarity
    if best is None or best_similarity < threshold:
        return Placement(None, max(best_similarity, -1.0), argument, space)
    return Placement(best, best_similarity, argument, space)


def _languages(language: str | Sequence[str], count: int) -> list[str]:
    return [language] * count if isinstance(language, str) else list(language)


@dataclass(frozen=True)
class Grouping:
    """A rebuilt map of one target: a position number per argument, the space and the features, from
    which ``position_vectors`` gives what to keep."""

    clusters: list[int]
    space: Space
    features: list[Features]

    def position_vectors(self) -> list[PositionVector]:
        kept: dict[int, PositionVector] = {}
        for cluster, argument in zip(self.clusters, self.features):
            kept[cluster] = kept[cluster].joined(argument) if cluster in kept else PositionVector.opened(cluster, argument)
        return [kept[c] for c in sorted(kept)]


def rebuild(
    texts: Sequence[str],
    language: str | Sequence[str] = "fr",
    *,
    stances: Sequence[Hashable] | None = None,
    vectors: np.ndarray | None = None,
    threshold: float = THRESHOLD,
    terms_weight: float = TERMS_WEIGHT,
) -> Grouping:
    """Group all the arguments of one target at once. ``stances`` (one per text) keeps every position
    within one stance; ``vectors`` are embeddings already computed (e.g. kept in the database)."""
    count = len(texts)
    if count == 0:
        return Grouping([], Space(), [])
    if vectors is None:
        vectors = embeddings.embed(texts)
    stem_lists = [terms(t, lang) for t, lang in zip(texts, _languages(language, count))]
    space = Space.of(vectors, stem_lists)
    described = [features(v, s, space, terms_weight) for v, s in zip(vectors, stem_lists)]
    stance_of = list(stances) if stances is not None else [None] * count
    clusters = [-1] * count
    next_cluster = 0
    for stance in dict.fromkeys(stance_of):
        members = [i for i in range(count) if stance_of[i] == stance]
        labels = _average_linkage([described[i] for i in members], threshold)
        numbering: dict[int, int] = {}
        for i, label in zip(members, labels):
            if label not in numbering:
                numbering[label] = next_cluster
                next_cluster += 1
            clusters[i] = numbering[label]
    _unite_identical(texts, stance_of, clusters)
    return Grouping(_renumbered(clusters), space, described)


def group(
    texts: Sequence[str],
    language: str | Sequence[str] = "fr",
    *,
    stances: Sequence[Hashable] | None = None,
    vectors: np.ndarray | None = None,
    threshold: float = THRESHOLD,
    terms_weight: float = TERMS_WEIGHT,
) -> list[int]:
    """A position number for each argument of one target (0, 1, … in order of first appearance)."""
    return rebuild(texts, language, stances=stances, vectors=vectors, threshold=threshold,
                   terms_weight=terms_weight).clusters


def _average_linkage(described: list[Features], threshold: float) -> list[int]:
    if len(described) == 1:
        return [0]
    meaning = np.vstack([f.meaning for f in described])
    vocabulary: dict[str, int] = {}
    rows, cols, values = [], [], []
    for row, f in enumerate(described):
        for t, w in f.words.items():
            rows.append(row)
            cols.append(vocabulary.setdefault(t, len(vocabulary)))
            values.append(w)
    words = csr_matrix((values, (rows, cols)), shape=(len(described), max(len(vocabulary), 1)))
    similarity = meaning @ meaning.T + (words @ words.T).toarray()
    distance = np.clip(1.0 - similarity, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    distance = (distance + distance.T) / 2
    tree = linkage(squareform(distance, checks=False), method="average")
    return [int(label) for label in fcluster(tree, t=1.0 - threshold, criterion="distance")]


def _unite_identical(texts: Sequence[str], stances: Sequence[Hashable], clusters: list[int]) -> None:
    first: dict[tuple, int] = {}
    for i, text in enumerate(texts):
        key = (stances[i], fold(text))
        clusters[i] = clusters[first.setdefault(key, i)]


def _renumbered(clusters: list[int]) -> list[int]:
    numbering: dict[int, int] = {}
    return [numbering.setdefault(c, len(numbering)) for c in clusters]
