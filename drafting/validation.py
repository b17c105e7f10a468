"""Turning request bodies into typed values, with errors that name the field."""
from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec

from drafting.errors import Invalid

T = TypeVar("T")
_PATH = re.compile(r"at `\$\.?([^`]*)`")
_MISSING = re.compile(r"missing required field `([^`]+)`")


def _field_of(message: str) -> str | None:
    found = _MISSING.search(message) or _PATH.search(message)
    return found.group(1) if found else None


def decode_json(raw: bytes) -> Any:
    if not raw.strip():
        raise Invalid("body", "a JSON object is required")
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError as error:
        raise Invalid("body", f"malformed JSON ({error})") from None


def convert(value: Any, type_: type[T]) -> T:
    """Convert decoded JSON into a msgspec Struct, naming the field on failure."""
    if not isinstance(value, dict):
        raise Invalid("body", "a JSON object is expected")
    try:
        return msgspec.convert(value, type_)
    except msgspec.ValidationError as error:
        message = str(error)
        raise Invalid(_field_of(message), message) from None


def parse_body(raw: bytes, type_: type[T]) -> T:
    return convert(decode_json(raw), type_)


def refuse_nul(field: str, value: str | None) -> None:
    """PostgreSQL cannot store NUL characters: refuse them on every database alike."""
    if value is not None and "\x00" in value:
        raise Invalid(field, "must not contain NUL characters")


def text_field(field: str, value: str | None, *, required: bool = True, max_length: int,
               strip: bool = True) -> str:
    """A free-text field: present if required, within its length limit, without NUL."""
    refuse_nul(field, value)
    if value is None:
        if required:
            raise Invalid(field, "is required")
        return ""
    cleaned = value.strip() if strip else value
    if required and not cleaned:
        raise Invalid(field, "must not be empty")
    if len(value) > max_length:
        raise Invalid(field, f"is longer than the limit of {max_length} characters")
    return cleaned


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
