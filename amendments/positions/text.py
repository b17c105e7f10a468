"""Text keys and key terms of an argument: the folding that makes identical texts one, and the stems
that weigh the words an argument shares with others of its target."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

import snowballstemmer

STEMMER_LANGUAGES = {"fr": "french", "de": "german", "en": "english"}

# Function words dropped before stemming: they say nothing about the reason an argument gives.
STOPWORDS = {
    "fr": set(
        "le la les de des du un une et en au aux pour par sur dans que qui quoi ce cet cette ces est sont "
        "pas ne il elle on nous vous ils elles se sa son ses leur leurs plus mais ou donc car avec sans "
        "être avoir été fait faire tout tous toute toutes très bien aussi comme si lui moi mon ma mes "
        "notre nos votre vos cela ça peut doit faut dont même entre alors ainsi"
        .split()
    ),
    "de": set(
        "der die das den dem des ein eine einen einem einer eines und oder aber nicht kein keine ist sind "
        "war wird werden wurde zu zum zur mit von vom für auf aus bei nach über unter an am im in es er "
        "sie wir ihr ich man sich auch noch nur schon sehr so wie wenn dass daß als dies diese dieser "
        "dieses kann muss soll sollte hat haben"
        .split()
    ),
    "en": set(
        "the a an and or but not no is are was were be been being to of in on at by for with from as it "
        "its this that these those there their they we you he she i our your his her them can could should "
        "would will must have has had do does did so such very also just than then if"
        .split()
    ),
}

_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def fold(text: str) -> str:
    """The text with case, accents' encoding, punctuation and runs of spaces folded away."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(text))


def text_key(text: str) -> str:
    """A short stable key of the folded text: two arguments with one key are the same argument."""
    return hashlib.sha256(fold(text).encode("utf-8")).hexdigest()[:32]


def first_sentences(text: str, count: int = 1, limit: int = 400) -> str:
    """The first ``count`` sentences of a text (at most ``limit`` characters), where its reason usually is."""
    sentences = _SENTENCE_END.split(" ".join(text.split()))
    head = " ".join(sentences[:count])
    return head[:limit]


@lru_cache(maxsize=8)
def _stemmer(language: str):
    return snowballstemmer.stemmer(STEMMER_LANGUAGES.get(language, "french"))


def terms(text: str, language: str) -> list[str]:
    """The stems of an argument's content words, in order (repeated stems kept)."""
    stop = STOPWORDS.get(language, STOPWORDS["fr"])
    words = [w for w in _WORD.findall(unicodedata.normalize("NFKC", text).casefold()) if len(w) > 2 and w not in stop]
    return _stemmer(language).stemWords(words)
