"""A citizen votes on an article, argues against it and marks an argument useful: in place with htmx,
and the same journey with JavaScript off (plain forms, POST-redirect-GET)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _citizen_on_an_article(live_server, page):
    citizen = live_server.create_user(live_server.unique("citoyenne"), display_name="Camille Citoyenne")
    bill = live_server.create_bill()
    page.context.add_cookies([live_server.session_cookie(citizen.username)])
    page.goto(bill.article_path(0))
    return citizen, bill


def test_citizen_votes_and_argues_without_a_page_reload(live_server, page):
    _, bill = _citizen_on_an_article(live_server, page)
    article_id = bill.articles[0].id
    address = page.url
    page.evaluate("window.navetteMarker = 'still the same page'")
    votes = page.locator(f"#votes-article-{article_id}")

    votes.get_by_role("button", name="D'accord", exact=True).click()
    votes.locator(".my-vote").wait_for()
    assert "Votre vote : D'accord" in votes.inner_text()
    assert votes.locator(".vote-agree .vote-count").inner_text() == "1"
    assert votes.locator(".vote-agree .vote-percent").inner_text() == "(100 %)"

    votes.get_by_role("button", name="Mitigé").click()
    # expect() rather than wait_for_function: the site's Content-Security-Policy forbids the eval it uses
    expect(votes.locator(".vote-mixed .vote-count")).to_have_text("1")
    assert votes.locator(".vote-agree .vote-count").inner_text() == "0"

    arguments = page.locator(f"#arguments-article-{article_id}")
    arguments.get_by_role("radio", name="Contre").check()
    arguments.locator("textarea[name=body]").fill("Le délai laissé aux petites communes est trop court.")
    arguments.get_by_role("button", name="Publier l'argument").click()
    against = page.locator(".argument-column.stance-against")
    # (in the argument itself: the argument map also shows it as its position's label)
    against.locator(".argument").get_by_text("Le délai laissé aux petites communes est trop court.").wait_for()
    assert "Votre argument est publié." in page.locator(f"#arguments-article-{article_id}").inner_text()
    assert page.locator(f"#arguments-article-{article_id} textarea[name=body]").input_value() == ""

    against.locator(".useful-button").click()
    expect(page.locator(".stance-against .useful-count").first).to_have_text("1")
    assert against.locator(".useful-button").get_attribute("aria-pressed") == "true"

    page.locator(f"#votes-article-{article_id}").get_by_role("button", name="Retirer mon vote").click()
    expect(page.locator(f"#votes-article-{article_id} .my-vote")).to_have_count(0)
    assert page.locator(f"#votes-article-{article_id} .vote-mixed .vote-count").inner_text() == "0"

    assert page.evaluate("window.navetteMarker") == "still the same page"
    assert page.url == address


def test_citizen_votes_and_argues_with_javascript_disabled(live_server, page_nojs):
    page = page_nojs
    _, bill = _citizen_on_an_article(live_server, page)
    article_id = bill.articles[0].id

    page.locator(f"#votes-article-{article_id}").get_by_role("button", name="Pas d'accord").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"{bill.article_path(0)}#votes-article-{article_id}")
    votes = page.locator(f"#votes-article-{article_id}")
    assert "Votre vote : Pas d'accord" in votes.inner_text()
    assert votes.locator(".vote-disagree .vote-count").inner_text() == "1"

    arguments = page.locator(f"#arguments-article-{article_id}")
    arguments.get_by_role("radio", name="Pour").check()
    arguments.locator("textarea[name=body]").fill("Ouvrir les données publiques renforce la confiance.")
    arguments.get_by_role("button", name="Publier l'argument").click()
    page.wait_for_load_state()
    assert "#argument-" in page.url
    column = page.locator(".argument-column.stance-for")
    assert "Ouvrir les données publiques renforce la confiance." in column.inner_text()

    column.locator(".useful-button").click()
    page.wait_for_load_state()
    assert page.locator(".stance-for .useful-count").inner_text() == "1"

    page.locator(f"#votes-article-{article_id}").get_by_role("button", name="Retirer mon vote").click()
    page.wait_for_load_state()
    assert page.locator(f"#votes-article-{article_id} .my-vote").count() == 0
    assert page.locator(f"#votes-article-{article_id} .vote-disagree .vote-count").inner_text() == "0"
