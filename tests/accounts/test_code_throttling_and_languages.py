"""Code sign-in and password changes go through the sign-in throttling (CONTRACT §6, drafting/web/signin.py),
and the accounts' refusals read in French, English and German (API ``detail`` per Accept-Language)."""
from __future__ import annotations

import pytest

from tests.drafting.test_pages import csrf_token, page


def _participant_code(client, admin, bill) -> str:
    answer = client.post(f"/api/v1/bills/{bill['slug']}/participants", json={"display_name": "Marie Dupont"},
                         headers=admin.headers)
    assert answer.status_code == 201, answer.text
    return answer.json()["sign_in_code"]


def test_fifty_wrong_codes_from_one_address_throttle_code_sign_in(client, api, admin):
    code = _participant_code(client, admin, api.bill(admin))
    wrong = [client.post("/api/v1/auth/code", json={"code": f"ABCD-EFGH-{n:04d}"}).status_code for n in range(50)]
    assert set(wrong) == {401}
    refused = client.post("/api/v1/auth/code", json={"code": code})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    # the password sign-in of the same address is throttled with it: one count of failures
    assert client.post("/api/v1/auth/token", json={"username": "nobody", "password": "x" * 8}).status_code == 429


def test_a_right_code_is_not_counted_as_a_failure(client, api, admin):
    bill = api.bill(admin)
    for _ in range(3):
        assert client.post("/api/v1/auth/code", json={"code": _participant_code(client, admin, bill)}).status_code == 200
    assert [client.post("/api/v1/auth/code", json={"code": f"ZZZZ-ZZZZ-{n:04d}"}).status_code
            for n in range(49)] == [401] * 49  # three successes left nothing behind: 49 failures still answer 401


def test_one_code_tried_ten_times_is_throttled_like_a_username(client):
    assert [client.post("/api/v1/auth/code", json={"code": "ZZZZ-ZZZZ-ZZZZ"}).status_code
            for _ in range(11)] == [401] * 10 + [429]


def test_the_code_page_says_when_code_sign_in_is_throttled(client, api, admin):
    for n in range(50):
        client.post("/api/v1/auth/code", json={"code": f"WXYZ-WXYZ-{n:04d}"})
    client.get("/login/code")
    answer = client.post("/login/code", data={"code": "ABCD-ABCD-ABCD", "_csrf_token": csrf_token(client)},
                         follow_redirects=False)
    assert answer.status_code == 429 and answer.headers["retry-after"]
    assert page(answer).find("p", "error") is not None


def test_wrong_current_passwords_count_as_failed_sign_ins_of_the_username(client, api):
    alice = api.user("alice")
    wrong = [client.post("/api/v1/me/password", json={"current": f"not it {n}", "new": "a new passphrase"},
                         headers=alice.headers).status_code for n in range(10)]
    assert wrong == [400] * 10
    throttled = client.post("/api/v1/me/password", json={"current": alice.password, "new": "a new passphrase"},
                            headers=alice.headers)
    assert throttled.status_code == 429
    assert client.post("/api/v1/auth/token", json={"username": "alice", "password": alice.password}).status_code == 429


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "the sign-in code is unknown, already used or expired"),
    ("fr", "le code de connexion est inconnu, a déjà servi ou a expiré"),
    ("de", "der Anmeldecode ist unbekannt, schon verwendet oder abgelaufen"),
])
def test_a_refused_code_is_explained_in_the_callers_language(client, language, expected):
    answer = client.post("/api/v1/auth/code", json={"code": "ABCD-EFGH-JKMN"}, headers={"Accept-Language": language})
    assert answer.status_code == 401 and answer.json()["detail"] == expected


@pytest.mark.parametrize(("language", "vote", "stranger"), [
    ("en", "on_behalf_of: votes are personal: nobody votes on behalf of someone else",
     "on_behalf_of: only the bill's authors can enter a contribution for someone else"),
    ("fr", "on_behalf_of: le vote est personnel : personne ne vote pour quelqu'un d'autre",
     "on_behalf_of : seuls les auteurs du projet peuvent saisir une contribution pour quelqu'un d'autre"),
    ("de", "on_behalf_of: Stimmen sind persönlich: Niemand stimmt für eine andere Person ab",
     "on_behalf_of: Nur die Verfasser des Entwurfs können einen Beitrag für eine andere Person erfassen"),
])
def test_on_behalf_of_refusals_are_explained_in_the_callers_language(client, api, admin, language, vote, stranger):
    bill = api.bill(admin)
    person = client.post(f"/api/v1/bills/{bill['slug']}/participants", json={"display_name": "Marie Dupont"},
                         headers=admin.headers).json()["user"]["username"]
    article = bill["articles"][0]["id"]
    voted = client.put(f"/api/v1/articles/{article}/vote", json={"value": "agree", "on_behalf_of": person},
                       headers={**admin.headers, "Accept-Language": language})
    assert voted.status_code == 400 and voted.json()["detail"] == vote
    camille = api.user("camille")
    argued = client.post(f"/api/v1/articles/{article}/arguments",
                         json={"stance": "for", "body": "Un argument saisi par un tiers.", "on_behalf_of": person},
                         headers={**camille.headers, "Accept-Language": language})
    assert argued.status_code == 403 and argued.json()["detail"] == stranger


@pytest.mark.parametrize(("language", "title"), [("en", "Your Navette account"), ("de", "Ihr Navette-Konto"),
                                                 ("fr", "Votre compte sur Navette")])
def test_the_sign_in_sheet_is_printed_in_the_persons_language(client, api, admin, language, title):
    from tests.drafting.test_pages import sign_in

    bill = api.bill(admin)
    sign_in(client, api.db, "admin")
    client.get(f"/bills/{bill['slug']}/participants/new")
    answer = client.post(f"/bills/{bill['slug']}/participants",
                         data={"display_name": "Marie Dupont", "language": language, "_csrf_token": csrf_token(client)})
    assert answer.status_code == 201, answer.text
    sheet = page(answer).find("section", "sign-in-sheet")
    assert sheet.attrs["lang"] == language and sheet.find("h1").text == title
