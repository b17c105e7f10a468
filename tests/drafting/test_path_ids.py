"""Integer path parameters beyond the database's INTEGER (or below 1) are refused with a 400 naming the
parameter before any statement reaches the database (on PostgreSQL a huge id was an ``integer out of
range`` error, and a vote's batch failed for every vote in it), and the OpenAPI document says the bounds."""
from __future__ import annotations

import pytest

from drafting.web.paths import MAX_ID

HUGE = [MAX_ID + 1, 2**63, 10**20]


@pytest.fixture
def debate(api, admin):
    bill = api.bill(admin)
    article = bill["articles"][0]["id"]
    alice = api.user("alice")
    answer = api.client.post(f"/api/v1/articles/{article}/amendments", json={"text": "Un texte nouveau."},
                             headers=alice.headers)
    assert answer.status_code == 201, answer.text
    return {"slug": bill["slug"], "article": article, "amendment": answer.json()["id"], "alice": alice}


def _refused(response, field: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status_code"] == 400
    assert body["detail"].startswith(f"{field}:"), body["detail"]
    assert body["extra"]["field"] == field


def test_huge_and_nonpositive_ids_are_a_400_naming_the_parameter_with_no_statement(client, app, debate):
    alice, article = debate["alice"].headers, debate["article"]
    for bad in [*HUGE, 0, -1]:
        with app.state.db.recorded_statements() as seen:
            _refused(client.get(f"/api/v1/articles/{bad}"), "article_id")
            _refused(client.get(f"/api/v1/amendments/{bad}", headers=alice), "amendment_id")
            _refused(client.get(f"/api/v1/articles/{article}/versions/{bad}"), "n")
            _refused(client.get(f"/api/v1/bills/{debate['slug']}/versions/{bad}"), "seq")
            _refused(client.post(f"/api/v1/amendments/{bad}/withdraw", headers=alice), "amendment_id")
            _refused(client.get(f"/api/v1/positions/{bad}"), "position_id")
        assert seen == [], (bad, seen)


def test_a_vote_on_a_huge_id_is_refused_before_its_batch(client, app, debate):
    """The votes' fast route (drafting/web/fastroutes.py) hands such a vote to its route, never to a batch."""
    alice = debate["alice"].headers
    for bad in HUGE:
        with app.state.db.recorded_statements() as seen:
            _refused(client.put(f"/api/v1/articles/{bad}/vote", json={"value": "agree"}, headers=alice), "target_id")
            _refused(client.delete(f"/api/v1/amendments/{bad}/vote", headers=alice), "target_id")
        assert seen == [], (bad, seen)
    answer = client.put(f"/api/v1/articles/{debate['article']}/vote", json={"value": "agree"}, headers=alice)
    assert answer.status_code == 200, answer.text


def test_pages_refuse_a_huge_id_with_the_error_page(client, debate):
    for path in (f"/articles/{MAX_ID + 1}/history", f"/amendments/{MAX_ID + 1}", f"/positions/{10**20}",
                 f"/bills/{debate['slug']}/articles/{MAX_ID + 1}"):
        answer = client.get(path)
        assert answer.status_code == 400, (path, answer.status_code)
        assert answer.headers["content-type"].startswith("text/html")
    assert client.get(f"/amendments/{MAX_ID}").status_code == 404  # in range: merely unknown


def test_every_int_path_parameter_is_bounded(app):
    """Every ``{name:int}`` of every route, API and pages, is a ``PathId`` (drafting/web/paths.py)."""
    checked = 0
    for route in app.routes:
        names = [name for name, definition in route.path_parameters.items() if definition.type is int]
        for handler in getattr(route, "route_handlers", []):
            if handler.handler_name == "options_handler":  # Litestar's own OPTIONS: reads no parameter
                continue
            parameters = handler.parsed_fn_signature.parameters
            for name in names:
                definition = parameters[name].kwarg_definition
                assert (definition.ge, definition.le) == (1, MAX_ID), (route.path, name)
                checked += 1
    assert checked > 60


def test_the_openapi_document_says_the_bounds(client):
    document = client.get("/schema/openapi.json").json()
    bounded = 0
    for path, operations in document["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                    assert (parameter["schema"]["minimum"], parameter["schema"]["maximum"]) == (1, MAX_ID), path
                    bounded += 1
    assert bounded > 40
