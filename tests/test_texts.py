"""Every text a person sends goes through drafting/texts.py (CONTRACT §6 "Texts"): a NUL character, or a
required text that is empty or only white space, is a 400 naming the field on every route that takes
text; texts are stored in NFC, so NFC and NFD copies of one proposal co-sign and of one argument group."""
from __future__ import annotations

import unicodedata
from typing import Any, Callable

import pytest

from tests.conftest import Account, sign_in

BLANK = " \t\n  \r\n "
NUL = "Les administrations\x00 publient."


@pytest.fixture
def world(api, admin, client, db) -> dict[str, Any]:
    """An open bill, a citizen with an amendment and an argument, a moderator, and a report to dismiss."""
    bill = api.bill(admin)
    citizen = api.user("citoyenne")
    moderator = api.user("moderatrice", role="moderator")
    article_id = bill["articles"][1]["id"]
    amendment = client.post(f"/api/v1/articles/{article_id}/amendments", headers=citizen.headers,
                            json={"text": "Les ministères publient leurs données en ligne."}).json()
    insertion = client.post(f"/api/v1/bills/{bill['slug']}/amendments", headers=citizen.headers,
                            json={"text": "Un article nouveau.", "after_article": article_id}).json()
    argument = client.post(f"/api/v1/articles/{article_id}/arguments", headers=citizen.headers,
                           json={"stance": "for", "body": "Un argument."}).json()
    report = client.post("/api/v1/reports", headers=citizen.headers,
                         json={"target": "argument", "id": argument["id"], "reason": "Hors sujet."}).json()
    return {"bill": bill, "article": article_id, "amendment": amendment["id"], "insertion": insertion["id"],
            "citizen": citizen, "moderator": moderator, "admin": admin, "argument": argument["id"],
            "report": report["id"]}


# (who sends it, path, body without the field (or what makes it from the world), field, required)
Route = tuple[str, Callable[[dict], str], Any, str, bool]
ROUTES: list[Route] = [
    ("anonymous", lambda w: "/api/v1/users", {"username": "nouvelle", "password": "correct horse battery"},
     "display_name", False),
    ("anonymous", lambda w: "/api/v1/users", {"username": "asso", "password": "correct horse battery",
                                              "kind": "organization", "organization": {}}, "organization.name", True),
    ("admin", lambda w: "/api/v1/bills", {"articles": [{"number": "1", "text": "Texte."}]}, "title", True),
    ("admin", lambda w: "/api/v1/bills", {"title": "Projet", "articles": [{"number": "1", "text": "Texte."}]},
     "summary", False),
    ("admin", lambda w: "/api/v1/bills", {"title": "Projet"}, "markdown", True),
    ("admin", lambda w: f"/api/v1/bills/{w['bill']['slug']}/versions", {}, "label", True),
    ("admin", lambda w: f"/api/v1/bills/{w['bill']['slug']}/versions", {"label": "V2"}, "message", False),
    ("admin", lambda w: f"/api/v1/articles/{w['article']}/versions", {"expected_version": 1}, "text", True),
    ("admin", lambda w: f"/api/v1/articles/{w['article']}/versions", {"expected_version": 1, "text": "Neuf."},
     "message", False),
    ("citizen", lambda w: f"/api/v1/articles/{w['article']}/amendments", {}, "text", True),
    ("citizen", lambda w: f"/api/v1/articles/{w['article']}/amendments", {"text": "Autre texte."}, "explanation",
     False),
    ("citizen", lambda w: f"/api/v1/articles/{w['article']}/amendments", {"text": "Autre texte."}, "title", False),
    ("citizen", lambda w: f"/api/v1/bills/{w['bill']['slug']}/amendments", {"after_article": None}, "text", True),
    ("citizen", lambda w: f"/api/v1/bills/{w['bill']['slug']}/amendments", {"text": "Nouveau."}, "heading", False),
    ("admin", lambda w: f"/api/v1/amendments/{w['amendment']}/reject", {}, "response", True),
    ("admin", lambda w: f"/api/v1/amendments/{w['amendment']}/respond", {}, "response", True),
    ("citizen", lambda w: f"/api/v1/amendments/{w['amendment']}/rebase", {}, "text", True),
    ("admin", lambda w: f"/api/v1/amendments/{w['insertion']}/merge-insert", {}, "number", True),
    ("admin", lambda w: f"/api/v1/amendments/{w['insertion']}/merge-insert", {"number": "2 bis"}, "message", False),
    ("citizen", lambda w: f"/api/v1/articles/{w['article']}/arguments", {"stance": "against"}, "body", True),
    ("citizen", lambda w: f"/api/v1/amendments/{w['amendment']}/arguments", {"stance": "for"}, "body", True),
    ("citizen", lambda w: f"/api/v1/articles/{w['article']}/sources", {"url": "https://example.org/a"}, "title", True),
    ("citizen", lambda w: f"/api/v1/articles/{w['article']}/sources", {"title": "Étude", "url": "https://e.org/b"},
     "note", False),
    ("citizen", lambda w: f"/api/v1/articles/{w['article']}/sources", {"title": "Étude"}, "url", True),
    ("citizen", lambda w: "/api/v1/reports", lambda w: {"target": "amendment", "id": w["amendment"]}, "reason", True),
    ("moderator", lambda w: f"/api/v1/moderation/argument/{w['argument']}/hide", {}, "reason", True),
    ("moderator", lambda w: f"/api/v1/moderation/reports/{w['report']}/dismiss", {}, "reason", False),
]


def _send(client, world, who: str, path: str, body: dict[str, Any]):
    headers = {} if who == "anonymous" else world[who].headers
    return client.post(path, json=body, headers=headers)


def _with(body: dict[str, Any], field: str, value: str) -> dict[str, Any]:
    """``body`` with ``field`` (dotted for a nested object) set to ``value``."""
    body = {**body}
    if "." in field:
        outer, inner = field.split(".")
        body[outer] = {**body.get(outer, {}), inner: value}
    else:
        body[field] = value
    return body


def _names(field: str, response) -> None:
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert detail.startswith(f"{field}:"), detail


def _route_id(route: Route) -> str:
    return f"{route[0]}-{route[3]}"


@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_a_nul_character_is_a_400_naming_the_field(client, world, route):
    who, path, body, field, _ = route
    body = body(world) if callable(body) else body
    _names(field, _send(client, world, who, path(world), _with(body, field, NUL)))


REQUIRED = [route for route in ROUTES if route[4] and route[3] != "url"]


@pytest.mark.parametrize("route", REQUIRED, ids=_route_id)
def test_a_required_text_of_white_space_only_is_a_400_naming_the_field(client, world, route):
    who, path, body, field, _ = route
    body = body(world) if callable(body) else body
    _names(field, _send(client, world, who, path(world), _with(body, field, BLANK)))


def test_a_blank_modification_no_longer_deletes_the_article(client, world):
    refused = _send(client, world, "citizen", f"/api/v1/articles/{world['article']}/amendments", {"text": "   "})
    _names("text", refused)


def test_nfc_and_nfd_copies_of_one_proposal_co_sign(api, client, world):
    text = "Les collectivités publient leurs données dans un délai de deux mois, à compter de la réception."
    first = client.post(f"/api/v1/articles/{world['article']}/amendments", headers=world["citizen"].headers,
                        json={"text": unicodedata.normalize("NFC", text)})
    assert first.status_code == 201, first.text
    other: Account = api.user("autre")
    second = client.post(f"/api/v1/articles/{world['article']}/amendments", headers=other.headers,
                         json={"text": unicodedata.normalize("NFD", text)})
    assert second.status_code == 200, second.text
    assert second.json()["id"] == first.json()["id"] and second.json()["cosigners"] == ["autre"]
    assert second.json()["text"] == unicodedata.normalize("NFC", text)


def test_nfc_and_nfd_copies_of_one_argument_group(api, client, world):
    body = "Élargir l'accès aux données publiques sert l'intérêt général."
    path = f"/api/v1/articles/{world['article']}/arguments"
    first = client.post(path, headers=world["citizen"].headers,
                        json={"stance": "against", "body": unicodedata.normalize("NFC", body)})
    assert first.status_code == 201, first.text
    other: Account = api.user("autre")
    second = client.post(path, headers=other.headers,
                         json={"stance": "against", "body": unicodedata.normalize("NFD", body)})
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"], second.text


def test_line_endings_are_stored_as_newlines(client, world):
    created = client.post(f"/api/v1/articles/{world['article']}/amendments", headers=world["citizen"].headers,
                          json={"text": "Premier alinéa.\r\nSecond alinéa.\rTroisième."})
    assert created.status_code == 201 and created.json()["text"] == "Premier alinéa.\nSecond alinéa.\nTroisième."


def test_the_proposal_form_refuses_a_blank_text_naming_the_field(client, db, world):
    sign_in(client, db, "citoyenne")
    page = client.post(f"/bills/{world['bill']['slug']}/articles/{world['article']}/amendments",
                       data={"kind": "modify", "text": BLANK, "_csrf_token": client.cookies.get("navette_csrf")},
                       follow_redirects=False)
    assert page.status_code == 400 and "text: ne doit pas être vide" in page.text  # the page speaks French


def test_a_json_body_nested_deeper_than_a_sane_depth_is_a_400(client, world):
    deep = b"[" * 1000 + b"]" * 1000
    for path in (f"/api/v1/articles/{world['article']}/amendments", "/api/v1/bills", "/api/v1/reports",
                 "/api/v1/auth/token", f"/api/v1/articles/{world['article']}/vote"):
        method = client.put if path.endswith("/vote") else client.post
        response = method(path, content=deep, headers={"content-type": "application/json",
                                                          **world["citizen"].headers})
        _names("body", response)
    nested = b'{"text": "x", "title": ' + b"[" * 40 + b"]" * 40 + b"}"
    _names("body", client.post(f"/api/v1/articles/{world['article']}/amendments", content=nested,
                               headers={"content-type": "application/json", **world["citizen"].headers}))
