"""Following (issue 13): follow and unfollow a bill, an article or an amendment (API and forms, with and
without htmx), the list of what changed since the last visit, and the personal Atom feed behind its
secret address. All through HTTP on a real database."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from litestar.testing import TestClient

from tests.conftest import sign_in

ATOM = "{http://www.w3.org/2005/Atom}"
ARTICLES = [
    {"number": "1", "text": "Les administrations publient leurs données dans un format ouvert."},
    {"number": "2", "text": "Le présent article entre en vigueur le premier janvier."},
]


@pytest.fixture
def bill(api, admin):
    return api.bill(admin, articles=ARTICLES)


@pytest.fixture
def alice(api):
    return api.user("alice", display_name="Alice Martin")


def article_id(bill, number: str) -> int:
    return next(a["id"] for a in bill["articles"] if a["number"] == number)


def propose(client, account, article: int, text: str) -> dict:
    response = client.post(f"/api/v1/articles/{article}/amendments", headers=account.headers,
                           json={"text": text, "explanation": "Pour préciser."})
    assert response.status_code == 201, response.text
    return response.json()


def follows(client, account) -> list[tuple[str, int]]:
    response = client.get("/api/v1/me/follows", headers=account.headers)
    assert response.status_code == 200, response.text
    return [(f["type"], f["id"]) for f in response.json()]


# --- follow and unfollow ------------------------------------------------------------------------

def test_follow_and_unfollow_a_bill_an_article_and_an_amendment_through_the_api(client, bill, alice, admin):
    amendment = propose(client, admin, article_id(bill, "2"), "Le présent article entre en vigueur le premier mars.")
    targets = [("bill", bill["id"]), ("article", article_id(bill, "1")), ("amendment", amendment["id"])]

    for kind, target in targets:
        response = client.put(f"/api/v1/follows/{kind}/{target}", headers=alice.headers)
        assert response.status_code == 200, response.text
        assert (response.json()["type"], response.json()["id"], response.json()["bill"]) == (kind, target, bill["slug"])
    again = client.put(f"/api/v1/follows/bill/{bill['id']}", headers=alice.headers)

    assert again.status_code == 200
    assert sorted(follows(client, alice)) == sorted(targets)  # one row a follow, following again adds none
    assert follows(client, admin) == []
    assert client.delete(f"/api/v1/follows/article/{article_id(bill, '1')}", headers=alice.headers).status_code == 204
    assert client.delete(f"/api/v1/follows/article/{article_id(bill, '1')}", headers=alice.headers).status_code == 204
    assert sorted(follows(client, alice)) == sorted([targets[0], targets[2]])


def test_following_needs_an_account_and_a_target_that_exists(client, bill, alice):
    assert client.put(f"/api/v1/follows/bill/{bill['id']}").status_code == 401
    assert client.get("/api/v1/me/follows").status_code == 401
    assert client.put("/api/v1/follows/article/999999", headers=alice.headers).status_code == 404
    unknown = client.put(f"/api/v1/follows/person/{bill['id']}", headers=alice.headers)
    assert unknown.status_code == 404 and "person" in unknown.json()["detail"]


def test_a_hidden_amendment_cannot_be_followed(client, api, bill, alice, admin):
    amendment = propose(client, alice, article_id(bill, "1"), "Les administrations publient tout.")
    moderator = api.user("moderatrice", role="moderator")
    hidden = client.post(f"/api/v1/moderation/amendment/{amendment['id']}/hide", headers=moderator.headers,
                         json={"reason": "Hors sujet."})
    assert hidden.status_code == 200, hidden.text

    response = client.put(f"/api/v1/follows/amendment/{amendment['id']}", headers=admin.headers)

    assert response.status_code == 409


def test_the_follow_button_works_without_javascript(client, db, bill, alice):
    page = f"/bills/{bill['slug']}/articles/{article_id(bill, '1')}"
    csrf = sign_in(client, db, "alice")
    assert 'aria-pressed="false"' in client.get(page).text

    response = client.post(f"/follows/article/{article_id(bill, '1')}", follow_redirects=False,
                           data={"follow": "1", "next": page, "_csrf_token": csrf["x-csrftoken"]})

    assert response.status_code == 303 and response.headers["location"] == page
    assert 'aria-pressed="true"' in client.get(page).text
    assert follows(client, alice) == [("article", article_id(bill, "1"))]
    client.post(f"/follows/article/{article_id(bill, '1')}", data={"follow": "0", "next": page,
                                                                    "_csrf_token": csrf["x-csrftoken"]})
    assert follows(client, alice) == []


def test_htmx_gets_the_button_back(client, db, bill, alice):
    csrf = {**sign_in(client, db, "alice"), "HX-Request": "true"}

    response = client.post(f"/follows/bill/{bill['id']}", headers=csrf, data={"follow": "1", "next": "/"})

    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<span class="follow" id="follow-bill-{bill["id"]}">')
    assert 'aria-pressed="true"' in response.text and "<html" not in response.text


def test_signed_out_readers_are_asked_to_sign_in(client, bill):
    page = client.get(f"/bills/{bill['slug']}")
    assert "Se connecter pour suivre" in page.text
    assert client.get("/me/changes", follow_redirects=False).status_code == 303


# --- what changed -------------------------------------------------------------------------------

def make_news(client, bill, alice, admin, bob) -> dict:
    """Alice follows article 1 and proposes on it; the authors then merge bob's amendment (alice's is
    rebased or in conflict), answer hers, give an opinion, and bob argues on article 1."""
    first = article_id(bill, "1")
    assert client.put(f"/api/v1/follows/article/{first}", headers=alice.headers).status_code == 200
    hers = propose(client, alice, first, "Les administrations publient leurs données dans un format ouvert et gratuit.")
    his = propose(client, bob, first, "Les administrations diffusent leurs données dans un format ouvert.")
    merged = client.post(f"/api/v1/articles/{first}/versions", headers=admin.headers,
                         json={"expected_version": 1, "message": "Intègre l'amendement de Bob", "merge": [his["id"]]})
    assert merged.status_code == 201, merged.text
    answered = client.post(f"/api/v1/amendments/{hers['id']}/respond", headers=admin.headers,
                           json={"response": "Nous examinerons la gratuité avec la DINUM."})
    assert answered.status_code == 200, answered.text
    opinion = client.post("/api/v1/amendments/opinions", headers=admin.headers,
                          json={"amendments": [hers["id"]], "opinion": "sagesse"})
    assert opinion.status_code == 200, opinion.text
    argued = client.post(f"/api/v1/articles/{first}/arguments", headers=bob.headers,
                         json={"stance": "for", "body": "Un format ouvert permet à chacun de réutiliser les données."})
    assert argued.status_code == 201, argued.text
    return {"hers": hers, "his": his}


def test_the_changes_list_shows_versions_answers_opinions_rebases_and_positions(client, api, bill, alice, admin):
    bob = api.user("bob")
    news = make_news(client, bill, alice, admin, bob)

    changes = client.get("/api/v1/me/changes", headers=alice.headers).json()["items"]

    kinds = {c["kind"] for c in changes}
    assert {"article_version", "response", "opinion", "position"} <= kinds
    assert kinds & {"rebased", "conflict"}  # what the merge did to alice's own amendment
    about_hers = [c for c in changes if c["amendment"] == news["hers"]["id"]]
    assert about_hers and all(c["mine"] for c in about_hers)
    assert next(c for c in changes if c["kind"] == "article_version")["text"] == "Intègre l'amendement de Bob"
    assert next(c for c in changes if c["kind"] == "response")["text"] == "Nous examinerons la gratuité avec la DINUM."
    times = [c["at"] for c in changes]
    assert times == sorted(times, reverse=True)
    # Bob follows nothing, but hears of what happened to his own amendment; not of his own argument.
    bobs = client.get("/api/v1/me/changes", headers=bob.headers).json()["items"]
    assert [c["kind"] for c in bobs] == ["accepted"]


def test_following_a_bill_brings_its_new_versions_and_those_of_its_articles(client, bill, alice, admin):
    assert client.put(f"/api/v1/follows/bill/{bill['id']}", headers=alice.headers).status_code == 200
    # A first visit looks back 30 days (version 1 of the bill is there): the visit, then the news.
    assert client.post("/api/v1/me/changes/seen", headers=alice.headers).status_code == 204
    second = article_id(bill, "2")
    edited = client.post(f"/api/v1/articles/{second}/versions", headers=admin.headers,
                         json={"expected_version": 1, "message": "Date corrigée",
                               "text": "Le présent article entre en vigueur le premier juillet."})
    assert edited.status_code == 201, edited.text
    published = client.post(f"/api/v1/bills/{bill['slug']}/versions", headers=admin.headers,
                            json={"label": "Version 2", "message": "Après la consultation"})
    assert published.status_code == 201, published.text

    changes = client.get("/api/v1/me/changes", headers=alice.headers).json()["items"]

    assert [(c["kind"], c["version"], c["text"]) for c in changes] == [
        ("bill_version", 2, "Version 2"), ("article_version", 2, "Date corrigée")]
    assert changes[1]["article"] == second and changes[1]["actor"] == "admin"
    # The authors who did it are not told of their own work.
    assert client.get("/api/v1/me/changes", headers=admin.headers).json()["items"] == []


def test_the_changes_page_and_marking_them_seen(client, db, api, bill, alice, admin):
    bob = api.user("bob")
    make_news(client, bill, alice, admin, bob)
    csrf = sign_in(client, db, "alice")

    page = client.get("/me/changes")

    assert page.status_code == 200
    assert "Nous examinerons la gratuité avec la DINUM." in page.text
    assert "Intègre l&#39;amendement de Bob" in page.text
    assert "votre amendement" in page.text
    assert 'id="followed-article-' in page.text
    seen = client.post("/me/changes/seen", data={"_csrf_token": csrf["x-csrftoken"]}, follow_redirects=False)
    assert seen.status_code == 303
    assert "Rien de nouveau depuis votre dernière visite." in client.get("/me/changes").text
    assert client.get("/api/v1/me/changes", headers=alice.headers).json()["items"] == []
    # Something new after the visit shows again.
    client.post(f"/api/v1/articles/{article_id(bill, '1')}/arguments", headers=bob.headers,
                json={"stance": "against", "body": "Publier coûte cher aux petites communes rurales."})
    assert [c["kind"] for c in client.get("/api/v1/me/changes", headers=alice.headers).json()["items"]] == ["position"]


def test_changes_since_a_time_given(client, api, bill, alice, admin):
    make_news(client, bill, alice, admin, api.user("bob"))

    later = client.get("/api/v1/me/changes", headers=alice.headers, params={"since": "2999-01-01T00:00:00Z"})
    wrong = client.get("/api/v1/me/changes", headers=alice.headers, params={"since": "hier"})

    assert later.status_code == 200 and later.json()["items"] == []
    assert wrong.status_code == 400 and wrong.json()["detail"].startswith("since")


# --- the personal feed --------------------------------------------------------------------------

def test_the_feed_opens_with_its_secret_and_a_renewed_secret_closes_the_old_one(app, client, db, api, bill, alice, admin):
    make_news(client, bill, alice, admin, api.user("bob"))
    csrf = sign_in(client, db, "alice")
    assert "/feeds/" not in client.get("/me/changes").text

    created = client.post("/me/feed", data={"_csrf_token": csrf["x-csrftoken"]}, follow_redirects=False)

    assert created.status_code == 303
    first = feed_path(client.get("/me/changes").text)
    with TestClient(app=app) as stranger:  # no session, no token: the address is the key
        feed = stranger.get(first)
        assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
        entries = ET.fromstring(feed.content).findall(f"{ATOM}entry")
        titles = [e.findtext(f"{ATOM}title") for e in entries]
        assert any("Réponse des auteurs" in t for t in titles), titles
        assert len({e.findtext(f"{ATOM}id") for e in entries}) == len(entries)

        renewed = client.post("/api/v1/me/feed", headers=alice.headers)
        assert renewed.status_code == 200
        second = "/feeds/" + renewed.json()["feed"].split("/feeds/")[1]
        assert second != first
        assert stranger.get(first).status_code == 404
        assert stranger.get(second).status_code == 200
        assert stranger.get("/feeds/guess.atom").status_code == 404
        assert stranger.get(second.removesuffix(".atom")).status_code == 404


def feed_path(html: str) -> str:
    start = html.index('class="feed-url" href="') + len('class="feed-url" href="')
    return html[start:html.index('"', start)]


def test_my_account_page_leads_to_what_i_follow(client, db, alice):
    sign_in(client, db, "alice")

    me = client.get("/me")

    assert me.status_code == 200
    assert 'class="my-follows"><a href="/me/changes">Mes suivis</a>' in me.text


def test_my_account_page_names_the_status_of_my_amendments_in_my_language(client, db, bill, alice):
    propose(client, alice, article_id(bill, "1"), "Les administrations publient toutes leurs données en ligne.")
    sign_in(client, db, "alice")

    french = client.get("/me").text
    german = client.get("/me", headers={"Accept-Language": "de"}).text

    assert 'class="status status-open">ouvert</span>' in french
    assert 'class="status status-open">open</span>' not in french
    assert 'class="status status-open">ouvert</span>' not in german
