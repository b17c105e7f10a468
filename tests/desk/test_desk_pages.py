"""The desk's pages without JavaScript: wording and alinéas on the amendment page, the liasse in
discussion order with a batch opinion, sub-amendment forms, opinions in the Atom feed."""
from __future__ import annotations

import re

from tests.amendments.test_desk_api import BASE, amendment, citizens, post_form, propose
from tests.conftest import sign_in
from tests.desk.test_desk_contract import TWO_ALINEAS, desk, opinion  # noqa: F401


def test_the_amendment_page_shows_its_wording_to_copy_and_numbered_alineas(client, desk):
    proposed = propose(client, desk["alice"], desk["articles"][1], TWO_ALINEAS.replace("deux mois", "six mois"))
    page = client.get(f"/amendments/{proposed['id']}").text
    wording = re.search(r'<pre class="wording" id="wording-\d+">(.*?)</pre>', page, re.S).group(1)
    assert wording == "À l&#39;alinéa 2, substituer aux mots : « deux » les mots : « six »."
    assert 'class="secondary copy-wording"' in page and "/static/desk.js" in page
    assert 'class="alineas"' not in page
    numbered = client.get(f"/amendments/{proposed['id']}?alineas=1").text
    assert re.search(r'<li value="2" id="alinea-2"><span class="alinea-number" aria-hidden="true">2</span>'
                     r' Elles le font dans un délai de deux mois.</li>', numbered)


def test_the_liasse_walks_the_discussion_order_and_gives_one_opinion_to_a_batch(client, admin, db, desk):
    one, two = desk["articles"][:2]
    later = propose(client, desk["alice"], two, TWO_ALINEAS.replace("deux mois", "six mois"))
    earlier = propose(client, desk["bruno"], one, BASE.replace("deux mois", "trois mois"))
    sign_in(client, db, "admin")
    page = client.get(f"/bills/{desk['slug']}/desk").text
    assert f"Amendement n° {earlier['id']}" in page and 'data-desk-walk="next"' in page
    second = client.get(f"/bills/{desk['slug']}/desk?at=2").text
    assert f"n° {later['id']}</a>" in second.split('id="current-title"')[1][:200]
    assert 'data-desk-walk="prev"' in second and 'data-desk-walk="next"' not in second
    done = client.post(f"/bills/{desk['slug']}/desk/opinions", follow_redirects=False, data={
        "amendment": [str(earlier["id"]), str(later["id"])], "opinion": "sagesse", "response": "Sagesse de l'assemblée.",
        "at": "2", "_csrf_token": client.cookies.get("navette_csrf")})
    assert done.status_code == 303, done.text
    assert done.headers["location"].endswith("?at=2")
    assert [amendment(client, i)["opinion"] for i in (earlier["id"], later["id"])] == ["sagesse", "sagesse"]
    filtered = client.get(f"/bills/{desk['slug']}/desk?opinion=none").text
    assert "Aucun amendement avec ces filtres." in filtered
    feed = client.get(f"/bills/{desk['slug']}/feed.atom").text
    assert f"Avis sur l&#39;amendement n° {earlier['id']}" in feed and "Sagesse" in feed


def test_a_subamendment_is_proposed_and_incorporated_from_the_pages(client, admin, db, desk):
    parent = propose(client, desk["alice"], desk["articles"][0], BASE.replace("deux mois", "trois mois"))
    sign_in(client, db, "bruno")
    made = post_form(client, f"/amendments/{parent['id']}/subamendments",
                     {"text": parent["text"].replace("administrations", "communes"), "explanation": "Mieux."})
    assert made.status_code == 303, made.text
    sub_id = int(made.headers["location"].rsplit("/", 1)[1])
    assert amendment(client, sub_id)["parent"] == parent["id"]
    client.cookies.clear()
    sign_in(client, db, "alice")
    page = client.get(f"/amendments/{parent['id']}").text
    assert f'/amendments/{sub_id}/incorporate' in page
    done = post_form(client, f"/amendments/{sub_id}/incorporate", {})
    assert done.status_code == 303
    assert "communes" in amendment(client, parent["id"])["text"]


def test_the_article_page_numbers_its_alineas_on_request(client, desk):
    path = f"/bills/{desk['slug']}/articles/{desk['articles'][1]}"
    plain = client.get(path).text
    assert 'class="alineas"' not in plain and f'href="{path}?alineas=1"' in plain
    numbered = client.get(f"{path}?alineas=1").text
    assert re.findall(r'<li value="(\d+)" id="alinea-\d+">', numbered) == ["1", "2"]
