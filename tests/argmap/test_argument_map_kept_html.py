"""The argument map's HTML kept between requests (drafting/web/fragments.py): every change of the map, of
the argument counts and of the useful counts shows on the next page, each language and each kind of
reader gets its own, and a page from the kept HTML is the page rendered without it."""
from __future__ import annotations

import re

from markupsafe import escape

from drafting.seeding.argmap import seed_argument_map
from tests.argmap.test_argument_map_api import REASONS, argue, argument_map, position_of
from tests.conftest import sign_in


def page(client, bill, article, **headers) -> str:
    response = client.get(f"/bills/{bill['slug']}/articles/{article['id']}", headers=headers)
    assert response.status_code == 200, response.text[:300]
    return response.text


def useful_count(html: str, argument_id: int) -> str:
    found = re.search(rf'id="useful-{argument_id}".*?class="useful-count">(\d+)<', html, re.S)
    assert found, f"no useful button for argument {argument_id}"
    return found.group(1)


def test_the_article_page_shows_each_change_of_the_map_at_once(client, api, admin):
    bill = api.bill(admin)
    article = bill["articles"][0]
    citizen = api.user("camille")
    first = argue(client, citizen, article["id"], "for", REASONS[0][1])
    before = page(client, bill, article)
    assert page(client, bill, article) == before  # the kept HTML, read again
    position = position_of(argument_map(client, article["id"]), first["id"])

    renamed = client.put(f"/api/v1/positions/{position['id']}/label", json={"label": "Confiance et contrôle"},
                         headers=admin.headers)
    assert renamed.status_code == 200, renamed.text
    label = f'<a href="/positions/{position["id"]}">'
    assert label + str(escape(position["label"])) + "</a>" in before
    assert label + "Confiance et contrôle</a>" in page(client, bill, article)

    other = argue(client, api.user("dominique"), article["id"], "against", REASONS[2][1])
    shown = page(client, bill, article)
    assert f'id="argument-{other["id"]}"' in shown and label + "Confiance et contrôle</a>" in shown
    assert re.search(r"Contre <small class=\"meta\">\(1\)</small>", shown)

    # A moderator's hiding takes the argument out of its position, and off the page.
    hidden = client.post(f"/api/v1/moderation/argument/{other['id']}/hide", headers=admin.headers,
                         json={"reason": "Hors sujet."})
    assert hidden.status_code == 200, hidden.text
    assert f'id="argument-{other["id"]}"' not in page(client, bill, article)


def test_a_useful_mark_shows_on_the_next_page_though_the_map_is_unchanged(client, api, admin):
    bill = api.bill(admin)
    article = bill["articles"][0]
    written = argue(client, api.user("camille"), article["id"], "for", REASONS[0][1])
    assert useful_count(page(client, bill, article), written["id"]) == "0"
    reader = api.user("dominique")
    marked = client.put(f"/api/v1/arguments/{written['id']}/useful", headers=reader.headers)
    assert marked.status_code == 200, marked.text
    assert useful_count(page(client, bill, article), written["id"]) == "1"
    # The reader who marked it sees their mark (aria-pressed), on the page shared by plain participants.
    sign_in(client, api.db, "dominique")
    mine = page(client, bill, article)
    assert re.search(rf'id="useful-{written["id"]}".*?aria-pressed="true"', mine, re.S)
    client.cookies.clear()
    assert 'aria-pressed="true"' not in page(client, bill, article)


def test_each_language_and_each_kind_of_reader_gets_its_own_map(client, api, admin, db):
    bill = api.bill(admin)
    article = bill["articles"][0]
    api.user("modo", role="moderator")
    for body in (REASONS[0][1], REASONS[1][1]):
        argue(client, api.user(f"p{len(body)}"), article["id"], "for", body)
    french = page(client, bill, article, **{"Accept-Language": "fr"})
    english = page(client, bill, article, **{"Accept-Language": "en"})
    assert "Voir les" in french and "See the" in english and "See the" not in french
    assert page(client, bill, article, **{"Accept-Language": "fr"}) == french
    assert 'class="report-link"' not in french and 'class="moderate-link"' not in french  # anonymous
    sign_in(client, db, "modo")
    moderator = page(client, bill, article)
    assert 'class="moderate-link"' in moderator and 'class="report-link"' in moderator


def test_a_page_from_the_kept_map_is_the_page_rendered_without_it(client, api, admin, db):
    from drafting.web import fragments

    bill = api.bill(admin)
    article = bill["articles"][0]
    seed_argument_map(db, article["id"], 120)  # more positions than the page shows open or folded
    api.user("modo", role="moderator")
    for who in (None, "modo"):
        if who:
            sign_in(client, db, who)
        kept = [page(client, bill, article) for _ in range(2)]
        fragments._BY_ENGINE.clear()  # nothing kept: this render draws the whole map
        fresh = page(client, bill, article)
        assert kept[0] == kept[1] == fresh
    # Open positions show their representative argument; folded ones their label, people and a link.
    folded = fresh[fresh.index('class="more-positions"'):]
    folded = folded[:folded.index("</details>")]
    assert 'class="position"' in folded and 'class="argument"' not in folded
    assert "/positions/" in folded


def test_the_amendment_page_shows_each_new_argument_of_its_map(client, api, admin):
    from tests.amendments.test_votes import make_amendment

    bill = api.bill(admin)
    article = bill["articles"][0]
    api.user("camille")
    amendment_id = make_amendment(api.db, article["id"], "camille")

    def amendment_page() -> str:
        response = client.get(f"/amendments/{amendment_id}")
        assert response.status_code == 200, response.text[:300]
        return response.text

    first = client.post(f"/api/v1/amendments/{amendment_id}/arguments", headers=api.user("dominique").headers,
                        json={"stance": "for", "body": REASONS[0][1]})
    assert first.status_code == 201, first.text
    shown = amendment_page()
    assert f'id="argument-{first.json()["id"]}"' in shown and amendment_page() == shown
    second = client.post(f"/api/v1/amendments/{amendment_id}/arguments", headers=api.user("eve").headers,
                         json={"stance": "against", "body": REASONS[3][1]})
    assert second.status_code == 201, second.text
    after = amendment_page()
    assert f'id="argument-{second.json()["id"]}"' in after and f'id="argument-{first.json()["id"]}"' in after
