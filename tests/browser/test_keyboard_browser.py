"""Proposing an amendment with the keyboard only (Tab, typing, Enter), every focus stop visibly marked;
and closing a consultation from the bill page asks for confirmation first."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

TEXT = "Les administrations publient leurs données en ligne dans un délai de deux mois."
MAX_TABS = 60


def _tab_to(page, accessible_text: str) -> None:
    """Press Tab until the focused element reads ``accessible_text``; each stop shows a visible outline."""
    from playwright.sync_api import expect

    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        expect(focused).to_have_count(1)
        expect(focused).to_have_css("outline-style", "solid")
        name = (focused.get_attribute("aria-label") or focused.get_attribute("name") or "") + " " + focused.inner_text()
        if accessible_text in name:
            return
    raise AssertionError(f"{accessible_text!r} not reached in {MAX_TABS} presses of Tab")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_citizen_proposes_an_amendment_with_the_keyboard_only(request, live_server, javascript):
    from playwright.sync_api import expect

    page = request.getfixturevalue("page" if javascript else "page_nojs")
    citizen = live_server.create_user(live_server.unique("clavier"))
    bill = live_server.create_bill(articles=[{"number": "1", "text": TEXT}])
    page.context.add_cookies([live_server.session_cookie(citizen.username)])
    page.goto(bill.article_path(0))

    _tab_to(page, "Proposer une modification")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{bill.article_path(0)}/propose")
    _tab_to(page, "title")
    page.keyboard.type("Trois mois")
    _tab_to(page, "text")  # the editor, pre-filled with the article
    page.keyboard.press("Control+End")
    for _ in range(len("deux mois.")):
        page.keyboard.press("Backspace")
    page.keyboard.type("trois mois.")
    if javascript:
        expect(page.locator("#preview ins").first).to_contain_text("trois")
    _tab_to(page, "explanation")
    page.keyboard.type("Deux mois ne suffisent pas.")
    if javascript:
        _tab_to(page, "Déposer la proposition")
        page.keyboard.press("Enter")
    else:  # without script the proposal is previewed, then confirmed
        _tab_to(page, "Prévisualiser")
        page.keyboard.press("Enter")
        page.wait_for_url("**/propose/preview")
        expect(page.locator("#preview ins").first).to_contain_text("trois")
        _tab_to(page, "Confirmer et déposer la proposition")
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/amendments/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Trois mois")
    expect(page.locator(".redline ins").first).to_contain_text("trois")
    expect(page.get_by_role("status").first).to_contain_text("Votre proposition est déposée")


def test_closing_the_consultation_from_the_bill_page_asks_first(page, live_server):
    from playwright.sync_api import expect

    author = live_server.create_user(live_server.unique("cabinet"), role="admin")
    bill = live_server.create_bill(author)
    page.context.add_cookies([live_server.session_cookie(author.username)])
    page.goto(bill.path)
    page.get_by_role("button", name="Clore la consultation maintenant…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clore la consultation ?")
    page.goto(bill.path)  # going away without confirming leaves it open
    expect(page.get_by_role("button", name="Clore la consultation maintenant…")).to_be_visible()
    page.get_by_role("button", name="Clore la consultation maintenant…").click()
    page.get_by_role("button", name="Oui, clore la consultation").click()
    page.wait_for_url(f"**{bill.path}")
    expect(page.get_by_role("status").first).to_have_text("La consultation est close.")
    expect(page.get_by_role("button", name="Ouvrir la consultation maintenant…")).to_be_visible()
