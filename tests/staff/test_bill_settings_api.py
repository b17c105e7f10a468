"""PATCH /api/v1/bills/{slug} (CONTRACT §6 "Editing a bill"), bill language, and dates that hold."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest


def at(delta: timedelta) -> str:
    return (datetime.now(timezone.utc) + delta).isoformat()


def patch(client, bill, account, **fields):
    return client.patch(f"/api/v1/bills/{bill['slug']}", json=fields, headers=account.headers)


def vote(client, bill, account):
    article = bill["articles"][0]["id"]
    return client.put(f"/api/v1/articles/{article}/vote", json={"value": "agree"}, headers=account.headers)


def test_bill_language_defaults_to_french_and_is_kept(api, admin, client):
    assert api.bill(admin, open_=False)["language"] == "fr"
    german = api.bill(admin, open_=False, title="Gesetz", language="de")
    assert german["language"] == "de"
    assert client.get(f"/api/v1/bills/{german['slug']}").json()["language"] == "de"


@pytest.mark.parametrize("language", ["it", "FR", "", 3, None])
def test_unknown_bill_language_is_a_400_naming_language(api, admin, client, language):
    response = client.post("/api/v1/bills", json={"title": "T", "language": language,
                                                  "articles": [{"number": "1", "text": "x"}]},
                           headers=admin.headers)
    assert response.status_code == 400 and "language" in response.json()["detail"]


def test_patch_changes_every_field_and_only_those_sent(api, admin, client):
    bill = api.bill(admin, open_=False, summary="Ancien résumé")
    opens, closes = "2031-03-01T09:00:00+01:00", "2031-04-01T18:00:00Z"
    response = patch(client, bill, admin, title="Nouveau titre", summary="Nouveau **résumé**", language="en",
                     consultation_opens_at=opens, consultation_closes_at=closes)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["title"], body["summary"], body["language"]) == ("Nouveau titre", "Nouveau **résumé**", "en")
    assert (body["consultation_opens_at"], body["consultation_closes_at"]) == ("2031-03-01T08:00:00Z", "2031-04-01T18:00:00Z")
    assert body["status"] == "draft"

    again = patch(client, bill, admin, summary=None).json()
    assert (again["title"], again["summary"], again["language"]) == ("Nouveau titre", "", "en")
    assert again["consultation_opens_at"] == "2031-03-01T08:00:00Z"
    cleared = patch(client, bill, admin, consultation_opens_at=None, consultation_closes_at=None).json()
    assert (cleared["consultation_opens_at"], cleared["consultation_closes_at"]) == (None, None)
    assert client.get(f"/api/v1/bills/{bill['slug']}").json()["title"] == "Nouveau titre"


@pytest.mark.parametrize("fields, named", [
    ({"title": ""}, "title"),
    ({"title": None}, "title"),
    ({"title": "x" * 301}, "title"),
    ({"summary": "a\x00b"}, "summary"),
    ({"language": "es"}, "language"),
    ({"consultation_opens_at": "demain"}, "consultation_opens_at"),
    ({"consultation_opens_at": "2031-03-01T09:00:00"}, "consultation_opens_at"),
    ({"consultation_closes_at": 12}, "consultation_closes_at"),
    ({"consultation_opens_at": "2031-03-02T00:00:00Z", "consultation_closes_at": "2031-03-01T00:00:00Z"},
     "consultation_closes_at"),
    ({"consultation_opens_at": "2031-03-01T00:00:00Z", "consultation_closes_at": "2031-03-01T00:00:00Z"},
     "consultation_closes_at"),
    ({"status": "open"}, "status"),
])
def test_invalid_patch_is_a_400_naming_the_field_and_changes_nothing(api, admin, client, fields, named):
    bill = api.bill(admin, open_=False)
    response = patch(client, bill, admin, **fields)
    assert response.status_code == 400, response.text
    assert named in response.json()["detail"]
    after = client.get(f"/api/v1/bills/{bill['slug']}").json()
    assert after["title"] == bill["title"] and after["consultation_opens_at"] is None


def test_closing_date_before_an_existing_opening_date_is_refused(api, admin, client):
    bill = api.bill(admin, open_=False)
    assert patch(client, bill, admin, consultation_opens_at="2031-03-01T00:00:00Z").status_code == 200
    response = patch(client, bill, admin, consultation_closes_at="2031-02-01T00:00:00Z")
    assert response.status_code == 400 and "consultation_closes_at" in response.json()["detail"]


def test_only_the_bills_authors_patch_it(api, admin, client):
    bill = api.bill(admin, open_=False)
    camille = api.user("camille")
    moderator = api.user("modo", role="moderator")
    assert client.patch(f"/api/v1/bills/{bill['slug']}", json={"title": "X"}).status_code == 401
    assert patch(client, bill, camille, title="X").status_code == 403
    assert patch(client, bill, moderator, title="X").status_code == 403
    client.post(f"/api/v1/bills/{bill['slug']}/authors", json={"username": "camille"}, headers=admin.headers)
    assert patch(client, bill, camille, title="Par une co-autrice").status_code == 200
    assert client.patch("/api/v1/bills/inconnu", json={"title": "X"}, headers=admin.headers).status_code == 404


def test_a_bill_past_its_closing_date_refuses_a_vote_without_anyone_closing_it(api, admin, client):
    bill = api.bill(admin)
    camille = api.user("camille")
    assert vote(client, bill, camille).status_code == 200
    closing = patch(client, bill, admin, consultation_opens_at=at(timedelta(days=-7)),
                    consultation_closes_at=at(timedelta(seconds=-1)))
    assert closing.status_code == 200, closing.text
    assert closing.json()["status"] == "closed"

    refused = vote(client, bill, camille)
    assert refused.status_code == 409, refused.text
    assert client.get(f"/api/v1/bills/{bill['slug']}").json()["status"] == "closed"
    assert [b["status"] for b in client.get("/api/v1/bills").json()] == ["closed"]


def test_a_bill_before_its_opening_date_refuses_then_accepts_after(api, admin, client):
    bill = api.bill(admin, open_=False)
    camille = api.user("camille")
    patch(client, bill, admin, consultation_opens_at=at(timedelta(hours=1)),
          consultation_closes_at=at(timedelta(days=2)))
    assert vote(client, bill, camille).status_code == 409
    assert client.get(f"/api/v1/bills/{bill['slug']}").json()["status"] == "draft"

    patch(client, bill, admin, consultation_opens_at=at(timedelta(seconds=-1)))
    assert client.get(f"/api/v1/bills/{bill['slug']}").json()["status"] == "open"
    assert vote(client, bill, camille).status_code == 200


def test_the_dates_hold_on_the_clock_the_app_reads(api, admin, client, monkeypatch):
    from drafting import db

    bill = api.bill(admin, open_=False)
    camille = api.user("camille")
    patch(client, bill, admin, consultation_opens_at="2031-03-01T00:00:00Z",
          consultation_closes_at="2031-03-15T00:00:00Z")
    for moment, status, answer in (("2031-02-28T23:59:00", "draft", 409), ("2031-03-01T00:00:00", "open", 200),
                                   ("2031-03-14T23:59:00", "open", 200), ("2031-03-15T00:00:00", "closed", 409)):
        now = datetime.fromisoformat(moment).replace(tzinfo=timezone.utc)
        monkeypatch.setattr(db, "utcnow", lambda: now)
        assert client.get(f"/api/v1/bills/{bill['slug']}").json()["status"] == status, moment
        assert vote(client, bill, camille).status_code == answer, moment


def test_dates_are_enforced_for_amendments_and_arguments(api, admin, client):
    bill = api.bill(admin)
    camille = api.user("camille")
    article = bill["articles"][0]
    patch(client, bill, admin, consultation_opens_at=at(timedelta(days=-7)),
          consultation_closes_at=at(timedelta(seconds=-1)))
    amendment = client.post(f"/api/v1/articles/{article['id']}/amendments",
                            json={"text": "Un autre texte.", "explanation": "Mieux."}, headers=camille.headers)
    argument = client.post(f"/api/v1/articles/{article['id']}/arguments",
                           json={"stance": "for", "body": "Très bien."}, headers=camille.headers)
    assert (amendment.status_code, argument.status_code) == (409, 409), (amendment.text, argument.text)

    patch(client, bill, admin, consultation_closes_at=at(timedelta(days=1)))
    amendment = client.post(f"/api/v1/articles/{article['id']}/amendments",
                            json={"text": "Un autre texte.", "explanation": "Mieux."}, headers=camille.headers)
    argument = client.post(f"/api/v1/articles/{article['id']}/arguments",
                           json={"stance": "for", "body": "Très bien."}, headers=camille.headers)
    assert (amendment.status_code, argument.status_code) == (201, 201), (amendment.text, argument.text)


def test_opening_and_closing_by_hand_keep_the_dates_giving_the_status(api, admin, client):
    bill = api.bill(admin, open_=False)
    patch(client, bill, admin, consultation_opens_at=at(timedelta(days=3)), consultation_closes_at=at(timedelta(days=9)))
    opened = client.post(f"/api/v1/bills/{bill['slug']}/status", json={"status": "open"}, headers=admin.headers).json()
    assert opened["status"] == "open"
    assert datetime.fromisoformat(opened["consultation_opens_at"]) <= datetime.now(timezone.utc)
    assert opened["consultation_closes_at"] is not None  # a later closing date still closes it
    closed = client.post(f"/api/v1/bills/{bill['slug']}/status", json={"status": "closed"}, headers=admin.headers).json()
    assert closed["status"] == "closed"
    assert datetime.fromisoformat(closed["consultation_closes_at"]) <= datetime.now(timezone.utc)


def test_the_bill_history_shows_openings_and_closings_made_by_the_dates(api, admin, client):
    from tests.drafting.test_pages import page

    bill = api.bill(admin)  # opened by hand: a row with who
    patch(client, bill, admin, consultation_opens_at=at(timedelta(days=-3)),
          consultation_closes_at=at(timedelta(seconds=-1)))
    events = [li.text for li in page(client.get(f"/bills/{bill['slug']}/history")).find("main").find_all("li")]
    assert any("Consultation close à la date prévue" in e for e in events), events
    assert any("Consultation ouverte à la date prévue" in e for e in events), events  # its opening date moved
    assert any("Consultation ouverte par Cabinet du ministre" in e for e in events), events

    later = api.bill(admin, title="Projet programmé", open_=False)
    patch(client, later, admin, consultation_opens_at=at(timedelta(days=1)))
    events = [li.text for li in page(client.get(f"/bills/{later['slug']}/history")).find("main").find_all("li")]
    assert not any("Consultation" in e for e in events), events  # nothing happened yet
