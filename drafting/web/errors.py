"""How errors become answers: the contract's JSON error shape on the API, the error page elsewhere."""
from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DataError

from drafting import i18n, policy
from drafting.errors import DomainError, RateLimited
from drafting.i18n import Message, N_
from drafting.web.bodies import invalid_from_validation
from drafting.web.request import page_user

log = logging.getLogger("navette")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def error_response(request: Request, status_code: int, detail: str, extra: Any = None,
                   headers: dict[str, str] | None = None) -> Response:
    """``{"status_code", "detail", "extra"?}`` on the API, in the language Accept-Language asks;
    ``errors/error.html`` on pages, in the page's language."""
    if _wants_json(request):
        body: dict[str, Any] = {"status_code": status_code,
                                "detail": i18n.gettext(detail, i18n.api_language(request))}
        if extra:
            body["extra"] = extra
        return Response(body, status_code=status_code, media_type=MediaType.JSON, headers=headers)
    return Template(
        template_name="errors/error.html",
        context={"status_code": status_code, "detail": detail, "user": (user := _signed_in(request)),
                 "moderator": policy.is_moderator(user)},
        status_code=status_code,
        headers={**(headers or {}), "Vary": "Accept-Language, Cookie"},
    )


def _signed_in(request: Request):
    """The page's user, so an error page keeps the header right; None if that fails too."""
    try:
        with request.app.state.db.session(write=False) as session:
            return page_user(session, request)
    except Exception:
        return None


def bad_value_handler(request: Request, error: Exception) -> Response:
    """A value the database cannot hold (an id beyond its range): the client's error."""
    return error_response(request, 400, Message("a value is out of range or malformed"))


def domain_error_handler(request: Request, error: DomainError) -> Response:
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None
    extra = dict(error.extra or {})
    if error.field:
        extra.setdefault("field", error.field)
    return error_response(request, error.status_code, error.detail, extra or None, headers)


# Litestar's own refusals, said in our words (and so in the reader's language).
_HTTP_DETAILS = {
    "CSRF token verification failed": N_("the form was sent without its security token: reload the page and try again"),
}
_HTTP_STATUS_DETAILS = {
    400: N_("bad request"),
    401: N_("authentication required"),
    403: N_("forbidden"),
    404: N_("page not found"),
    405: N_("this address does not accept this method"),
    413: N_("request body is larger than the limit of 1 MiB"),
    429: N_("too many requests"),
}


def http_error_handler(request: Request, error: HTTPException) -> Response:
    detail = error.detail or ""
    if detail in _HTTP_DETAILS:
        detail = Message(_HTTP_DETAILS[detail])
    elif error.status_code == 413 or detail in ("", HTTPStatus(error.status_code).phrase):
        detail = Message(_HTTP_STATUS_DETAILS.get(error.status_code, N_("error")))
    else:  # a detail Litestar wrote for this request (a malformed parameter): its own words
        detail = i18n.verbatim(detail)
    return error_response(request, error.status_code, detail, error.extra or None, error.headers)


def validation_error_handler(request: Request, error: ValidationException) -> Response:
    """A body or query value of the wrong type: 400 naming the field, like every other bad input."""
    return domain_error_handler(request, invalid_from_validation(error))


def internal_error_handler(request: Request, error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return error_response(request, HTTP_500_INTERNAL_SERVER_ERROR, Message("internal server error"))


EXCEPTION_HANDLERS = {
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    DataError: bad_value_handler,
    OverflowError: bad_value_handler,
    Exception: internal_error_handler,
}
