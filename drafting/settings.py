"""Settings read once from the environment, so every worker of one deployment agrees."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SQLITE_PATH = Path("var") / "navette.db"


def _asset_dir(name: str) -> Path:
    """The templates/static/migrations folder: inside the wheel when installed, else the checkout's."""
    packaged = Path(__file__).resolve().parent / "_assets" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / name


TEMPLATES_DIR = _asset_dir("templates")
STATIC_DIR = _asset_dir("static")
MIGRATIONS_DIR = _asset_dir("migrations")


def default_database_url() -> str:
    return os.environ.get("NAVETTE_DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _secret_key(database_url: str) -> str:
    """NAVETTE_SECRET_KEY in production; for the embedded database, a key kept beside it."""
    key = os.environ.get("NAVETTE_SECRET_KEY")
    if key:
        return key
    if database_url.startswith("sqlite:///") and database_url != "sqlite:///:memory:":
        key_file = Path(database_url.removeprefix("sqlite:///")).with_suffix(".secret")
        key_file.parent.mkdir(parents=True, exist_ok=True)
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()
    raise RuntimeError("NAVETTE_SECRET_KEY must be set when the database is not the embedded SQLite file")


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _seconds_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not 0 <= seconds < float("inf"):
        raise ValueError(f"{name} must be a finite number of seconds, 0 or more, not {raw!r}")
    return seconds


HANDLER_MODES = ("auto", "inline", "threads")


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=default_database_url)
    secret_key: str = ""
    # Writes allowed per account and per address in one window (0 turns the limit off).
    rate_limit_writes: int = field(default_factory=lambda: _int_env("NAVETTE_RATE_LIMIT_WRITES", 120))
    rate_limit_window_seconds: int = field(default_factory=lambda: _int_env("NAVETTE_RATE_LIMIT_WINDOW", 60))
    # Writes allowed per client address in one window; None means ten times the account limit (one
    # address may be a whole library or town-hall event), 0 turns the address limit off.
    rate_limit_address_writes: int | None = field(
        default_factory=lambda: _int_env("NAVETTE_RATE_LIMIT_ADDRESS_WRITES", 0)
        if os.environ.get("NAVETTE_RATE_LIMIT_ADDRESS_WRITES") else None
    )
    # Failed sign-ins allowed per username and per address in 15 minutes before 429 (CONTRACT §6);
    # 0 turns that limit off (the benchmark's password probe: all its load comes from one address).
    signin_failures_per_username: int = field(
        default_factory=lambda: _int_env("NAVETTE_SIGNIN_FAILURES_PER_USERNAME", 10))
    signin_failures_per_address: int = field(
        default_factory=lambda: _int_env("NAVETTE_SIGNIN_FAILURES_PER_ADDRESS", 50))
    max_body_bytes: int = 1024 * 1024
    # Anonymous GET answers of public pages and the JSON API are kept this long in each worker
    # (drafting/pagecache.py); 0 turns the cache off. At most page_cache_entries answers per worker.
    page_cache_seconds: float = field(default_factory=lambda: _seconds_env("NAVETTE_PAGE_CACHE_SECONDS", 2.0))
    page_cache_entries: int = field(default_factory=lambda: _int_env("NAVETTE_PAGE_CACHE_ENTRIES", 1000))
    # Signed-in participants' article, amendment and bill pages are rendered once for all of them and
    # kept this long at most, or until the next write (drafting/web/readercache.py); 0 turns it off.
    render_cache_seconds: float = field(default_factory=lambda: _seconds_env("NAVETTE_RENDER_CACHE_SECONDS", 2.0))
    # JSON documents that are the same for every reader, signed in or not (one amendment, one article),
    # kept per worker until the database is next written (drafting/web/documents.py); 0 turns it off.
    document_cache_entries: int = field(default_factory=lambda: _int_env("NAVETTE_DOCUMENT_CACHE_ENTRIES", 1000))
    # API tokens and browser sessions sign nobody in once this many days old (NAVETTE_TOKEN_DAYS).
    token_days: int = field(default_factory=lambda: _int_env("NAVETTE_TOKEN_DAYS", 90))
    debug: bool = field(default_factory=lambda: os.environ.get("NAVETTE_DEBUG") == "1")
    # Where handlers run: "threads" (a worker thread each, so database waits overlap), "inline" (on
    # the event loop: no hand-off, one request at a time per worker), or "auto": inline on SQLite,
    # whose queries never wait on a network, threads on PostgreSQL.
    handlers: str = field(default_factory=lambda: os.environ.get("NAVETTE_HANDLERS") or "auto")

    def __post_init__(self) -> None:
        if self.token_days < 1:
            raise ValueError(f"NAVETTE_TOKEN_DAYS must be a number of days, 1 or more, not {self.token_days!r}")
        if self.handlers not in HANDLER_MODES:
            raise ValueError(f"NAVETTE_HANDLERS must be one of {', '.join(HANDLER_MODES)}, not {self.handlers!r}")

    @property
    def inline_handlers(self) -> bool:
        if self.handlers == "auto":
            return self.database_url.startswith("sqlite")
        return self.handlers == "inline"

    @classmethod
    def load(cls, database_url: str | None = None, **overrides) -> "Settings":
        url = database_url or default_database_url()
        secret = overrides.pop("secret_key", None) or _secret_key(url)
        return cls(database_url=url, secret_key=secret, **overrides)
