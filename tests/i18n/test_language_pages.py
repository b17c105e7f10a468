"""Pages in French, English and German (chosen by /lang/{code}, else Accept-Language, else French),
with their form errors, domain errors and 404s in that language; API details per Accept-Language."""
from __future__ import annotations

import dataclasses
import re

import pytest
from litestar.testing import TestClient

from tests.drafting.test_pages import csrf_token, page

GERMAN, ENGLISH, FRENCH = {"Accept-Language": "de-DE,de;q=0.9"}, {"Accept-Language": "en-GB"}, {}


@pytest.mark.parametrize(("headers", "lang", "title"), [
    (FRENCH, "fr", "Projets de loi"), (ENGLISH, "en", "Bills"), (GERMAN, "de", "Gesetzentwürfe"),
    ({"Accept-Language": "es"}, "fr", "Projets de loi"),
])
def test_accept_language_chooses_the_page_language_else_french(client, headers, lang, title):
    response = client.get("/", headers=headers)
    document = page(response)
    assert document.find("html").attrs["lang"] == lang
    assert document.find("h1").text == title
    assert "accept-language" in response.headers["vary"].lower()


def test_the_language_chosen_with_lang_wins_over_accept_language(client):
    chosen = client.get("/lang/de?next=/login", headers=ENGLISH, follow_redirects=False)
    assert (chosen.status_code, chosen.headers["location"]) == (303, "/login")
    login = page(client.get("/login", headers=ENGLISH))
    assert login.find("html").attrs["lang"] == "de" and login.find("h1").text == "Anmelden"
    # The other two languages are offered in their own names.
    switcher = login.find("span", "lang").text
    assert "Français" in switcher and "English" in switcher and "Deutsch" not in switcher
    assert client.get("/lang/de?next=//evil.example/", follow_redirects=False).headers["location"] == "/"
    refused = client.get("/lang/it", follow_redirects=False)
    assert refused.status_code == 400


@pytest.mark.parametrize(("headers", "message"), [
    (FRENCH, "username: l'identifiant « camille » est déjà pris"),
    (ENGLISH, "username: 'camille' is already taken"),
    (GERMAN, "username: der Benutzername „camille“ ist bereits vergeben"),
])
def test_a_domain_error_on_a_form_is_in_the_page_language(api, client, headers, message):
    api.user("camille")
    client.headers.update(headers)
    response = client.post("/register", data={"username": "camille", "password": "long enough password",
                                              "kind": "citizen", "_csrf_token": csrf_token(client, "/register")})
    assert response.status_code == 409
    assert page(response).find("p", "error").text == message


@pytest.mark.parametrize(("headers", "message"), [
    (FRENCH, "password: doit compter au moins 8 caractères"),
    (ENGLISH, "password: must be at least 8 characters"),
    (GERMAN, "password: muss mindestens 8 Zeichen lang sein"),
])
def test_a_form_error_is_in_the_page_language(client, headers, message):
    client.headers.update(headers)
    response = client.post("/register", data={"username": "dominique", "password": "short", "kind": "citizen",
                                              "_csrf_token": csrf_token(client, "/register")})
    assert response.status_code == 400
    assert page(response).find("p", "error").text == message


@pytest.mark.parametrize(("headers", "heading", "detail"), [
    (FRENCH, "Page introuvable", "aucun projet « inconnu »"),
    (ENGLISH, "Page not found", "no bill 'inconnu'"),
    (GERMAN, "Seite nicht gefunden", "kein Entwurf „inconnu“"),
])
def test_a_missing_bill_is_a_404_page_in_the_page_language(client, headers, heading, detail):
    response = client.get("/bills/inconnu", headers=headers)
    assert response.status_code == 404
    document = page(response)
    assert document.find("h1").text == heading and document.find("p", "error").text == detail


@pytest.mark.parametrize(("headers", "detail"), [
    (FRENCH, "cette page n'existe pas"), (ENGLISH, "page not found"), (GERMAN, "diese Seite existiert nicht"),
])
def test_an_unknown_address_is_a_404_page_without_litestar_s_english(client, headers, detail):
    response = client.get("/nulle-part", headers=headers)
    assert response.status_code == 404
    assert page(response).find("p", "error").text == detail and "Not Found" not in response.text


@pytest.mark.parametrize(("accept", "detail"), [
    (None, "no bill 'inconnu'"), ("en-US", "no bill 'inconnu'"), ("es", "no bill 'inconnu'"),
    ("fr-FR,fr;q=0.9", "aucun projet « inconnu »"), ("de", "kein Entwurf „inconnu“"),
])
def test_api_detail_follows_accept_language_english_otherwise(client, accept, detail):
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get("/api/v1/bills/inconnu", headers=headers)
    assert response.status_code == 404
    assert response.json() == {"status_code": 404, "detail": detail}


def test_api_field_errors_keep_the_field_name_in_every_language(client):
    for accept, message in (("fr", "doit compter au moins 8 caractères"), ("de", "muss mindestens 8 Zeichen lang sein")):
        response = client.post("/api/v1/users", json={"username": "dominique", "password": "short"},
                               headers={"Accept-Language": accept})
        body = response.json()
        assert response.status_code == 400
        assert body["detail"] == f"password: {message}" and body["extra"]["field"] == "password"


def test_law_text_is_marked_french_on_english_and_german_pages(api, admin, client):
    bill = api.bill(admin)
    for headers, marked in ((FRENCH, False), (ENGLISH, True), (GERMAN, True)):
        document = page(client.get(f"/bills/{bill['slug']}", headers=headers))
        texts = document.find_all("div", "law-text")
        assert texts and all((text.attrs.get("lang") == "fr") == marked for text in texts), headers


def test_plurals_and_counts_read_right_in_each_language(api, admin, client):
    bill = api.bill(admin)
    article_id = bill["articles"][0]["id"]
    alice, bob = api.user("alice"), api.user("bob")
    text = "La présente loi a pour objet de tester Navette, et rien d'autre."
    for author in (alice, bob):  # the same text twice: bob co-signs alice's amendment
        created = client.post(f"/api/v1/articles/{article_id}/amendments", headers=author.headers,
                              json={"kind": "modify", "text": text, "base_version": 1})
        assert created.status_code in (200, 201), created.text
    amendment_id = created.json()["id"]
    path = f"/amendments/{amendment_id}"
    for headers, one in ((FRENCH, "1 co-signataire"), (ENGLISH, "1 co-signer"), (GERMAN, "1 Mitunterzeichner")):
        assert re.search(rf"\b{one}\b(?![a-z])", client.get(path, headers=headers).text), one


def test_the_atom_feed_is_in_the_language_asked(api, admin, client):
    bill = api.bill(admin)
    french = client.get(f"/bills/{bill['slug']}/feed.atom")
    english = client.get(f"/bills/{bill['slug']}/feed.atom?lang=en")
    german = client.get(f"/bills/{bill['slug']}/feed.atom", headers=GERMAN)
    assert 'xml:lang="fr"' in french.text and "Historique" in french.text
    assert 'xml:lang="en"' in english.text and "History" in english.text and "Historique" not in english.text
    assert 'xml:lang="de"' in german.text and "Verlauf" in german.text
    assert "accept-language" in german.headers["vary"].lower()


@pytest.fixture
def cached_app(settings):
    from drafting.app import create_app

    return create_app(dataclasses.replace(settings, page_cache_seconds=60))


def test_the_page_cache_keeps_accept_language_variants_apart(cached_app):
    with TestClient(app=cached_app) as visitor:
        german = visitor.get("/", headers=GERMAN)
        english = visitor.get("/", headers=ENGLISH)
        again = visitor.get("/", headers=GERMAN)
        french = visitor.get("/")
    assert german.headers["x-navette-cache"] == "miss" and again.headers["x-navette-cache"] == "hit"
    assert '<html lang="de">' in again.text and '<html lang="en">' in english.text
    assert '<html lang="fr">' in french.text


def test_the_review_desk_counts_arguments_and_votes_in_the_page_language(api, admin, client, db):
    from tests.conftest import sign_in

    bill = api.bill(admin)
    alice = api.user("alice")
    created = client.post(f"/api/v1/articles/{bill['articles'][0]['id']}/amendments", headers=alice.headers,
                          json={"kind": "modify", "text": "La présente loi teste Navette.", "base_version": 1})
    assert created.status_code == 201, created.text
    sign_in(client, db, "admin")
    review = {lang: client.get(f"/bills/{bill['slug']}/review?lang={lang}").text for lang in ("fr", "en", "de")}
    assert "0 pour, 0 contre" in review["fr"] and "0 co-signataire" in review["fr"]
    assert "0 for, 0 against" in review["en"] and "0 agree, 0 mixed, 0 disagree" in review["en"]
    assert "0 dafür, 0 dagegen" in review["de"] and "0 Mitunterzeichner" in review["de"]
