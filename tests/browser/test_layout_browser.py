"""What a newcomer sees, in a real browser: the propose page's editor and live redline side by side on
a wide screen and one above the other on a phone; the registration form's radio buttons beside their
labels and the organization's fields only for an organization (no script needed); a favicon; a printed
article without the site's menus and forms."""
from __future__ import annotations

import re

import httpx
import pytest

pytestmark = pytest.mark.browser

WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def _box(locator) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None, locator
    return box


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_editor_and_the_redline_sit_side_by_side_on_a_wide_screen(request, live_server, javascript):
    page = request.getfixturevalue("page" if javascript else "page_nojs")
    citizen = live_server.create_user(live_server.unique("citoyen"))
    bill = live_server.create_bill()
    page.context.add_cookies([live_server.session_cookie(citizen.username)])
    page.set_viewport_size(WIDE)
    page.goto(f"{bill.article_path(0)}/propose")
    editor, preview = _box(page.locator("#proposal-text")), _box(page.locator("section.preview"))
    assert preview["x"] >= editor["x"] + editor["width"], (editor, preview)  # to its right
    assert preview["y"] < editor["y"] + editor["height"]  # at the same height: seen while typing
    assert preview["y"] + 40 < WIDE["height"]  # above the fold

    page.set_viewport_size(PHONE)
    editor, preview = _box(page.locator("#proposal-text")), _box(page.locator("section.preview"))
    assert preview["y"] >= editor["y"] + editor["height"], (editor, preview)  # below it
    assert editor["width"] <= PHONE["width"] and preview["width"] <= PHONE["width"]
    assert _box(page.locator("main"))["width"] <= PHONE["width"]  # nothing overflows


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_registration_radios_sit_by_their_labels_and_organization_fields_wait_for_organization(
        request, live_server, javascript):
    page = request.getfixturevalue("page" if javascript else "page_nojs")
    page.goto("/register")
    for name in ("Citoyen ou citoyenne", "Organisation"):
        radio = page.get_by_role("radio", name=name)
        label = page.locator("label.choice", has=radio)
        radio_box, label_box = _box(radio), _box(label)
        assert abs((radio_box["y"] + radio_box["height"] / 2) - (label_box["y"] + label_box["height"] / 2)) < 6
        assert label_box["height"] < 2.5 * radio_box["height"]  # one line: the text beside the button
    organization = page.get_by_label("Nom de l'organisation")
    assert page.get_by_role("radio", name="Citoyen ou citoyenne").is_checked()
    assert not organization.is_visible() and not page.get_by_label("Intérêts déclarés").is_visible()
    page.get_by_role("radio", name="Organisation").check()
    assert organization.is_visible() and page.get_by_label("Intérêts déclarés").is_visible()

    username = live_server.unique("asso")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill("correct horse battery")
    organization.fill("Association des lecteurs")
    page.get_by_role("button", name="Créer un compte").click()
    page.wait_for_load_state()
    assert "Votre compte est créé et vous êtes connecté." in page.get_by_role("status").first.inner_text()
    assert "Association des lecteurs" in page.locator("header.site .who").inner_text()


def test_a_favicon_is_linked_and_served(page, live_server):
    page.goto("/")
    href = page.locator("link[rel=icon]").get_attribute("href")
    answer = httpx.get(f"{live_server.url}{href}")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.text.lstrip().startswith("<svg")


def test_a_printed_article_shows_the_law_text_without_menus_or_forms(page, live_server):
    from playwright.sync_api import expect

    citizen = live_server.create_user(live_server.unique("lectrice"))
    bill = live_server.create_bill()
    page.context.add_cookies([live_server.session_cookie(citizen.username)])
    page.goto(bill.article_path(0))
    assert page.locator("header.site").is_visible() and page.locator("main form").first.is_visible()
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible() and not page.locator("footer.site").is_visible()
    assert all(not form.is_visible() for form in page.locator("form").all())
    text = page.locator(".law-text").first
    assert text.is_visible() and bill.articles[0].text in text.inner_text()
    expect(text).to_have_css("font-size", re.compile(r"^(1[6-9]|2[0-9])(\.[0-9]+)?px$"))  # 12pt or more
