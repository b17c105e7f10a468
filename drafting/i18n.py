"""The interface's languages through Babel and gettext: the catalogs of drafting/locale, the
language of a request, and messages that are translated where they are shown.

- Templates mark text with ``_("…")`` and ``ngettext("{n} …", "{n} …s", n)``; placeholders are
  ``{name}`` (``str.format``), given as keywords: ``_("Page {page} sur {pages}", page=p, pages=n)``.
  ``ngettext`` passes its count as ``n``. Template msgids are today's French text.
- Python marks a message to translate later with ``Message("…", **params)`` (its ``str`` value is
  the formatted source text, so logs and tests keep reading it), and a string only to be found by
  ``pybabel extract`` with ``N_("…")``. Domain errors build their ``Message`` themselves
  (drafting.errors): ``Invalid("title", "is longer than the limit of {limit} characters", limit=300)``.
  Python msgids are English.
- The language is resolved once per request (``request_language``) and kept in the request's scope.
"""
from __future__ import annotations

import functools
import hashlib
import io
import re
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any

from babel import negotiate_locale
from babel.dates import format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LANGUAGES = ("fr", "en", "de")
DEFAULT_LANGUAGE = "fr"
API_DEFAULT_LANGUAGE = "en"  # CONTRACT §6: API ``detail`` in English unless Accept-Language asks fr or de
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "de": "Deutsch"}
COOKIE = "lang"
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# Bills have no language yet (CONTRACT §2 adds ``language``): every bill so far is French.
DEFAULT_TEXT_LANGUAGE = "fr"

_STATE_KEY = "navette.language"
_API_STATE_KEY = "navette.api_language"


def N_(msgid: str) -> str:
    """Mark a string for ``pybabel extract`` where it is defined; it is translated where it is shown."""
    return msgid


class Message(str):
    """Text to show in the reader's language: its ``str`` value is the source text formatted with
    ``params``; ``translated`` formats the catalog's translation instead. A parameter that is itself a
    Message is translated too."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, /, **params: Any) -> "Message":
        self = super().__new__(cls, _format(msgid, msgid, params))
        self.msgid = msgid
        self.params = params
        return self

    def translated(self, catalog: NullTranslations) -> str:
        params = {name: value.translated(catalog) if isinstance(value, Message) else value
                  for name, value in self.params.items()}
        return _format(catalog.gettext(self.msgid), self.msgid, params)

    def __reduce__(self):
        return (_rebuild_message, (self.msgid, self.params))


def verbatim(text: str) -> Message:
    """Text that has no msgid (another library's words): shown as it is in every language."""
    return Message(_VERBATIM, text=text)


_VERBATIM = "{text}"


def _rebuild_message(msgid: str, params: dict[str, Any]) -> Message:
    return Message(msgid, **params)


def _format(text: str, msgid: str, params: dict[str, Any]) -> str:
    """``text`` with its placeholders filled; a translation whose placeholders are wrong (the catalog
    test refuses those) falls back to the source text rather than failing the page."""
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return msgid.format(**params)


# --- Catalogs ------------------------------------------------------------------------------------

def catalog_paths(language: str) -> tuple[Path, Path]:
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


def compile_catalog(po_path: Path) -> bytes:
    """A .po file as .mo bytes, fuzzy entries left out (as ``pybabel compile`` does)."""
    with po_path.open("rb") as source:
        catalog = read_po(source, locale=po_path.parent.parent.name, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


@functools.cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog of ``language``. A wheel ships .mo files compiled at build time; in a
    checkout (the editable install) a missing or stale .mo is compiled from its .po here, and written
    beside it when the folder is writable."""
    po_path, mo_path = catalog_paths(language)
    if mo_path.exists() and (not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime):
        with mo_path.open("rb") as compiled:
            return Translations(compiled, domain=DOMAIN)
    if not po_path.exists():
        return NullTranslations()
    data = compile_catalog(po_path)
    try:
        mo_path.write_bytes(data)
    except OSError:
        pass
    return Translations(io.BytesIO(data), domain=DOMAIN)


@functools.cache
def catalog_digest() -> str:
    """Changes whenever a catalog does: part of the ETags of pages that are rendered once per language."""
    digest = hashlib.sha256()
    for language in LANGUAGES:
        po_path, mo_path = catalog_paths(language)
        for path in (po_path, mo_path):
            if path.exists():
                digest.update(path.read_bytes())
                break
    return digest.hexdigest()[:16]


def gettext(message: str, language: str = DEFAULT_LANGUAGE, **values: Any) -> str:
    """``message`` (a msgid, or a Message) in ``language``, its ``{placeholders}`` filled from ``values``."""
    catalog = translations(language)
    if isinstance(message, Message):
        return message.translated(catalog)
    return _format(catalog.gettext(message), message, values)


def ngettext(singular: str, plural: str, n: int, language: str = DEFAULT_LANGUAGE, **values: Any) -> str:
    """The form of ``singular``/``plural`` that the language's plural rule picks for ``n``, with ``{n}``."""
    return _format(translations(language).ngettext(singular, plural, n), singular if n == 1 else plural,
                   {"n": n, **values})


@functools.cache
def bound(language: str) -> tuple[Any, Any]:
    """``gettext`` and ``ngettext`` with the language bound (its catalog looked up once): a page
    binds them once instead of resolving the language at each of its hundreds of ``_()`` calls."""
    catalog = translations(language)

    def gettext_(message: str, **values: Any) -> str:
        if isinstance(message, Message):
            return message.translated(catalog)
        return _format(catalog.gettext(message), message, values)

    def ngettext_(singular: str, plural: str, n: int, **values: Any) -> str:
        return _format(catalog.ngettext(singular, plural, n), singular if n == 1 else plural, {"n": n, **values})

    return gettext_, ngettext_


# --- Which language ------------------------------------------------------------------------------

def _accept_language(header: str) -> list[str]:
    """The tags of an Accept-Language header, preferred first (RFC 9110 section 12.5.4); q=0 refused."""
    weighted = []
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        match = re.search(r"q\s*=\s*([0-9.]+)", params)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(header: str | None) -> str | None:
    """The best of our languages for an Accept-Language header, or None."""
    if not header:
        return None
    found = negotiate_locale(_accept_language(header), LANGUAGES, sep="-", aliases=None)
    return found.lower() if found else None


def _state(request: Any) -> dict[str, Any]:
    return request.scope.setdefault("state", {})


def request_language(request: Any) -> str:
    """A page's language: ``?lang=`` (links and tests), else the ``lang`` cookie set by /lang/{code},
    else Accept-Language, else French. Resolved once and kept for the rest of the request."""
    state = _state(request)
    language = state.get(_STATE_KEY)
    if language is None:
        chosen = request.query_params.get("lang") or request.cookies.get(COOKIE)
        if chosen not in LANGUAGES:
            chosen = negotiate(request.headers.get("accept-language")) or DEFAULT_LANGUAGE
        language = state[_STATE_KEY] = chosen
    return language


def api_language(request: Any) -> str:
    """The API's language: Accept-Language only (fr, en, de), English otherwise."""
    state = _state(request)
    language = state.get(_API_STATE_KEY)
    if language is None:
        language = state[_API_STATE_KEY] = negotiate(request.headers.get("accept-language")) or API_DEFAULT_LANGUAGE
    return language


def text_language(bill: Any = None) -> str:
    """The language a bill's text is written in: its ``language`` once bills have one, else French."""
    return getattr(bill, "language", None) or DEFAULT_TEXT_LANGUAGE


# --- Dates and numbers ---------------------------------------------------------------------------

def _utc(moment: datetime) -> datetime:
    """Stored times are UTC, naive on SQLite."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def format_day(day: date | datetime | None, language: str) -> str:
    """A date the language's way, digits only: ``01/12/2026``, ``12/01/2026``, ``01.12.2026``."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = _utc(day).date()
    return _day(day.year, day.month, day.day, language)


@functools.lru_cache(maxsize=8192)
def _day(year: int, month: int, day: int, language: str) -> str:
    """Babel matches the skeleton against the locale's patterns at each call (a few milliseconds a
    page of dates): each day is written once per language."""
    return format_skeleton("yMMdd", datetime(year, month, day), locale=language)


@functools.lru_cache(maxsize=4096)
def _clock(hour: int, minute: int, language: str) -> str:
    """The short time of day (hours and minutes only, in every language), written once per language."""
    return format_time(time(hour, minute), "short", locale=language)


def format_moment(moment: datetime | None, language: str) -> str:
    """A date and time the language's way, on the site's clock (UTC): ``01/12/2026 08:30 UTC``."""
    if moment is None:
        return ""
    moment = _utc(moment)
    return f"{format_day(moment, language)} {_clock(moment.hour, moment.minute, language)} UTC"


def format_number(number: float | int | None, language: str) -> str:
    """``12 345`` (fr), ``12,345`` (en), ``12.345`` (de)."""
    return "" if number is None else format_decimal(number, locale=language)
