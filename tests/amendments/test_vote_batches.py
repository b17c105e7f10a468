"""The API's votes go in batches (amendments/services/vote_batches.py): the votes of the requests in
flight share one transaction and one commit. Sent together, they must end exactly as sent one by one:
one row per person and target, counts equal to the rows, each refusal answered to its own request
only, and a batch that fails in the database run again vote by vote."""
from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select, text

from amendments.models import Vote
from amendments.services import consultation_recount, tallies, vote_batches
from drafting.app import create_app
from tests.amendments.test_votes import account, admin, make_amendment, set_status  # noqa: F401
from tests.serving import first_answer, serve, stop

VALUES = ("agree", "mixed", "disagree")


def _together(settings, requests: list[tuple[str, str, dict | None, dict]]) -> tuple[list[httpx.Response], list[str]]:
    """Send (method, path, json, headers) all at once to one app in this process, so they reach its vote
    queue in one turn of the event loop: the answers, and the statements the database ran."""
    app = create_app(settings)

    async def send() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await asyncio.gather(*(http.request(method, path, json=body, headers=headers)
                                          for method, path, body, headers in requests))

    try:
        with app.state.db.recorded_statements() as statements, ThreadPoolExecutor(1) as own_thread:
            # Its own thread: a browser test of the same pytest worker may hold an event loop in this one.
            answers = own_thread.submit(asyncio.run, send()).result()
    finally:
        app.state.db.dispose()
    return answers, statements


def _counts_moves(statements: list[str]) -> int:
    return sum(statement.startswith("INSERT INTO target_counts") for statement in statements)


def _rows(db) -> dict[tuple[int, int | None, int | None], str]:
    with db.session(write=False) as session:
        return {(r.user_id, r.article_id, r.amendment_id): r.value for r in session.execute(
            select(Vote.user_id, Vote.article_id, Vote.amendment_id, Vote.value))}


def _drift(db) -> list:
    """What differs from the rows: the targets' counts, and the bills' day rows and people's weights."""
    with db.session(write=False) as session:
        return tallies.drift(session) + consultation_recount.drift(session)


def test_votes_sent_together_share_one_transaction_and_end_with_exact_counts(api, db, settings, admin):
    article_id = api.bill(admin)["articles"][0]["id"]
    people = [account(db, f"voter{n}") for n in range(30)]
    requests = [("PUT", f"/api/v1/articles/{article_id}/vote", {"value": VALUES[n % 3]}, person.headers)
                for n, person in enumerate(people)]
    answers, statements = _together(settings, requests)
    assert [a.status_code for a in answers] == [200] * 30, [a.text for a in answers if a.status_code != 200]
    assert _counts_moves(statements) == 1  # one batch: the article's counts moved once, by 30
    expected = {"agree": 10, "mixed": 10, "disagree": 10}
    assert all(a.json()["votes"] == expected for a in answers)
    assert [a.json()["vote"] for a in answers] == [VALUES[n % 3] for n in range(30)]
    assert Counter(_rows(db).values()) == Counter(expected)
    assert _drift(db) == []


def test_one_person_voting_many_times_in_one_batch_keeps_one_vote(api, db, settings, admin):
    article_id = api.bill(admin)["articles"][0]["id"]
    alice, bruno = account(db, "alice"), account(db, "bruno")
    path = f"/api/v1/articles/{article_id}/vote"
    requests = [("PUT", path, {"value": VALUES[n % 3]}, alice.headers) for n in range(10)]
    requests += [("PUT", path, {"value": "agree"}, bruno.headers), ("DELETE", path, None, bruno.headers),
                 ("PUT", path, {"value": "disagree"}, bruno.headers)]
    answers, statements = _together(settings, requests)
    assert [a.status_code for a in answers] == [200] * 13
    assert _counts_moves(statements) <= 1  # one batch (none if the votes cancel out)
    rows = _rows(db)
    assert len([key for key in rows if key[1] == article_id]) <= 2
    assert all(value in VALUES for value in rows.values())
    final = {value: sum(1 for v in rows.values() if v == value) for value in VALUES}
    assert all(a.json()["votes"] == final for a in answers)  # every answer: the counts after the one commit
    assert _drift(db) == []


def _writes_of(statements: list[str], table: str) -> int:
    return sum(statement.startswith(f"INSERT INTO {table} ") for statement in statements)


def test_seven_first_votes_in_one_batch_are_written_by_one_statement_per_table(api, db, settings, admin):
    article_id = api.bill(admin)["articles"][0]["id"]
    people = [account(db, f"first{n}") for n in range(7)]
    path = f"/api/v1/articles/{article_id}/vote"
    answers, statements = _together(settings, [("PUT", path, {"value": VALUES[n % 3]}, person.headers)
                                               for n, person in enumerate(people)])
    assert [a.status_code for a in answers] == [200] * 7
    # The batch's rows come as one parameter: arrays on PostgreSQL, one JSON array on SQLite.
    assert [_writes_of(statements, table) for table in ("votes", "bill_day_people", "bill_people")] == [1] * 3
    assert all(a.json()["votes"] == {"agree": 3, "mixed": 2, "disagree": 2} for a in answers)
    changed = [("PUT", path, {"value": "agree"}, person.headers) for person in people[:4]]
    changed += [("DELETE", path, None, person.headers) for person in people[4:]]
    answers, _ = _together(settings, changed)
    assert [a.status_code for a in answers] == [200] * 7
    assert all(a.json()["votes"] == {"agree": 4, "mixed": 0, "disagree": 0} for a in answers)
    assert Counter(_rows(db).values()) == Counter({"agree": 4})
    assert _drift(db) == []  # the people's and the day's rows follow: three people left the day


def test_a_refused_vote_in_a_batch_changes_nothing_for_the_others(api, client, db, settings, admin):
    bill = api.bill(admin)
    open_article = bill["articles"][0]["id"]
    closed_bill = api.bill(admin, articles=[{"number": "1", "text": "Un article d'un projet clos."}])
    closed_article = closed_bill["articles"][0]["id"]
    set_status(client, admin, closed_bill, "closed")
    people = [account(db, f"voter{n}") for n in range(8)]
    path = f"/api/v1/articles/{open_article}/vote"
    requests = [
        ("PUT", path, {"value": "agree"}, people[0].headers),
        ("PUT", path, {"value": "maybe"}, people[1].headers),  # 400: the value
        ("PUT", "/api/v1/articles/999999/vote", {"value": "agree"}, people[2].headers),  # 404
        ("PUT", path, {"value": "agree"}, {"Authorization": "Bearer not-a-token"}),  # 401
        ("PUT", f"/api/v1/articles/{closed_article}/vote", {"value": "agree"}, people[3].headers),  # 409
        ("PUT", path, {"value": "agree", "on_behalf_of": "voter0"}, people[4].headers),  # 400: votes stay personal
        ("PUT", path, {"value": "mixed"}, people[5].headers),
        ("DELETE", path, None, people[6].headers),  # nothing to take back: 200
        ("PUT", path, {"value": "disagree"}, people[7].headers),
    ]
    answers, statements = _together(settings, requests)
    assert [a.status_code for a in answers] == [200, 400, 404, 401, 409, 400, 200, 200, 200], [a.text for a in answers]
    assert "value" in answers[1].json()["detail"]
    assert "on_behalf_of" in answers[5].json()["detail"]
    assert _counts_moves(statements) == 1
    expected = {"agree": 1, "mixed": 1, "disagree": 1}
    assert [a.json()["votes"] for a in answers if a.status_code == 200] == [expected] * 4
    assert sorted(_rows(db).values()) == ["agree", "disagree", "mixed"]
    assert _drift(db) == []


def _refuse_votes_of(db, user_id: int) -> None:
    """A trigger that makes the database itself fail this person's new votes (an error no check foresees)."""
    with db.session() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(
                "CREATE OR REPLACE FUNCTION refuse_vote() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql"))
            session.execute(text(f"CREATE TRIGGER refuse_vote BEFORE INSERT ON votes FOR EACH ROW "
                                 f"WHEN (NEW.user_id = {user_id}) EXECUTE FUNCTION refuse_vote()"))
        else:
            session.execute(text(f"CREATE TRIGGER refuse_vote BEFORE INSERT ON votes WHEN NEW.user_id = {user_id} "
                                 "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"))


def _drop_refusal(db) -> None:
    with db.session() as session:
        session.execute(text("DROP TRIGGER refuse_vote ON votes" if session.get_bind().dialect.name == "postgresql"
                             else "DROP TRIGGER refuse_vote"))


def test_a_batch_the_database_fails_is_written_again_vote_by_vote(api, db, settings, admin):
    article_id = api.bill(admin)["articles"][0]["id"]
    people = [account(db, f"voter{n}") for n in range(6)]
    with db.session(write=False) as session:
        from drafting.models import User
        doomed = session.scalar(select(User.id).where(User.username == "voter2"))
    _refuse_votes_of(db, doomed)
    try:
        path = f"/api/v1/articles/{article_id}/vote"
        answers, _ = _together(settings, [("PUT", path, {"value": "agree"}, p.headers) for p in people])
    finally:
        _drop_refusal(db)
    assert [a.status_code for a in answers] == [200, 200, 500, 200, 200, 200]
    assert Counter(_rows(db).values()) == {"agree": 5}
    assert _drift(db) == []


def test_a_vote_whose_pooled_connection_died_is_written_on_a_fresh_one(api, app, client, db, admin):
    """The batches' connections leave the pool untested (no round trip to ping them): a connection
    the database closed meanwhile fails its batch, which runs again on a fresh connection."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's connections are pinged elsewhere; SQLite's cannot die")
    path = f"/api/v1/articles/{api.bill(admin)['articles'][0]['id']}/vote"
    first, second = account(db, "voter0"), account(db, "voter1")
    assert client.put(path, json={"value": "agree"}, headers=first.headers).status_code == 200
    with app.state.db.connection() as connection:  # the pooled connection the batches write on
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with db.session() as session:  # the database ends it
        session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    for _ in range(100):
        with db.session(write=False) as session:
            if not session.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}):
                break
        time.sleep(0.05)
    answer = client.put(path, json={"value": "mixed"}, headers=second.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["votes"] == {"agree": 1, "mixed": 1, "disagree": 0}
    assert sorted(_rows(db).values()) == ["agree", "mixed"]
    assert _drift(db) == []


def test_many_people_voting_at_once_on_two_workers_lose_and_double_nothing(database_url, db, tmp_path):
    """Through a real ``navette serve --workers 2``: 24 people, each sending its own votes in order while
    the others do, on two targets; the last vote of each stays, once, and the counts equal the rows."""
    people = [account(db, f"voter{n}") for n in range(24)]
    author = account(db, "author", "admin")
    server, base = serve(database_url, tmp_path, workers=2)
    sent: dict[tuple[str, int], str | None] = {}
    statuses: Counter = Counter()
    lock = threading.Lock()
    try:
        health = first_answer(server, f"{base}/healthz", timeout=60)
        assert health is not None and health.status_code == 200, f"the server did not start: {server.poll()}"
        with httpx.Client(base_url=base, timeout=30, headers=author.headers) as http:
            bill = http.post("/api/v1/bills", json={"title": "Projet voté", "articles": [
                {"number": "1", "text": "Le premier article."}, {"number": "2", "text": "Le second article."}]})
            assert bill.status_code == 201, bill.text
            assert http.post(f"/api/v1/bills/{bill.json()['slug']}/status", json={"status": "open"}).status_code == 200
            articles = [a["id"] for a in http.get(f"/api/v1/bills/{bill.json()['slug']}").json()["articles"]]
        start = threading.Barrier(len(people), timeout=60)

        def run(n: int) -> None:
            with httpx.Client(base_url=base, timeout=30, headers=people[n].headers) as http:
                start.wait()
                for round_ in range(6):
                    article = articles[(n + round_) % 2]
                    value = None if (n + round_) % 5 == 4 else VALUES[(n * 7 + round_) % 3]
                    path = f"/api/v1/articles/{article}/vote"
                    answer = http.delete(path) if value is None else http.put(path, json={"value": value})
                    with lock:
                        statuses[answer.status_code] += 1
                        sent[people[n].username, article] = value

        threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(len(people))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert not any(thread.is_alive() for thread in threads)
    finally:
        output = stop(server)
    assert statuses == {200: len(people) * 6}, (statuses, output[-3000:])
    from drafting.models import User
    with db.session(write=False) as session:
        names = dict(session.execute(select(User.id, User.username)).all())
    rows = {(names[user], article): value for (user, article, _), value in _rows(db).items()}
    assert rows == {key: value for key, value in sent.items() if value is not None}
    assert _drift(db) == []
    assert "Traceback" not in output, output[-3000:]


def test_a_vote_answer_is_json_with_its_length_and_the_security_headers(api, client, db, admin):
    """The vote's answer is encoded once and sent without Litestar's response object (drafting/web/answers.py):
    it says the same as any JSON answer, with the headers every answer carries."""
    article_id = api.bill(admin)["articles"][0]["id"]
    alice = account(db, "alice")
    path = f"/api/v1/articles/{article_id}/vote"
    for answer, vote, agree in ((client.put(path, json={"value": "agree"}, headers=alice.headers), "agree", 1),
                                (client.delete(path, headers=alice.headers), None, 0)):
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/json"
        assert int(answer.headers["content-length"]) == len(answer.content)
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert "set-cookie" not in answer.headers
        tallies = {"agree": agree, "mixed": 0, "disagree": 0}
        assert answer.json() == {**tallies, "votes": tallies, "vote": vote}


def test_a_batch_of_new_changed_and_taken_back_votes_keeps_the_days_participants_exact(api, db, settings, admin):
    """The day's participants move in SQL from the weights the batch left: one who takes back one of two
    votes stays, one who takes back their only vote leaves, one new joins, an organization counts apart."""
    articles = [a["id"] for a in api.bill(admin, articles=[{"number": str(n), "text": f"Article {n}."}
                                                            for n in (1, 2)])["articles"]]
    stays, leaves, changes = account(db, "stays"), account(db, "leaves"), account(db, "changes")
    group = account(db, "group", organization={"name": "Une association", "declared_interests": "Aucun."})
    first = [("PUT", f"/api/v1/articles/{a}/vote", {"value": "agree"}, stays.headers) for a in articles]
    first += [("PUT", f"/api/v1/articles/{articles[0]}/vote", {"value": "mixed"}, p.headers)
              for p in (leaves, changes, group)]
    answers, _ = _together(settings, first)
    assert [a.status_code for a in answers] == [200] * 5
    joins = account(db, "joins")
    second = [("DELETE", f"/api/v1/articles/{articles[0]}/vote", None, p.headers) for p in (stays, leaves, group)]
    second += [("PUT", f"/api/v1/articles/{articles[0]}/vote", {"value": "disagree"}, changes.headers),
               ("PUT", f"/api/v1/articles/{articles[1]}/vote", {"value": "agree"}, joins.headers)]
    answers, _ = _together(settings, second)
    assert [a.status_code for a in answers] == [200] * 5
    assert answers[-1].json()["votes"] == {"agree": 2, "mixed": 0, "disagree": 0}
    assert _drift(db) == []
    with db.session(write=False) as session:
        days, _, people = consultation_recount.stored(session)
    assert sorted((key[2], counts["participants"]) for key, counts in days.items()) == [
        ("citizen", 3), ("organization", 0)]  # stays, changes, joins; the group left
    assert len(people) == 3


def test_a_first_vote_raced_by_the_same_persons_other_transaction_is_counted_once(api, db, admin, caplog):
    """PostgreSQL: the batch reads no previous vote (the other one is not committed yet), its insert then
    waits for that transaction and fails on the unique constraint; the batch goes again vote by vote,
    and the vote replaces the raced one."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("on SQLite one writer at a time: nothing races")
    article_id = api.bill(admin)["articles"][0]["id"]
    alice = account(db, "alice")
    with db.session(write=False) as session:
        from drafting.models import User
        alice_id = session.scalar(select(User.id).where(User.username == "alice"))
    token = alice.headers["Authorization"].removeprefix("Bearer ")
    other = db.engine.connect()
    other_transaction = other.begin()
    other.execute(Vote.__table__.insert().values(user_id=alice_id, article_id=article_id, value="mixed"))
    other.execute(text("SELECT 1"))
    answers: list = []
    caplog.set_level("INFO", logger="navette.votes")
    batch = threading.Thread(target=lambda: answers.extend(vote_batches.cast(
        db, [vote_batches.Ballot("article", article_id, token, "agree")])))
    batch.start()
    time.sleep(0.5)  # the batch's insert now waits for the other transaction
    tallies.add(other, "article", article_id, mixed=1)
    other_transaction.commit()
    other.close()
    batch.join(30)
    assert answers == [{"agree": 1, "mixed": 0, "disagree": 0}], answers
    assert "a batch of 1 votes failed (_Raced())" in caplog.text
    assert _rows(db) == {(alice_id, article_id, None): "agree"}
