"""A reader follows an article from its page (in place with htmx; the same with JavaScript off), finds it
on /me/changes, creates their feed and stops following from there."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _reader_on_an_article(live_server, page):
    reader = live_server.create_user(live_server.unique("lectrice"), display_name="Lina Lectrice")
    bill = live_server.create_bill()
    page.context.add_cookies([live_server.session_cookie(reader.username)])
    page.goto(bill.article_path(0))
    return bill


def test_follow_an_article_in_place_then_unfollow_it_from_my_changes(live_server, page):
    bill = _reader_on_an_article(live_server, page)
    article_id = bill.articles[0].id
    page.evaluate("window.navetteMarker = 'still the same page'")
    button = page.locator(f"#follow-article-{article_id} .follow-button")
    expect(button).to_have_attribute("aria-pressed", "false")

    button.click()

    expect(page.locator(f"#follow-article-{article_id} .follow-button")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.navetteMarker") == "still the same page"
    page.locator(f"#follow-article-{article_id}").get_by_role("link", name="Mes suivis").click()
    followed = page.locator(f"#followed-article-{article_id}")
    expect(followed).to_contain_text(f"Article {bill.articles[0].number}")

    page.get_by_role("button", name="Créer mon flux").click()
    expect(page.locator(".feed-url")).to_contain_text("/feeds/")
    followed.get_by_role("button", name="Ne plus suivre").click()
    expect(page.locator(f"#followed-article-{article_id}")).to_have_count(0)
    expect(page.locator("#following")).to_contain_text("Vous ne suivez encore rien")


def test_follow_an_article_with_javascript_disabled(live_server, page_nojs):
    page = page_nojs
    bill = _reader_on_an_article(live_server, page)
    article_id = bill.articles[0].id

    page.locator(f"#follow-article-{article_id} .follow-button").click()

    assert page.url.endswith(bill.article_path(0))
    expect(page.locator(f"#follow-article-{article_id} .follow-button")).to_have_attribute("aria-pressed", "true")
    page.locator(f"#follow-article-{article_id} .follow-button").click()
    expect(page.locator(f"#follow-article-{article_id} .follow-button")).to_have_attribute("aria-pressed", "false")
