"""Work that PostgreSQL aborts for a deadlock is run again, once nothing of it had committed."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import OperationalError

from amendments.models import RateLimitCounter
from drafting import retry
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="deadlocks and their SQLSTATE are PostgreSQL's")


def _counters(db, *keys: str) -> dict[str, int]:
    with db.session(write=False) as session:
        return dict(session.execute(select(RateLimitCounter.key, RateLimitCounter.count)
                                    .where(RateLimitCounter.key.in_(keys))).all())


def test_two_transactions_locking_in_opposite_orders_both_end_written_once(db):
    with db.session() as session:
        session.add_all([RateLimitCounter(key=k, window_start=0, count=0) for k in ("a", "b")])
    both_hold_one = threading.Barrier(2, timeout=30)
    outcomes: dict[str, object] = {}

    def work(first: str, second: str, waited: list[bool]) -> None:
        with db.session() as session:
            for n, key in enumerate((first, second)):
                session.execute(update(RateLimitCounter).where(RateLimitCounter.key == key)
                                .values(count=RateLimitCounter.count + 1))
                if n == 0 and not waited:  # only the first attempt meets the other one
                    waited.append(True)
                    both_hold_one.wait()

    def run(first: str, second: str) -> None:
        try:
            outcomes[first] = retry.replayable(work, first, second, [])
        except Exception as error:  # noqa: BLE001 - the test reports it
            outcomes[first] = error

    threads = [threading.Thread(target=run, args=pair) for pair in (("a", "b"), ("b", "a"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == {"a": None, "b": None}
    assert _counters(db, "a", "b") == {"a": 2, "b": 2}


def _deadlock(session) -> None:
    """PostgreSQL answering a statement with the deadlock SQLSTATE, as its detector does."""
    session.execute(text("DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$"))


def test_work_aborted_before_any_commit_runs_again_until_it_succeeds(db):
    attempts = []

    def work() -> str:
        with db.session() as session:
            session.add(RateLimitCounter(key="once", window_start=0, count=len(attempts) + 1))
            attempts.append(True)
            if len(attempts) < 3:
                _deadlock(session)
        return "done"

    assert retry.replayable(work) == "done"
    assert len(attempts) == 3
    assert _counters(db, "once") == {"once": 3}


def test_work_is_not_replayed_once_one_of_its_transactions_committed(db):
    attempts = []

    def work() -> None:
        with db.session() as session:
            session.add(RateLimitCounter(key="first", window_start=0, count=1))
        attempts.append(True)
        with db.session() as session:
            _deadlock(session)

    with pytest.raises(OperationalError):
        retry.replayable(work)
    assert len(attempts) == 1
    assert _counters(db, "first") == {"first": 1}


def test_retries_are_bounded(db):
    attempts = []

    def work() -> None:
        attempts.append(True)
        with db.session() as session:
            _deadlock(session)

    with pytest.raises(OperationalError):
        retry.replayable(work)
    assert len(attempts) == retry.ATTEMPTS
