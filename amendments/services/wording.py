"""Formal wording of amendments (CONTRACT §8), in their bill's language, from the engine.

An amendment's wording is derived from immutable pairs (its base and its text, which change together
only on propose, rebase, resubmit and incorporate), so it is computed once per pair and kept.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from amendments import engine


from drafting.services.bills import bill_language  # noqa: E402  (the bill's language decides the wording's)


@lru_cache(maxsize=2048)
def text_wording(base: str, text: str, language: str) -> str:
    """The wording of base → text (cached: the pair is immutable, the engine pure)."""
    return engine.wording(base, text, language)


def amendment_wording(amendment: Any, base: str, language: str, *, after_number: str | None = None,
                      first_number: str | None = None) -> str:
    """The wording of one amendment: a deletion or a new article as a whole-article instruction,
    a modification (or sub-amendment, on its parent's text) from its diff against ``base``.
    A new article is placed after article ``after_number``, or before ``first_number`` when first."""
    if amendment.kind == "delete":
        return engine.article_wording("delete", language)
    if amendment.kind == "insert":
        if after_number is not None:
            return engine.article_wording("insert", language, amendment.text, after=after_number)
        return engine.article_wording("insert", language, amendment.text, before=first_number or "1")
    return text_wording(base, amendment.text, language)
