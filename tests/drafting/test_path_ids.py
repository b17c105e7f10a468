"""Integer path parameters no row can have (0, negative, past the database's INTEGER) are unknown: a 404
naming the parameter, before any statement reaches the database (on PostgreSQL a huge id was an ``integer
out of range`` error answered 400, where SQLite answered 404, and a vote's batch failed for every vote in
it). drafting/web/paths.py."""
from __future__ import annotations

import pytest

MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER, the type of every key and version number
OUT_OF_RANGE = [MAX_ID + 1, 2**63, 10**20, 0, -1]


@pytest.fixture
def debate(api, admin):
    bill = api.bill(admin)
    article = bill["articles"][0]["id"]
    alice = api.user("alice")
    answer = api.client.post(f"/api/v1/articles/{article}/amendments", json={"text": "Un texte nouveau."},
                             headers=alice.headers)
    assert answer.status_code == 201, answer.text
    return {"slug": bill["slug"], "article": article, "amendment": answer.json()["id"], "alice": alice}


def _unknown(response, field: str) -> None:
    assert response.status_code == 404, response.text
    body = response.json()
    assert body["status_code"] == 404
    assert body["extra"]["field"] == field
    assert field in body["detail"]


def test_ids_no_row_can_have_are_a_404_naming_the_parameter_with_no_statement(client, app, debate):
    alice, article = debate["alice"].headers, debate["article"]
    for bad in OUT_OF_RANGE:
        with app.state.db.recorded_statements() as seen:
            _unknown(client.get(f"/api/v1/articles/{bad}"), "article_id")
            _unknown(client.get(f"/api/v1/amendments/{bad}", headers=alice), "amendment_id")
            _unknown(client.get(f"/api/v1/articles/{article}/versions/{bad}"), "n")
            _unknown(client.get(f"/api/v1/bills/{debate['slug']}/versions/{bad}"), "seq")
            _unknown(client.post(f"/api/v1/amendments/{bad}/withdraw", headers=alice), "amendment_id")
            _unknown(client.get(f"/api/v1/positions/{bad}"), "position_id")
        assert seen == [], (bad, seen)


def test_a_vote_on_a_huge_id_is_unknown_before_its_batch(client, app, debate):
    """The votes' fast route (drafting/web/fastroutes.py) hands such a vote to its route, never to a batch."""
    alice = debate["alice"].headers
    for bad in OUT_OF_RANGE:
        with app.state.db.recorded_statements() as seen:
            _unknown(client.put(f"/api/v1/articles/{bad}/vote", json={"value": "agree"}, headers=alice), "target_id")
            _unknown(client.delete(f"/api/v1/amendments/{bad}/vote", headers=alice), "target_id")
        assert seen == [], (bad, seen)
    answer = client.put(f"/api/v1/articles/{debate['article']}/vote", json={"value": "agree"}, headers=alice)
    assert answer.status_code == 200, answer.text


def test_pages_answer_a_huge_id_with_the_not_found_page(client, debate):
    for path in (f"/articles/{MAX_ID + 1}/history", f"/amendments/{MAX_ID + 1}", f"/positions/{10**20}",
                 f"/bills/{debate['slug']}/articles/{MAX_ID + 1}", f"/amendments/{MAX_ID}"):
        answer = client.get(path)
        assert answer.status_code == 404, (path, answer.status_code)
        assert answer.headers["content-type"].startswith("text/html")
        assert "Page introuvable" in answer.text


def test_every_route_with_an_integer_path_parameter_keeps_the_apps_check(app):
    """Litestar runs only the nearest layer's ``before_request``: a router or handler declaring its own
    would silently drop ``unknown_ids`` for its routes (and a huge id would reach the database again)."""
    from litestar.handlers import HTTPRouteHandler

    from drafting.web.paths import unknown_ids

    checked = 0
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if isinstance(handler, HTTPRouteHandler) and any(p.type is int for p in route.path_parameters.values()):
                assert handler.resolve_before_request() is unknown_ids, route.path
                checked += 1
    assert checked > 100  # 151 on 2026-12-02
