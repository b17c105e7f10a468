"""A reader opens a bill's synthesis from the bill page: the figures, the two charts (SVG images with a
title) each followed by its data table, the positions of an article and the forces in presence; the
printed page leaves the site's header out. With JavaScript off too."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _take_part(live_server, username: str, article_id: int, value: str, stance: str, body: str) -> None:
    from sqlalchemy import select

    from amendments.services import arguments, participation
    from drafting.models import User

    with live_server.db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        target = participation.get_target(session, "article", article_id)
        participation.cast_vote(session, user, target, value)
        arguments.add_argument(session, user, target, stance, body)


@pytest.mark.parametrize("javascript", [True, False])
def test_a_reader_reads_the_synthesis_of_a_consultation(live_server, request, javascript):
    bill = live_server.create_bill()
    first, second = bill.articles[0].id, bill.articles[1].id
    camille = live_server.create_user(live_server.unique("camille"), display_name="Camille")
    dominique = live_server.create_user(live_server.unique("dominique"), display_name="Dominique")
    syndicat = live_server.create_user(live_server.unique("syndicat"), organization="Syndicat des éditeurs",
                                       declared_interests="Édition scientifique")
    _take_part(live_server, camille.username, first, "agree", "for", "La transparence renforce la confiance.")
    _take_part(live_server, dominique.username, first, "agree", "for", "La transparence renforce la confiance !")
    _take_part(live_server, syndicat.username, second, "disagree", "against",
               "Publier coûte cher aux petites communes.")

    page = request.getfixturevalue("page" if javascript else "page_nojs")
    page.goto(bill.path)
    page.get_by_role("link", name="Synthèse de la consultation").click()
    expect(page).to_have_url(re.compile(rf"/bills/{bill.slug}/synthesis$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Synthèse de la consultation")
    expect(page.locator("#figure-participants")).to_have_text("3")
    expect(page.locator("#figure-votes")).to_have_text("3")
    expect(page.locator("#figure-arguments")).to_have_text("2")

    days = page.get_by_role("img", name=re.compile("Participation par jour"))
    votes = page.get_by_role("img", name=re.compile("Votes par article"))
    expect(days).to_be_visible()
    expect(votes).to_be_visible()
    expect(page.locator("#table-days tbody tr")).to_have_count(1)
    expect(page.locator("#table-days tbody tr td").first).to_have_text("3")
    expect(page.locator("#table-votes tbody tr").first.locator("td")).to_have_text(["2", "0", "0", "0", "1"])
    expect(page.locator("#table-votes tbody tr").nth(1).locator("td")).to_have_text(["0", "0", "1", "0", "1"])

    positions = page.locator(".synthesis-article").first
    expect(positions.locator("tbody tr").first).to_contain_text("La transparence renforce la confiance.")
    expect(positions.locator("tbody tr").first.locator("td")).to_have_text(["Pour", "2", "2", "0"])
    forces = page.locator("#table-forces")
    expect(forces.get_by_role("row", name=re.compile("^Participants"))).to_contain_text("2")
    expect(page.locator(".organization-list")).to_contain_text("Syndicat des éditeurs")
    expect(page.locator(".organization-list")).to_contain_text("Édition scientifique")

    expect(page.locator("header.site")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(days).to_be_visible()
