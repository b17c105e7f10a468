"""The bill's key before any row referring to it (PostgreSQL): the API's batch of votes takes its bills'
FOR KEY SHARE first, as proposals and arguments do, so an insertion holding the whole bill (FOR UPDATE,
proposing.propose_insertion) finds none of the rows it writes next held by a batch waiting for it.

The batch used to take the bill's key only through the foreign key of the person's new row of the day
(their first contribution of the day on the bill): that row written, it waited for the bill held by the
same person's insertion, which waited for that row: a deadlock (PostgreSQL aborted the batch, which
drafting/retry replayed).

Here a transaction stands for the insertion, part way: it holds the bill, as the insertion does after
``_open_bill(lock=True)``. The vote, started meanwhile, must be waiting for the bill without holding
the proposer's day row, so the insertion's next step, that row, is granted at once (within a lock
timeout shorter than PostgreSQL's deadlock timeout, so a cycle fails the test instead of being broken).
A page's vote (participation._vote) still takes the bill's key through that new row: expected to fail
until it takes the bill's key first (``participation._target_lock_statements``' first statement).
"""
from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import text

from amendments.services import consultation_recount, tallies
from tests.amendments.test_counts_lock_order import _page_vote, _waiting_for_a_lock, part_way
from tests.amendments.test_votes import account
from tests.conftest import PG_URL, sign_in

pytestmark = pytest.mark.skipif(not PG_URL, reason="row locks and their order are PostgreSQL's")


def _api_vote(client, article_id: int, headers: dict) -> int:
    return client.put(f"/api/v1/articles/{article_id}/vote", json={"value": "agree"}, headers=headers).status_code


@pytest.mark.parametrize("write", [_api_vote, _page_vote], ids=["api vote batch", "page vote"])
def test_a_vote_waits_for_the_bill_before_writing_the_persons_day_row(write, api, admin, client, db, database_url,
                                                                      caplog):
    bill = api.bill(admin)
    article_id = bill["articles"][0]["id"]
    alice = account(db, "alice")  # her first contribution of the day on this bill: a new day row of hers
    headers = sign_in(client, db, "alice") if write is _page_vote else alice.headers
    answers: list[object] = []
    with part_way(database_url) as (insertion, watcher):
        insertion.execute(text("select id from bills where id = :bill for update"), {"bill": bill["id"]})
        caplog.set_level(logging.WARNING, logger="navette.retry")
        writer = threading.Thread(target=lambda: answers.append(write(client, article_id, headers)))
        writer.start()
        assert _waiting_for_a_lock(watcher), "the vote never waited for the bill"
        alice_id = insertion.scalar(text("select id from users where username = 'alice'"))
        # The insertion's next write, alice's row of the day: granted, the vote holds none of it.
        insertion.execute(text(
            "insert into bill_day_people (bill_id, day, user_id, weight) "
            "values (:bill, (now() at time zone 'utc')::date, :user, 1) "
            "on conflict (bill_id, day, user_id) do update set weight = bill_day_people.weight + 1"),
            {"bill": bill["id"], "user": alice_id})
        insertion.rollback()  # the insertion given up: nothing of it is kept
        writer.join(timeout=30)
    assert answers and answers[0] in (200, 303), answers
    assert not [r for r in caplog.records if r.name == "navette.retry"], "the vote was replayed after a deadlock"
    assert client.get(f"/api/v1/articles/{article_id}").json()["votes"] == {"agree": 1, "mixed": 0, "disagree": 0}
    with db.session(write=False) as session:
        assert tallies.drift(session) == [] and consultation_recount.drift(session) == []
