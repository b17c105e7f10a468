"""Reading the argument map costs the same number of statements with 50 and with 500 arguments on one
article (the JSON map and the article page), as tests/test_query_counts.py counts them."""
from __future__ import annotations

from collections import Counter

from drafting.seeding.argmap import seed_argument_map
from tests.test_query_counts import PARAMETER_LIST

SMALL, LARGE = 50, 500


def statements(client, app, path: str) -> list[str]:
    client.get(path)  # warm caches (templates, compiled statements)
    with app.state.db.recorded_statements() as seen:
        response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    return seen


def test_reading_the_map_costs_the_same_statements_with_50_and_500_arguments(client, app, db, api, admin):
    bill = api.bill(admin)
    article_id = bill["articles"][0]["id"]
    paths = [f"/api/v1/articles/{article_id}/argument-map", f"/bills/{bill['slug']}/articles/{article_id}"]
    seed_argument_map(db, article_id, SMALL)
    small = {path: statements(client, app, path) for path in paths}
    found = client.get(paths[0]).json()
    assert sum(len(p["arguments"]) for s in found["stances"].values() for p in s) == SMALL
    seed_argument_map(db, article_id, LARGE - SMALL, start=SMALL)
    found = client.get(paths[0]).json()
    assert sum(len(p["arguments"]) for s in found["stances"].values() for p in s) == LARGE
    for path in paths:
        large = statements(client, app, path)
        extra = Counter(PARAMETER_LIST.sub("(...)", q) for q in large) - Counter(
            PARAMETER_LIST.sub("(...)", q) for q in small[path])
        assert len(large) == len(small[path]), (path, [s[:160] for s in extra])
