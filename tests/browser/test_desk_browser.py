"""The authors' desk in a real browser: from the review of amendments to a published version of the bill."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

TEXT = "Les administrations publient leurs données en ligne dans un délai de deux mois."
PROPOSED = "Les administrations publient leurs données en ligne dans un délai de trois mois."


def _bill_with_an_amendment(live_server):
    """A bill (opened by its author) whose article 2 has one open amendment by a citizen."""
    from amendments.services import proposing as amendment_services
    from drafting.models import Article, User

    author = live_server.create_user(live_server.unique("cabinet"), role="admin", display_name="Cabinet")
    citizen = live_server.create_user(live_server.unique("camille"), display_name="Camille Martin")
    bill = live_server.create_bill(author, title=f"Projet de loi {live_server.unique('desk')}", articles=[
        {"number": "1", "text": "La présente loi a pour objet l'ouverture des données."},
        {"number": "2", "heading": "Délais", "text": TEXT},
    ])
    with live_server.db.session() as session:
        proposer = session.get(User, citizen.id)
        proposed = amendment_services.propose_amendment(
            session, proposer, session.get(Article, bill.articles[1].id), text=PROPOSED,
            explanation="Deux mois ne suffisent pas.", title="Trois mois pour publier")
        amendment_id = proposed.amendment.id
    return author, bill, amendment_id


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_author_reviews_merges_an_amendment_and_publishes_bill_version_2(request, live_server, javascript):
    page = request.getfixturevalue("page" if javascript else "page_nojs")
    author, bill, amendment_id = _bill_with_an_amendment(live_server)
    page.context.add_cookies([live_server.session_cookie(author.username)])

    page.goto(f"{bill.path}/review")
    assert page.get_by_role("heading", level=1).inner_text() == "Examen des amendements"
    item = page.locator(f"#review-amendment-{amendment_id}")
    assert "Trois mois pour publier" in item.inner_text()
    assert item.locator("ins").inner_text() == "trois"

    page.get_by_role("link", name="Fusionner des amendements de cet article").click()
    page.wait_for_url(f"**/articles/{bill.articles[1].id}/merge")
    page.get_by_role("checkbox").check()
    if not javascript:
        page.get_by_role("button", name="Prévisualiser").click()
        page.wait_for_load_state()
    preview = page.locator("#merge-preview")
    preview.locator("ins").wait_for()
    assert preview.locator("ins").inner_text() == "trois" and preview.locator("del").inner_text() == "deux"
    assert page.locator("textarea[name=text]").input_value() == PROPOSED
    page.get_by_label("Message de version").fill("Délai porté à trois mois")
    page.get_by_role("button", name="Publier la version 2").click()

    page.wait_for_url(re.compile(rf".*/bills/{bill.slug}/articles/{bill.articles[1].id}$"))
    assert "version 2" in page.locator("article.article .meta").inner_text()
    assert page.locator(".law-text").first.inner_text().strip() == PROPOSED

    page.goto(f"{bill.path}/review?status=accepted")
    assert page.locator(f"#review-amendment-{amendment_id}").count() == 1
    assert page.get_by_label("Intitulé de la version").input_value() == "Version 2"
    page.get_by_role("button", name="Publier la version du projet").click()
    page.wait_for_url(re.compile(rf".*/bills/{bill.slug}$"))
    assert "Version 2" in page.locator("main").inner_text()
