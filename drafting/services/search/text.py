"""Search's words: folding (case, accents) and Snowball stems per bill language, shared by the index and the queries."""
from __future__ import annotations

import functools
import re
import sys
import threading
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

import snowballstemmer
from sqlalchemy import Select, TextClause, case, delete, func, insert, literal, select, text, tuple_
from sqlalchemy.orm import Session, aliased

from amendments.models import Amendment, Argument
from drafting.errors import Invalid
from drafting.models import SEARCH_KINDS, Article, ArticleVersion, Bill, SearchEntry

# The bill languages of CONTRACT §6, with their Snowball stemmer and PostgreSQL configuration.
LANGUAGES = {"fr": "french", "de": "german", "en": "english"}
MAX_QUERY = 200
DEFAULT_LIMIT, MAX_LIMIT = 100, 500
# At most this many matches are ranked, the first indexed (bills and articles come first, then the
# amendments and arguments in the order they were written): a word of nearly every item of a Grand
# Débat-sized debate costs what this many cost, not what a million would; the best of them come first.
MAX_RANKED = 1_000
_WORD = re.compile(r"[^\W_]+")
_BATCH = 2_000


def bill_language(bill: Any) -> str:
    """The language a bill is written in (CONTRACT §6), for stemming: one the search knows, else French."""
    language = getattr(bill, "language", None) or "fr"
    return language if language in LANGUAGES else "fr"


# --- words -------------------------------------------------------------------------------------

def fold(value: str) -> str:
    """Case and accents folded: ``Données`` and ``donnees`` are the same word (casefolded, decomposed,
    combining marks dropped; only the runs of non-ASCII characters are looked at, since a full reindex
    folds millions of texts)."""
    folded = value.casefold()
    if folded.isascii():
        return folded
    return _NON_ASCII.sub(_without_marks, unicodedata.normalize("NFKD", folded))


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _without_marks(run: re.Match) -> str:
    return "".join(char for char in run.group() if not unicodedata.combining(char))


_stemmers = {language: snowballstemmer.stemmer(name) for language, name in LANGUAGES.items()}
_stemming = threading.Lock()  # a Snowball stemmer keeps its state in the object


@functools.lru_cache(maxsize=200_000)
def stem(language: str, folded_word: str) -> str:
    with _stemming:
        return _stemmers[language].stemWord(folded_word)


@functools.lru_cache(maxsize=200_000)
def word_stem(language: str, word: str) -> str:
    """A word as written, folded and stemmed (what a snippet compares with the query's stems)."""
    return stem(language, fold(word))


def words(value: str) -> Iterator[re.Match]:
    """The words of a text, with their places (what a snippet highlights)."""
    return _WORD.finditer(value)


def stems(language: str, value: str) -> list[str]:
    """The words of a text as the index holds them on SQLite: folded, then stemmed."""
    return [stem(language, word) for word in _WORD.findall(fold(value))]


def query_stems(language: str, query: str) -> set[str]:
    return set(stems(language, query))
