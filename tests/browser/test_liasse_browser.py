"""The authors' desk, parliament-grade, in a real browser: working through the amendments in the order
of the text, one opinion for a batch, and merging part of an amendment (CONTRACT §8)."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

FIRST = "Les administrations publient leurs données en ligne dans un délai de deux mois."
SECOND = "Les données sont gratuites.\n\nElles sont publiées chaque année."
SECOND_PROPOSED = "Les données sont libres.\n\nElles sont publiées chaque mois."


def _bill_with_two_amendments(live_server):
    """A bill whose two articles have one open amendment each; the second makes two independent changes."""
    from amendments.services import proposing
    from drafting.models import Article, User

    author = live_server.create_user(live_server.unique("cabinet"), role="admin", display_name="Cabinet")
    citizen = live_server.create_user(live_server.unique("camille"), display_name="Camille Martin")
    bill = live_server.create_bill(author, title=f"Projet de loi {live_server.unique('liasse')}", articles=[
        {"number": "1", "text": FIRST}, {"number": "2", "text": SECOND}])
    with live_server.db.session() as session:
        proposer = session.get(User, citizen.id)
        ids = [proposing.propose_amendment(session, proposer, session.get(Article, bill.articles[index].id),
                                           text=text, explanation="Parce que.").amendment.id
               for index, text in ((1, SECOND_PROPOSED), (0, FIRST.replace("deux", "trois")))]
    return author, bill, ids[1], ids[0]  # in the order of the text: article 1's, then article 2's


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_author_works_through_the_liasse_gives_a_batch_opinion_and_merges_part(request, live_server, javascript):
    page = request.getfixturevalue("page" if javascript else "page_nojs")
    author, bill, first, second = _bill_with_two_amendments(live_server)
    page.context.add_cookies([live_server.session_cookie(author.username)])

    page.goto(f"{bill.path}/desk")
    current = page.locator("#current")
    assert f"Amendement n° {first}" in current.locator("h2").inner_text()
    assert current.locator("pre.wording").inner_text() == (
        "À l'alinéa 1, substituer aux mots : « deux » les mots : « trois ».")
    if javascript:
        page.keyboard.press("j")
    else:
        page.get_by_role("link", name="Suivant →").click()
    page.wait_for_url(re.compile(r".*\?at=2"))
    assert f"Amendement n° {second}" in page.locator("#current h2").inner_text()
    assert "I. – À l'alinéa 1" in page.locator("#current pre.wording").inner_text()
    if javascript:
        page.keyboard.press("k")
        page.wait_for_url(re.compile(r".*\?at=1"))
        page.keyboard.press("n")
        page.wait_for_url(re.compile(r".*\?at=2"))

    batch = page.locator("#batch-opinion")
    for amendment_id in (first, second):
        batch.locator(f"input[name=amendment][value='{amendment_id}']").check()
    batch.locator("select[name=opinion]").select_option("sagesse")
    batch.get_by_label("Réponse publique (facultative)").fill("Sagesse de l'assemblée.")
    batch.get_by_role("button", name="Donner cet avis aux amendements cochés").click()
    page.wait_for_url(re.compile(r".*/desk\?at=2"))
    assert page.locator("#batch-opinion li").filter(has_text="Sagesse").count() == 2
    assert "Avis : Sagesse" in page.locator("#current h2").inner_text()

    page.get_by_role("link", name="Fusionner tout ou partie…").click()
    page.wait_for_url(re.compile(rf".*/articles/{bill.articles[1].id}/merge\?amendment={second}"))
    hunks = page.locator("fieldset.hunks label.hunk")
    assert hunks.count() == 2
    hunks.nth(0).locator("input").uncheck()  # keep "chaque mois", leave "libres" out
    if not javascript:
        page.get_by_role("button", name="Prévisualiser").click()
        page.wait_for_load_state()
    expected = "Les données sont gratuites.\n\nElles sont publiées chaque mois."
    textarea = page.locator("textarea[name=text]")
    page.wait_for_function("expected => document.querySelector('textarea[name=text]').value.trim() === expected",
                           arg=expected)
    assert textarea.input_value().strip() == expected
    page.get_by_role("button", name="Publier la version 2").click()
    page.wait_for_url(re.compile(rf".*/bills/{bill.slug}/articles/{bill.articles[1].id}$"))
    assert "chaque mois" in page.locator("article.article").inner_text()
    assert "gratuites" in page.locator("article.article").inner_text()

    page.goto(f"/amendments/{second}")
    assert "Avis des auteurs : Sagesse" in page.locator("#authoring").inner_text()
