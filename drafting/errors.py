"""Domain errors raised by services; the app shell maps each to its HTTP status and shows its
message in the reader's language.

The message is an English msgid with ``{placeholders}``, its values given as keywords, never an
f-string (``pybabel extract`` finds the literal; tests/i18n checks every catalog translates it)::

    raise NotFound("no bill '{slug}'", slug=slug)
    raise Invalid("title", "is longer than the limit of {limit} characters", limit=300)

``detail`` is a drafting.i18n.Message: its ``str`` is the English text; ``i18n.gettext(detail, lang)``
or ``_(detail)`` in a template gives the reader's language.
"""
from __future__ import annotations

from typing import Any

from drafting.i18n import Message, N_

# The API's ``detail`` starts with the field's name in every language, as clients read it.
FIELD_DETAIL = "{field}: {message}"


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, extra: dict[str, Any] | None = None,
                 **params: Any):
        detail = message if isinstance(message, Message) else Message(message, **params)
        super().__init__(str(detail))
        self.detail = detail
        self.field = field
        self.extra = extra


class Invalid(DomainError):
    """Malformed or invalid input; ``field`` names the culprit (it stays untranslated: it is the name
    of the field in the request)."""

    status_code = 400

    def __init__(self, field: str | None, message: str, *, extra: dict[str, Any] | None = None, **params: Any):
        self.message = message if isinstance(message, Message) else Message(message, **params)
        detail = Message(FIELD_DETAIL, field=field, message=self.message) if field else self.message
        super().__init__(detail, field=field, extra=extra)


class Unauthorized(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class RateLimited(DomainError):
    status_code = 429

    def __init__(self, message: str, retry_after: int, **params: Any):
        super().__init__(message, retry_after=retry_after, **params)
        self.retry_after = retry_after

    @classmethod
    def writes(cls, allowed: int, window: int, retry_after: int) -> "RateLimited":
        """The refusal of a write beyond ``allowed`` in a window of ``window`` seconds."""
        error = cls(N_("too many writes: at most {allowed} every {window} seconds; retry in {retry_after} s"),
                    retry_after, allowed=allowed, window=window)
        error.extra = {"retry_after": retry_after, "limit": allowed, "window_seconds": window}
        return error
