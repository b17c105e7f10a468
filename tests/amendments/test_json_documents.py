"""One amendment and one article as JSON for signed-in readers, answered from the documents' cache
(drafting/web/documents.py) while nothing is written: the contract's fields, and fresh right after
each write, whether this worker, another worker or another process made it."""
from __future__ import annotations

import dataclasses

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from amendments.models import AmendmentResponse
from drafting.app import create_app
from drafting.db import Database
from drafting.models import User
from tests.amendments.test_desk_api import citizens
from tests.conftest import sign_in

BASE = "Les administrations publient leurs données dans un délai de deux mois."
TEXT = "Les administrations publient leurs données dans un délai de trois mois."
HEAD = "Les administrations publient leurs données publiques dans un délai de deux mois."
MARK_READ = "SELECT last_value FROM navette_write_mark"


@pytest.fixture
def settings(settings):
    """As deployed: the documents' cache on (the tests' default too, said here because it is the point)."""
    return dataclasses.replace(settings, document_cache_entries=1000)


@pytest.fixture
def reader(client, db, api) -> dict[str, str]:
    """A signed-in participant, with both a browser session (cookie on ``client``) and an API token."""
    account = api.user("lectrice")
    sign_in(client, db, "lectrice")
    return account.headers


@pytest.fixture
def debate(client, db, api, admin):
    bill = api.bill(admin, articles=[{"number": "1", "heading": "Objet", "text": BASE}])
    alice, bruno = citizens(db, "alice", "bruno")
    proposed = client.post(f"/api/v1/articles/{bill['articles'][0]['id']}/amendments", headers=alice.headers,
                           json={"text": TEXT, "explanation": "Sans attendre.", "title": "Délai"})
    assert proposed.status_code == 201, proposed.text
    return {"bill": bill, "article": bill["articles"][0]["id"], "amendment": proposed.json()["id"],
            "alice": alice, "bruno": bruno, "admin": admin}


def hit_statements(app) -> list[str]:
    """What a cached answer sends to the database: nothing on SQLite, the write mark on PostgreSQL."""
    return [MARK_READ] if app.state.db.engine.dialect.name == "postgresql" else []


def cached_get(client, app, path: str, headers: dict[str, str]) -> dict:
    """GET twice; the second must be answered from the cache, and say the same."""
    first = client.get(path, headers=headers)
    assert first.status_code == 200, first.text
    with app.state.db.recorded_statements() as seen:
        second = client.get(path, headers=headers)
    assert seen == hit_statements(app), seen
    assert second.content == first.content
    return second.json()


def test_signed_in_amendment_json_has_the_contract_fields(client, app, reader, debate):
    body = cached_get(client, app, f"/api/v1/amendments/{debate['amendment']}", reader)
    created_at = body.pop("created_at")
    diff = body.pop("diff")
    assert created_at.endswith("Z")
    assert "".join(text for op, text in diff if op <= 0) == BASE
    assert "".join(text for op, text in diff if op >= 0) == TEXT
    assert body == {
        "id": debate["amendment"], "kind": "modify", "article": debate["article"], "bill": debate["bill"]["slug"],
        "author": "alice", "entered_by": None, "cosigners": [], "title": "Délai", "explanation": "Sans attendre.",
        "status": "open", "base_version": 1, "text": TEXT, "votes": {"agree": 0, "mixed": 0, "disagree": 0},
        "response": None, "after_article": None, "heading": "", "created_article": None,
        "wording": "À l'alinéa 1, substituer aux mots : « deux » les mots : « trois ».",
        "opinion": None, "parent": None, "partial": False, "fallen": None, "identical_to": [],
    }


def test_signed_in_article_json_has_the_contract_fields(client, app, reader, debate):
    body = cached_get(client, app, f"/api/v1/articles/{debate['article']}", reader)
    assert body == {"id": debate["article"], "bill": debate["bill"]["slug"], "number": "1", "heading": "Objet",
                    "position": 10, "version": 1, "text": BASE, "removed": False,
                    "votes": {"agree": 0, "mixed": 0, "disagree": 0}}


def test_unknown_ids_answer_404_naming_them(client, reader):
    for path in ("/api/v1/amendments/999999", "/api/v1/articles/999999", "/api/v1/amendments/0"):
        assert client.get(path, headers=reader).status_code == 404


def test_amendment_json_is_fresh_after_each_write(client, app, reader, debate):
    path = f"/api/v1/amendments/{debate['amendment']}"
    alice, bruno, admin = debate["alice"], debate["bruno"], debate["admin"]

    def after(write) -> dict:
        cached_get(client, app, path, reader)
        answer = write()
        assert answer.status_code in (200, 201), answer.text
        return cached_get(client, app, path, reader)

    voted = after(lambda: client.put(f"{path}/vote", json={"value": "agree"}, headers=bruno.headers))
    assert voted["votes"] == {"agree": 1, "mixed": 0, "disagree": 0}
    cosigned = after(lambda: client.post(f"/api/v1/articles/{debate['article']}/amendments", headers=bruno.headers,
                                         json={"text": TEXT, "explanation": "Moi aussi."}))
    assert cosigned["cosigners"] == ["bruno"]
    answered = after(lambda: client.post(f"{path}/respond", json={"response": "Nous l'examinons."},
                                         headers=admin.headers))
    assert answered["response"] == "Nous l'examinons."
    assert answered["status"] == "open"
    opinion = after(lambda: client.post("/api/v1/amendments/opinions", headers=admin.headers,
                                        json={"amendments": [debate["amendment"]], "opinion": "sagesse"}))
    assert opinion["opinion"] == "sagesse"
    merged = after(lambda: client.post(f"/api/v1/articles/{debate['article']}/versions", headers=admin.headers,
                                       json={"expected_version": 1, "message": "Fusion",
                                             "merge": [debate["amendment"]]}))
    assert merged["status"] == "accepted"
    assert alice.username == merged["author"]


def test_article_json_is_fresh_after_a_vote_and_a_merge(client, app, reader, debate):
    path = f"/api/v1/articles/{debate['article']}"
    cached_get(client, app, path, reader)
    voted = client.put(f"{path}/vote", json={"value": "disagree"}, headers=debate["bruno"].headers)
    assert voted.status_code == 200, voted.text
    assert cached_get(client, app, path, reader)["votes"] == {"agree": 0, "mixed": 0, "disagree": 1}
    published = client.post(f"{path}/versions", headers=debate["admin"].headers,
                            json={"expected_version": 1, "message": "Précision", "text": HEAD})
    assert published.status_code == 201, published.text
    after = cached_get(client, app, path, reader)
    assert (after["version"], after["text"]) == (2, HEAD)
    # Its open amendment was rebased onto the new head, and says so at once.
    rebased = cached_get(client, app, f"/api/v1/amendments/{debate['amendment']}", reader)
    assert rebased["base_version"] == 2
    assert rebased["text"] == "Les administrations publient leurs données publiques dans un délai de trois mois."


def test_hidden_amendment_json_is_fresh_and_keeps_its_text_private(client, app, api, reader, debate):
    moderator = api.user("moderatrice", role="moderator")
    path = f"/api/v1/amendments/{debate['amendment']}"
    cached_get(client, app, path, reader)
    hidden = client.post(f"/api/v1/moderation/amendment/{debate['amendment']}/hide", json={"reason": "Hors sujet"},
                         headers=moderator.headers)
    assert hidden.status_code == 200, hidden.text
    body = cached_get(client, app, path, reader)
    assert body["hidden"]["reason"] == "Hors sujet"
    assert (body["text"], body["explanation"], body["title"], body["diff"], body["wording"]) == (None,) * 5


def test_a_write_by_another_worker_is_seen_at_once(client, app, settings, reader, debate):
    """Two workers, each with its own cache: a vote through the second is in the first's next answer."""
    path = f"/api/v1/amendments/{debate['amendment']}"
    cached_get(client, app, path, reader)
    with TestClient(app=create_app(settings)) as other:
        voted = other.put(f"{path}/vote", json={"value": "mixed"}, headers=debate["bruno"].headers)
        assert voted.status_code == 200, voted.text
    assert cached_get(client, app, path, reader)["votes"] == {"agree": 0, "mixed": 1, "disagree": 0}


def test_a_write_by_another_process_is_seen_at_once(client, app, database_url, reader, debate):
    """A row written outside any app (the command line, a script) through its own engine."""
    path = f"/api/v1/amendments/{debate['amendment']}"
    cached_get(client, app, path, reader)
    elsewhere = Database(database_url)
    try:
        with elsewhere.session() as session:
            author = session.scalar(select(User.id).where(User.username == "admin"))
            session.add(AmendmentResponse(amendment_id=debate["amendment"], body="Réponse écrite ailleurs.",
                                          kind="respond", author_id=author))
    finally:
        elsewhere.dispose()
    assert cached_get(client, app, path, reader)["response"] == "Réponse écrite ailleurs."


def test_answers_with_and_without_the_cache_are_the_same_bytes(client, app, settings, reader, debate):
    client.put(f"/api/v1/amendments/{debate['amendment']}/vote", json={"value": "agree"},
               headers=debate["bruno"].headers)
    with TestClient(app=create_app(dataclasses.replace(settings, document_cache_entries=0))) as uncached:
        for path in (f"/api/v1/amendments/{debate['amendment']}", f"/api/v1/articles/{debate['article']}"):
            assert cached_get(client, app, path, reader) == uncached.get(path, headers=reader).json()
            assert client.get(path, headers=reader).content == uncached.get(path, headers=reader).content
