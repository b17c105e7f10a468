"""A confirmation after each action: registering, proposing, merging, rejecting, publishing a version,
opening and closing a consultation each end on a page that says what happened (role="status"), once,
in the page's language; a form shown again with its errors says nothing of the kind."""
from __future__ import annotations

import html
import re

import pytest

from tests.amendments.test_desk_api import BASE, HEAD_CHANGE, citizens, desk, post_form, propose  # noqa: F401
from tests.conftest import sign_in
from tests.drafting.test_pages import PASSWORD, csrf_token

FLASH = re.compile(r'<p class="notice flash" role="status">(.*?)</p>', re.S)


def flash_of(answer) -> str | None:
    found = FLASH.search(answer.text)
    return html.unescape(found.group(1).strip()) if found else None


def followed(client, answer):
    """The page a 303 leads to, as a browser would load it next."""
    assert answer.status_code == 303, answer.text[:500]
    return client.get(answer.headers["location"])


def test_registering_says_the_account_is_created_once(client):
    answer = client.post("/register", data={"username": "camille", "password": PASSWORD, "display_name": "Camille",
                                            "kind": "citizen", "_csrf_token": csrf_token(client, "/register")},
                         follow_redirects=False)
    assert flash_of(followed(client, answer)) == "Votre compte est créé et vous êtes connecté."
    assert flash_of(client.get("/")) is None  # shown once


def test_a_refused_registration_shows_no_confirmation(client):
    answer = client.post("/register", data={"username": "Pas Valide", "password": PASSWORD, "kind": "citizen",
                                            "_csrf_token": csrf_token(client, "/register")}, follow_redirects=False)
    assert answer.status_code == 400
    assert flash_of(answer) is None and flash_of(client.get("/")) is None


def test_proposing_says_the_proposal_is_submitted_in_each_language(client, db, desk):
    sign_in(client, db, "alice")
    url = f"/bills/{desk['bill']['slug']}/articles/{desk['article']}/amendments"
    for language, expected, words in (
            ("fr", "Votre proposition est déposée : elle est publique et chacun peut la voter et l'argumenter.", "trois"),
            ("en", "Your amendment is submitted: it is public and everyone can vote and argue on it.", "quatre"),
            ("de", "Ihr Änderungsantrag ist eingereicht: Er ist öffentlich, und alle können darüber abstimmen und "
                   "argumentieren.", "cinq")):
        client.cookies.set("lang", language)
        answer = post_form(client, url, {"text": BASE.replace("deux", words), "explanation": "Plus de temps."})
        assert flash_of(followed(client, answer)) == expected


def test_merging_rejecting_and_publishing_say_what_was_done(client, db, admin, desk):
    first = propose(client, desk["alice"], desk["article"], HEAD_CHANGE)
    second = propose(client, desk["bruno"], desk["article"], BASE.replace("deux", "six"))
    sign_in(client, db, "admin")
    merged = post_form(client, f"/articles/{desk['article']}/merge",
                       {"amendments": str(first["id"]), "expected_version": "1", "message": "Les ministères"})
    assert flash_of(followed(client, merged)) == "La nouvelle version de l'article est publiée."
    rejected = post_form(client, f"/amendments/{second['id']}/reject", {"response": "Six mois, c'est trop."})
    page = followed(client, rejected)
    assert flash_of(page) == "L'amendement est rejeté ; votre réponse est publique."
    published = post_form(client, f"/bills/{desk['bill']['slug']}/versions", {"label": "V2", "message": "Après"})
    assert flash_of(followed(client, published)) == "La nouvelle version du projet de loi est publiée."
    client.cookies.set("lang", "en")
    closed = post_form(client, f"/bills/{desk['bill']['slug']}/status", {"status": "closed", "confirm": "yes"})
    assert flash_of(followed(client, closed)) == "The consultation is closed."
    opened = post_form(client, f"/bills/{desk['bill']['slug']}/status", {"status": "open", "confirm": "yes"})
    assert flash_of(followed(client, opened)) == "The consultation is open."
    assert flash_of(client.get(f"/bills/{desk['bill']['slug']}")) is None


@pytest.mark.parametrize("kind", ["<script>", "merged\"><b>", ""])
def test_a_forged_flash_cookie_shows_nothing(client, kind):
    client.cookies.set("navette_flash", kind)
    assert flash_of(client.get("/login")) is None
