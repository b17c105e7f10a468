"""The signed-in render cache (drafting/web/readercache.py): plain participants share one rendering of
the article, amendment and bill pages, each with their own name, vote, useful marks, follow button and
CSRF token; a write by anyone shows on the next page; staff, moderators and proposers read alone."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest
from litestar.testing import TestClient

from sqlalchemy import select

from drafting.models import User
from drafting.services import accounts
from tests.amendments.test_votes import account, make_amendment

HEADER = "x-navette-reader-cache"
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]*)"')


@pytest.fixture
def settings(settings):
    """A copy lasts 2 s at most by default; on a loaded machine a sign-in (argon2) between two reads can
    take longer, and the second read would miss for that alone. Its expiry has its own test (a clock
    moved by hand), so here a copy lasts a minute."""
    return replace(settings, render_cache_seconds=60.0)


@pytest.fixture
def debate(api, admin, client, db):
    """An open bill, its first article with one argument, and three participants."""
    bill = api.bill(admin)
    article_id = bill["articles"][0]["id"]
    people = {name: account(db, name, display_name=f"{name.title()} Lecteur") for name in ("alice", "bruno", "chloe")}
    argued = client.post(f"/api/v1/articles/{article_id}/arguments", json={
        "stance": "for", "body": "Un texte clair se discute mieux."}, headers=people["chloe"].headers)
    assert argued.status_code == 201, argued.text
    account(db, "mod", "moderator", display_name="Modératrice")
    with db.session() as session:  # browser sessions issued now: issuing one later is a write
        for name in ("alice", "bruno", "chloe", "admin", "mod"):
            SESSIONS[name] = accounts.issue_token(session, session.scalar(select(User).where(User.username == name)),
                                                  "web")
    client.get("/")  # the CSRF cookie
    return {"bill": bill, "slug": bill["slug"], "article_id": article_id, "people": people,
            "argument_id": argued.json()["id"],
            "page": f"/bills/{bill['slug']}/articles/{article_id}"}


SESSIONS: dict[str, str] = {}


def as_reader(client, username: str) -> dict[str, str]:
    """Switch the test client's browser session to ``username``'s, without writing anything."""
    client.cookies.set("navette_session", SESSIONS[username])
    return {"x-csrftoken": client.cookies.get("navette_csrf")}


def test_a_participant_sees_their_own_vote_and_name_never_another_readers(client, db, debate):
    page = debate["page"]
    alice = debate["people"]["alice"]
    voted = client.put(f"/api/v1/articles/{debate['article_id']}/vote", json={"value": "agree"},
                       headers=alice.headers)
    assert voted.status_code == 200, voted.text

    as_reader(client, "alice")
    first = client.get(page)
    assert first.status_code == 200 and first.headers[HEADER] == "miss"
    assert "Alice Lecteur" in first.text
    assert "Votre vote : <strong>D&#39;accord</strong>" in first.text

    as_reader(client, "bruno")
    second = client.get(page)
    assert second.headers[HEADER] == "hit"
    assert "Bruno Lecteur" in second.text and "Alice Lecteur" not in second.text
    assert "Votre vote" not in second.text and 'class="vote-agree mine"' not in second.text
    assert '<span class="vote-count">1</span>' in second.text  # the tally is everyone's
    assert 'class="vote-form"' in second.text  # bruno may vote too

    as_reader(client, "alice")
    again = client.get(page)
    assert again.headers[HEADER] == "hit"
    assert "Alice Lecteur" in again.text and "Votre vote : <strong>D&#39;accord</strong>" in again.text


def test_useful_marks_and_follow_state_are_each_readers_own(client, db, debate):
    page, argument_id = debate["page"], debate["argument_id"]
    csrf = as_reader(client, "alice")
    marked = client.post(f"/arguments/{argument_id}/useful", data={"useful": "1", "next": page}, headers=csrf,
                         follow_redirects=False)
    assert marked.status_code == 303
    followed = client.post(f"/follows/article/{debate['article_id']}", data={"follow": "1", "next": page},
                           headers=csrf, follow_redirects=False)
    assert followed.status_code == 303
    alice_page = client.get(page).text
    assert 'title="Retirer ma marque « utile »"' in alice_page and "Mes suivis" in alice_page

    as_reader(client, "bruno")
    bruno = client.get(page)
    assert bruno.headers[HEADER] == "hit"
    assert "Retirer ma marque « utile »" not in bruno.text
    assert "Marquer cet argument comme utile" in bruno.text
    assert '<span class="useful-count">1</span>' in bruno.text
    assert "Mes suivis" not in bruno.text and "Suivre</button>" in bruno.text


def test_a_write_by_anyone_shows_on_the_next_page_of_a_third_reader(client, db, debate):
    page = debate["page"]
    as_reader(client, "alice")
    assert client.get(page).headers[HEADER] == "miss"
    as_reader(client, "bruno")
    assert '<span class="vote-count">0</span>' in client.get(page).text

    chloe = debate["people"]["chloe"]
    assert client.put(f"/api/v1/articles/{debate['article_id']}/vote", json={"value": "disagree"},
                      headers=chloe.headers).status_code == 200
    argued = client.post(f"/api/v1/articles/{debate['article_id']}/arguments", json={
        "stance": "against", "body": "Le délai est trop court pour les communes."}, headers=chloe.headers)
    assert argued.status_code == 201

    as_reader(client, "alice")
    after = client.get(page)
    assert after.headers[HEADER] == "miss"
    assert "Le délai est trop court pour les communes." in after.text
    assert 'data-value="disagree">' in after.text
    tally = after.text.split('class="vote-disagree')[1].split("</li>")[0]
    assert '<span class="vote-count">1</span>' in tally


def test_each_language_has_its_own_shared_page(client, db, debate):
    page = debate["page"]
    as_reader(client, "alice")
    assert "Se déconnecter" in client.get(page).text
    as_reader(client, "bruno")
    english = client.get(page, headers={"Accept-Language": "en"})
    assert english.headers[HEADER] == "miss"
    assert "Sign out" in english.text and "Se déconnecter" not in english.text
    assert "Bruno Lecteur" in english.text
    french = client.get(page, headers={"Accept-Language": "fr"})
    assert french.headers[HEADER] == "hit" and "Se déconnecter" in french.text


def test_staff_and_moderators_read_alone_and_leave_nothing_of_theirs(client, db, api, debate):
    page = debate["page"]
    as_reader(client, "admin")
    staff_page = client.get(page)
    assert HEADER not in staff_page.headers
    assert "Nouvelle version de l&#39;article" in staff_page.text
    as_reader(client, "mod")
    moderator_page = client.get(page)
    assert HEADER not in moderator_page.headers and "Modérer" in moderator_page.text

    as_reader(client, "alice")
    shared = client.get(page)
    assert shared.headers[HEADER] == "miss"
    assert "Nouvelle version de l&#39;article" not in shared.text and "Modérer" not in shared.text
    assert "Cabinet du ministre" not in shared.text.split("</header>")[0]
    as_reader(client, "admin")
    assert "Nouvelle version de l&#39;article" in client.get(page).text


def test_each_reader_gets_their_own_csrf_token_and_the_forms_work(app, client, db, debate):
    page = debate["page"]
    as_reader(client, "alice")
    assert client.get(page).headers[HEADER] == "miss"
    other = TestClient(app=app)
    other.cookies.set("navette_session", SESSIONS["bruno"])
    html = other.get(page)
    assert html.headers[HEADER] == "hit"
    tokens = set(CSRF_FIELD.findall(html.text))
    assert tokens == {other.cookies.get("navette_csrf")} and client.cookies.get("navette_csrf") not in tokens
    assert "\x00" not in html.text
    voted = other.post(f"/articles/{debate['article_id']}/vote", data={"value": "mixed", "_csrf_token": tokens.pop()},
                       follow_redirects=False)
    assert voted.status_code == 303
    assert "Votre vote : <strong>Mitigé</strong>" in other.get(page).text


def test_amendment_page_proposer_reads_alone_and_others_share(client, db, debate):
    amendment_id = make_amendment(db, debate["article_id"], "alice")
    page = f"/amendments/{amendment_id}"
    as_reader(client, "alice")
    proposer = client.get(page)
    assert HEADER not in proposer.headers and "Retirer ma proposition" in proposer.text
    as_reader(client, "bruno")
    first = client.get(page)
    assert first.headers[HEADER] == "miss" and "Retirer ma proposition" not in first.text
    assert client.put(f"/api/v1/amendments/{amendment_id}/vote", json={"value": "agree"},
                       headers=debate["people"]["chloe"].headers).status_code == 200
    as_reader(client, "chloe")
    chloe = client.get(page)
    assert chloe.headers[HEADER] == "miss"
    assert "Votre vote : <strong>D&#39;accord</strong>" in chloe.text and "Chloe Lecteur" in chloe.text
    as_reader(client, "bruno")
    bruno = client.get(page)
    assert bruno.headers[HEADER] == "hit" and "Votre vote" not in bruno.text and "Chloe Lecteur" not in bruno.text
    as_reader(client, "alice")
    assert "Retirer ma proposition" in client.get(page).text


def test_bill_page_is_shared_with_each_readers_follow_button(client, db, debate):
    page = f"/bills/{debate['slug']}"
    csrf = as_reader(client, "alice")
    assert client.post(f"/follows/bill/{debate['bill']['id']}", data={"follow": "1", "next": page}, headers=csrf,
                       follow_redirects=False).status_code == 303
    alice = client.get(page)
    assert alice.headers[HEADER] == "miss" and "Mes suivis" in alice.text
    as_reader(client, "bruno")
    bruno = client.get(page)
    assert bruno.headers[HEADER] == "hit" and "Mes suivis" not in bruno.text and "Bruno Lecteur" in bruno.text
    assert "Réglages du projet" not in bruno.text


def test_the_shared_page_filled_in_equals_the_page_rendered_for_the_reader_alone(app, client, db, settings, debate):
    """Same database, same reader, same CSRF cookie: a cache hit answers byte for byte what an app
    without the cache renders, on the three pages, for a reader with a vote, a useful mark and a follow."""

    from drafting.app import create_app

    article_id, argument_id = debate["article_id"], debate["argument_id"]
    amendment_id = make_amendment(db, article_id, "chloe")
    csrf = as_reader(client, "alice")
    for path, data in ((f"/articles/{article_id}/vote", {"value": "agree"}),
                       (f"/amendments/{amendment_id}/vote", {"value": "mixed"}),
                       (f"/arguments/{argument_id}/useful", {"useful": "1"}),
                       (f"/follows/article/{article_id}", {"follow": "1"}),
                       (f"/follows/bill/{debate['bill']['id']}", {"follow": "1"})):
        assert client.post(path, data=data, headers=csrf, follow_redirects=False).status_code == 303
    alone = TestClient(app=create_app(replace(settings, render_cache_seconds=0)))
    alone.cookies.set("navette_session", SESSIONS["alice"])
    alone.cookies.set("navette_csrf", client.cookies.get("navette_csrf"))
    for page in (debate["page"], f"/amendments/{amendment_id}", f"/bills/{debate['slug']}",
                 debate["page"] + "?amendment_sort=votes"):
        as_reader(client, "bruno")
        assert client.get(page).headers[HEADER] in ("miss", "hit")
        as_reader(client, "alice")
        shared = client.get(page)
        assert shared.headers[HEADER] == "hit", page
        own = alone.get(page)
        assert HEADER not in own.headers
        assert shared.text == own.text, page


def test_a_stored_page_lasts_render_cache_seconds_at_most(app, client, debate):
    """What changes with time alone (a consultation opening at its date, the time left) shows after
    ``render_cache_seconds`` even without a write."""
    page = debate["page"]
    as_reader(client, "alice")
    assert client.get(page).headers[HEADER] == "miss"
    assert client.get(page).headers[HEADER] == "hit"
    cache = app.state.reader_cache
    now = cache.clock()
    cache.clock = lambda: now + app.state.settings.render_cache_seconds + 0.01
    assert client.get(page).headers[HEADER] == "miss"


def test_htmx_requests_and_pages_with_a_confirmation_are_rendered_for_their_reader(client, debate):
    page = debate["page"]
    as_reader(client, "alice")
    client.get(page)
    assert HEADER not in client.get(page, headers={"HX-Request": "true"}).headers
    client.cookies.set("navette_flash", "published")
    shown = client.get(page)
    assert HEADER not in shown.headers and 'role="status"' in shown.text
