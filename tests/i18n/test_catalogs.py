"""The catalogs are complete: every msgid that `pybabel extract` finds in the Python and the templates
is translated, not fuzzy, in French, English and German, with its placeholders and plural forms."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from drafting import catalogs, i18n

REPO = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"(?<!\{)\{([a-z_]+)[^{}]*\}(?!\})")
ERROR_CLASSES = {"DomainError", "Invalid", "Unauthorized", "Forbidden", "NotFound", "Conflict", "RateLimited"}


@pytest.fixture(scope="module")
def extracted():
    return catalogs.extract()


def _catalog(language: str):
    po_path, _ = i18n.catalog_paths(language)
    with po_path.open("rb") as source:
        return read_po(source, locale=language, domain=i18n.DOMAIN)


def test_extraction_finds_template_python_and_error_messages(extracted):
    ids = {message.id for message in extracted if message.id}
    assert "Projets de loi" in ids  # a template string
    assert ("{n} co-signataire", "{n} co-signataires") in ids  # a template plural
    assert "Identifiant ou mot de passe incorrect." in ids  # N_ in a handler
    assert "username: '{username}' is already taken" in ids  # a domain error's message
    assert "is longer than the limit of {limit} characters" in ids  # Invalid's second argument


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_message_is_translated_in_each_catalog(extracted, language):
    catalog = _catalog(language)
    untranslated, fuzzy, wrong_forms = [], [], []
    for message in extracted:
        if not message.id:
            continue
        entry = catalog.get(message.id)
        if entry is None or not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
            untranslated.append(message.id)
        elif entry.fuzzy:
            fuzzy.append(message.id)
        elif isinstance(message.id, tuple) and len(entry.string) != catalog.num_plurals:
            wrong_forms.append(message.id)
    assert untranslated == [], f"{language}: run `python -m drafting.catalogs update` and translate these"
    assert fuzzy == [] and wrong_forms == []


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_translations_keep_the_placeholders_of_their_msgid(language):
    wrong = []
    for entry in _catalog(language):
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        allowed = {name for msgid in ids for name in PLACEHOLDER.findall(msgid)}
        for string in strings:
            if not set(PLACEHOLDER.findall(string)) <= allowed:
                wrong.append((entry.id, string))
        if not isinstance(entry.id, tuple) and set(PLACEHOLDER.findall(strings[0])) != allowed:
            wrong.append((entry.id, strings[0]))
    assert wrong == []


def test_the_committed_template_lists_what_the_code_says(extracted):
    with catalogs.TEMPLATE.open("rb") as source:
        committed = {m.id for m in read_po(source) if m.id}
    assert committed == {m.id for m in extracted if m.id}, "run `python -m drafting.catalogs update`"


def _error_messages_built_at_run_time():
    """Domain errors raised with an f-string, a concatenation or a formatted string: pybabel cannot
    extract those, so they would stay English on every page."""
    found = []
    for path in [*REPO.joinpath("drafting").rglob("*.py"), *REPO.joinpath("amendments").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name not in ERROR_CLASSES:
                continue
            position = 1 if name == "Invalid" else 0
            if len(node.args) <= position:
                continue
            message = node.args[position]
            formatted = isinstance(message, (ast.JoinedStr, ast.BinOp)) or (
                isinstance(message, ast.Call) and getattr(message.func, "attr", getattr(message.func, "id", ""))
                in ("format", "str"))
            if formatted:
                found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    return found


def test_domain_errors_are_raised_with_a_literal_msgid_and_parameters():
    assert _error_messages_built_at_run_time() == []


@pytest.mark.parametrize(("language", "zero", "one", "two"), [
    ("fr", "0 co-signataire", "1 co-signataire", "2 co-signataires"),
    ("en", "0 co-signers", "1 co-signer", "2 co-signers"),
    ("de", "0 Mitunterzeichner", "1 Mitunterzeichner", "2 Mitunterzeichner"),
])
def test_plurals_follow_each_language(language, zero, one, two):
    forms = [i18n.ngettext("{n} co-signataire", "{n} co-signataires", n, language) for n in (0, 1, 2)]
    assert forms == [zero, one, two]
    assert i18n.ngettext("{n} vote", "{n} votes", 1, "de") == "1 Stimme"


def test_a_message_keeps_its_msgid_and_is_translated_with_its_parameters():
    from drafting.errors import Conflict, Invalid

    taken = Conflict("username: '{username}' is already taken", username="alice", field="username")
    assert str(taken.detail) == "username: 'alice' is already taken"  # what logs and the English API say
    assert i18n.gettext(taken.detail, "fr") == "username: l'identifiant « alice » est déjà pris"
    assert i18n.gettext(taken.detail, "de") == "username: der Benutzername „alice“ ist bereits vergeben"
    too_long = Invalid("title", "is longer than the limit of {limit} characters", limit=300)
    # The field's name starts the detail in every language: it is the request's field, for clients.
    assert i18n.gettext(too_long.detail, "fr") == "title: dépasse la limite de 300 caractères"
    assert i18n.gettext(too_long.detail, "de") == "title: überschreitet die Grenze von 300 Zeichen"
    assert i18n.gettext(too_long.message, "en") == "is longer than the limit of 300 characters"


def test_dates_and_numbers_are_written_the_language_s_way():
    from datetime import datetime

    moment = datetime(2026, 3, 4, 15, 5)
    assert i18n.format_moment(moment, "fr") == "04/03/2026 15:05 UTC"
    assert i18n.format_moment(moment, "de") == "04.03.2026 15:05 UTC"
    assert i18n.format_day(moment, "en") == "3/4/2026"
    assert [i18n.format_number(12345.5, code) for code in ("fr", "en", "de")] == ["12\u202f345,5", "12,345.5", "12.345,5"]


@pytest.mark.parametrize(("header", "language"), [
    ("de-DE,de;q=0.9,en;q=0.8", "de"), ("en-GB", "en"), ("es, en;q=0.5", "en"), ("es", None),
    ("fr;q=0, de;q=0.1", "de"), ("", None), ("*", None),
])
def test_accept_language_is_negotiated_among_fr_en_de(header, language):
    assert i18n.negotiate(header) == language
