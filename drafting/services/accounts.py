"""Accounts: sign-up, passwords (argon2), bearer tokens and browser sessions."""
from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import timedelta
from typing import Any

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from drafting import policy
from drafting.errors import Conflict, Invalid, Unauthorized
from drafting.db import Prepared, padded, utcnow
from drafting.models import AuthToken, BillAuthor, OrganizationDeclaration, SignInCode, User
from drafting.texts import normalise, text_field

USERNAME = re.compile(r"[a-z0-9_.-]{3,40}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
DEFAULT_TOKEN_DAYS = 90  # Settings.token_days (NAVETTE_TOKEN_DAYS) in the app
# Last use is written at most this often per token, so a busy session does not write on every request.
LAST_USE_PRECISION = timedelta(minutes=1)
# Sign-in codes: no 0/O, 1/I/L, so a code read aloud or copied from paper is typed right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12  # about 59 bits, printed as three groups of four
_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures take the same time; made on first
# use, as a hash costs ~0.4 s and every command-line run would pay it at import.
_DUMMY_HASH: str | None = None


class OrganizationIn(msgspec.Struct):
    name: str
    declared_interests: str = ""


class UserIn(msgspec.Struct):
    username: str
    password: str | None = None
    display_name: str | None = None
    email: str | None = None
    kind: str = "citizen"
    organization: OrganizationIn | None = None


def configure_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Use other argon2 parameters (the test suite uses cheap ones); returns the previous hasher.

    Existing hashes keep verifying: each one records the parameters it was made with.
    """
    global _hasher, _DUMMY_HASH
    previous, _hasher, _DUMMY_HASH = _hasher, hasher, None
    return previous


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("not-a-real-password")
    return _DUMMY_HASH


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def validate_user(data: UserIn, *, password_required: bool = True) -> None:
    for field, value in (("display_name", data.display_name), ("email", data.email)):
        if value is not None and "\x00" in value:  # PostgreSQL cannot store it (the organization's: below)
            raise Invalid(field, "must not contain NUL characters")
    if not USERNAME.fullmatch(data.username or ""):
        raise Invalid("username", "must be 3 to 40 characters among a-z, 0-9, '_', '.', '-'")
    if data.password is None or data.password == "":
        if password_required:
            raise Invalid("password", "is required")
    elif len(data.password) < MIN_PASSWORD:
        raise Invalid("password", "must be at least {limit} characters", limit=MIN_PASSWORD)
    elif len(data.password) > 1024:
        raise Invalid("password", "is longer than 1024 characters")
    if data.email and not EMAIL.fullmatch(data.email.strip()):
        raise Invalid("email", "is not an e-mail address")
    if data.kind not in ("citizen", "organization"):
        raise Invalid("kind", "must be 'citizen' or 'organization'")
    if data.kind == "organization" and (data.organization is None or not data.organization.name.strip()):
        raise Invalid("organization.name", "is required for an organization account")
    if data.display_name is not None:
        text_field("display_name", data.display_name, required=False, max_length=120)
    if data.organization is not None:
        validate_organization(data.organization, required=False)


def validate_organization(organization: OrganizationIn, *, required: bool = True) -> None:
    """An organization's name (required for an organization account) and declared interests."""
    for field, value in (("organization.name", organization.name),
                         ("organization.declared_interests", organization.declared_interests)):
        if "\x00" in value:  # PostgreSQL cannot store it
            raise Invalid(field, "must not contain NUL characters")
    if required and not organization.name.strip():
        raise Invalid("organization.name", "is required for an organization account")
    text_field("organization.name", organization.name, required=False, max_length=200)
    text_field("organization.declared_interests", organization.declared_interests, required=False, max_length=5000)


def create_user(
    session: Session,
    data: UserIn,
    *,
    is_admin: bool = False,
    is_moderator: bool = False,
    created_by: User | None = None,
    password_hash: str | None = None,
) -> User:
    """Create an account; 409 if the name is taken. ``password_hash``: the password's hash made
    beforehand (off the event loop, drafting/signin.py); made here otherwise."""
    validate_user(data, password_required=created_by is None)
    if session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise Conflict("username: '{username}' is already taken", username=data.username, field="username")
    organization = data.organization if data.kind == "organization" else None
    user = User(
        username=data.username,
        display_name=normalise(data.display_name or "").strip() or (normalise(organization.name).strip() if organization
                                                                    else data.username),
        email=(data.email or "").strip() or None,
        password_hash=password_hash or (hash_password(data.password) if data.password else None),
        kind=data.kind,
        organization_name=normalise(organization.name).strip() if organization else None,
        declared_interests=normalise(organization.declared_interests).strip() if organization else None,
        is_admin=is_admin,
        is_moderator=is_moderator,
        created_by_id=created_by.id if created_by else None,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # the same name signed up at the same moment
        raise Conflict("username: '{username}' is already taken", username=data.username, field="username") from None
    if user.is_organization:
        declare(session, user)
    return user


def declaration_of(user: User) -> OrganizationDeclaration:
    """The row of what the organization declares from now on: its name and interests as the user holds them."""
    return OrganizationDeclaration(user_id=user.id, organization_name=user.organization_name or user.display_name,
                                   declared_interests=user.declared_interests or "")


def declare(session: Session, user: User) -> None:
    session.add(declaration_of(user))
    session.flush()


def declarations(session: Session, user: User) -> list[OrganizationDeclaration]:
    """What an organization declared of itself, oldest first (none for a citizen)."""
    return list(session.scalars(select(OrganizationDeclaration).where(OrganizationDeclaration.user_id == user.id)
                                .order_by(OrganizationDeclaration.id)))


def create_assisted_user(session: Session, staff: User, data: UserIn) -> User:
    """A bill's author (or an admin) opens an account for someone without e-mail, at an event."""
    authors_a_bill = session.scalar(select(BillAuthor.user_id).where(BillAuthor.user_id == staff.id).limit(1))
    policy.require_staff_somewhere(staff, authors_a_bill is not None)
    return create_user(session, data, created_by=staff)


def authenticate(session: Session, username: str, password: str) -> User:
    """The account whose password this is, checked here (on the caller's thread: drafting/signin.py
    checks it off the event loop)."""
    user = password_owner(session, username)
    if not password_matches(user.password_hash if user else None, password):
        raise Unauthorized("bad username or password")
    return user


def password_owner(session: Session, username: str) -> User | None:
    """The account named ``username``, if the name can be one."""
    return session.scalar(select(User).where(User.username == username)) if USERNAME.fullmatch(username) else None


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` is the one ``password_hash`` was made from: argon2, slow on purpose
    (~0.4 s of CPU). Without a hash (unknown name, account without password) a dummy one is checked,
    so both failures take the same time."""
    try:
        if password_hash is None:
            _hasher.verify(_dummy_hash(), password + "x")
            return False
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def issue_token(session: Session, user: User, kind: str, *, days: int = DEFAULT_TOKEN_DAYS) -> str:
    """A new random token valid ``days`` days; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(AuthToken(token_hash=_digest(token), user_id=user.id, kind=kind, created_at=now,
                          expires_at=now + timedelta(days=days)))
    session.flush()
    return token


@functools.cache
def _token_statement():
    """Built once: every signed-in request runs it."""
    return select(User, AuthToken.id, AuthToken.last_used_at).join(AuthToken, AuthToken.user_id == User.id).where(
        AuthToken.token_hash == bindparam("token_hash"), AuthToken.kind == bindparam("kind"),
        AuthToken.expires_at > bindparam("now"))


def user_for_token(session: Session, token: str | None, kind: str, *, touch: bool = False) -> User | None:
    """The token's person, unless it is unknown, revoked or expired; ``touch`` (in a write
    transaction) records its last use, at most once a minute."""
    if not token:
        return None
    now = utcnow()
    row = session.execute(_token_statement(), {"token_hash": _digest(token), "kind": kind, "now": now}).first()
    if row is None:
        return None
    if touch and _last_use_stale(row.last_used_at, now):
        _touch_statement().run(session.connection(), token_id=row.id, now=now)
    return row[0]


def _people_of_tokens(hash_condition, *columns, person=None):
    """The persons of the live tokens of kind ``:kind`` whose hash meets ``hash_condition``: the user's
    columns (or only those of ``person``), then the token's id and last use, then ``columns``."""
    users, tokens = User.__table__, AuthToken.__table__
    return select(*(users.c if person is None else person), tokens.c.id.label("token_id"), tokens.c.last_used_at,
                  *columns).join(
        tokens, tokens.c.user_id == users.c.id).where(
        hash_condition, tokens.c.kind == bindparam("kind"),
        tokens.c.expires_at > bindparam("now", type_=tokens.c.expires_at.type))


def person_select(*columns):
    """The token's person (the user's columns, then the token's id and last use, then ``columns``,
    which may be subqueries correlated on ``users.id``): parameters from ``token_parameters``."""
    return _people_of_tokens(AuthToken.__table__.c.token_hash == bindparam("token_hash"), *columns)


def token_parameters(token: str, kind: str) -> dict[str, Any]:
    return {"token_hash": _digest(token), "kind": kind, "now": utcnow()}


def people_lookup(tokens: list[str | None], kind: str) -> tuple[tuple[Prepared, dict] | None, dict[str, str]]:
    """``user_for_token`` on a Core connection, without the ORM, for many tokens in one statement (a
    batch of votes, the hottest write): the statement and its parameters (None without a token), to run
    (``drafting.db.run_together``, maybe with others) and hand to ``people_found``; and the digests."""
    digests = {token: _digest(token) for token in set(tokens) if token}
    if not digests:
        return None, digests
    hashes = padded(sorted(set(digests.values())))
    return (_people_statement(len(hashes)), {"kind": kind, "now": utcnow(),
                                             **{f"token_hash_{i}": h for i, h in enumerate(hashes)}}), digests


def people_found(connection: Connection, rows: list, digests: dict[str, str], *, touch: bool = False) -> dict[str, tuple]:
    """Each known token's person as a plain row (the user's id and kind, then the token's id, last use
    and digest), by token; unknown, revoked and expired tokens are absent. ``touch`` records the last use
    of the tokens unused for a minute (in the order of their ids)."""
    by_hash = {row.token_hash: row for row in rows}
    if touch:
        now = utcnow()
        for row in sorted(by_hash.values(), key=lambda row: row.token_id):
            if _last_use_stale(row.last_used_at, now):
                _touch_statement().run(connection, token_id=row.token_id, now=now)
    return {token: by_hash[digest] for token, digest in digests.items() if digest in by_hash}


@functools.lru_cache(maxsize=16)
def _people_statement(size: int) -> Prepared:
    """The statement of ``people_lookup`` for ``size`` token digests (built once per size: drafting.db.padded),
    answering of each person only what a vote needs (each column of a row costs the driver's work)."""
    hashes, users = AuthToken.__table__.c.token_hash, User.__table__
    return Prepared(_people_of_tokens(
        hashes.in_([bindparam(f"token_hash_{i}", type_=hashes.type) for i in range(size)]), hashes,
        person=(users.c.id, users.c.kind)))


@functools.cache
def _touch_statement() -> Prepared:
    """The token's last use, written unless another transaction is writing it right now (PostgreSQL:
    SKIP LOCKED), so two requests with one token never queue on its row for a timestamp."""
    tokens = AuthToken.__table__
    free = select(tokens.c.id).where(tokens.c.id == bindparam("token_id")).with_for_update(skip_locked=True)
    return Prepared(tokens.update().where(tokens.c.id.in_(free.scalar_subquery())).values(
        last_used_at=bindparam("now", type_=tokens.c.last_used_at.type)))


def _last_use_stale(last_used_at, now) -> bool:
    """A token's last use is recorded again once the recorded one is a minute old or more."""
    return last_used_at is None or now - last_used_at >= LAST_USE_PRECISION


def revoke_token(session: Session, token: str) -> None:
    session.execute(delete(AuthToken).where(AuthToken.token_hash == _digest(token)))


def revoke_token_of(session: Session, user: User, token_id: int) -> None:
    """One of the person's own API tokens, from /me (another person's id revokes nothing)."""
    session.execute(delete(AuthToken).where(AuthToken.id == token_id, AuthToken.user_id == user.id))


def sign_out_everywhere(session: Session, user: User) -> None:
    """Every browser session and API token of the person ends."""
    session.execute(delete(AuthToken).where(AuthToken.user_id == user.id))


def api_tokens(session: Session, user: User) -> list[AuthToken]:
    """The person's API tokens that still sign in, newest first."""
    return list(session.scalars(
        select(AuthToken).where(AuthToken.user_id == user.id, AuthToken.kind == "api", AuthToken.expires_at > utcnow())
        .order_by(AuthToken.created_at.desc(), AuthToken.id.desc())))


def _new_password(value: str | None) -> str:
    if not value:
        raise Invalid("new", "is required")
    if len(value) < MIN_PASSWORD:
        raise Invalid("new", "must be at least {limit} characters", limit=MIN_PASSWORD)
    if len(value) > MAX_PASSWORD:
        raise Invalid("new", "is longer than 1024 characters")
    return value


def validate_password_change(user: User, current: str | None, new: str | None) -> str:
    """The new password, checked; the current one is needed unless the account never had one (signed
    in by code). Whether ``current`` matches is checked by drafting/web/signin.py, off the event loop."""
    new = _new_password(new)
    if policy.password_change_needs_current(user) and not current:
        raise Invalid("current", policy.CURRENT_PASSWORD_REQUIRED)
    return new


def set_password_hash(session: Session, user_id: int, password_hash: str) -> None:
    """Store a new password's hash (made beforehand, drafting/web/signin.py). Other sessions and tokens
    stay valid (/me "sign out everywhere" ends them)."""
    session.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))


# --- assisted participants and their sign-in codes ---------------------------------------------

def format_code(code: str) -> str:
    """A code as printed: groups of four, e.g. ``K7QM-3XPA-9HTD``."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalise_code(value: str) -> str:
    """What the person typed, without spaces or dashes, in capitals."""
    return "".join(ch for ch in value.upper() if ch not in " -\t\n")


def issue_code(session: Session, user: User, staff: User) -> str:
    """A new one-time code for ``user`` (valid ``policy.CODE_VALID_DAYS`` days); only its digest is kept."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    now = utcnow()
    session.add(SignInCode(code_hash=_digest(code), user_id=user.id, created_by_id=staff.id, created_at=now,
                           expires_at=now + timedelta(days=policy.CODE_VALID_DAYS)))
    session.flush()
    return format_code(code)


def sign_in_with_code(session: Session, code: str | None) -> User:
    """The code's person, once: the code is spent; unknown, spent or expired codes are a 401."""
    if not isinstance(code, str) or not code.strip():
        raise Invalid("code", "is required")
    found = session.scalar(select(SignInCode).where(SignInCode.code_hash == _digest(normalise_code(code)))
                           .with_for_update())
    now = utcnow()
    policy.require_code_usable(found, now)
    found.used_at = now
    session.flush()
    return session.get(User, found.user_id)
