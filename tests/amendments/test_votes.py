"""Votes on articles and amendments: one per person and target, replaced, taken back, counted exactly
(stored tallies equal to the rows); the vote bar on the pages, with and without htmx. Helpers here
are shared by the other participation test modules."""
from __future__ import annotations

import hashlib
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import event, func, select

from amendments.services import participation
from amendments.services import tallies
from amendments.models import Amendment, Vote
from drafting.services import accounts
from drafting.app import create_app
from drafting.models import User
from tests.conftest import sign_in  # noqa: F401  (used here and by the modules importing it)
from tests.conftest import Account


# --- helpers shared by the participation tests ---------------------------------------------------

def account(db, username: str, role: str | None = None, *, display_name: str | None = None,
            organization: dict[str, str] | None = None) -> Account:
    """An account with an API token written straight to the database: no password to hash, so tests
    that need many people stay fast (signing up is the accounts' tests' business)."""
    with db.session() as session:
        user = User(username=username, display_name=display_name or (organization or {}).get("name") or username,
                    kind="organization" if organization else "citizen",
                    organization_name=(organization or {}).get("name"),
                    declared_interests=(organization or {}).get("declared_interests"),
                    is_admin=role == "admin", is_moderator=role == "moderator")
        session.add(user)
        session.flush()
        return Account(username, "", accounts.issue_token(session, user, "api"))


def make_amendment(db, article_id: int, author: str, text: str = "La présente loi a pour objet d'évaluer Navette.",
                   title: str = "Évaluer plutôt que tester") -> int:
    """An open amendment of an article, written straight to the database (the set-up, not the subject)."""
    from drafting.models import Article

    with db.session() as session:
        article = session.get(Article, article_id)
        user = session.scalar(select(User).where(User.username == author))
        amendment = Amendment(
            bill_id=article.bill_id, article_id=article.id, kind="modify", author_id=user.id, title=title,
            explanation="Un essai ne suffit pas.", status="open", base_version=article.current_version, text=text,
            text_digest=hashlib.sha256(text.encode()).hexdigest(),
        )
        session.add(amendment)
        session.flush()
        tallies.add(session, "article", article.id, amendments=1)  # as proposing would
        return amendment.id


def set_status(client, admin, bill, status: str) -> None:
    response = client.post(f"/api/v1/bills/{bill['slug']}/status", json={"status": status}, headers=admin.headers)
    assert response.status_code == 200, response.text


def vote_rows(db, **target) -> list[tuple[int, str]]:
    column = Vote.article_id if "article_id" in target else Vote.amendment_id
    with db.session(write=False) as session:
        return session.execute(select(Vote.user_id, Vote.value).where(column == next(iter(target.values())))).all()


@pytest.fixture
def admin(db) -> Account:
    """A bill's author (an administrator), quicker to make than the shared fixture's."""
    return account(db, "admin", "admin", display_name="Cabinet du ministre")


@pytest.fixture
def article_id(api, admin) -> int:
    return api.bill(admin)["articles"][0]["id"]


# --- the API -----------------------------------------------------------------------------------

def test_vote_is_counted_and_a_new_vote_replaces_the_old(api, client, db, article_id):
    alice = api.user("alice")
    first = client.put(f"/api/v1/articles/{article_id}/vote", json={"value": "agree"}, headers=alice.headers)
    assert first.status_code == 200, first.text
    assert first.json()["votes"] == {"agree": 1, "mixed": 0, "disagree": 0}
    assert first.json()["vote"] == "agree"

    second = client.put(f"/api/v1/articles/{article_id}/vote", json={"value": "disagree"}, headers=alice.headers)
    assert second.json()["votes"] == {"agree": 0, "mixed": 0, "disagree": 1}
    assert len(vote_rows(db, article_id=article_id)) == 1
    assert client.get(f"/api/v1/articles/{article_id}").json()["votes"] == {"agree": 0, "mixed": 0, "disagree": 1}


def test_each_person_has_one_vote_per_target(api, client, db, article_id):
    for name, value in [("alice", "agree"), ("bruno", "agree"), ("chloe", "mixed")]:
        person = account(db, name)
        client.put(f"/api/v1/articles/{article_id}/vote", json={"value": value}, headers=person.headers)
        client.put(f"/api/v1/articles/{article_id}/vote", json={"value": value}, headers=person.headers)
    assert client.get(f"/api/v1/articles/{article_id}").json()["votes"] == {"agree": 2, "mixed": 1, "disagree": 0}


def test_vote_can_be_taken_back(api, client, db, article_id):
    alice = account(db, "alice")
    client.put(f"/api/v1/articles/{article_id}/vote", json={"value": "mixed"}, headers=alice.headers)
    taken_back = client.delete(f"/api/v1/articles/{article_id}/vote", headers=alice.headers)
    assert taken_back.status_code == 200, taken_back.text
    assert taken_back.json()["votes"] == {"agree": 0, "mixed": 0, "disagree": 0}
    assert taken_back.json()["vote"] is None
    assert vote_rows(db, article_id=article_id) == []
    assert client.delete(f"/api/v1/articles/{article_id}/vote", headers=alice.headers).status_code == 200


def test_unknown_vote_value_is_refused_naming_the_field(api, client, db, article_id):
    alice = account(db, "alice")
    for body in [{"value": "maybe"}, {"value": "AGREE"}, {"value": 1}, {"value": None}, {}]:
        response = client.put(f"/api/v1/articles/{article_id}/vote", json=body, headers=alice.headers)
        assert response.status_code == 400, (body, response.text)
        assert "value" in response.json()["detail"], body
    assert vote_rows(db, article_id=article_id) == []


def test_malformed_vote_body_is_400(api, client, db, article_id):
    alice = account(db, "alice")
    response = client.put(f"/api/v1/articles/{article_id}/vote", content=b"{not json", headers=alice.headers)
    assert response.status_code == 400


def test_anonymous_vote_is_401(client, article_id):
    assert client.put(f"/api/v1/articles/{article_id}/vote", json={"value": "agree"}).status_code == 401
    assert client.delete(f"/api/v1/articles/{article_id}/vote").status_code == 401
    bad_token = {"Authorization": "Bearer not-a-token"}
    assert client.put(f"/api/v1/articles/{article_id}/vote", json={"value": "agree"},
                      headers=bad_token).status_code == 401


def test_a_vote_with_an_expired_token_is_401_and_counts_nothing(client, db, article_id):
    from datetime import timedelta

    from drafting.db import utcnow
    from drafting.models import AuthToken

    alice = account(db, "alice")
    assert client.put(f"/api/v1/articles/{article_id}/vote", json={"value": "agree"},
                      headers=alice.headers).json()["vote"] == "agree"
    with db.session() as session:
        session.execute(AuthToken.__table__.update().values(expires_at=utcnow() - timedelta(seconds=1)))
    refused = client.put(f"/api/v1/articles/{article_id}/vote", json={"value": "disagree"}, headers=alice.headers)
    assert refused.status_code == 401
    assert client.delete(f"/api/v1/articles/{article_id}/vote", headers=alice.headers).status_code == 401
    with db.session(write=False) as session:
        assert session.scalars(select(Vote.value).where(Vote.article_id == article_id)).all() == ["agree"]
        assert participation.vote_tallies(session, "article", [article_id])[article_id] == {
            "agree": 1, "mixed": 0, "disagree": 0}


def test_vote_on_unknown_target_is_404(api, client, db):
    alice = account(db, "alice")
    assert client.put("/api/v1/articles/999/vote", json={"value": "agree"}, headers=alice.headers).status_code == 404
    assert client.put("/api/v1/amendments/999/vote", json={"value": "agree"},
                      headers=alice.headers).status_code == 404


def test_vote_is_refused_once_the_bill_is_closed(api, admin, client, db):
    bill = api.bill(admin)
    article_id = bill["articles"][0]["id"]
    alice = account(db, "alice")
    client.put(f"/api/v1/articles/{article_id}/vote", json={"value": "agree"}, headers=alice.headers)
    set_status(client, admin, bill, "closed")
    refused = client.put(f"/api/v1/articles/{article_id}/vote", json={"value": "disagree"}, headers=alice.headers)
    assert refused.status_code == 409, refused.text
    assert client.delete(f"/api/v1/articles/{article_id}/vote", headers=alice.headers).status_code == 409
    assert vote_rows(db, article_id=article_id)[0][1] == "agree"


def test_vote_on_a_draft_bill_is_409(api, admin, client, db):
    bill = api.bill(admin, open_=False)
    alice = account(db, "alice")
    response = client.put(f"/api/v1/articles/{bill['articles'][0]['id']}/vote", json={"value": "agree"},
                          headers=alice.headers)
    assert response.status_code == 409


def test_amendment_votes_are_counted_apart_from_the_article(api, client, db, article_id):
    alice = account(db, "alice")
    amendment_id = make_amendment(db, article_id, "alice")
    client.put(f"/api/v1/articles/{article_id}/vote", json={"value": "disagree"}, headers=alice.headers)
    response = client.put(f"/api/v1/amendments/{amendment_id}/vote", json={"value": "agree"}, headers=alice.headers)
    assert response.status_code == 200, response.text
    assert response.json()["votes"] == {"agree": 1, "mixed": 0, "disagree": 0}
    assert client.get(f"/api/v1/articles/{article_id}").json()["votes"] == {"agree": 0, "mixed": 0, "disagree": 1}
    assert client.delete(f"/api/v1/amendments/{amendment_id}/vote",
                         headers=alice.headers).json()["votes"]["agree"] == 0


def test_vote_on_a_hidden_amendment_is_409(api, client, db, article_id):
    alice = account(db, "alice")
    moderator = account(db, "mod", "moderator")
    amendment_id = make_amendment(db, article_id, "alice")
    hidden = client.post(f"/api/v1/moderation/amendment/{amendment_id}/hide", json={"reason": "Propos injurieux"},
                         headers=moderator.headers)
    assert hidden.status_code == 200, hidden.text
    response = client.put(f"/api/v1/amendments/{amendment_id}/vote", json={"value": "agree"}, headers=alice.headers)
    assert response.status_code == 409


def test_percentages_add_up_to_one_hundred():
    assert participation.percentages({"agree": 1, "mixed": 1, "disagree": 1}) == {"agree": 34, "mixed": 33,
                                                                                 "disagree": 33}
    assert participation.percentages({"agree": 2, "mixed": 0, "disagree": 1}) == {"agree": 67, "mixed": 0,
                                                                                 "disagree": 33}
    assert participation.percentages({"agree": 0, "mixed": 0, "disagree": 0}) == {"agree": 0, "mixed": 0,
                                                                                 "disagree": 0}


# --- the race: fifty identical votes at once ---------------------------------------------------------

@pytest.fixture
def live_url(settings):
    """This test's app served by uvicorn on a free port, on the test's database (SQLite or PostgreSQL)."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning", access_log=False,
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def test_fifty_parallel_identical_votes_from_one_account_leave_one_vote(api, db, live_url, article_id):
    alice = account(db, "alice")
    amendment_id = make_amendment(db, article_id, "alice")
    barrier = threading.Barrier(50)

    def vote(path: str) -> int:
        with httpx.Client(base_url=live_url, timeout=60) as http:
            barrier.wait()
            return http.put(path, json={"value": "agree"}, headers=alice.headers).status_code

    for path in (f"/api/v1/articles/{article_id}/vote", f"/api/v1/amendments/{amendment_id}/vote"):
        with ThreadPoolExecutor(max_workers=50) as pool:
            statuses = list(pool.map(vote, [path] * 50))
        assert statuses == [200] * 50
    assert len(vote_rows(db, article_id=article_id)) == 1
    assert len(vote_rows(db, amendment_id=amendment_id)) == 1
    with httpx.Client(base_url=live_url) as http:
        assert http.get(f"/api/v1/articles/{article_id}").json()["votes"] == {"agree": 1, "mixed": 0, "disagree": 0}


def test_fifty_parallel_sessions_voting_for_one_account_leave_one_row_with_a_cast_value(api, db, article_id):
    alice = account(db, "alice")
    values = ["agree", "mixed", "disagree"] * 17
    barrier = threading.Barrier(50)

    def vote(value: str) -> None:
        barrier.wait()
        with db.session() as session:
            user = session.scalar(select(User).where(User.username == alice.username))
            target = participation.get_target(session, "article", article_id)
            participation.cast_vote(session, user, target, value)

    with ThreadPoolExecutor(max_workers=50) as pool:
        list(pool.map(vote, values[:50]))
    rows = vote_rows(db, article_id=article_id)
    assert len(rows) == 1 and rows[0][1] in ("agree", "mixed", "disagree")


# --- the pages ---------------------------------------------------------------------------------

def test_vote_form_without_javascript_redirects_back_and_shows_the_vote(api, admin, client, db):
    bill = api.bill(admin)
    article_id = bill["articles"][0]["id"]
    account(db, "alice")
    csrf = sign_in(client, db, "alice")
    page = f"/bills/{bill['slug']}/articles/{article_id}"
    response = client.post(f"/articles/{article_id}/vote", data={"value": "agree"}, headers=csrf,
                           follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{page}#votes-article-{article_id}"
    html = client.get(page).text
    assert "Votre vote : <strong>D&#39;accord</strong>" in html
    assert 'data-value="agree">' in html and '<span class="vote-count">1</span>' in html
    assert "(100 %)" in html

    taken_back = client.post(f"/articles/{article_id}/vote", data={"value": "withdraw"}, headers=csrf,
                             follow_redirects=False)
    assert taken_back.status_code == 303
    assert "Votre vote :" not in client.get(page).text
    assert vote_rows(db, article_id=article_id) == []


def test_vote_form_with_htmx_answers_the_vote_bar_fragment(api, client, db, article_id):
    account(db, "alice")
    csrf = sign_in(client, db, "alice")
    response = client.post(f"/articles/{article_id}/vote", data={"value": "mixed"},
                           headers={**csrf, "HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["vary"].startswith("HX-Request")
    html = response.text
    assert html.lstrip().startswith(f'<section class="votes" id="votes-article-{article_id}"')
    assert "<html" not in html
    assert 'aria-pressed="true"\n            class="vote-button">Mitigé' in html
    assert "Retirer mon vote" in html


def test_vote_form_needs_the_csrf_token(api, client, db, article_id):
    account(db, "alice")
    sign_in(client, db, "alice")
    response = client.post(f"/articles/{article_id}/vote", data={"value": "agree"}, follow_redirects=False)
    assert response.status_code == 403
    assert vote_rows(db, article_id=article_id) == []


def test_anonymous_visitor_sees_the_tally_and_a_sign_in_link_instead_of_vote_buttons(client, article_id):
    bill_slug = client.get(f"/api/v1/articles/{article_id}").json()["bill"]
    html = client.get(f"/bills/{bill_slug}/articles/{article_id}").text
    assert 'class="vote-tally"' in html
    assert 'class="vote-form"' not in html
    assert "pour participer." in html


def test_amendment_page_shows_the_vote_bar_and_votes_without_javascript(api, client, db, article_id):
    account(db, "alice")
    amendment_id = make_amendment(db, article_id, "alice")
    csrf = sign_in(client, db, "alice")
    response = client.post(f"/amendments/{amendment_id}/vote", data={"value": "disagree"}, headers=csrf,
                           follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/amendments/{amendment_id}#votes-amendment-{amendment_id}"
    assert vote_rows(db, amendment_id=amendment_id)[0][1] == "disagree"
    page = client.get(f"/amendments/{amendment_id}")
    if page.status_code == 200 and f'id="votes-amendment-{amendment_id}"' in page.text:
        assert "Votre vote : <strong>Pas d&#39;accord</strong>" in page.text


# --- query counts ------------------------------------------------------------------------------

def _statements_for_context(db, reverse, article_id: int, username: str) -> int:
    from amendments.views.participation import article_participation_context
    from drafting.models import Article

    counted = []

    def count(*_args):
        counted.append(1)

    with db.session(write=False) as session:
        user = session.scalar(select(User).where(User.username == username))
        article = session.get(Article, article_id)
        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            context = article_participation_context(session, article, user, reverse)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert context["participation"].argument_total >= 0
    return len(counted)


def test_participation_block_takes_the_same_number_of_queries_for_3_or_30_arguments(api, client, db, article_id):
    people = [account(db, f"citizen{i}") for i in range(6)]

    def argue(count: int, offset: int) -> None:
        for i in range(count):
            author = people[i % len(people)]
            stance = "for" if i % 2 else "against"
            response = client.post(f"/api/v1/articles/{article_id}/arguments", headers=author.headers, json={
                "stance": stance, "body": f"Argument numéro {offset + i} : {'x' * (i + offset)} distinct {i * 7919}"})
            assert response.status_code in (200, 201), response.text
            argument_id = response.json()["id"]
            for supporter in people[:3]:
                client.put(f"/api/v1/arguments/{argument_id}/useful", headers=supporter.headers)
            client.post(f"/api/v1/articles/{article_id}/arguments", headers=people[(i + 1) % 6].headers,
                        json={"stance": stance, "body": response.json()["body"].upper()})
        client.put(f"/api/v1/articles/{article_id}/vote", json={"value": "agree"}, headers=people[0].headers)
        client.post(f"/api/v1/articles/{article_id}/sources", headers=people[0].headers,
                    json={"title": f"Source {offset}", "url": f"https://example.org/{offset}"})

    argue(3, 0)
    few = _statements_for_context(db, client.app.route_reverse, article_id, "citizen1")
    argue(27, 100)
    many = _statements_for_context(db, client.app.route_reverse, article_id, "citizen1")
    assert few == many, (few, many)
    assert many <= 12
    with db.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Vote)) == 1
