"""The benchmark seeder writes the consultation it is asked for, consistent with the app's rules."""
from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from sqlalchemy import func, select

from amendments.models import Amendment, AmendmentEvent, Argument, UsefulMark, Vote
from amendments.services.arguments import fold
from drafting.seeding import bench
from drafting.models import Article, ArticleVersion, User

SMALL = bench.SCALES["small"]


@pytest.fixture
def seeded(database_url) -> bench.SeedReport:
    return bench.seed(database_url, "small", progress=False)


def test_small_seed_writes_the_requested_numbers(seeded, db):
    with db.session(write=False) as session:
        def count(model, *where) -> int:
            return session.scalar(select(func.count()).select_from(model).where(*where))

        hot = bench.hot_article(session)
        assert count(User, User.username.like("citoyen-%") | User.username.like("organisation-%")
                     | User.username.like(bench.VOTER_PREFIX + "%")) == SMALL.accounts
        assert count(User, User.username.like(bench.VOTER_PREFIX + "%")) == SMALL.voters
        assert count(Amendment) + count(Argument) == SMALL.contributions
        assert count(Vote) == SMALL.votes
        assert count(Amendment, Amendment.article_id == hot.id) == SMALL.hot_amendments
        assert count(Argument, Argument.article_id == hot.id) == SMALL.hot_arguments
        assert count(AmendmentEvent) == count(Amendment)
        assert count(Article, Article.bill_id == hot.bill_id) == 30
    assert seeded.counts["votes"] == SMALL.votes
    assert seeded.counts["hot_amendments"] == SMALL.hot_amendments


def test_seeded_tallies_shown_by_the_api_equal_the_vote_rows(seeded, client, db):
    with db.session(write=False) as session:
        rows = Counter()
        for article_id, amendment_id, value, n in session.execute(
            select(Vote.article_id, Vote.amendment_id, Vote.value, func.count())
            .group_by(Vote.article_id, Vote.amendment_id, Vote.value)
        ):
            rows[("article", article_id) if article_id else ("amendment", amendment_id), value] = n
        busiest = list(session.scalars(
            select(Vote.amendment_id).where(Vote.amendment_id.is_not(None)).group_by(Vote.amendment_id)
            .order_by(func.count().desc(), Vote.amendment_id).limit(5)
        ))
    bill = client.get(f"/api/v1/bills/{seeded.bill_slug}").json()
    for article in bill["articles"]:
        assert article["votes"] == {v: rows[("article", article["id"]), v] for v in ("agree", "mixed", "disagree")}
    for amendment_id in busiest:
        shown = client.get(f"/api/v1/amendments/{amendment_id}").json()["votes"]
        assert shown == {v: rows[("amendment", amendment_id), v] for v in ("agree", "mixed", "disagree")}
        assert sum(shown.values()) > 0


def test_seeded_contributions_follow_the_rules_of_real_ones(seeded, db):
    with db.session(write=False) as session:
        heads = {(v.article_id, v.version): v.text for v in session.scalars(select(ArticleVersion))}
        for amendment in session.scalars(select(Amendment)):
            assert amendment.text_digest == hashlib.sha256(amendment.text.encode()).hexdigest()
            assert amendment.status == "open"
            if amendment.kind == "modify":
                assert amendment.text != heads[amendment.article_id, amendment.base_version]
            else:
                assert amendment.kind == "insert" and amendment.after_article_id and amendment.text
        for argument in session.scalars(select(Argument)):
            assert argument.stance in ("for", "against")
            assert argument.folded == fold(argument.body)
            assert (argument.article_id is None) != (argument.amendment_id is None)
        voters = select(User.id).where(User.username.like(bench.VOTER_PREFIX + "%"))
        assert session.scalar(select(func.count()).select_from(Vote).where(Vote.user_id.in_(voters))) == 0
        assert session.scalar(select(func.count()).select_from(UsefulMark)) > 0


def test_benchmark_voters_get_tokens_the_api_accepts(seeded, client, database_url):
    tokens = bench.voter_tokens(database_url, 3)
    names = [client.get("/api/v1/me", headers={"Authorization": f"Bearer {t}"}).json()["username"] for t in tokens]
    assert names == [f"{bench.VOTER_PREFIX}{i:03d}" for i in range(3)]


def test_seeding_a_database_twice_is_refused(seeded, database_url):
    with pytest.raises(SystemExit, match="already holds benchmark data"):
        bench.seed(database_url, "small", progress=False)


def test_command_line_seeds_and_summarises(database_url, capsys):
    assert bench.main(["--scale", "small", "--database-url", database_url, "--quiet"]) == 0
    assert f"{SMALL.votes:,} votes" in capsys.readouterr().out


def test_allocate_splits_a_total_by_weight_under_a_cap():
    parts = bench.allocate(1000, [5, 1, 1, 0, 3], cap=400)
    assert sum(parts) == 1000 and max(parts) <= 400
    assert parts[0] == 400 and parts[4] >= parts[1]
    assert bench.allocate(7, [1, 1, 1]) in ([3, 2, 2], [2, 3, 2], [2, 2, 3])
