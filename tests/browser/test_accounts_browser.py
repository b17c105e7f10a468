"""Accounts in a real browser: a person signs up, signs out, signs in and reads an article."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

ARTICLE_TEXT = "Les administrations diffusent en ligne les documents qu'elles communiquent."


def _sign_up(page, username: str, password: str, display_name: str, organization: str | None = None) -> None:
    page.goto("/register")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_label("Nom affiché").fill(display_name)
    if organization:
        page.get_by_label("Organisation", exact=True).check()
        page.get_by_label("Nom de l'organisation").fill(organization)
        page.get_by_label("Intérêts déclarés").fill("Défense des libertés numériques")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _read_an_article(page, live_server) -> None:
    bill = live_server.create_bill(
        title=f"Projet de loi pour une République numérique {live_server.unique('rn')}",
        articles=[{"number": "1", "heading": "Open data par défaut", "text": ARTICLE_TEXT},
                  {"number": "2", "text": "Les codes sources sont des documents administratifs."}],
    )
    page.goto("/")
    page.get_by_role("link", name=bill.title).click()
    page.wait_for_url(f"**{bill.path}")
    assert page.get_by_role("heading", level=1).inner_text() == bill.title
    page.locator("nav.toc").get_by_role("link", name="Article 1").click()
    page.wait_for_url(f"**{bill.article_path(0)}")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Article 1")
    assert page.locator(".law-text").inner_text().strip() == ARTICLE_TEXT


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_person_signs_up_signs_out_signs_in_and_reads_an_article(request, live_server, javascript):
    page = request.getfixturevalue("page" if javascript else "page_nojs")
    username = live_server.unique("camille")
    password = "une phrase de passe"

    _sign_up(page, username, password, "Camille Martin")
    header = page.locator("header.site")
    assert "Connecté en tant que Camille Martin" in header.inner_text()

    header.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state()
    assert "Camille Martin" not in header.inner_text()
    header.get_by_role("link", name="Se connecter").click()
    page.wait_for_url("**/login**")

    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill("pas le bon mot de passe")
    page.locator("main form button[type=submit]").click()
    assert page.get_by_role("alert").inner_text() == "Identifiant ou mot de passe incorrect."

    page.get_by_label("Mot de passe").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "Connecté en tant que Camille Martin" in header.inner_text()

    _read_an_article(page, live_server)
    assert "Connecté en tant que Camille Martin" in page.locator("header.site").inner_text()


def test_registration_error_is_shown_on_the_form(page, live_server):
    taken = live_server.create_user(live_server.unique("dominique")).username
    _sign_up(page, taken, "une phrase de passe", "Dominique")
    assert "déjà pris" in page.get_by_role("alert").inner_text()  # the domain error, in the page language
    assert page.get_by_label("Identifiant").input_value() == taken
    assert "Connecté en tant que" not in page.locator("header.site").inner_text()


def test_organization_sign_up_shows_the_organization_label(page, live_server):
    username = live_server.unique("quadrature")
    _sign_up(page, username, "une phrase de passe", "La Quadrature", organization="La Quadrature du Net")
    who = page.locator("header.site .who")
    assert "La Quadrature" in who.inner_text()
    assert who.locator(".org-badge").inner_text() == "Organisation : La Quadrature du Net"
