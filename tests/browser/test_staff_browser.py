"""The staff pages in a real browser: an administrator pastes a bill, previews its articles and
creates it; a bill's author sets the consultation's dates, adds a co-author and closes after confirming."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

TEXT = """# Projet de loi pour une cité numérique

## Titre Ier — De la circulation des données

## Article 1er

Les administrations publient leurs données.

## Article 2 — Gratuité

La réutilisation est gratuite.
"""


def _signed_in_admin(page, live_server) -> str:
    name = live_server.unique("admin")
    live_server.create_user(name, role="admin", display_name="Cabinet du ministre")
    page.context.add_cookies([live_server.session_cookie(name)])
    return name


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_admin_pastes_a_bill_previews_its_articles_and_creates_it(request, live_server, javascript):
    page = request.getfixturevalue("page" if javascript else "page_nojs")
    _signed_in_admin(page, live_server)
    page.goto("/")
    page.get_by_role("link", name="Nouveau projet de loi").click()
    page.wait_for_url("**/bills/new")
    slug = live_server.unique("cite")
    page.get_by_label("Adresse (facultative)").fill(slug)
    page.get_by_label("Texte du projet").fill(TEXT)
    preview = page.locator("#preview")
    if javascript:  # htmx previews while one types, without a submit
        preview.locator(".preview-articles li").first.wait_for()
    else:
        page.get_by_role("button", name="Aperçu des articles").click()
        page.wait_for_load_state()
    assert preview.locator("strong.number").all_inner_texts() == ["Article 1er", "Article 2"]
    assert preview.locator("h3").all_inner_texts() == ["Titre Ier — De la circulation des données"]
    assert "2 articles trouvés" in preview.inner_text()

    page.get_by_role("button", name="Créer le projet").click()
    page.wait_for_url(f"**/bills/{slug}/settings")
    assert page.get_by_role("heading", level=1).inner_text() == "Réglages du projet"
    page.goto(f"/bills/{slug}")
    assert page.get_by_role("heading", level=1).inner_text() == "Projet de loi pour une cité numérique"
    assert page.locator("p.status").inner_text().startswith("brouillon")
    assert page.locator("nav.toc").get_by_role("link", name="Article 2").count() == 1


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_author_sets_the_dates_adds_a_co_author_and_closes_after_confirming(request, live_server, javascript):
    page = request.getfixturevalue("page" if javascript else "page_nojs")
    admin = _signed_in_admin(page, live_server)
    coauthor = live_server.create_user(live_server.unique("camille"), display_name="Camille Dupont")
    bill = live_server.create_bill(admin, open_=False)

    page.goto(f"/bills/{bill.slug}")
    page.get_by_role("link", name="Réglages du projet (dates, langue, co-auteurs)").click()
    page.wait_for_url(f"**/bills/{bill.slug}/settings")
    assert "UTC" in page.locator("fieldset").inner_text()
    page.get_by_label("Ouverture (UTC)").fill("2031-03-01T09:30")
    page.get_by_label("Clôture (UTC)").fill("2031-03-31T18:00")
    page.locator("#settings").get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert page.get_by_label("Ouverture (UTC)").input_value() == "2031-03-01T09:30"
    assert page.locator("p.time-left").inner_text().strip() == "Ouvre le 01/03/2031 à 09:30 UTC"

    page.get_by_label("Ajouter un co-auteur (identifiant)").fill(coauthor.username)
    page.get_by_role("button", name="Ajouter").click()
    page.wait_for_load_state()
    assert "Camille Dupont" in page.locator("section.authors").inner_text()

    page.get_by_role("button", name="Ouvrir la consultation maintenant…").click()
    page.get_by_role("button", name="Oui, ouvrir la consultation").click()
    page.wait_for_url(f"**/bills/{bill.slug}")
    assert page.locator("p.status").inner_text().startswith("ouvert")
    assert page.locator("p.time-left").inner_text().startswith("Clôture dans")

    page.goto(f"/bills/{bill.slug}/settings")
    page.get_by_role("button", name="Clore la consultation maintenant…").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Clore la consultation ?"
    page.get_by_role("button", name="Oui, clore la consultation").click()
    page.wait_for_url(f"**/bills/{bill.slug}")
    assert page.locator("p.status").inner_text().startswith("clos")
