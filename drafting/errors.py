"""Domain errors raised by services; the app shell maps each to its HTTP status."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status_code = 400

    def __init__(self, detail: str, *, field: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra


class Invalid(DomainError):
    """Malformed or invalid input; ``field`` names the culprit."""

    status_code = 400

    def __init__(self, field: str | None, message: str, **kwargs: Any):
        detail = f"{field}: {message}" if field else message
        super().__init__(detail, field=field, **kwargs)
        self.message = message


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

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after
