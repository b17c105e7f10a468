"""How a change reads on the pages: a whole-article deletion says so in a banner; a conflict says in
words that the amendment was not merged and that the current version changed the same passage, with no
empty quotes; a fold counts alinéas, not the blank lines between them; the side-by-side view has no
empty rows."""
from __future__ import annotations

import html
import re

import pytest

from tests.amendments.test_votes import account
from tests.conftest import sign_in

ALINEAS = "Un.\n\nDeux.\n\nTrois.\n\nQuatre.\n\nCinq.\n\nSix."
BASE = "Les administrations publient leurs données en ligne dans un délai de deux mois."
EMPTY_QUOTES = re.compile(r"«\s*(?:<[^>]*>\s*)*»")


def text_of(answer) -> str:
    return html.unescape(answer.text)


@pytest.fixture
def bill(api, admin):
    return api.bill(admin, articles=[{"number": "1", "text": ALINEAS}, {"number": "2", "text": BASE}])


@pytest.fixture
def citizen(db):
    return account(db, "camille")


def _propose(client, citizen, article_id: int, **body) -> int:
    response = client.post(f"/api/v1/articles/{article_id}/amendments", headers=citizen.headers,
                           json={"explanation": "Parce que.", **body})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_a_whole_article_deletion_shows_a_banner(client, db, bill, citizen):
    article = bill["articles"][1]["id"]
    deletion = _propose(client, citizen, article, kind="delete")
    for view in ("", "?view=side"):
        page = text_of(client.get(f"/amendments/{deletion}{view}"))
        assert '<p class="deletion-banner" role="note">Cette proposition supprime l\'article.' in page
        assert "<del>" in page  # the struck text still follows
    sign_in(client, db, "camille")
    propose = text_of(client.get(f"/bills/{bill['slug']}/articles/{article}/propose?kind=delete"))
    assert "Cette proposition supprime l'article." in propose
    modification = _propose(client, citizen, article, text=BASE.replace("deux", "trois"))
    assert "deletion-banner" not in client.get(f"/amendments/{modification}").text



def test_the_review_desk_says_a_deletion_amendment_proposes_to_delete_the_article(client, db, bill, citizen, admin):
    deletion = _propose(client, citizen, bill["articles"][1]["id"], kind="delete")
    sign_in(client, db, admin.username)

    review = text_of(client.get(f"/bills/{bill['slug']}/review"))

    card = review[review.index(f'id="review-amendment-{deletion}"'):]
    assert "Cette proposition supprime l'article." in card[:card.index("</li>")]
    assert "Tout le texte de l'article est supprimé." not in review

def test_a_fold_counts_alineas_not_blank_lines_and_the_side_view_has_no_empty_row(client, bill, citizen):
    amendment = _propose(client, citizen, bill["articles"][0]["id"], text=ALINEAS.replace("Six", "Sept"))
    inline = text_of(client.get(f"/amendments/{amendment}"))
    # Un, Deux, Trois, Quatre folded; Cinq shown next to the change.
    assert "4 alinéas inchangés" in inline and "9 alinéas" not in inline
    assert '<p class="alinea"></p>' not in inline.replace("\n", "")
    side = client.get(f"/amendments/{amendment}?view=side").text
    body = side.split('<table class="redline redline-side"', 1)[1].split("</table>", 1)[0]
    assert "4 alinéas inchangés" in body
    rows = re.findall(r"<tr>\s*<td class=\"old\">(.*?)</td>\s*<td class=\"new\">(.*?)</td>\s*</tr>", body, re.S)
    assert len(rows) == 2  # Cinq, then Six → Sept
    assert all(old.strip() and new.strip() for old, new in rows)


def test_a_conflict_says_the_amendment_was_not_merged_and_shows_no_empty_quotes(client, admin, bill, citizen):
    article = bill["articles"][1]["id"]
    replaced = _propose(client, citizen, article, text=BASE.replace("deux", "trois"))
    added = _propose(client, citizen, article, text=BASE.replace("mois.", "mois calendaires."))
    head = client.post(f"/api/v1/articles/{article}/versions", headers=admin.headers, json={
        "expected_version": 1, "message": "Quatre mois ouvrés",
        "text": BASE.replace("deux", "quatre").replace("mois.", "mois ouvrés.")})
    assert head.status_code == 201, head.text
    for amendment, ours, theirs in ((replaced, "trois", "quatre"), (added, "calendaires", "ouvrés")):
        assert client.get(f"/api/v1/amendments/{amendment}").json()["status"] == "conflict"
        page = client.get(f"/amendments/{amendment}").text
        passages = page.split('<ul class="conflict-passages">', 1)[1].split("</ul>", 1)[0]
        assert not EMPTY_QUOTES.search(passages), passages
        words = html.unescape(re.sub(r"<[^>]+>", "", passages))
        assert "cette proposition (non fusionnée) y écrivait" in words and ours in words
        assert "mais la version actuelle y a écrit entre-temps" in words and theirs in words
    insertion = client.get(f"/amendments/{added}").text.split('<ul class="conflict-passages">', 1)[1]
    assert "À cet endroit, le texte de départ n'avait rien" in html.unescape(insertion.split("</ul>", 1)[0])
