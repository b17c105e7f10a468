"""An amendment no longer in play (accepted, rejected, withdrawn, fallen) and a closed consultation take
no votes and no arguments: 409 with one translated message in the API; on the page the forms are gone
and the message says why. A rejection's answer is shown once on the amendment's page."""
from __future__ import annotations

import html

import pytest

from tests.amendments.test_votes import account
from tests.conftest import sign_in

TEXT = "Les administrations publient leurs données en ligne."
CLOSED = {
    "fr": "cette proposition est close (retenue, rejetée, retirée ou tombée) : elle ne reçoit plus de votes ni "
          "d'arguments",
    "en": "this amendment is closed (accepted, rejected, withdrawn or fallen): it takes no more votes or arguments",
    "de": "dieser Änderungsantrag ist abgeschlossen (angenommen, abgelehnt, zurückgezogen oder gegenstandslos): "
          "er nimmt keine Stimmen oder Argumente mehr an",
}
PAGE_MESSAGE = ("Cette proposition est close (retenue, rejetée, retirée ou tombée) : "
                "elle ne reçoit plus de votes ni d'arguments.")


def _propose(client, citizen, article_id: int, words: str) -> int:
    response = client.post(f"/api/v1/articles/{article_id}/amendments", headers=citizen.headers,
                           json={"text": TEXT.replace("en ligne", words), "explanation": "Parce que."})
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture
def settled(api, client, db):
    """One amendment in each closed status, and one still open, on an open bill."""
    admin = api.user("cabinet", role="admin")
    citizen = account(db, "camille")
    bill = api.bill(admin, articles=[{"number": "1", "text": TEXT}, {"number": "2", "text": TEXT}])
    first, second = (article["id"] for article in bill["articles"])
    ids = {status: _propose(client, citizen, second, words)
           for status, words in (("rejected", "sur internet"), ("withdrawn", "en ligne gratuitement"),
                                 ("open", "sur un portail"))}
    ids["accepted"] = _propose(client, citizen, first, "sur le web")
    assert client.post(f"/api/v1/amendments/{ids['rejected']}/reject", headers=admin.headers,
                       json={"response": "Le portail national suffit."}).status_code == 200
    assert client.post(f"/api/v1/amendments/{ids['withdrawn']}/withdraw", headers=citizen.headers).status_code == 200
    merged = client.post(f"/api/v1/articles/{first}/versions", headers=admin.headers,
                         json={"expected_version": 1, "message": "Le web", "merge": [ids["accepted"]]})
    assert merged.status_code == 201, merged.text
    parent = _propose(client, citizen, second, "en ligne et sur papier")
    sub = client.post(f"/api/v1/amendments/{parent}/subamendments", headers=citizen.headers,
                      json={"text": TEXT.replace("en ligne", "en ligne et par courrier"), "explanation": "Aussi."})
    assert sub.status_code == 201, sub.text
    assert client.post(f"/api/v1/amendments/{parent}/withdraw", headers=citizen.headers).status_code == 200
    ids["fallen"] = sub.json()["id"]
    return bill, admin, citizen, ids


@pytest.mark.parametrize("status", ["accepted", "rejected", "withdrawn", "fallen"])
def test_a_settled_amendment_refuses_votes_and_arguments_with_one_message(client, db, settled, status):
    bill, admin, citizen, ids = settled
    voter = account(db, "dominique")
    amendment = ids[status]
    assert client.get(f"/api/v1/amendments/{amendment}").json()["status"] == (
        "rejected" if status == "fallen" else status)
    for language, message in CLOSED.items():
        headers = {**voter.headers, "Accept-Language": language}
        vote = client.put(f"/api/v1/amendments/{amendment}/vote", json={"value": "agree"}, headers=headers)
        argue = client.post(f"/api/v1/amendments/{amendment}/arguments", headers=headers,
                            json={"stance": "for", "body": "Une bonne idée, malgré tout."})
        assert (vote.status_code, argue.status_code) == (409, 409), (vote.text, argue.text)
        assert vote.json()["detail"] == argue.json()["detail"] == message
    assert client.get(f"/api/v1/amendments/{amendment}").json()["votes"] == {"agree": 0, "mixed": 0, "disagree": 0}
    assert client.get(f"/api/v1/amendments/{amendment}/arguments").json() == []


def test_an_open_amendment_still_takes_votes_and_arguments(client, db, settled):
    voter = account(db, "dominique")
    amendment = settled[3]["open"]
    assert client.put(f"/api/v1/amendments/{amendment}/vote", json={"value": "agree"},
                      headers=voter.headers).status_code == 200
    assert client.post(f"/api/v1/amendments/{amendment}/arguments", headers=voter.headers,
                       json={"stance": "for", "body": "Une bonne idée."}).status_code == 201


def test_the_page_of_a_settled_amendment_has_no_forms_and_says_why(client, db, settled):
    bill, admin, citizen, ids = settled
    account(db, "dominique")
    csrf = sign_in(client, db, "dominique")
    for status in ("accepted", "rejected", "withdrawn", "fallen"):
        page = client.get(f"/amendments/{ids[status]}")
        assert page.status_code == 200
        assert PAGE_MESSAGE in html.unescape(page.text), status
        assert f'action="/amendments/{ids[status]}/vote"' not in page.text, status
        assert f'action="/amendments/{ids[status]}/arguments"' not in page.text, status
    opened = html.unescape(client.get(f"/amendments/{ids['open']}").text)
    assert f'action="/amendments/{ids["open"]}/vote"' in opened and PAGE_MESSAGE not in opened
    # A form posted anyway (a page left open while the amendment was settled) is refused, translated.
    refused = client.post(f"/amendments/{ids['rejected']}/vote", data={"value": "agree"}, headers=csrf,
                          follow_redirects=False)
    assert refused.status_code == 409
    assert CLOSED["fr"] in html.unescape(refused.text)


def test_a_closed_consultation_refuses_votes_and_arguments_on_its_open_amendments(api, client, db, settled):
    bill, admin, citizen, ids = settled
    voter = account(db, "dominique")
    closed = client.post(f"/api/v1/bills/{bill['slug']}/status", json={"status": "closed"}, headers=admin.headers)
    assert closed.status_code == 200, closed.text
    headers = {**voter.headers, "Accept-Language": "en"}
    vote = client.put(f"/api/v1/amendments/{ids['open']}/vote", json={"value": "agree"}, headers=headers)
    argue = client.post(f"/api/v1/amendments/{ids['open']}/arguments", headers=headers,
                        json={"stance": "for", "body": "Une bonne idée."})
    assert (vote.status_code, argue.status_code) == (409, 409)
    assert vote.json()["detail"] == argue.json()["detail"] == "the consultation on this bill is not open"
    sign_in(client, db, "dominique")
    page = client.get(f"/amendments/{ids['open']}").text
    assert "La consultation est close." in page and f'action="/amendments/{ids["open"]}/vote"' not in page


def test_a_rejections_answer_is_shown_once_on_the_amendment_page(client, settled):
    page = client.get(f"/amendments/{settled[3]['rejected']}").text
    assert page.count("Le portail national suffit.") == 1
