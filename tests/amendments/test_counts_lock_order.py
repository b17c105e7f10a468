"""One lock order for every writer of the counts (PostgreSQL): the person's rows of the bill, then the
target's counts row, then the bill's day row, as the API's batches of votes take them
(amendments/services/vote_batches.py). A page's vote, an argument and a proposal used to take the
counts first: one of them holding the counts and waiting for a person's rows, and a batch holding that
person's rows and waiting for those counts, was a deadlock (PostgreSQL aborted one, drafting/retry
replayed it).

Here a transaction stands for the batch, part way: it holds the person's rows, as the batch does after
writing its votes. The writer, started meanwhile, must be waiting for those rows without holding the
target's counts, so the batch's next step, the counts row, is granted at once (within a lock timeout
shorter than PostgreSQL's deadlock timeout, so a cycle fails the test instead of being broken)."""
from __future__ import annotations

import contextlib
import logging
import threading
import time

import pytest
from sqlalchemy import create_engine, text

from tests.amendments.test_votes import account
from tests.conftest import PG_URL, sign_in

pytestmark = pytest.mark.skipif(not PG_URL, reason="row locks and their order are PostgreSQL's")


@contextlib.contextmanager
def part_way(database_url: str):
    """A transaction standing for one writer part way, its lock timeout shorter than PostgreSQL's
    deadlock timeout (1 s), and a connection to see the other writer wait."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as held, engine.connect() as watcher:
            held.begin()
            held.execute(text("set local lock_timeout = '500ms'"))
            yield held, watcher
    finally:
        engine.dispose()


def _waiting_for_a_lock(connection, timeout: float = 20) -> bool:
    """Whether another backend of this database waits for a lock (the writer, blocked by ours). Each
    look in a transaction of its own: within one, pg_stat_activity answers the snapshot of its first read."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = connection.scalar(text("select count(*) from pg_stat_activity where datname = current_database() "
                                         "and wait_event_type = 'Lock' and pid <> pg_backend_pid()"))
        connection.rollback()
        if waiting:
            return True
        time.sleep(0.05)
    return False


def _page_vote(client, article_id: int, csrf: dict) -> int:
    return client.post(f"/articles/{article_id}/vote", data={"value": "agree"}, headers=csrf,
                       follow_redirects=False).status_code


def _argument(client, article_id: int, headers: dict) -> int:
    return client.post(f"/api/v1/articles/{article_id}/arguments", headers=headers,
                       json={"stance": "for", "body": "Une raison que personne n'a encore donnée."}).status_code


def _proposal(client, article_id: int, headers: dict) -> int:
    return client.post(f"/api/v1/articles/{article_id}/amendments", headers=headers,
                       json={"text": "Un texte que personne n'a encore proposé."}).status_code


@pytest.mark.parametrize("write", [_page_vote, _argument, _proposal], ids=["page vote", "argument", "proposal"])
def test_a_counts_writer_waits_for_the_persons_rows_before_taking_the_counts(write, api, admin, client, db,
                                                                            database_url, caplog):
    bill = api.bill(admin)
    first, second = (article["id"] for article in bill["articles"])
    alice, bruno = account(db, "alice"), account(db, "bruno")
    # Committed beforehand: bruno's vote makes the first article's counts row, alice's on the second
    # article her rows of the bill and the day (the rows a batch holding her vote would lock).
    for person, article_id in ((bruno, first), (alice, second)):
        answer = client.put(f"/api/v1/articles/{article_id}/vote", json={"value": "mixed"}, headers=person.headers)
        assert answer.status_code == 200, answer.text
    headers = sign_in(client, db, "alice") if write is _page_vote else alice.headers
    answers: list[object] = []
    with part_way(database_url) as (batch, watcher):
        alice_id = batch.scalar(text("select id from users where username = 'alice'"))
        for table in ("bill_day_people", "bill_people"):
            locked = batch.execute(text(f"update {table} set weight = weight where bill_id = :bill "
                                        "and user_id = :user"), {"bill": bill["id"], "user": alice_id})
            assert locked.rowcount >= 1, table
        caplog.set_level(logging.WARNING, logger="navette.retry")
        writer = threading.Thread(target=lambda: answers.append(write(client, first, headers)))
        writer.start()
        assert _waiting_for_a_lock(watcher), "the writer never waited for the person's rows"
        counts = batch.execute(text("update target_counts set agree = agree where article_id = :a"), {"a": first})
        assert counts.rowcount == 1  # granted: the writer does not hold the counts while it waits
        batch.commit()
        writer.join(timeout=30)
    assert answers and answers[0] in (200, 201, 303), answers
    assert not [r for r in caplog.records if r.name == "navette.retry"], "a writer was replayed after a deadlock"
    totals = client.get(f"/api/v1/articles/{first}").json()
    assert totals["votes"] == ({"agree": 1, "mixed": 1, "disagree": 0} if write is _page_vote
                               else {"agree": 0, "mixed": 1, "disagree": 0})


def test_page_writers_and_vote_batches_at_once_are_never_replayed(api, admin, client, db, caplog):
    """Concurrent run: people's batched API votes (vote_batches.cast, as the API's workers call it) on the
    same articles as their own page votes and arguments (the services the pages call), each taking
    the other's people's rows and counts; no transaction is aborted for a deadlock (none replayed),
    and the stored counts equal the votes."""
    from amendments.services import arguments, participation, tallies, vote_batches
    from drafting import retry
    from drafting.models import User
    from sqlalchemy import select

    bill = api.bill(admin)
    articles = [article["id"] for article in bill["articles"]]
    people = [account(db, f"votant{n}") for n in range(6)]
    rounds, values = 8, ("agree", "mixed", "disagree")
    caplog.set_level(logging.WARNING, logger="navette.retry")
    start = threading.Barrier(len(people) + 1, timeout=60)
    failures: list[BaseException] = []

    def page_writer(n: int) -> None:
        def write(round_: int) -> None:
            with db.session() as session:
                user = session.scalar(select(User).where(User.username == f"votant{n}"))
                target = participation.get_target(session, "article", articles[(n + round_) % 2])
                if round_ % 3 == 2:
                    arguments.add_argument(session, user, target, "for", f"Raison {round_} de la personne {n}.")
                elif round_ % 2:
                    participation.take_back_vote(session, user, target)
                else:
                    participation.cast_vote(session, user, target, values[(n + round_) % 3])
        try:
            start.wait()
            for round_ in range(rounds):
                retry.replayable(write, round_)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    def batches() -> None:
        try:
            start.wait()
            for round_ in range(rounds):
                ballots = [vote_batches.Ballot("article", articles[(n + round_ + 1) % 2], person.token,
                                               values[(n * 2 + round_) % 3]) for n, person in enumerate(people)]
                answers = vote_batches.cast(db, ballots)
                failures.extend(answer for answer in answers if isinstance(answer, BaseException))
        except BaseException as error:  # noqa: BLE001
            failures.append(error)

    threads = [threading.Thread(target=page_writer, args=(n,)) for n in range(len(people))]
    threads.append(threading.Thread(target=batches))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert not [r.getMessage() for r in caplog.records if r.name == "navette.retry"]
    with db.session(write=False) as session:
        assert tallies.drift(session) == []
