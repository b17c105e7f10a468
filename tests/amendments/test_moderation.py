"""Reports, the moderators' decisions (hide with a public reason, dismiss) and the public trash."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from amendments.models import Argument, ModerationDecision, Report
from drafting.models import User
from tests.amendments.test_votes import account, admin, make_amendment  # noqa: F401
from tests.conftest import sign_in


@pytest.fixture
def bill(api, admin):
    return api.bill(admin)


@pytest.fixture
def article_id(bill) -> int:
    return bill["articles"][0]["id"]


@pytest.fixture
def people(db):
    return {"alice": account(db, "alice"), "bruno": account(db, "bruno"), "mod": account(db, "mod", "moderator")}


@pytest.fixture
def argument(client, people, article_id) -> dict:
    response = client.post(f"/api/v1/articles/{article_id}/arguments", headers=people["alice"].headers,
                           json={"stance": "against", "body": "Vous êtes tous des incapables."})
    assert response.status_code == 201
    return response.json()


def report(client, who, target: str, target_id: int, reason: str = "Propos injurieux"):
    return client.post("/api/v1/reports", headers=who.headers, json={"target": target, "id": target_id,
                                                                       "reason": reason})


def hide(client, who, target: str, target_id: int, reason: str = "Propos injurieux envers les participants"):
    return client.post(f"/api/v1/moderation/{target}/{target_id}/hide", headers=who.headers, json={"reason": reason})


# --- reports -----------------------------------------------------------------------------------

def test_signed_in_person_reports_an_argument(client, people, argument):
    response = report(client, people["bruno"], "argument", argument["id"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["target"] == "argument" and body["target_id"] == argument["id"]
    assert body["reason"] == "Propos injurieux" and body["reporter"] == "bruno" and body["status"] == "pending"
    assert report(client, people["bruno"], "argument", argument["id"]).status_code == 409
    assert report(client, people["mod"], "argument", argument["id"]).status_code == 201


def test_reporting_an_amendment(client, db, people, article_id):
    amendment_id = make_amendment(db, article_id, "alice")
    assert report(client, people["bruno"], "amendment", amendment_id).status_code == 201


INVALID_REPORTS = [
    ({"target": "article", "id": 1, "reason": "x"}, 400, "target"),
    ({"target": "argument", "id": 999, "reason": "x"}, 404, None),
    ({"target": "argument", "id": "one", "reason": "x"}, 400, "id"),
    ({"target": "argument", "id": None, "reason": "  "}, 400, "reason"),
    ({"target": "argument", "id": None}, 400, "reason"),
]


def test_invalid_report_is_refused(client, people, argument):
    for payload, status, field in INVALID_REPORTS:
        if payload.get("id", 0) is None:
            payload = {**payload, "id": argument["id"]}
        response = client.post("/api/v1/reports", headers=people["bruno"].headers, json=payload)
        assert response.status_code == status, (payload, response.text)
        if field:
            assert field in response.json()["detail"], payload


def test_anonymous_report_is_401(client, argument):
    assert client.post("/api/v1/reports", json={"target": "argument", "id": argument["id"],
                                                "reason": "x"}).status_code == 401


# --- hiding ------------------------------------------------------------------------------------

def test_moderator_hides_an_argument_into_the_public_trash_with_its_reason(client, db, bill, people, argument,
                                                                          article_id):
    report(client, people["bruno"], "argument", argument["id"])
    response = hide(client, people["mod"], "argument", argument["id"])
    assert response.status_code == 200, response.text
    assert response.json()["hidden"]["reason"] == "Propos injurieux envers les participants"

    shown = client.get(f"/api/v1/arguments/{argument['id']}")
    assert shown.status_code == 200
    assert shown.json()["id"] == argument["id"]
    assert shown.json()["body"] is None
    assert shown.json()["hidden"]["reason"] == "Propos injurieux envers les participants"
    assert shown.json()["hidden"]["at"].endswith("Z")
    assert client.get(f"/api/v1/articles/{article_id}/arguments").json() == []

    trash = client.get(f"/api/v1/bills/{bill['slug']}/trash")
    assert trash.status_code == 200
    [item] = trash.json()
    assert set(item) == {"target", "id", "title", "author", "reason", "at"}
    assert item["target"] == "argument" and item["id"] == argument["id"] and item["author"] == "alice"
    assert item["reason"] == "Propos injurieux envers les participants"
    assert "incapables" not in str(item)

    page = client.get(f"/bills/{bill['slug']}/trash")
    assert page.status_code == 200
    assert "Propos injurieux envers les participants" in page.text and "alice" in page.text
    assert "incapables" not in page.text
    article_page = client.get(f"/bills/{bill['slug']}/articles/{article_id}").text
    assert "incapables" not in article_page

    with db.session(write=False) as session:
        decision = session.scalar(select(ModerationDecision))
        assert (decision.action, decision.target_type, decision.target_id) == ("hide", "argument", argument["id"])
        assert session.get(User, decision.moderator_id).username == "mod" and decision.created_at is not None
        assert session.get(Argument, argument["id"]).hidden_by_id == decision.id
        assert session.scalar(select(Report.decision_id)) == decision.id


def test_citizen_cannot_hide_and_anonymous_must_sign_in(client, people, argument, article_id):
    assert hide(client, people["bruno"], "argument", argument["id"]).status_code == 403
    assert client.post(f"/api/v1/moderation/argument/{argument['id']}/hide",
                       json={"reason": "x"}).status_code == 401
    assert len(client.get(f"/api/v1/articles/{article_id}/arguments").json()) == 1


def test_hide_needs_a_reason_a_known_target_and_happens_once(client, people, argument):
    assert hide(client, people["mod"], "argument", argument["id"], reason=" ").status_code == 400
    assert hide(client, people["mod"], "argument", 999).status_code == 404
    assert hide(client, people["mod"], "article", 1).status_code == 404
    assert hide(client, people["mod"], "argument", argument["id"]).status_code == 200
    assert hide(client, people["mod"], "argument", argument["id"]).status_code == 409
    assert report(client, people["bruno"], "argument", argument["id"]).status_code == 409
    assert client.put(f"/api/v1/arguments/{argument['id']}/useful", headers=people["bruno"].headers).status_code == 409


def test_hidden_amendment_keeps_its_id_leaves_tallies_and_is_in_the_trash(api, client, db, bill, people, article_id):
    amendment_id = make_amendment(db, article_id, "alice", title="Tous pourris")
    client.put(f"/api/v1/amendments/{amendment_id}/vote", json={"value": "agree"}, headers=people["bruno"].headers)
    assert hide(client, people["mod"], "amendment", amendment_id).status_code == 200
    shown = client.get(f"/api/v1/amendments/{amendment_id}")
    assert shown.status_code == 200, shown.text
    assert shown.json()["hidden"]["reason"] == "Propos injurieux envers les participants"
    assert not shown.json().get("text")
    [item] = client.get(f"/api/v1/bills/{bill['slug']}/trash").json()
    assert (item["target"], item["id"], item["title"], item["author"]) == ("amendment", amendment_id, "Tous pourris",
                                                                           "alice")
    assert client.put(f"/api/v1/amendments/{amendment_id}/vote", json={"value": "mixed"},
                      headers=people["bruno"].headers).status_code == 409


def test_hidden_items_leave_the_counts_the_pages_show(client, db, bill, people, argument, article_id):
    """The counts are stored (amendments/tallies.py): hiding recounts them, as the pages show."""
    make_amendment(db, article_id, "alice", title="Tous pourris")
    amendment_id = make_amendment(db, article_id, "bruno", text="La présente loi a pour objet d'essayer Navette.",
                                  title="Essayer")
    bill_page, article_page = f"/bills/{bill['slug']}", f"/bills/{bill['slug']}/articles/{article_id}"
    assert "2 modifications" in client.get(bill_page).text
    assert re.search(r'id="stance-against-[^"]*">Contre <small class="meta">\(1\)', client.get(article_page).text)

    assert hide(client, people["mod"], "amendment", amendment_id).status_code == 200
    assert hide(client, people["mod"], "argument", argument["id"]).status_code == 200
    assert "1 modification" in client.get(bill_page).text
    assert re.search(r'id="stance-against-[^"]*">Contre <small class="meta">\(0\)', client.get(article_page).text)


def test_hidden_source_leaves_the_list(client, bill, people, article_id):
    source = client.post(f"/api/v1/articles/{article_id}/sources", headers=people["alice"].headers,
                         json={"title": "Site douteux", "url": "https://spam.example/"}).json()
    assert hide(client, people["mod"], "source", source["id"], "Lien publicitaire").status_code == 200
    assert client.get(f"/api/v1/articles/{article_id}/sources").json() == []
    shown = client.get(f"/api/v1/sources/{source['id']}").json()
    assert shown["url"] is None and shown["hidden"]["reason"] == "Lien publicitaire"
    [item] = client.get(f"/api/v1/bills/{bill['slug']}/trash").json()
    assert (item["target"], item["title"]) == ("source", "Site douteux")


# --- dismissing --------------------------------------------------------------------------------

def test_moderator_dismisses_a_report_and_the_argument_stays(client, db, people, argument, article_id):
    first = report(client, people["bruno"], "argument", argument["id"]).json()
    report(client, people["mod"], "argument", argument["id"])
    assert client.post(f"/api/v1/moderation/reports/{first['id']}/dismiss",
                       headers=people["bruno"].headers).status_code == 403
    dismissed = client.post(f"/api/v1/moderation/reports/{first['id']}/dismiss", headers=people["mod"].headers,
                            json={"reason": "Critique vive mais pas injurieuse"})
    assert dismissed.status_code == 200, dismissed.text
    assert dismissed.json()["action"] == "dismiss" and dismissed.json()["moderator"] == "mod"
    assert client.get(f"/api/v1/moderation/reports", headers=people["mod"].headers).json() == []
    assert client.post(f"/api/v1/moderation/reports/{first['id']}/dismiss",
                       headers=people["mod"].headers).status_code == 409
    assert client.post("/api/v1/moderation/reports/999/dismiss", headers=people["mod"].headers).status_code == 404
    assert len(client.get(f"/api/v1/articles/{article_id}/arguments").json()) == 1
    with db.session(write=False) as session:
        assert [d.action for d in session.scalars(select(ModerationDecision))] == ["dismiss"]
        assert set(session.scalars(select(Report.decision_id))) == {dismissed.json()["id"]}


def test_moderation_queue_api_is_for_moderators(client, people, argument):
    report(client, people["bruno"], "argument", argument["id"], "Insulte")
    assert client.get("/api/v1/moderation/reports", headers=people["bruno"].headers).status_code == 403
    assert client.get("/api/v1/moderation/reports").status_code == 401
    [pending] = client.get("/api/v1/moderation/reports", headers=people["mod"].headers).json()
    assert pending["reason"] == "Insulte" and pending["target_id"] == argument["id"]


# --- the pages ---------------------------------------------------------------------------------

def test_report_form_without_javascript(client, db, people, argument):
    anonymous = client.get(f"/reports/new?target=argument&id={argument['id']}", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    csrf = sign_in(client, db, "bruno")
    form = client.get(f"/reports/new?target=argument&id={argument['id']}")
    assert form.status_code == 200 and "Vous êtes tous des incapables." in form.text
    refused = client.post("/reports", headers=csrf, data={"target": "argument", "id": str(argument["id"]),
                                                           "reason": ""})
    assert refused.status_code == 400
    done = client.post("/reports", headers=csrf, data={"target": "argument", "id": str(argument["id"]),
                                                        "reason": "Insulte les autres participants"})
    assert done.status_code == 200 and "votre signalement a été transmis" in done.text
    with db.session(write=False) as session:
        assert session.scalar(select(Report.reason)) == "Insulte les autres participants"


def test_moderation_queue_page_hides_with_a_public_reason(client, db, bill, people, argument):
    report(client, people["bruno"], "argument", argument["id"], "Insulte")
    assert client.get("/moderation", follow_redirects=False).status_code == 303
    sign_in(client, db, "bruno")
    assert client.get("/moderation").status_code == 403

    csrf = sign_in(client, db, "mod")
    queue = client.get("/moderation")
    assert queue.status_code == 200
    assert "Vous êtes tous des incapables." in queue.text and "Insulte" in queue.text
    hidden = client.post(f"/moderation/argument/{argument['id']}/hide", headers=csrf, follow_redirects=False,
                         data={"reason": "Injure envers les participants"})
    assert hidden.status_code == 303 and hidden.headers["location"] == "/moderation?done=hidden"
    assert "Aucun signalement en attente." in client.get("/moderation").text
    trash = client.get(f"/bills/{bill['slug']}/trash").text
    assert "Injure envers les participants" in trash and "incapables" not in trash


def test_moderation_queue_page_dismisses(client, db, people, argument, article_id):
    pending = report(client, people["bruno"], "argument", argument["id"], "Pas d'accord avec lui").json()
    csrf = sign_in(client, db, "mod")
    dismissed = client.post(f"/moderation/reports/{pending['id']}/dismiss", headers=csrf, data={},
                            follow_redirects=False)
    assert dismissed.status_code == 303 and dismissed.headers["location"] == "/moderation?done=dismissed"
    assert len(client.get(f"/api/v1/articles/{article_id}/arguments").json()) == 1


def test_moderator_can_hide_from_the_argument_without_a_report(client, db, bill, people, argument, article_id):
    csrf = sign_in(client, db, "mod")
    page = client.get(f"/bills/{bill['slug']}/articles/{article_id}").text
    assert f'href="/moderation/argument/{argument["id"]}"' in page
    item = client.get(f"/moderation/argument/{argument['id']}")
    assert item.status_code == 200 and "Motif public du masquage" in item.text
    refused = client.post(f"/moderation/argument/{argument['id']}/hide", headers=csrf, data={"reason": ""})
    assert refused.status_code == 400
    assert client.post(f"/moderation/argument/{argument['id']}/hide", headers=csrf, follow_redirects=False,
                       data={"reason": "Injure"}).status_code == 303
    assert client.get(f"/api/v1/arguments/{argument['id']}").json()["hidden"]["reason"] == "Injure"
