"""Turning JSON request bodies into typed values (msgspec Structs), with errors that name the field.

A JSON handler declares its body as ``data: SomeStruct`` (Litestar decodes and documents it in the
OpenAPI document). ``JSONRequest`` (the app's request class) reads the JSON with the depth limit
below, and ``invalid_from_validation`` turns Litestar's validation error into the contract's 400
naming the field.
"""
from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.di import Provide
from litestar.exceptions import ValidationException
from litestar.types import Empty

from drafting.errors import Invalid
from drafting.i18n import Message, N_, verbatim

T = TypeVar("T")
# No request of the API nests deeper than a few levels; anything deeper is refused before it is read.
MAX_DEPTH = 32
_PATH = re.compile(r"at `\$\.?([^`]*)`")
_MISSING = re.compile(r"(?:missing required|contains unknown) field `([^`]+)`")
_TOO_DEEP = "is nested deeper than 32 levels"  # MAX_DEPTH


# msgspec's refusals as translatable messages (its wording, stable since 0.18); others stay as it says them.
_MSGSPEC_MESSAGES = (
    (re.compile(r"\AObject missing required field `[^`]+`\Z"), N_("is required")),
    (re.compile(r"\AObject contains unknown field `[^`]+`\Z"), N_("is not a known field")),
    (re.compile(r"\AExpected `(?P<expected>[^`]+)`, got `(?P<got>[^`]+)`"), N_("expected {expected}, got {got}")),
    # The bounds of a ``msgspec.Meta`` (drafting.ids.RowId, the lists' ``limit`` and ``offset``).
    (re.compile(r"\AExpected `[^`]+` >= (?P<bound>-?\d+)"), N_("must be at least {bound}")),
    (re.compile(r"\AExpected `[^`]+` <= (?P<bound>-?\d+)"), N_("must be at most {bound}")),
)


def _field_of(message: str) -> str | None:
    found = _MISSING.search(message) or _PATH.search(message)
    return found.group(1) if found else None


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in a decoded JSON value (iteratively: no recursion limit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _validation_message(message: str) -> Message:
    for pattern, msgid in _MSGSPEC_MESSAGES:
        if found := pattern.search(message):
            return Message(msgid, **found.groupdict())
    return verbatim(message)


def decode_json(raw: bytes) -> Any:
    """A JSON document, nested at most ``MAX_DEPTH`` levels."""
    if not raw.strip():
        raise Invalid("body", "a JSON object is required")
    try:
        value = msgspec.json.decode(raw)
    except msgspec.DecodeError as error:
        raise Invalid("body", "malformed JSON ({error})", error=str(error)) from None
    except RecursionError:
        raise Invalid("body", _TOO_DEEP) from None
    if _depth(value) > MAX_DEPTH:
        raise Invalid("body", _TOO_DEEP)
    return value


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


class JSONRequest(Request):
    """Litestar's request, reading JSON bodies through ``decode_json`` (depth limit, 400 naming ``body``)."""

    async def json(self) -> Any:
        if self._json is Empty:
            cached = self._connection_state.json
            self._json = self._connection_state.json = (
                cached if cached is not Empty else decode_json(await self.body()))
        return self._json


def invalid_from_validation(error: ValidationException) -> Invalid:
    """Litestar's 400 for a body or query value that does not fit its type, as the contract's error
    naming the field (``limit``, ``text``, ``organization.name``, or ``body`` for the whole body)."""
    for item in error.extra if isinstance(error.extra, list) else []:
        if not isinstance(item, dict):
            continue
        key, message = item.get("key") or "", str(item.get("message") or "")
        if item.get("source") == "body" and key == "data":
            if message.strip("'") == "data":
                return Invalid("body", "a JSON object is required")
            field = _field_of(message)
            return Invalid(field or "body", message)
        return Invalid(key or None, _validation_message(message) if message else "is invalid")
    return Invalid(None, error.detail or "invalid request")


def json_body(type_: type[T]) -> dict[str, Provide]:
    """The handler's JSON body, ``type_``, for the OpenAPI document: ``@post(…, dependencies=json_body(X))``.

    Litestar documents the ``data`` of a handler's dependencies as its request body; the handler never
    asks for this one, and reads its ``body: RawBody`` with ``parse_body(body, X)`` after its lookups,
    so an unknown resource stays a 404 and a missing token a 401 whatever the body holds.
    """
    def documented_body(data: Any) -> Any:
        return data

    documented_body.__annotations__ = {"data": type_, "return": type_}
    return {"documented_body": Provide(documented_body, sync_to_thread=False)}
