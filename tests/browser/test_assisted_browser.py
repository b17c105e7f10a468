"""The assisted participant in a real browser: staff open an account at an event and print the code
sheet, the person signs in with the code, staff enter an argument on their behalf (issue 12). The
strict Content-Security-Policy must not block anything on the way (htmx included)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import watch_csp

pytestmark = pytest.mark.browser


def test_staff_enrol_a_person_who_signs_in_by_code_and_staff_argue_on_their_behalf(browser, live_server):
    staff = live_server.create_user(live_server.unique("redaction"), role="admin", display_name="Équipe du projet")
    bill = live_server.create_bill(staff, title=f"Projet de loi numérique {live_server.unique('pl')}")
    staff_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    staff_context.add_cookies([live_server.session_cookie(staff.username)])
    staff_page = staff_context.new_page()
    person_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    person_page = person_context.new_page()
    blocked_staff, blocked_person = watch_csp(staff_page), watch_csp(person_page)
    try:
        # staff: from the bill page, enrol the person and see the sheet to print
        staff_page.goto(bill.path)
        staff_page.get_by_role("link", name="Inscrire une personne").click()
        staff_page.get_by_label("Nom affiché").fill("Madeleine Roux")
        staff_page.get_by_role("button", name="Créer le compte et le code").click()
        sheet = staff_page.locator("section.sign-in-sheet")
        sheet.wait_for()
        assert "Bonjour Madeleine Roux," in sheet.inner_text()
        assert sheet.locator(".sheet-address").inner_text() == f"{live_server.url}/login/code"
        code = sheet.locator(".sign-in-code").inner_text()
        assert staff_page.get_by_role("button", name="Imprimer la feuille").is_visible()  # print.js ran

        # the person: types the code and lands on their account page, signed in
        person_page.goto("/login")
        person_page.get_by_role("link", name="Se connecter avec un code").click()
        person_page.get_by_label("Code de connexion").fill(code.lower().replace("-", " "))
        person_page.get_by_role("button", name="Se connecter").click()
        person_page.wait_for_url("**/me?done=code")
        assert "Connecté en tant que Madeleine Roux" in person_page.locator("header.site").inner_text()
        assert person_page.get_by_role("status").inner_text().startswith("Vous êtes connecté")

        # staff: on the article page, enter the person's argument for them (htmx swaps the section)
        staff_page.goto(bill.article_path(0))
        form = staff_page.locator("form.argument-form")
        form.get_by_label("Argument (texte simple, 5 000 caractères au plus)").fill(
            "Il faut que tout le monde puisse lire les données publiques.")
        form.get_by_label("Saisir pour").select_option(label=staff_page.locator(
            "form.argument-form select option", has_text="Madeleine Roux").inner_text())
        form.get_by_role("button", name="Publier l'argument").click()
        entered = staff_page.locator("article.argument .entered-by")
        entered.wait_for()
        assert entered.inner_text().startswith("saisi par Équipe du projet pour Madeleine Roux")

        # the person sees it as theirs on the same page
        person_page.goto(bill.article_path(0))
        assert "saisi par Équipe du projet pour Madeleine Roux" in person_page.locator("article.argument").inner_text()
        assert blocked_staff == [] and blocked_person == []
    finally:
        staff_context.close()
        person_context.close()
