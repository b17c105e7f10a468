"""Sign-in throttling (CONTRACT §6): 10 failures per username or 50 per address in 15 minutes, then
429 with Retry-After on the API and the sign-in page alike, even for the right password."""
from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from datetime import timedelta

import httpx
from litestar.testing import TestClient

from drafting.services import accounts
from drafting.app import create_app
from drafting.db import utcnow
from drafting.models import SignInFailure
from tests.drafting.test_pages import csrf_token, page
from tests.serving import first_answer, serve, stop

PASSWORD = "correct horse battery"
WINDOW_SECONDS = 15 * 60


def _token(client, username: str, password: str):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def _login(client, username: str, password: str, path: str = "/login"):
    return client.post(path, data={"username": username, "password": password, "_csrf_token": csrf_token(client)},
                       follow_redirects=False)


def _retry_after(response) -> int:
    seconds = int(response.headers["retry-after"])
    assert 1 <= seconds <= WINDOW_SECONDS, seconds
    return seconds


def test_ten_failures_for_one_username_refuse_even_the_right_password_on_the_api(api):
    api.user("camille")
    api.user("dominique")
    assert [_token(api.client, "camille", f"wrong {n}").status_code for n in range(10)] == [401] * 10
    refused = _token(api.client, "camille", PASSWORD)
    assert refused.status_code == 429
    _retry_after(refused)
    assert refused.json()["extra"]["retry_after"] == int(refused.headers["retry-after"])
    assert _token(api.client, "dominique", PASSWORD).status_code == 200  # another name is not throttled


def test_nine_failures_still_let_the_right_password_in(api):
    api.user("camille")
    assert [_token(api.client, "camille", f"wrong {n}").status_code for n in range(9)] == [401] * 9
    assert _token(api.client, "camille", PASSWORD).status_code == 200


def test_fifty_failures_from_one_address_with_distinct_usernames_throttle_that_address(api):
    api.user("camille")
    assert {_token(api.client, f"nobody{n}", "wrong password").status_code for n in range(49)} == {401}
    assert _token(api.client, "camille", PASSWORD).status_code == 200  # a success forgives nothing
    assert _token(api.client, "nobody49", "wrong password").status_code == 401  # the 50th failure
    refused = _token(api.client, "camille", PASSWORD)
    assert refused.status_code == 429
    _retry_after(refused)


def test_failures_older_than_fifteen_minutes_no_longer_count(api, db):
    api.user("camille")
    now = utcnow()
    with db.session() as session:
        session.add_all([SignInFailure(username="camille", address="elsewhere", at=now - timedelta(minutes=16))
                         for _ in range(10)])
    assert _token(api.client, "camille", PASSWORD).status_code == 200


def test_retry_after_says_when_the_oldest_counted_failure_leaves_the_window(api, db):
    api.user("camille")
    with db.session() as session:
        session.add_all([SignInFailure(username="camille", address="elsewhere", at=utcnow() - timedelta(minutes=14))
                         for _ in range(10)])
    refused = _token(api.client, "camille", PASSWORD)
    assert refused.status_code == 429
    assert 30 <= _retry_after(refused) <= 60  # 15 min after a failure 14 min old (minus this test's run)


def test_the_sign_in_page_answers_429_with_a_message_in_the_page_language(api, client):
    api.user("camille")
    assert {_login(client, "camille", f"wrong {n}").status_code for n in range(10)} == {400}
    refused = _login(client, "camille", PASSWORD)
    assert refused.status_code == 429
    seconds = _retry_after(refused)
    minutes = -(-seconds // 60)
    assert page(refused).find("main").find("p", "error").text == \
        f"Trop de tentatives de connexion échouées. Réessayez dans {minutes} min."
    assert "navette_session" not in refused.cookies
    english = _login(client, "camille", PASSWORD, "/login?lang=en")
    assert english.status_code == 429
    assert page(english).find("main").find("p", "error").text.startswith("Too many failed sign-in attempts. Try again in")


def test_page_and_api_failures_count_together(api, client):
    api.user("camille")
    assert {_login(client, "camille", f"wrong {n}").status_code for n in range(5)} == {400}
    assert {_token(api.client, "camille", f"wrong {n}").status_code for n in range(5)} == {401}
    assert _login(client, "camille", PASSWORD).status_code == 429
    assert _token(api.client, "camille", PASSWORD).status_code == 429


def test_a_limit_set_to_zero_is_off(settings, db):
    with db.session() as session:
        accounts.create_user(session, accounts.UserIn(username="camille", password=PASSWORD))
    app = create_app(dataclasses.replace(settings, signin_failures_per_username=0))
    with TestClient(app=app) as client:
        assert {_token(client, "camille", f"wrong {n}").status_code for n in range(12)} == {401}
        assert _token(client, "camille", PASSWORD).status_code == 200


def test_twenty_racing_wrong_passwords_get_ten_401_and_ten_429(database_url, db, tmp_path):
    """Every attempt is recorded before its password is checked, one at a time per username: however
    the guesses race (two workers, all sent at once), exactly ten are checked."""
    with db.session() as session:
        accounts.create_user(session, accounts.UserIn(username="camille", password=PASSWORD))
    server, base = serve(database_url, tmp_path, workers=2)
    statuses: list[int] = []
    try:
        health = first_answer(server, f"{base}/healthz", timeout=60)
        assert health is not None and health.status_code == 200, f"the server did not start: {server.poll()}"
        together = threading.Barrier(20, timeout=60)

        def guess(n: int) -> None:
            with httpx.Client(base_url=base, timeout=60) as guesser:
                together.wait()
                statuses.append(_token(guesser, "camille", f"wrong {n}").status_code)

        threads = [threading.Thread(target=guess, args=(n,), daemon=True) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        output = stop(server)
    assert sorted(Counter(statuses).items()) == [(401, 10), (429, 10)], output[-3000:]
