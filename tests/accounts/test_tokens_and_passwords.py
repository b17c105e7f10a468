"""Accounts people control (CONTRACT §6 "Accounts (v2)"): token revocation and expiry, password change."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from drafting.db import utcnow
from drafting.models import AuthToken, User
from tests.conftest import TEST_SECRET, sign_in


def test_deleting_the_token_revokes_the_bearer_sent_and_only_it(client, api):
    alice = api.user("alice")
    other = client.post("/api/v1/auth/token", json={"username": "alice", "password": alice.password}).json()["token"]
    assert client.get("/api/v1/me", headers=alice.headers).status_code == 200

    assert client.delete("/api/v1/auth/token", headers=alice.headers).status_code == 204

    assert client.get("/api/v1/me", headers=alice.headers).status_code == 401
    assert client.delete("/api/v1/auth/token", headers=alice.headers).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).json()["username"] == "alice"


def test_an_expired_token_is_a_401(client, api, db):
    alice = api.user("alice")
    with db.session() as session:
        session.execute(update(AuthToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    answer = client.get("/api/v1/me", headers=alice.headers)
    assert answer.status_code == 401


def test_tokens_last_the_configured_number_of_days(database_url, db):
    from litestar.testing import TestClient

    from drafting.app import create_app
    from drafting.settings import Settings
    from tests.conftest import Api

    settings = Settings.load(database_url=database_url, secret_key=TEST_SECRET, rate_limit_writes=0,
                             page_cache_seconds=0, token_days=7)
    with TestClient(app=create_app(settings)) as client:
        Api(client, db).user("alice")
        with db.session() as session:
            token = session.scalar(select(AuthToken))
            assert timedelta(days=7) - timedelta(minutes=1) < token.expires_at - token.created_at <= timedelta(days=7)


def test_the_token_lifetime_defaults_to_90_days(monkeypatch):
    from drafting.settings import Settings

    monkeypatch.delenv("NAVETTE_TOKEN_DAYS", raising=False)
    assert Settings(secret_key="x").token_days == 90
    monkeypatch.setenv("NAVETTE_TOKEN_DAYS", "30")
    assert Settings(secret_key="x").token_days == 30


def test_password_change_needs_the_current_password(client, api):
    alice = api.user("alice")
    missing = client.post("/api/v1/me/password", json={"new": "a new passphrase"}, headers=alice.headers)
    assert missing.status_code == 400 and missing.json()["detail"].startswith("current")
    wrong = client.post("/api/v1/me/password", json={"current": "not it at all", "new": "a new passphrase"},
                        headers=alice.headers)
    assert wrong.status_code in (400, 403) and wrong.json()["detail"].startswith("current")
    short = client.post("/api/v1/me/password", json={"current": alice.password, "new": "short"},
                        headers=alice.headers)
    assert short.status_code == 400 and short.json()["detail"].startswith("new")

    changed = client.post("/api/v1/me/password", json={"current": alice.password, "new": "a new passphrase"},
                          headers=alice.headers)
    assert changed.status_code == 204

    old = client.post("/api/v1/auth/token", json={"username": "alice", "password": alice.password})
    assert old.status_code == 401
    new = client.post("/api/v1/auth/token", json={"username": "alice", "password": "a new passphrase"})
    assert new.status_code == 200
    # other sessions stay valid after a password change
    assert client.get("/api/v1/me", headers=alice.headers).status_code == 200


def test_password_change_needs_a_signed_in_person(client):
    assert client.post("/api/v1/me/password", json={"new": "a new passphrase"}).status_code == 401


def test_an_account_signed_in_by_code_sets_a_first_password_without_current(client, api, admin):
    bill = api.bill(admin)
    code = client.post(f"/api/v1/bills/{bill['slug']}/participants", json={"display_name": "Marie Dupont"},
                       headers=admin.headers).json()["sign_in_code"]
    token = client.post("/api/v1/auth/code", json={"code": code}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    assert client.post("/api/v1/me/password", json={"new": "ma phrase secrète"}, headers=headers).status_code == 204

    username = client.get("/api/v1/me", headers=headers).json()["username"]
    assert client.post("/api/v1/auth/token", json={"username": username, "password": "ma phrase secrète"}).status_code == 200
    # from now on the account has a password, so changing it needs it
    again = client.post("/api/v1/me/password", json={"new": "encore une autre"}, headers=headers)
    assert again.status_code == 400 and again.json()["detail"].startswith("current")


def test_a_write_records_the_tokens_last_use_and_a_read_does_not(client, api, admin, db):
    alice = api.user("alice")
    with db.session() as session:
        assert session.scalar(select(AuthToken.last_used_at).join(AuthToken.user).where(User.username == "alice")) is None
    client.get("/api/v1/me", headers=alice.headers)
    with db.session() as session:
        assert session.scalar(select(AuthToken.last_used_at).join(AuthToken.user).where(User.username == "alice")) is None
    bill = api.bill(admin)
    client.put(f"/api/v1/articles/{bill['articles'][0]['id']}/vote", json={"value": "agree"}, headers=alice.headers)
    with db.session() as session:
        used = session.scalar(select(AuthToken.last_used_at).join(AuthToken.user).where(User.username == "alice"))
    assert used is not None and utcnow() - used < timedelta(minutes=1)
