"""Reading the argument map costs the same number of statements with 5 and with 200 arguments on one
article (the JSON map, the article page, and the synthesis that shows the article's positions), as
tests/test_query_counts.py counts them; and the map read is the map the rows give."""
from __future__ import annotations

from collections import Counter

from drafting.seeding.argmap import seed_argument_map
from tests.test_query_counts import PARAMETER_LIST

SMALL, LARGE = 5, 200


def statements(client, app, path: str) -> list[str]:
    client.get(path)  # warm caches (templates, compiled statements)
    with app.state.db.recorded_statements() as seen:
        response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    return seen


def test_reading_the_map_costs_the_same_statements_with_5_and_200_arguments(client, app, db, api, admin):
    bill = api.bill(admin)
    article_id = bill["articles"][0]["id"]
    paths = [f"/api/v1/articles/{article_id}/argument-map", f"/bills/{bill['slug']}/articles/{article_id}",
             f"/api/v1/bills/{bill['slug']}/synthesis", f"/bills/{bill['slug']}/synthesis"]
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

    # The JSON map is one statement besides the transaction and the article's lookup.
    assert len(statements(client, app, paths[0])) <= 3


def test_the_kept_map_is_the_map_of_the_rows(client, app, db, api, admin):
    """Against the rows themselves: every visible argument in one position of its stance, each
    position's supporters the distinct authors and supporters of its members, most supported first."""
    from sqlalchemy import select

    from amendments.models import Argument, ArgumentPlacement, ArgumentSupporter

    bill = api.bill(admin)
    article_id = bill["articles"][0]["id"]
    seed_argument_map(db, article_id, 60)
    found = client.get(f"/api/v1/articles/{article_id}/argument-map").json()
    with db.session(write=False) as session:
        stance_of = dict(session.execute(select(Argument.id, Argument.stance).where(
            Argument.article_id == article_id, Argument.hidden_by_id.is_(None))).all())
        placed = dict(session.execute(select(ArgumentPlacement.argument_id, ArgumentPlacement.position_id)).all())
        authors = dict(session.execute(select(Argument.id, Argument.author_id)).all())
        supporters = session.execute(select(ArgumentSupporter.argument_id, ArgumentSupporter.user_id)).all()
    listed = [i for stance in found["stances"].values() for p in stance for i in p["arguments"]]
    assert sorted(listed) == sorted(stance_of)
    for stance, positions in found["stances"].items():
        assert [p["supporters"] for p in positions] == sorted((p["supporters"] for p in positions), reverse=True)
        for position in positions:
            assert {stance_of[i] for i in position["arguments"]} == {stance}
            assert {placed[i] for i in position["arguments"]} == {position["id"]}
            people = {authors[i] for i in position["arguments"]}
            people |= {u for a, u in supporters if a in position["arguments"]}
            assert position["supporters"] == len(people)


def test_the_migration_documents_existing_maps_and_counts_existing_days(client, db, database_url, api, admin):
    """A map and a consultation written before 0011_argmap: going back to 0010 and up again gives the
    same map JSON (documents filled from the rows) and the same synthesis (days counted from the rows)."""
    from alembic import command

    from amendments.services import consultation_recount
    from drafting.db import Database
    from drafting.migrate import alembic_config

    bill = api.bill(admin)
    article_id = bill["articles"][0]["id"]
    seed_argument_map(db, article_id, 40)
    path = f"/api/v1/articles/{article_id}/argument-map"
    before = client.get(path).json()
    synthesis_before = client.get(f"/api/v1/bills/{bill['slug']}/synthesis").json()
    assert synthesis_before["participants"] == 40 and synthesis_before["arguments"] == 40
    db.dispose()
    config = alembic_config(database_url)
    command.downgrade(config, "0010_follows")
    command.upgrade(config, "head")
    again = Database(database_url)
    try:
        with again.session(write=False) as session:
            assert consultation_recount.drift(session) == []
    finally:
        again.dispose()
    assert client.get(path).json() == before
    assert client.get(f"/api/v1/bills/{bill['slug']}/synthesis").json() == synthesis_before
