"""Pages for accounts: signing in and out, registering, accounts opened by staff, the language."""
from __future__ import annotations

import math

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from drafting import i18n
from drafting.errors import DomainError, Invalid, RateLimited
from drafting.services import accounts, bills
from drafting.web import flash, ratelimit, signin
from drafting.web.render import local_path, render
from drafting.web.request import SESSION_COOKIE, blocking, page_user, threaded, transaction

ONE_YEAR = 365 * 24 * 3600


@get("/login", name="login")
@threaded
def login_page(request: Request) -> Template:
    with transaction(request) as session:
        return render("drafting/login.html", session, request, next=local_path(request.query_params.get("next")),
                      error=None, username="")


@post("/login", name="login:submit")
async def login_submit(request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
    username, password = data.get("username", "").strip(), data.get("password", "")
    target = local_path(data.get("next"))
    try:
        token = await signin.sign_in(request, username, password, "web")
    except RateLimited as error:
        return _throttled_login_page(request, error, target, username)
    except DomainError:
        return render("drafting/login.html", None, request, status_code=400, user=None, next=target,
                      error=i18n.N_("Identifiant ou mot de passe incorrect."), username=username)
    return _signed_in_redirect(target, token)


def _throttled_login_page(request: Request, error: RateLimited, target: str, username: str) -> Template:
    """The sign-in form again, saying when to retry: 429 with Retry-After, as the API answers."""
    page = render("drafting/login.html", None, request, status_code=429, user=None, next=target,
                  error=i18n.N_("Trop de tentatives de connexion échouées. Réessayez dans {minutes} min."),
                  error_values={"minutes": math.ceil(error.retry_after / 60)}, username=username)
    page.headers["Retry-After"] = str(error.retry_after)
    return page


def _signed_in_redirect(target: str, token: str) -> Redirect:
    return Redirect(path=target, status_code=303, cookies=[
        Cookie(key=SESSION_COOKIE, value=token, httponly=True, samesite="lax", max_age=ONE_YEAR, path="/")
    ])


@post("/logout", name="logout")
@threaded
def logout(request: Request) -> Redirect:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with transaction(request) as session:
            accounts.revoke_token(session, token)
    return Redirect(path="/", status_code=303, cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")])


@get("/register", name="register")
@threaded
def register_page(request: Request) -> Template:
    with transaction(request) as session:
        return render("drafting/register.html", session, request, form={}, error=None,
                      next=local_path(request.query_params.get("next")))


def _user_in(data: dict[str, str], *, with_password: bool = True) -> accounts.UserIn:
    kind = data.get("kind", "citizen")
    organization = None
    if kind == "organization":
        organization = accounts.OrganizationIn(name=data.get("organization_name", ""),
                                               declared_interests=data.get("declared_interests", ""))
    return accounts.UserIn(
        username=data.get("username", "").strip(),
        password=data.get("password") if with_password else None,
        display_name=data.get("display_name") or None,
        email=data.get("email") or None,
        kind=kind,
        organization=organization,
    )


@post("/register", name="register:submit")
async def register_submit(request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
    account = _user_in(data)
    answer = await blocking(request, _register, request, data, account, await signin.new_password_hash(account))
    return flash.after_success(answer, "registered")


def _register(request: Request, data: dict[str, str], account: accounts.UserIn, password_hash: str | None) -> Response:
    target = local_path(data.get("next"))
    with transaction(request) as session:
        ratelimit.enforce(session, request, None)
        try:
            user = accounts.create_user(session, account, password_hash=password_hash)
        except DomainError as error:
            session.rollback()
            return render("drafting/register.html", session, request, status_code=error.status_code, user=None,
                          form=data, error=error.detail, next=target)
        token = accounts.issue_token(session, user, "web")
    return _signed_in_redirect(target, token)


@get("/lang/{code:str}", name="language")
@threaded
def set_language(request: Request, code: FromPath[str]) -> Redirect:
    target = local_path(request.query_params.get("next"))
    if code not in i18n.LANGUAGES:
        raise Invalid("lang", "must be one of {choices}", choices=", ".join(i18n.LANGUAGES))
    return Redirect(path=target, status_code=303,
                    cookies=[Cookie(key=i18n.COOKIE, value=code, max_age=ONE_YEAR, path="/", samesite="lax")])


@get("/bills/{slug:str}/participants/new", name="bills:participant")
@threaded
def participant_page(request: Request, slug: FromPath[str]) -> Template:
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        bills.require_author(session, bill, page_user(session, request))
        return render("drafting/participant.html", session, request, bill=bill, form={}, error=None, created=None)


@post("/bills/{slug:str}/participants", name="bills:participant:submit")
@threaded
def participant_submit(request: Request, slug: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Template:
    """A bill's author opens an account for an in-person participant without e-mail."""
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        staff = bills.require_author(session, bill, page_user(session, request))
        try:
            created = accounts.create_assisted_user(session, staff, _user_in(data))
        except DomainError as error:  # invalid field or name taken: the form again, with the message
            session.rollback()
            bill = bills.get_bill(session, slug)  # reloaded: the page renders after the session closes
            return render("drafting/participant.html", session, request, status_code=error.status_code,
                          bill=bill, form=data, error=error.detail, created=None)
        return render("drafting/participant.html", session, request, status_code=201, bill=bill, form={},
                      error=None, created=created)


account_pages = [
    login_page, login_submit, logout, register_page, register_submit, participant_page, participant_submit,
    set_language,
]
