"""Assisted participants (CONTRACT §6 "Accounts (v2)", "Acting for an in-person participant"): an account
opened by a bill's staff, its one-time sign-in code, and contributions staff enter on its behalf."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from drafting.db import utcnow
from drafting.models import SignInCode, User


def _participant(client, admin, bill, **body):
    answer = client.post(f"/api/v1/bills/{bill['slug']}/participants",
                         json={"display_name": "Marie Dupont", **body}, headers=admin.headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_staff_create_a_participant_with_a_one_time_code(client, api, admin, db):
    bill = api.bill(admin)
    created = _participant(client, admin, bill)
    code = created["sign_in_code"]
    assert created["user"]["display_name"] == "Marie Dupont"
    assert re.fullmatch(r"[a-z0-9_.-]{3,40}", created["user"]["username"])
    assert len(code.replace("-", "")) >= 8
    assert not set(code.replace("-", "")) & set("0O1IL")  # no look-alike characters
    with db.session() as session:
        stored = session.scalar(select(SignInCode))
        assert code not in stored.code_hash and code.replace("-", "") not in stored.code_hash
        assert timedelta(days=29) < stored.expires_at - stored.created_at <= timedelta(days=30)
        assert session.scalar(select(User).where(User.username == created["user"]["username"])).password_hash is None

    first = client.post("/api/v1/auth/code", json={"code": code})
    assert first.status_code == 200
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {first.json()['token']}"})
    assert me.json()["username"] == created["user"]["username"]

    assert client.post("/api/v1/auth/code", json={"code": code}).status_code == 401


def test_the_code_is_typed_in_any_case_with_or_without_dashes(client, api, admin):
    bill = api.bill(admin)
    code = _participant(client, admin, bill, username="marie.d")["sign_in_code"]
    typed = " " + code.replace("-", " ").lower() + " "
    assert client.post("/api/v1/auth/code", json={"code": typed}).status_code == 200


def test_a_code_expires_after_30_days(client, api, admin, db):
    bill = api.bill(admin)
    code = _participant(client, admin, bill)["sign_in_code"]
    with db.session() as session:
        session.execute(update(SignInCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.post("/api/v1/auth/code", json={"code": code}).status_code == 401


def test_unknown_or_missing_codes_are_refused(client):
    assert client.post("/api/v1/auth/code", json={"code": "ABCD-EFGH-JKMN"}).status_code == 401
    blank = client.post("/api/v1/auth/code", json={"code": "  "})
    assert blank.status_code == 400 and blank.json()["detail"].startswith("code")
    assert client.post("/api/v1/auth/code", json={}).status_code == 400


def test_only_the_bills_authors_create_participants(client, api, admin):
    bill = api.bill(admin)
    alice = api.user("alice")
    refused = client.post(f"/api/v1/bills/{bill['slug']}/participants", json={"display_name": "Marie"},
                          headers=alice.headers)
    assert refused.status_code == 403
    assert client.post(f"/api/v1/bills/{bill['slug']}/participants", json={"display_name": "Marie"}).status_code == 401
    blank = client.post(f"/api/v1/bills/{bill['slug']}/participants", json={"display_name": " "},
                        headers=admin.headers)
    assert blank.status_code == 400 and blank.json()["detail"].startswith("display_name")
    _participant(client, admin, bill, username="marie.d")
    taken = client.post(f"/api/v1/bills/{bill['slug']}/participants", json={"display_name": "M", "username": "marie.d"},
                        headers=admin.headers)
    assert taken.status_code == 409


def test_staff_enter_an_amendment_and_an_argument_on_behalf_of_a_participant(client, api, admin):
    bill = api.bill(admin)
    article = bill["articles"][0]
    person = _participant(client, admin, bill, username="marie.d")["user"]["username"]

    amendment = client.post(f"/api/v1/articles/{article['id']}/amendments",
                            json={"text": "La loi teste Navette.", "explanation": "Plus court.",
                                  "on_behalf_of": person}, headers=admin.headers)
    assert amendment.status_code == 201, amendment.text
    assert amendment.json()["author"] == "marie.d" and amendment.json()["entered_by"] == "admin"
    assert client.get(f"/api/v1/amendments/{amendment.json()['id']}").json()["entered_by"] == "admin"

    argument = client.post(f"/api/v1/articles/{article['id']}/arguments",
                           json={"stance": "for", "body": "Je suis d'accord.", "on_behalf_of": person},
                           headers=admin.headers)
    assert argument.status_code == 201, argument.text
    assert argument.json()["author"] == "marie.d" and argument.json()["entered_by"] == "admin"

    insertion = client.post(f"/api/v1/bills/{bill['slug']}/amendments",
                            json={"kind": "insert", "after_article": article["id"], "text": "Un article nouveau.",
                                  "explanation": "", "on_behalf_of": person}, headers=admin.headers)
    assert insertion.status_code == 201 and insertion.json()["entered_by"] == "admin"

    own = client.post(f"/api/v1/articles/{article['id']}/arguments",
                      json={"stance": "against", "body": "Mon propre avis."}, headers=admin.headers)
    assert own.json()["author"] == "admin" and own.json()["entered_by"] is None


def test_on_behalf_of_is_refused_for_non_staff_and_for_people_staff_did_not_create(client, api, admin):
    bill = api.bill(admin)
    article = bill["articles"][0]
    person = _participant(client, admin, bill, username="marie.d")["user"]["username"]
    alice = api.user("alice")
    argument = {"stance": "for", "body": "Un argument saisi."}

    by_citizen = client.post(f"/api/v1/articles/{article['id']}/arguments",
                             json={**argument, "on_behalf_of": person}, headers=alice.headers)
    assert by_citizen.status_code == 403 and "on_behalf_of" in by_citizen.json()["detail"]

    for_a_citizen = client.post(f"/api/v1/articles/{article['id']}/arguments",
                                json={**argument, "on_behalf_of": "alice"}, headers=admin.headers)
    assert for_a_citizen.status_code == 403 and "on_behalf_of" in for_a_citizen.json()["detail"]

    unknown = client.post(f"/api/v1/articles/{article['id']}/amendments",
                          json={"text": "Autre.", "on_behalf_of": "nobody"}, headers=admin.headers)
    assert unknown.status_code == 400 and unknown.json()["detail"].startswith("on_behalf_of")

    # staff of another bill may not act for this bill's participant
    other_admin = api.user("other", role="admin")
    other_bill = api.bill(other_admin, slug="autre-projet")
    elsewhere = client.post(f"/api/v1/articles/{other_bill['articles'][0]['id']}/arguments",
                            json={**argument, "on_behalf_of": person}, headers=alice.headers)
    assert elsewhere.status_code == 403
    assert client.get(f"/api/v1/articles/{article['id']}/arguments").json() == []


def test_votes_stay_personal(client, api, admin):
    bill = api.bill(admin)
    person = _participant(client, admin, bill, username="marie.d")["user"]["username"]
    vote = client.put(f"/api/v1/articles/{bill['articles'][0]['id']}/vote",
                      json={"value": "agree", "on_behalf_of": person}, headers=admin.headers)
    assert vote.status_code == 400 and vote.json()["detail"].startswith("on_behalf_of")
    assert client.get(f"/api/v1/articles/{bill['articles'][0]['id']}").json()["votes"]["agree"] == 0
