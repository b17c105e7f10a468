"""Stored counts (amendments/tallies.py) stay equal to the rows they count: through votes changed and
taken back by many people at once, arguments, useful marks, proposals and moderation; and the
migration that introduced them fills them from existing rows."""
from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

from alembic import command
from sqlalchemy import func, select

from amendments.services import moderation
from amendments.services import participation
from amendments.services import arguments
from amendments.services import proposing
from amendments.services import tallies
from amendments.models import Argument, TargetCounts, UsefulMark, Vote
from drafting.db import Database
from drafting.migrate import alembic_config
from drafting.models import Article, User
from tests.amendments.test_votes import account, admin, article_id, make_amendment  # noqa: F401


def user_named(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def counted_from_rows(db, kind: str, target_id: int) -> dict[str, int]:
    column = Vote.article_id if kind == "article" else Vote.amendment_id
    with db.session(write=False) as session:
        found = dict(session.execute(select(Vote.value, func.count()).where(column == target_id)
                                     .group_by(Vote.value)).all())
    return {value: found.get(value, 0) for value in ("agree", "mixed", "disagree")}


def test_many_people_changing_and_taking_back_votes_at_once_leave_exact_tallies(db, article_id):
    amendment_id = make_amendment(db, article_id, account(db, "autrice").username)
    names = [account(db, f"votant-{n:02d}").username for n in range(24)]
    targets = [("article", article_id), ("amendment", amendment_id)]
    rng = random.Random(6)
    # Each person makes a run of moves on both targets; everyone starts at the same moment.
    plans = {name: [(rng.choice(targets), rng.choice(["agree", "mixed", "disagree", None])) for _ in range(8)]
             for name in names}
    barrier = threading.Barrier(len(names))

    def play(name: str) -> None:
        barrier.wait()
        for (kind, target_id), value in plans[name]:
            with db.session() as session:
                user = user_named(session, name)
                target = participation.get_target(session, kind, target_id)
                if value is None:
                    participation.take_back_vote(session, user, target)
                else:
                    participation.cast_vote(session, user, target, value)

    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        list(pool.map(play, names))

    expected = {target: {"agree": 0, "mixed": 0, "disagree": 0} for target in targets}
    for name, moves in plans.items():  # each person's last move on a target is what stays
        last = {}
        for target, value in moves:
            last[target] = value
        for target, value in last.items():
            if value is not None:
                expected[target][value] += 1
    with db.session(write=False) as session:
        for kind, target_id in targets:
            stored = participation.vote_tallies(session, kind, [target_id])[target_id]
            assert stored == expected[(kind, target_id)] == counted_from_rows(db, kind, target_id)
        assert tallies.drift(session) == []


def test_the_same_vote_again_and_taking_back_no_vote_change_nothing(db, article_id):
    name = account(db, "alice").username
    with db.session() as session:
        user, target = user_named(session, name), participation.get_target(session, "article", article_id)
        assert participation.take_back_vote(session, user, target) == {"agree": 0, "mixed": 0, "disagree": 0}
        participation.cast_vote(session, user, target, "mixed")
        assert participation.cast_vote(session, user, target, "mixed") == {"agree": 0, "mixed": 1, "disagree": 0}
        assert participation.cast_vote(session, user, target, "agree") == {"agree": 1, "mixed": 0, "disagree": 0}
        assert participation.take_back_vote(session, user, target) == {"agree": 0, "mixed": 0, "disagree": 0}
        assert tallies.drift(session) == []


def test_useful_marks_count_once_per_person_even_at_the_same_moment(db, article_id):
    names = [account(db, f"lecteur-{n}").username for n in range(12)]
    author = account(db, "autrice").username
    with db.session() as session:
        target = participation.get_target(session, "article", article_id)
        argument_id = arguments.add_argument(session, user_named(session, author), target, "for",
                                                 "Un argument que beaucoup trouvent utile.").argument.id
    barrier = threading.Barrier(len(names) * 2)

    def mark(name: str) -> None:
        barrier.wait()
        with db.session() as session:
            argument = arguments.get_argument(session, argument_id)
            arguments.set_useful(session, user_named(session, name), argument, True)

    with ThreadPoolExecutor(max_workers=len(names) * 2) as pool:
        list(pool.map(mark, names * 2))  # everyone twice, all at once
    with db.session() as session:
        assert session.get(Argument, argument_id).useful_count == len(names)
        arguments.set_useful(session, user_named(session, names[0]), arguments.get_argument(session, argument_id),
                                 False)
        arguments.set_useful(session, user_named(session, names[0]), arguments.get_argument(session, argument_id),
                                 False)
    with db.session(write=False) as session:
        marks = session.scalar(select(func.count()).select_from(UsefulMark).where(UsefulMark.argument_id == argument_id))
        assert session.get(Argument, argument_id).useful_count == marks == len(names) - 1
        assert tallies.drift(session) == []


def test_arguments_groups_and_amendments_are_counted_and_moderation_recounts_them(db, article_id):
    people = [account(db, name).username for name in ("alice", "bruno", "chloe", "dina")]
    mod = account(db, "mod", "moderator").username
    first_text = "Les collectivités territoriales doivent pouvoir publier leurs données librement."
    with db.session() as session:
        target = participation.get_target(session, "article", article_id)
        first = arguments.add_argument(session, user_named(session, people[0]), target, "for", first_text).argument
        near = arguments.add_argument(session, user_named(session, people[1]), target, "for",
                                          first_text.replace("librement", "gratuitement")).argument
        arguments.add_argument(session, user_named(session, people[2]), target, "for", first_text.upper())
        arguments.add_argument(session, user_named(session, people[3]), target, "against",
                                   "Le coût pour les petites communes serait trop lourd.")
        assert near.similar_to_id == first.id  # a near-duplicate joins the first one's group
        article = session.get(Article, article_id)
        proposing.propose_amendment(session, user_named(session, people[0]), article,
                                   text="La présente loi a pour objet de mesurer Navette.")
        proposing.propose_amendment(session, user_named(session, people[1]), article,  # co-signs: no new row
                                   text="La présente loi a pour objet de mesurer Navette.")
        proposed = proposing.propose_amendment(session, user_named(session, people[2]), article,
                                              text="La présente loi a pour objet d'éprouver Navette.").amendment
        first_id, proposed_id = first.id, proposed.id
    with db.session(write=False) as session:
        counts = tallies.read(session, "article", [article_id])[article_id]
    assert (counts["arguments_for"], counts["groups_for"], counts["arguments_against"], counts["groups_against"]) \
        == (2, 1, 1, 1)
    assert counts["amendments"] == 2

    with db.session() as session:
        moderator = user_named(session, mod)
        moderation.hide(session, moderator, "argument", first_id, "Hors sujet pour ce débat")
        moderation.hide(session, moderator, "amendment", proposed_id, "Propos injurieux")
    with db.session(write=False) as session:
        counts = tallies.read(session, "article", [article_id])[article_id]
        # The hidden first argument leaves; its near-duplicate now stands on its own.
        assert (counts["arguments_for"], counts["groups_for"]) == (1, 1)
        assert counts["amendments"] == 1
        assert tallies.drift(session) == []


def test_drift_finds_counts_that_no_longer_match_and_rebuild_mends_them(db, article_id):
    name = account(db, "alice").username
    with db.session() as session:
        participation.cast_vote(session, user_named(session, name),
                                participation.get_target(session, "article", article_id), "agree")
    with db.session() as session:  # a vote written behind the services' back
        session.add(Vote(user_id=account_id(session, account(db, "bruno").username), article_id=article_id,
                         value="disagree"))
    with db.session() as session:
        assert [(kind, target) for kind, target, _, _ in tallies.drift(session)] == [("article", article_id)]
        assert tallies.rebuild(session) >= 1
    with db.session(write=False) as session:
        assert tallies.drift(session) == []
        assert participation.vote_tallies(session, "article", [article_id])[article_id] == \
            {"agree": 1, "mixed": 0, "disagree": 1}


def account_id(session, username: str) -> int:
    return user_named(session, username).id


def test_the_migration_fills_the_counts_from_existing_rows(db, database_url, article_id):
    """Rows written before the counts existed: going back to 0001 and up again counts them all."""
    names = [account(db, f"p{n}").username for n in range(5)]
    amendment_id = make_amendment(db, article_id, names[0])
    with db.session() as session:
        for n, name in enumerate(names):
            user = user_named(session, name)
            participation.cast_vote(session, user, participation.get_target(session, "article", article_id),
                                    ("agree", "mixed", "disagree")[n % 3])
            participation.cast_vote(session, user, participation.get_target(session, "amendment", amendment_id),
                                    "agree")
            arguments.add_argument(session, user, participation.get_target(session, "amendment", amendment_id),
                                       "for" if n % 2 else "against", f"Raison numéro {n} : tout à fait différente {n * 7}.")
        arguments.set_useful(session, user_named(session, names[1]),
                                 session.scalars(select(Argument).limit(1)).one(), True)
    with db.session(write=False) as session:
        before = {(row.article_id, row.amendment_id): row.__dict__.copy()
                  for row in session.scalars(select(TargetCounts))}
        useful_before = dict(session.execute(select(Argument.id, Argument.useful_count)).all())
    db.dispose()
    config = alembic_config(database_url)
    command.downgrade(config, "0001")
    command.upgrade(config, "head")
    again = Database(database_url)
    try:
        with again.session(write=False) as session:
            after = {(row.article_id, row.amendment_id): row.__dict__.copy()
                     for row in session.scalars(select(TargetCounts))}
            assert dict(session.execute(select(Argument.id, Argument.useful_count)).all()) == useful_before
            assert tallies.drift(session) == []
    finally:
        again.dispose()
    assert set(after) == set(before)
    for key in before:
        assert {k: after[key][k] for k in tallies.COUNTS} == {k: before[key][k] for k in tallies.COUNTS}


def test_navette_db_recount_reports_drift_and_fix_rebuilds(db, database_url, article_id, tmp_path):
    from tests.drafting.test_cli import navette

    with db.session() as session:  # a vote written behind the services' back
        session.add(Vote(user_id=account_id(session, account(db, "alice").username), article_id=article_id,
                         value="agree"))
    checked = navette("db", "recount", "--database-url", database_url, cwd=tmp_path)
    assert checked.returncode == 1 and f"article {article_id}" in checked.stderr and "--fix" in checked.stderr
    fixed = navette("db", "recount", "--fix", "--database-url", database_url, cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    again = navette("db", "recount", "--database-url", database_url, cwd=tmp_path)
    assert again.returncode == 0 and "match" in again.stdout
    with db.session(write=False) as session:
        assert participation.vote_tallies(session, "article", [article_id])[article_id]["agree"] == 1


def test_a_vote_taken_back_the_same_day_leaves_no_drift_for_navette_db_recount(db, database_url, article_id, tmp_path):
    """The bill's day row keeps its zeros when the day's only vote is taken back: that is no drift."""
    from tests.drafting.test_cli import navette

    name = account(db, "alice").username
    with db.session() as session:
        user, target = user_named(session, name), participation.get_target(session, "article", article_id)
        participation.cast_vote(session, user, target, "agree")
        participation.take_back_vote(session, user, target)
    checked = navette("db", "recount", "--database-url", database_url, cwd=tmp_path)
    assert checked.returncode == 0 and "match" in checked.stdout, checked.stderr
