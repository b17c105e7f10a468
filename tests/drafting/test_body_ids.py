"""Ids and version numbers in JSON bodies and queries that no row can have (0, negative, past the
database's INTEGER) are the client's error: a 400 naming the field, with nothing written, on SQLite and
PostgreSQL alike (on PostgreSQL such a value reached the database, which refused it as ``integer out of
range``). drafting/ids.py."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from drafting.db import Base

MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER, the type of every key and version number
OUT_OF_RANGE = [MAX_ID + 1, 99999999999999, 2**63, 0, -1]


@pytest.fixture
def debate(client, api, admin):
    bill = api.bill(admin)
    article = bill["articles"][0]["id"]
    alice = api.user("alice")
    amendment = client.post(f"/api/v1/articles/{article}/amendments", json={"text": "Un texte nouveau."},
                            headers=alice.headers)
    assert amendment.status_code == 201, amendment.text
    for stance, body in (("for", "La transparence renforce la confiance des citoyens."),
                         ("against", "Les petites communes n'ont pas les moyens de publier.")):
        argued = client.post(f"/api/v1/articles/{article}/arguments", json={"stance": stance, "body": body},
                             headers=alice.headers)
        assert argued.status_code == 201, argued.text
    found = client.get(f"/api/v1/articles/{article}/argument-map").json()
    position = found["stances"]["for"][0]
    return {"slug": bill["slug"], "article": article, "amendment": amendment.json()["id"], "alice": alice,
            "admin": admin, "position": position["id"], "argument": position["arguments"][0]}


def _bodies(debate: dict, bad: int) -> list[tuple[str, str, dict, str, str]]:
    """(method, path, body, who, field) of every body carrying an id or version number."""
    article, slug, position = debate["article"], debate["slug"], debate["position"]
    return [
        ("post", "/api/v1/positions/merge", {"positions": [position, bad]}, "admin", "positions"),
        ("post", f"/api/v1/positions/{position}/split", {"arguments": [bad]}, "admin", "arguments"),
        ("post", "/api/v1/reports", {"target": "argument", "id": bad, "reason": "Hors sujet"}, "alice", "id"),
        ("post", f"/api/v1/articles/{article}/amendments", {"text": "Un autre texte.", "base_version": bad},
         "alice", "base_version"),
        ("post", f"/api/v1/bills/{slug}/amendments",
         {"text": "Un article nouveau.", "heading": "Ajout", "after_article": bad}, "alice", "after_article"),
        ("post", f"/api/v1/articles/{article}/versions", {"expected_version": bad, "text": "Une version."},
         "admin", "expected_version"),
        ("post", f"/api/v1/articles/{article}/versions", {"expected_version": 1, "merge": [bad]},
         "admin", "merge"),
        ("post", "/api/v1/amendments/opinions", {"amendments": [debate["amendment"], bad], "opinion": "favorable"},
         "admin", "amendments"),
    ]


def _rows(db) -> dict[str, int]:
    with db.session() as session:
        return {table.name: session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables}


def _refused(response, field: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status_code"] == 400
    assert body["extra"]["field"].split("[")[0] == field, body
    assert body["detail"].startswith(body["extra"]["field"] + ":"), body


@pytest.mark.parametrize("bad", OUT_OF_RANGE)
def test_an_id_no_row_can_have_in_a_body_is_a_400_naming_the_field_and_writes_nothing(client, db, debate, bad):
    before = _rows(db)
    for method, path, body, who, field in _bodies(debate, bad):
        response = getattr(client, method)(path, json=body, headers=debate[who].headers)
        _refused(response, field)
    assert _rows(db) == before


def test_the_bounds_themselves_are_ids_and_answered_as_unknown_ones(client, debate):
    """1 and 2**31 - 1 pass the type: the service answers them as it answers any id that names nothing."""
    answer = client.post("/api/v1/reports", json={"target": "argument", "id": MAX_ID, "reason": "Hors sujet"},
                         headers=debate["alice"].headers)
    assert answer.status_code == 404, answer.text
    answer = client.post(f"/api/v1/articles/{debate['article']}/versions",
                         json={"expected_version": MAX_ID, "text": "Une version."}, headers=debate["admin"].headers)
    assert answer.status_code == 409, answer.text


@pytest.mark.parametrize("bad", [MAX_ID + 1, 2**63, 10**20])
def test_an_offset_past_any_table_is_a_400_naming_it(client, debate, bad):
    """No table holds more rows than its INTEGER keys count; past 2**63 the database refused the query."""
    for path, query in ((f"/api/v1/bills/{debate['slug']}/versions", {}),
                        (f"/api/v1/articles/{debate['article']}/amendments", {}), ("/api/v1/search", {"q": "loi"})):
        _refused(client.get(path, params={**query, "offset": bad}), "offset")
    answer = client.get(f"/api/v1/bills/{debate['slug']}/versions", params={"offset": MAX_ID})
    assert answer.status_code == 200 and answer.json() == []


def test_the_refusal_says_the_bound_in_the_readers_language(client, debate):
    answer = client.post("/api/v1/positions/merge", json={"positions": [debate["position"], MAX_ID + 1]},
                         headers={**debate["admin"].headers, "Accept-Language": "fr"})
    assert answer.json()["detail"] == f"positions[1]: doit être au plus {MAX_ID}"
    answer = client.get(f"/api/v1/bills/{debate['slug']}/versions", params={"offset": -1},
                        headers={"Accept-Language": "de"})
    assert answer.json()["detail"] == "offset: muss mindestens 0 sein"


def test_the_openapi_document_gives_the_bounds(client):
    """So that a client (and the fuzzer of tests/openapi) knows them before it sends anything; Litestar
    (2.x) leaves them out of a list's items, which the decoding refuses all the same."""
    schemas = client.get("/schema/openapi.json").json()["components"]["schemas"]
    for schema, field in (("ArticleVersionIn", "expected_version"), ("ReportIn", "id")):
        found = schemas[schema]["properties"][field]
        assert (found["minimum"], found["maximum"]) == (1, MAX_ID), (schema, field, found)
