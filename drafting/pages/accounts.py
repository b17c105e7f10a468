"""Pages for accounts: signing in and out, registering, accounts opened by staff, the language."""
from __future__ import annotations

import math

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from amendments.services import organizations
from drafting import i18n, policy
from drafting.errors import DomainError, Invalid, RateLimited
from drafting.models import User
from drafting.services import accounts, bills, participants
from drafting.views.account import me_context
from drafting.web import flash, ratelimit, signin
from drafting.web.render import local_path, render
from drafting.web.request import SESSION_COOKIE, blocking, new_token, page_user, threaded, transaction

ONE_YEAR = 365 * 24 * 3600
DAY = 24 * 3600


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
    return _signed_in_redirect(request, target, token)


def _throttled_login_page(request: Request, error: RateLimited, target: str, username: str) -> Template:
    """The sign-in form again, saying when to retry: 429 with Retry-After, as the API answers."""
    page = render("drafting/login.html", None, request, status_code=429, user=None, next=target,
                  error=i18n.N_("Trop de tentatives de connexion échouées. Réessayez dans {minutes} min."),
                  error_values={"minutes": math.ceil(error.retry_after / 60)}, username=username)
    page.headers["Retry-After"] = str(error.retry_after)
    return page


def _signed_in_redirect(request: Request, target: str, token: str) -> Redirect:
    """The session cookie lives as long as its token (``Secure`` is added over https, drafting/web/security.py)."""
    return Redirect(path=target, status_code=303, cookies=[
        Cookie(key=SESSION_COOKIE, value=token, httponly=True, samesite="lax",
               max_age=request.app.state.settings.token_days * DAY, path="/")
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
        token = new_token(session, request, user, "web")
    return _signed_in_redirect(request, target, token)


@get("/lang/{code:str}", name="language")
@threaded
def set_language(request: Request, code: FromPath[str]) -> Redirect:
    target = local_path(request.query_params.get("next"))
    if code not in i18n.LANGUAGES:
        raise Invalid("lang", "must be one of {choices}", choices=", ".join(i18n.LANGUAGES))
    return Redirect(path=target, status_code=303,
                    cookies=[Cookie(key=i18n.COOKIE, value=code, max_age=ONE_YEAR, path="/", samesite="lax")])


@get("/login/code", name="login:code")
@threaded
def code_page(request: Request) -> Template:
    with transaction(request) as session:
        return render("drafting/login_code.html", session, request, error=None, throttled=False)


@post("/login/code", name="login:code:submit")
async def code_submit(request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
    """A participant types the code printed for them: signed in once, then on to /me to set a password.
    Throttled with password sign-ins (drafting/web/signin.py)."""
    try:
        token = await signin.sign_in_with_code(request, data.get("code", ""), "web")
    except RateLimited as error:
        page = render("drafting/login_code.html", None, request, status_code=429, user=None, error=error.detail,
                      throttled=True)
        page.headers["Retry-After"] = str(error.retry_after)
        return page
    except DomainError as error:
        return render("drafting/login_code.html", None, request, status_code=error.status_code, user=None,
                      error=error.detail, throttled=False)
    return _signed_in_redirect(request, f"{request.app.route_reverse('me')}?done=code", token)


@get("/me", name="me")
@threaded
def me_page(request: Request) -> Template:
    with transaction(request) as session:
        user = policy.require_user(page_user(session, request))
        return render("drafting/me.html", session, request, user=user,
                      **me_context(session, user, done=request.query_params.get("done")))


@post("/me/password", name="me:password")
async def password_submit(request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
    user = await blocking(request, _password_changer, request)
    try:
        await signin.change_password(request, user, data.get("current") or None, data.get("new", ""))
    except Invalid as error:
        return await blocking(request, _me_again, request, user, {error.field or "new": error.detail}, 400)
    except RateLimited as error:  # too many wrong current passwords: counted as failed sign-ins
        return await blocking(request, _me_again, request, user, {"current": error.detail}, 429)
    return Redirect(path=f"{request.app.route_reverse('me')}?done=password", status_code=303)


def _password_changer(request: Request) -> User:
    with transaction(request) as session:
        user = policy.require_user(page_user(session, request))
        ratelimit.enforce(session, request, user)
        return user


def _me_again(request: Request, user: User, errors: dict[str, str], status_code: int) -> Template:
    """/me again, with the password form's error under its field."""
    with transaction(request) as session:
        return render("drafting/me.html", session, request, status_code=status_code, user=user,
                      **me_context(session, user, errors=errors))


@post("/me/organization", name="me:organization")
@threaded
def organization_submit(request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
    """An organization changes its name and declared interests (the argument maps follow at once)."""
    with transaction(request) as session:
        user = policy.require_user(page_user(session, request))
        ratelimit.enforce(session, request, user)
        try:
            organizations.update_organization(session, user, accounts.OrganizationIn(
                name=data.get("organization_name", ""), declared_interests=data.get("declared_interests", "")))
        except Invalid as error:
            session.rollback()
            return render("drafting/me.html", session, request, status_code=400, user=user,
                          **me_context(session, user, errors={"organization": error.detail}))
    return Redirect(path=f"{request.app.route_reverse('me')}?done=organization", status_code=303)


@post("/me/tokens/{token_id:int}/revoke", name="me:token:revoke")
@threaded
def token_revoke(request: Request, token_id: FromPath[int]) -> Redirect:
    with transaction(request) as session:
        accounts.revoke_token_of(session, policy.require_user(page_user(session, request)), token_id)
    return Redirect(path=f"{request.app.route_reverse('me')}?done=token", status_code=303)


@post("/me/sign-out-everywhere", name="me:sign-out-everywhere")
@threaded
def sign_out_everywhere(request: Request) -> Redirect:
    """Every session (this one too) and API token of the person ends."""
    with transaction(request) as session:
        accounts.sign_out_everywhere(session, policy.require_user(page_user(session, request)))
    return Redirect(path="/", status_code=303, cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")])


def _participant_page(session, request: Request, bill, *, status_code: int = 200, form=None, error=None,
                      sheet=None) -> Template:
    """The form that opens an account, the bill's participants, and after a creation the sheet to print."""
    sheet_language = (form or {}).get("language") if (form or {}).get("language") in i18n.LANGUAGES else "fr"
    return render("drafting/participant.html", session, request, status_code=status_code, bill=bill,
                  form=form or {}, error=error, sheet=sheet, sheet_language=sheet_language,
                  sheet_languages=i18n.LANGUAGE_NAMES, code_days=policy.CODE_VALID_DAYS,
                  code_url=str(request.base_url).rstrip("/") + request.app.route_reverse("login:code"),
                  participants=participants.assisted_participants(session, bill))


@get("/bills/{slug:str}/participants/new", name="bills:participant")
@threaded
def participant_page(request: Request, slug: FromPath[str]) -> Template:
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        participants.require_enroller(session, bill, page_user(session, request))
        return _participant_page(session, request, bill)


@post("/bills/{slug:str}/participants", name="bills:participant:submit")
@threaded
def participant_submit(request: Request, slug: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Template:
    """A bill's author opens an account for an in-person participant without e-mail: the page shows the
    one-time code on a sheet to print (the code is kept only as a digest, so it is shown this once)."""
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        staff = participants.require_enroller(session, bill, page_user(session, request))
        try:
            created = participants.create_participant(session, staff, bill, data.get("display_name"),
                                                      data.get("username", "").strip() or None)
        except DomainError as error:  # invalid field or name taken: the form again, with the message
            session.rollback()
            bill = bills.get_bill(session, slug)  # reloaded: the page renders after the session closes
            return _participant_page(session, request, bill, status_code=error.status_code, form=data,
                                     error=error.detail)
        return _participant_page(session, request, bill, status_code=201, form={"language": data.get("language")},
                                 sheet=created)


account_pages = [
    login_page, login_submit, logout, register_page, register_submit, code_page, code_submit, me_page,
    password_submit, organization_submit, token_revoke, sign_out_everywhere, participant_page, participant_submit, set_language,
]
