"""A reader sees an article's argument map: positions per stance with their supporters, an organization
named with its declared interests, the less supported positions folded, and a position's members on its
page; with JavaScript off too. (The live server places arguments with the suite's cheap stems embedding.)"""
from __future__ import annotations

import pytest

from amendments.views.positions import SHOWN_PER_STANCE

pytestmark = pytest.mark.browser


def _argue(live_server, username: str, article_id: int, stance: str, body: str) -> int:
    from sqlalchemy import select

    from amendments.services import arguments, participation
    from drafting.models import User

    with live_server.db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        target = participation.get_target(session, "article", article_id)
        return arguments.add_argument(session, user, target, stance, body).argument.id


@pytest.mark.parametrize("javascript", [True, False])
def test_a_reader_sees_the_map_of_an_article(live_server, request, javascript):
    bill = live_server.create_bill()
    article_id = bill.articles[0].id
    organization = live_server.create_user(live_server.unique("syndicat"), organization="Syndicat des éditeurs",
                                           declared_interests="Édition scientifique")
    citizen = live_server.create_user(live_server.unique("camille"), display_name="Camille")
    body = "Les petites communes n'ont pas les moyens de publier leurs données."
    _argue(live_server, organization.username, article_id, "against", body)
    _argue(live_server, citizen.username, article_id, "against", body)
    words = ["fraude", "impôt", "chercheurs", "associations", "vie privée", "sécurité", "emploi", "innovation"]
    for i, word in enumerate(words[:SHOWN_PER_STANCE + 2]):
        person = live_server.create_user(live_server.unique("lecteur"))
        _argue(live_server, person.username, article_id, "for", f"Argument {i} sur {word} et rien d'autre.")

    page = request.getfixturevalue("page" if javascript else "page_nojs")
    page.goto(bill.article_path(0))
    against = page.locator(".argument-map .stance-against .position").first
    assert "2 personnes" in against.locator(".position-counts").inner_text()
    assert "1 citoyen" in against.locator(".position-counts").inner_text()
    assert "Syndicat des éditeurs" in against.inner_text() and "Édition scientifique" in against.inner_text()
    positions_for = page.locator(".argument-map .stance-for .position")
    folded = page.locator(".argument-map .stance-for details.more-positions")
    if positions_for.count() > SHOWN_PER_STANCE:
        assert not folded.locator(".position").first.is_visible()
        folded.locator("summary").click()
        folded.locator(".position").first.wait_for(state="visible")
    against.locator(".position-label a").click()
    page.wait_for_load_state()
    assert "/positions/" in page.url
    assert body in page.locator(".position-members").inner_text()
