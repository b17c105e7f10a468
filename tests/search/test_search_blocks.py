"""A word of one kind asked of PostgreSQL block after block of that kind's target ids (migrations
0015_kindsearch and 0016_wordblocks), through HTTP on SQLite and PostgreSQL: the blocks made small here,
so that the matches span several, the first matches in order are those ranked, and every match is found."""
from __future__ import annotations

import pytest

from tests.conftest import PG_URL
from tests.search.test_search import _index_content, found, kinds_and_ids
from tests.search.test_search_filters import RARE, _take, down_and_up, rare  # noqa: F401 (the fixture)


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 2 target ids for the test's searches: their words in blocks (``index.words_in_blocks``)
    are then not the expression of the second GIN index (blocks of 4,096), so PostgreSQL computes them
    on each row it reads; the answers are those of an index of blocks of 2."""
    from drafting.services.search import index

    monkeypatch.setattr(index, "BLOCK", 2)


@pytest.fixture
def rare_in_blocks(small_blocks, rare):
    return rare


def _by_blocks(monkeypatch, group: int | None = None) -> None:
    """The planner's estimate and the sample set aside: the words spread through the kind (the blocks),
    never walked; ``group``: the blocks of the first GIN scan (else as the sample's density tells)."""
    from drafting.services.search import postgres

    monkeypatch.setattr(postgres, "_expected_rows", lambda *_: postgres.FEW + 1)
    monkeypatch.setattr(postgres, "_sampled", lambda *_: 1)
    if group is not None:
        monkeypatch.setattr(postgres, "_blocks_per_scan", lambda _: group)


def _of_kind(rare, kind: str, slug: str | None = None) -> list[int]:
    return sorted(i for bill, items in rare.items() if slug in (None, bill) for k, i in items if k == kind)


@pytest.mark.parametrize("group", [1, 3, None])
@pytest.mark.parametrize("ranked", [3, 5, 1_000])
def test_the_first_matches_of_a_kind_span_the_blocks(monkeypatch, client, rare_in_blocks, ranked, group):
    """Ranked: the kind's first matches by id, whether they end inside a block or need all of them, the
    blocks asked one by one, in groups of 3, 6, 12 and on, or as the density tells (here 64 at once)."""
    from drafting.services.search import postgres, query

    monkeypatch.setattr(query, "MAX_RANKED", ranked)
    monkeypatch.setattr(postgres, "MAX_RANKED", ranked)
    _by_blocks(monkeypatch, group)
    for kind in ("argument", "amendment", "article"):
        ids = _of_kind(rare_in_blocks, kind)
        assert kinds_and_ids(found(client, RARE, kind=kind, limit=100)) == {(kind, i) for i in ids[:ranked]}, kind
        slug = next(iter(rare_in_blocks))
        own = _of_kind(rare_in_blocks, kind, slug)
        assert (kinds_and_ids(found(client, RARE, kind=kind, bill=slug, limit=100))
                == {(kind, i) for i in own[:ranked]}), (kind, slug)
    assert found(client, "introuvable", kind="argument") == []


@pytest.mark.parametrize("group", [1, None])
def test_the_pages_of_a_kind_across_blocks_are_its_best_first_listing(monkeypatch, client, rare_in_blocks, group):
    """Pages of 3 across the blocks, one after another, are the listing of every match best first."""
    _by_blocks(monkeypatch, group)
    listing = [(item["type"], item["id"]) for item in found(client, RARE, kind="argument", limit=100)]
    assert sorted(listing) == [("argument", i) for i in _of_kind(rare_in_blocks, "argument")]
    pages = [(item["type"], item["id"]) for offset in (0, 3, 6)
             for item in found(client, RARE, kind="argument", limit=3, offset=offset)]
    assert pages == listing


@pytest.mark.parametrize("density, blocks", [(0.0, 64), (0.5, 1), (0.1, 4), (0.02, 16), (0.006, 51), (0.001, 64),
                                             (1e-6, 64)])
def test_the_first_scan_asks_enough_blocks_for_the_ranked_matches(density, blocks):
    """At blocks of 4,096 ids and 1,000 ranked matches: a word in half of the items needs one block (2,048
    expected there), in 10% four (1,638 expected in four, 1,229 in three: a quarter more than 1,000 is
    asked), in 2% sixteen (1,311 in sixteen, 1,229 in fifteen), in 0.6% fifty-one (1,253 in fifty-one,
    1,229 in fifty), and in 0.1% (three hundred and six), rarer ones, or none seen, the most (64)."""
    from drafting.services.search import index, postgres

    assert (index.BLOCK, postgres.MAX_RANKED) == (4_096, 1_000)
    assert postgres._blocks_per_scan(density) == blocks


@pytest.mark.parametrize("first, last_block, groups", [
    (1, 0, [(0, 0)]), (1, 6, [(0, 0), (1, 2), (3, 6)]), (3, 10, [(0, 2), (3, 8), (9, 10)]), (64, 22, [(0, 22)])])
def test_the_groups_of_blocks_double_after_the_first(first, last_block, groups):
    from drafting.services.search import postgres

    assert postgres._groups(first, last_block) == groups


def test_a_word_that_cannot_be_dense_in_the_kind_is_not_counted_there(monkeypatch, client, rare_in_blocks):
    """Twice the planner's estimate over the kind's item ids below the bar of density (here set out of
    reach): the kind's first items are not counted (their count would fail), the blocks are asked, and
    every match is found."""
    from drafting.services.search import postgres

    def counted(*_):
        raise AssertionError("the first items were counted")

    monkeypatch.setattr(postgres, "_expected_rows", lambda *_: postgres.FEW + 1)
    monkeypatch.setattr(postgres, "DENSE", 1e9)
    monkeypatch.setattr(postgres, "_sampled", counted)
    ids = _of_kind(rare_in_blocks, "argument")
    assert kinds_and_ids(found(client, RARE, kind="argument", limit=100)) == {("argument", i) for i in ids}


_BLOCK_MARKS = "block_bill_0 | block_article_0 | block_amendment_0 | block_argument_0"  # 0015_kindsearch's


def test_the_migration_marks_the_blocks_and_unmarks_them(client, db, database_url, rare):
    """0015_kindsearch on a database indexed before it: down to 0014_declarations (no block lexeme left on
    PostgreSQL) and up again gives the very index the writer writes, and the same answers. (0016_wordblocks
    takes the block lexemes away again: the rows of 0014_declarations are those of now.)"""
    queries = [(RARE, {"kind": "argument"}), (RARE, {"kind": "amendment", "bill": next(iter(rare))}), (RARE, {})]
    down_and_up(client, db, database_url, queries, "0014_declarations", _BLOCK_MARKS, changed=False)


def test_the_migration_writes_the_words_in_blocks_and_takes_them_away(monkeypatch, client, db, database_url, rare):
    """0016_wordblocks on a database indexed before it: down to 0015_kindsearch (the blocks' own lexemes
    back in the rows) and up again (gone) gives the very index the writer writes, and the same answers,
    found by blocks: every match of the kind."""
    _by_blocks(monkeypatch)
    slug = next(iter(rare))
    assert (kinds_and_ids(found(client, RARE, kind="argument", limit=100))
            == {("argument", i) for i in _of_kind(rare, "argument")})
    queries = [(RARE, {"kind": "argument"}), (RARE, {"kind": "amendment", "bill": slug}), (RARE, {})]
    down_and_up(client, db, database_url, queries, "0015_kindsearch", held=_BLOCK_MARKS)


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL's index of words in blocks (SQLite: FTS5, no blocks)")
@pytest.mark.parametrize("reindexed", [False, True])
def test_the_search_by_blocks_spells_the_second_index_alike(db, database_url, rare, reindexed):
    """On PostgreSQL the words in blocks are read from the GIN index of migration 0016_wordblocks, and of
    ``navette search reindex``, which builds it again: the expression a search asks
    (``index.words_in_blocks``, blocks of ``index.BLOCK``) is the index's, so the planner, kept from
    reading the table, takes that index."""
    from sqlalchemy import text

    from drafting.cli import main
    from drafting.services.search import index

    if reindexed:
        assert main(["search", "reindex", "--database-url", database_url]) == 0
    with db.session(write=False) as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(session.scalars(text(
            f"EXPLAIN SELECT 1 FROM search_index i WHERE {index.words_in_blocks('i.vector', 'i.target_id')} "
            f"@@ CAST(:q AS tsquery)"), {"q": "'argument 0 ouvr'"}))
    assert "ix_search_index_words_in_blocks" in plan, plan


@pytest.mark.parametrize("phase", ["walk", "index", "blocks"])
def test_hidden_items_leave_the_search_of_their_kind(monkeypatch, api, client, rare_in_blocks, phase):
    """CONTRACT §6, hidden items never appear: of one kind and of one bill, whichever way PostgreSQL finds
    the matches (the walk of the kind's items, the GIN index with the kind, its blocks)."""
    if phase == "blocks":
        _by_blocks(monkeypatch)
    else:
        _take(monkeypatch, phase)
    moderator = api.user("modo", role="moderator")
    slug = next(iter(rare_in_blocks))
    hidden = _of_kind(rare_in_blocks, "argument", slug)[:2]
    for argument in hidden:
        response = client.post(f"/api/v1/moderation/argument/{argument}/hide", json={"reason": "Hors sujet"},
                               headers=moderator.headers)
        assert response.status_code == 200, response.text
    kept = {("argument", i) for i in _of_kind(rare_in_blocks, "argument") if i not in hidden}
    assert kinds_and_ids(found(client, RARE, kind="argument", limit=100)) == kept
    assert (kinds_and_ids(found(client, RARE, kind="argument", bill=slug, limit=100))
            == {("argument", i) for i in _of_kind(rare_in_blocks, "argument", slug) if i not in hidden})
