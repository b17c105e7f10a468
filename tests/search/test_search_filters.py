"""A rare word with the kind and bill filters, through HTTP on SQLite and PostgreSQL (on PostgreSQL the
kind is asked of the GIN index with the words: migration 0013_search), and that migration on a
database that already has an index."""
from __future__ import annotations

import pytest

from tests.search.test_search import _index_content, found, kinds_and_ids

RARE = "zythologie"  # a word no other test text has


@pytest.fixture
def rare(api, client, admin):
    """Two bills where the rare word is in an item of every kind, among items of every kind without it."""
    citizen = api.user("camille")
    made: dict[str, set[tuple[str, int]]] = {}
    for slug_word in ("brasseries", "tavernes"):
        bill = api.bill(admin, title=f"Projet de loi sur les {slug_word}", summary=f"La {RARE} des {slug_word}.",
                        articles=[{"number": "1", "heading": "Objet", "text": f"Les {slug_word} ouvrent le soir."},
                                  {"number": "2", "text": f"La {RARE} est enseignée dans les {slug_word}."}])
        articles = client.get(f"/api/v1/bills/{bill['slug']}").json()["articles"]
        ids = {("bill", bill["id"]), ("article", articles[1]["id"])}
        for article in articles:
            amendment = client.post(f"/api/v1/articles/{article['id']}/amendments", json={
                "kind": "modify", "title": f"Préciser l'article {article['number']}",
                "explanation": f"La {RARE} le demande." if article["number"] == "1" else "Plus clair.",
                "text": f"Les {slug_word} ouvrent le matin."}, headers=citizen.headers)
            assert amendment.status_code == 201, amendment.text
            if article["number"] == "1":
                ids.add(("amendment", amendment.json()["id"]))
            for body in (f"Une {RARE} savante pour les {slug_word}.", f"Les {slug_word} sans rien de plus."):
                for path in (f"/api/v1/articles/{article['id']}/arguments",
                             f"/api/v1/amendments/{amendment.json()['id']}/arguments"):
                    argument = client.post(path, json={"stance": "for", "body": body}, headers=citizen.headers)
                    assert argument.status_code == 201, argument.text
                    if RARE in body:
                        ids.add(("argument", argument.json()["id"]))
        made[bill["slug"]] = ids
    return made


def test_a_rare_word_of_one_kind_finds_that_kind_only(client, rare):
    everything = set().union(*rare.values())
    assert kinds_and_ids(found(client, RARE, limit=100)) == everything
    for kind in ("bill", "article", "amendment", "argument"):
        expected = {item for item in everything if item[0] == kind}
        assert kinds_and_ids(found(client, RARE, kind=kind, limit=100)) == expected, kind
        assert kinds_and_ids(found(client, "Zythologies", kind=kind, limit=100)) == expected, kind  # folded, stemmed


def test_a_rare_word_in_one_bill_and_of_one_kind(client, rare):
    for slug, ids in rare.items():
        assert kinds_and_ids(found(client, RARE, bill=slug, limit=100)) == ids, slug
        for kind in ("article", "amendment", "argument"):
            expected = {item for item in ids if item[0] == kind}
            assert kinds_and_ids(found(client, RARE, bill=slug, kind=kind, limit=100)) == expected, (slug, kind)
    # a word of every item, two words, and a word found nowhere, with both filters
    brasseries, tavernes = rare
    assert {item["type"] for item in found(client, "soir", kind="article")} == {"article"}
    own = found(client, "brasseries", bill=brasseries, kind="argument", limit=100)
    assert len(own) == 8 and {(item["type"], item["bill"]) for item in own} == {("argument", brasseries)}
    assert found(client, "brasseries", bill=tavernes, kind="argument") == []
    assert found(client, f"{RARE} soir", kind="argument") == []
    assert found(client, "introuvable", kind="argument", bill=brasseries) == []


def test_stop_words_alone_find_of_a_kind_what_they_find_of_all(client, rare):
    """PostgreSQL drops stop words (nothing found), SQLite searches them: either way, a kind filter keeps
    what the words find of that kind, never every item of it."""
    everything = kinds_and_ids(found(client, "le la les", limit=100))
    for kind in ("bill", "article", "amendment", "argument"):
        of_kind = {item for item in everything if item[0] == kind}
        assert kinds_and_ids(found(client, "le la les", kind=kind, limit=100)) == of_kind, kind


def down_and_up(client, db, database_url, queries, revision: str, marks: str | None = None, *,
                held: str | None = None, changed: bool = True) -> None:
    """The migration after ``revision`` on a database indexed before it: down to ``revision`` (no row of
    the PostgreSQL index holds any of ``marks``, a tsquery, and every row one of ``held``; the rows differ
    from the writer's unless not ``changed``) and up again gives the very index the writer writes, and the
    same answers to ``queries``."""
    from alembic import command
    from sqlalchemy import text

    from drafting.db import Database
    from drafting.migrate import alembic_config

    def answers() -> list[list[tuple[str, int]]]:
        return [sorted(kinds_and_ids(found(client, q, limit=100, **params))) for q, params in queries]

    before, content = answers(), _index_content(db)
    db.dispose()
    config = alembic_config(database_url)
    command.downgrade(config, revision)
    again = Database(database_url)
    try:
        with again.session(write=False) as session:
            if session.get_bind().dialect.name == "postgresql":
                holding = text("SELECT count(*) FROM search_index WHERE vector @@ CAST(:q AS tsquery)")
                if marks:
                    assert session.scalar(holding, {"q": marks}) == 0
                if held:
                    rows = session.scalar(text("SELECT count(*) FROM search_index"))
                    assert session.scalar(holding, {"q": held}) == rows > 0
        assert (_index_content(again) != content) == changed or again.engine.dialect.name == "sqlite"
    finally:
        again.dispose()
    command.upgrade(config, "head")
    assert _index_content(db) == content
    assert answers() == before


def test_the_migration_marks_an_existing_index_and_unmarks_it(client, db, database_url, rare):
    """0013_search on a database indexed before it: down to 0012_pages (no kind lexeme left on PostgreSQL) and up
    again gives the very index the writer writes, and the same answers."""
    queries = [(RARE, {}), (RARE, {"kind": "argument"}), (RARE, {"kind": "amendment", "bill": next(iter(rare))}),
               ("ouvrent", {"kind": "argument"}), ("soir", {})]
    down_and_up(client, db, database_url, queries, "0012_pages",
                "kind_bill | kind_article | kind_amendment | kind_argument")


def _take(monkeypatch, phase: str) -> None:
    """The planner's estimate (and the count of the kind's first items) set aside, to take one way:
    ``walk``, the words in every row and in every first item (phase 1); ``index``, in none (the GIN
    index with the kind's lexeme)."""
    from drafting.services.search import postgres

    walk = phase == "walk"
    monkeypatch.setattr(postgres, "_expected_rows", lambda *_: 1e12 if walk else 0.0)
    monkeypatch.setattr(postgres, "_sampled", lambda *_: postgres.SAMPLED if walk else 0)


@pytest.mark.parametrize("phase", ["walk", "index"])
def test_of_many_matches_the_first_in_order_are_ranked(monkeypatch, client, database_url, rare, phase):
    """With more matches than are ranked, those ranked are the kind's first items, whether PostgreSQL's
    walk of the items in order (phase 1) or its GIN index (phase 2) found them (the planner's estimate of
    the words set aside here, to take each way)."""
    from drafting.services.search import postgres, query

    monkeypatch.setattr(query, "MAX_RANKED", 3)
    monkeypatch.setattr(postgres, "MAX_RANKED", 3)
    _take(monkeypatch, phase)
    arguments = sorted(i for items in rare.values() for kind, i in items if kind == "argument")
    assert len(arguments) == 8
    assert kinds_and_ids(found(client, RARE, kind="argument")) == {("argument", i) for i in arguments[:3]}
    slug, ids = next(iter(rare.items()))
    own = sorted(i for kind, i in ids if kind == "argument")
    assert kinds_and_ids(found(client, RARE, kind="argument", bill=slug)) == {("argument", i) for i in own[:3]}
