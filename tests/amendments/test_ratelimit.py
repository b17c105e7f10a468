"""Rate limits on writes: per account and per address, fixed windows counted in the database so every
worker shares them; 429 with Retry-After."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from drafting.web import ratelimit
from amendments.models import RateLimitCounter
from drafting.app import create_app
from drafting.settings import Settings
from tests.amendments.test_votes import account, admin  # noqa: F401
from tests.conftest import sign_in
from tests.conftest import TEST_SECRET


@contextmanager
def limited_client(database_url: str, **limits):
    """A separate app (a worker of its own) on the test's database, with these limits."""
    settings = Settings.load(database_url=database_url, secret_key=TEST_SECRET, **limits)
    with TestClient(app=create_app(settings)) as client:
        yield client


@pytest.fixture
def article_id(api, admin) -> int:
    return api.bill(admin)["articles"][0]["id"]


def vote(client, who, article_id: int, value: str = "agree"):
    return client.put(f"/api/v1/articles/{article_id}/vote", json={"value": value}, headers=who.headers)


def test_burst_of_writes_gets_429_with_retry_after(database_url, db, article_id):
    alice = account(db, "alice")
    with limited_client(database_url, rate_limit_writes=5, rate_limit_window_seconds=600) as client:
        statuses = [vote(client, alice, article_id, value).status_code
                    for value in ["agree", "mixed", "disagree", "agree", "mixed", "disagree", "agree"]]
        assert statuses == [200] * 5 + [429] * 2
        refused = vote(client, alice, article_id)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 600
        body = refused.json()
        assert body["status_code"] == 429 and "too many writes" in body["detail"]
        assert body["extra"]["retry_after"] == int(refused.headers["retry-after"])
        # Reading is never limited.
        assert client.get(f"/api/v1/articles/{article_id}").json()["votes"]["mixed"] == 1


def test_every_kind_of_write_counts(database_url, db, article_id):
    alice = account(db, "alice")
    with limited_client(database_url, rate_limit_writes=3, rate_limit_window_seconds=600) as client:
        assert vote(client, alice, article_id).status_code == 200
        argument = client.post(f"/api/v1/articles/{article_id}/arguments", headers=alice.headers,
                               json={"stance": "for", "body": "Un argument."})
        assert argument.status_code == 201
        assert client.put(f"/api/v1/arguments/{argument.json()['id']}/useful",
                          headers=alice.headers).status_code == 200
        assert client.post(f"/api/v1/articles/{article_id}/sources", headers=alice.headers,
                           json={"title": "x", "url": "https://example.org"}).status_code == 429
        assert client.post("/api/v1/reports", headers=alice.headers, json={
            "target": "argument", "id": argument.json()["id"], "reason": "x"}).status_code == 429


def test_limit_is_per_account(database_url, db, article_id):
    alice, bruno = account(db, "alice"), account(db, "bruno")
    with limited_client(database_url, rate_limit_writes=2, rate_limit_window_seconds=600) as client:
        assert [vote(client, alice, article_id).status_code for _ in range(3)] == [200, 200, 429]
        assert vote(client, bruno, article_id).status_code == 200


def test_limit_per_address_holds_across_accounts(database_url, db, article_id):
    people = [account(db, f"citizen{i}") for i in range(4)]
    with limited_client(database_url, rate_limit_writes=100, rate_limit_address_writes=3,
                        rate_limit_window_seconds=600) as client:
        assert [vote(client, person, article_id).status_code for person in people] == [200, 200, 200, 429]


def test_refused_writes_do_not_use_up_the_allowance(database_url, db, article_id):
    alice = account(db, "alice")
    with limited_client(database_url, rate_limit_writes=2, rate_limit_window_seconds=600) as client:
        assert [vote(client, alice, article_id, "maybe").status_code for _ in range(3)] == [400] * 3
        assert [vote(client, alice, article_id).status_code for _ in range(3)] == [200, 200, 429]


def test_counters_are_shared_by_two_workers_on_one_database(database_url, db, article_id):
    alice = account(db, "alice")
    limits = {"rate_limit_writes": 4, "rate_limit_window_seconds": 600}
    with limited_client(database_url, **limits) as first, limited_client(database_url, **limits) as second:
        statuses = [vote(worker, alice, article_id).status_code for worker in (first, second) * 3]
    assert statuses == [200, 200, 200, 200, 429, 429]


def test_a_new_window_lets_writes_through_again(database_url, db, article_id, monkeypatch):
    from drafting.web import ratelimit

    now = [1_000_000.25]  # a quarter of a second into a one-second window
    monkeypatch.setattr(ratelimit, "clock", lambda: now[0])
    alice = account(db, "alice")
    with limited_client(database_url, rate_limit_writes=1, rate_limit_window_seconds=1) as client:
        assert vote(client, alice, article_id).status_code == 200
        refused = vote(client, alice, article_id)
        assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
        now[0] += 1.0  # the next window
        assert vote(client, alice, article_id).status_code == 200
        with client.app.state.db.session() as session:
            windows = session.scalars(select(RateLimitCounter.window_start)
                                      .where(RateLimitCounter.key.startswith("user:"))).all()
        assert len(windows) == 1  # the finished window's counter was cleared


def test_parallel_increments_are_never_lost(db):
    barrier = threading.Barrier(20)

    def hit(_):
        barrier.wait()
        with db.session() as session:
            return ratelimit.hit(session, "user:parallel", 1_000)

    with ThreadPoolExecutor(max_workers=20) as pool:
        counts = sorted(pool.map(hit, range(20)))
    assert counts == list(range(1, 21))
    with db.session(write=False) as session:
        assert session.scalar(select(RateLimitCounter.count).where(RateLimitCounter.key == "user:parallel")) == 20


def test_form_posts_are_limited_with_an_html_429(database_url, db, article_id):
    account(db, "alice")
    with limited_client(database_url, rate_limit_writes=1, rate_limit_window_seconds=600) as client:
        csrf = sign_in(client, db, "alice")
        assert client.post(f"/articles/{article_id}/vote", data={"value": "agree"}, headers=csrf,
                           follow_redirects=False).status_code == 303
        refused = client.post(f"/articles/{article_id}/vote", data={"value": "mixed"}, headers=csrf)
        assert refused.status_code == 429
        assert "retry-after" in refused.headers
        assert refused.headers["content-type"].startswith("text/html")


def test_limits_follow_the_settings():
    assert ratelimit.limits(Settings(database_url="sqlite://", rate_limit_writes=0)) == (0, 0)
    assert ratelimit.limits(Settings(database_url="sqlite://", rate_limit_writes=30)) == (30, 300)
    assert ratelimit.limits(Settings(database_url="sqlite://", rate_limit_writes=30,
                                     rate_limit_address_writes=0)) == (30, 0)
