"""Every kind of page under the strict Content-Security-Policy in a real browser: nothing blocked (no
inline script, style or handler; htmx and the site's scripts load), including the pages added since
the policy was written: search, the new-bill preview, settings, /schema, the desk and its j/k keys,
the review desk, the partial merge page, a position of the argument map, /me and the code sign-in."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import watch_csp

pytestmark = pytest.mark.browser


def _bill_with_an_amendment_and_an_argument(live_server):
    from amendments.models import Position
    from amendments.services import arguments, participation, proposing
    from drafting.models import Article, User
    from sqlalchemy import select

    author = live_server.create_user(live_server.unique("cabinet"), role="admin", display_name="Cabinet")
    citizen = live_server.create_user(live_server.unique("camille"), display_name="Camille Martin")
    bill = live_server.create_bill(author, title=f"Projet de loi {live_server.unique('csp')}", articles=[
        {"number": "1", "text": "Les données publiques sont ouvertes."},
        {"number": "2", "text": "Elles sont publiées chaque année."}])
    with live_server.db.session() as session:
        proposer = session.get(User, citizen.id)
        amendment = proposing.propose_amendment(
            session, proposer, session.get(Article, bill.articles[0].id),
            text="Les données publiques sont ouvertes et gratuites.", explanation="Parce que.").amendment.id
        target = participation.get_target(session, "article", bill.articles[0].id)
        arguments.add_argument(session, proposer, target, "for", "La transparence renforce la confiance.")
        position = session.scalar(select(Position.id).order_by(Position.id.desc()).limit(1))
    return author, bill, amendment, position


def test_no_page_breaks_the_content_security_policy(browser, live_server):
    author, bill, amendment, position = _bill_with_an_amendment_and_an_argument(live_server)
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.add_cookies([live_server.session_cookie(author.username)])
    page = context.new_page()
    blocked = watch_csp(page)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    article = bill.articles[0].id
    try:
        for path in ("/", f"/search?q=donn%C3%A9es", "/bills/new", bill.path, f"{bill.path}/settings",
                     "/schema", f"{bill.path}/review", bill.article_path(0), f"/amendments/{amendment}",
                     f"/articles/{article}/merge?amendment={amendment}", f"/articles/{article}/history",
                     f"{bill.path}/participants/new", "/me", "/admin/roles", "/moderation",
                     f"{bill.path}/history", f"{bill.path}/trash", *([f"/positions/{position}"] if position else [])):
            response = page.goto(path)
            assert response is not None and response.status < 500, (path, response and response.status)
        # the new-bill preview (htmx on input)
        page.goto("/bills/new")
        page.get_by_label("Texte du projet").fill("Article 1\n\nLes données sont ouvertes.\n\nArticle 2\n\nElles sont publiées.")
        expect(page.locator("#preview")).to_contain_text("Elles sont publiées")
        # the desk's j/k keys (desk.js)
        page.goto(f"{bill.path}/desk")
        page.keyboard.press("j")
        page.keyboard.press("k")
        assert blocked == [] and errors == []
    finally:
        context.close()
