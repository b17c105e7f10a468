"""Turning request bodies into typed values, with errors that name the field."""
from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec

from drafting.errors import Invalid
from drafting.i18n import Message, N_, verbatim

T = TypeVar("T")
_PATH = re.compile(r"at `\$\.?([^`]*)`")
_MISSING = re.compile(r"missing required field `([^`]+)`")


# msgspec's refusals as translatable messages (its wording, stable since 0.18); others stay as it says them.
_MSGSPEC_MESSAGES = (
    (re.compile(r"\AObject missing required field `[^`]+`\Z"), N_("is required")),
    (re.compile(r"\AObject contains unknown field `[^`]+`\Z"), N_("is not a known field")),
    (re.compile(r"\AExpected `(?P<expected>[^`]+)`, got `(?P<got>[^`]+)`"), N_("expected {expected}, got {got}")),
)


def _field_of(message: str) -> str | None:
    found = _MISSING.search(message) or _PATH.search(message)
    return found.group(1) if found else None


def _validation_message(message: str) -> Message:
    for pattern, msgid in _MSGSPEC_MESSAGES:
        if found := pattern.search(message):
            return Message(msgid, **found.groupdict())
    return verbatim(message)


def decode_json(raw: bytes) -> Any:
    if not raw.strip():
        raise Invalid("body", "a JSON object is required")
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError as error:
        raise Invalid("body", "malformed JSON ({error})", error=str(error)) from None


def convert(value: Any, type_: type[T]) -> T:
    """Convert decoded JSON into a msgspec Struct, naming the field on failure."""
    if not isinstance(value, dict):
        raise Invalid("body", "a JSON object is expected")
    try:
        return msgspec.convert(value, type_)
    except msgspec.ValidationError as error:
        message = str(error)
        raise Invalid(_field_of(message), _validation_message(message)) from None


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
        raise Invalid(field, "is longer than the limit of {limit} characters", limit=max_length)
    return cleaned


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
