"""The one validator of the texts people send (CONTRACT §6 "Texts").

Every text is stored in Unicode NFC with ``\\n`` line endings; a NUL character (PostgreSQL cannot
store it) is refused on every database alike; a required text must not be empty or only white
space; each field has a length limit. Identical-text detection compares these normalised texts.
"""
from __future__ import annotations

import unicodedata
from typing import Any

from drafting.errors import Invalid
from drafting.i18n import N_

# The limits shared by several services.
MAX_ARTICLE_TEXT = 100_000
MAX_BILL_TEXT = 1_000_000
MAX_TITLE = 300
MAX_HEADING = 1000
MAX_MESSAGE = 20_000

REQUIRED = N_("is required")
NOT_TEXT = N_("must be text")
HAS_NUL = N_("must not contain NUL characters")
BLANK = N_("must not be empty")


TOO_LONG = N_("is longer than the limit of {limit} characters")


def normalise(text: str) -> str:
    """``\\n`` line endings and Unicode NFC: two texts that read the same compare equal."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def text_field(field: str, value: Any, *, max_length: int, required: bool = True, strip: bool = True,
               allow_blank: bool = False) -> str:
    """A text a person sent, normalised (NFC, ``\\n``), without NUL, within ``max_length``.

    ``required``: absent (None) is refused, and so is a text that is empty or only white space, unless
    ``allow_blank`` (an article of a bill may be empty); an absent optional text is "". ``strip``:
    white space around the text is dropped (names, titles); long texts keep their layout.
    """
    if value is None:
        if required:
            raise Invalid(field, REQUIRED)
        return ""
    if not isinstance(value, str):
        raise Invalid(field, NOT_TEXT)
    if "\x00" in value:
        raise Invalid(field, HAS_NUL)
    text = normalise(value)
    if len(text) > max_length:
        raise Invalid(field, TOO_LONG, limit=max_length, extra={"limit": max_length})
    if required and not allow_blank and not text.strip():
        raise Invalid(field, BLANK)
    return text.strip() if strip else text
