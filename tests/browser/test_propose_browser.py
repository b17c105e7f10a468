"""Proposing an amendment in a real browser: the live redline as one types, and the same without JavaScript."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

ARTICLE_TEXT = ("Les administrations publient en ligne les documents qu'elles communiquent.\n"
                "Elles publient aussi les bases de données qu'elles produisent.")
EDITOR_LABEL = "Texte de l'article tel que vous le proposez"


def _citizen_on_an_article(page, live_server):
    citizen = live_server.create_user(live_server.unique("citoyenne"), display_name="Claire Dupont")
    bill = live_server.create_bill(title="Projet de loi pour une République numérique",
                                   articles=[{"number": "1", "heading": "Open data", "text": ARTICLE_TEXT}])
    live_server.sign_in(page, citizen.username)
    page.goto(bill.article_path(0))
    page.get_by_role("link", name="Proposer une modification", exact=True).click()
    page.wait_for_url(f"**{bill.article_path(0)}/propose")
    return bill


def test_citizen_sees_the_live_redline_change_as_they_type(page, live_server):
    from playwright.sync_api import expect

    bill = _citizen_on_an_article(page, live_server)
    editor = page.get_by_label(EDITOR_LABEL)
    assert editor.input_value() == ARTICLE_TEXT
    preview = page.locator("#preview")
    expect(preview).to_contain_text("identique")

    editor.click()
    page.keyboard.press("Control+Home")
    page.keyboard.press("End")  # the end of the first alinéa
    page.keyboard.press("Backspace")  # the full stop
    editor.press_sequentially(" gratuitement.", delay=15)
    expect(preview.locator("ins").first).to_contain_text("gratuitement")
    editor.press_sequentially(" Sous format ouvert.", delay=15)
    expect(preview.locator("ins").first).to_contain_text("Sous format ouvert")
    assert page.url.endswith("/propose")  # the preview changed in place

    page.get_by_label("Titre de la proposition").fill("Gratuité")
    page.get_by_role("button", name="Déposer la proposition").click()
    page.wait_for_url(re.compile(r".*/amendments/\d+$"))
    expect(page.locator(".redline ins").first).to_contain_text("gratuitement")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gratuité")
    page.get_by_role("link", name=f"Article {bill.articles[0].number}").first.click()
    expect(page.locator("#amendments")).to_contain_text("Gratuité")


def test_without_javascript_the_citizen_previews_then_confirms(page_nojs, live_server):
    from playwright.sync_api import expect

    page = page_nojs
    _citizen_on_an_article(page, live_server)
    proposal = ARTICLE_TEXT.replace("les bases de données", "les bases de données et leurs codes sources")
    page.get_by_label(EDITOR_LABEL).fill(proposal)
    page.get_by_role("button", name="Prévisualiser").click()
    page.wait_for_url("**/propose/preview")
    expect(page.locator("#preview ins").first).to_contain_text("et leurs codes sources")
    page.get_by_role("button", name="Confirmer et déposer la proposition").click()
    page.wait_for_url(re.compile(r".*/amendments/\d+$"))
    expect(page.locator(".redline ins").first).to_contain_text("codes sources")
    expect(page.locator("main")).to_contain_text("Statut : ouvert")
