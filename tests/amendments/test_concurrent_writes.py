"""Eight people writing at once on the same articles, through a real `navette serve --workers 2`:
votes, arguments and amendments interleaved. No answer may be an error, nothing answered 2xx may
be lost, and the stored counts must equal the rows (on PostgreSQL this once deadlocked: the counts
upsert's foreign-key share lock on the article against an argument's or proposal's FOR UPDATE)."""
from __future__ import annotations

import threading
from collections import Counter

import httpx
from sqlalchemy import select

from amendments.services import tallies
from amendments.models import Amendment, Argument, Vote
from drafting.services import accounts
from drafting.db import Database
from tests.serving import first_answer, serve, stop

WRITERS = 8
ROUNDS = 12
VALUES = ("agree", "mixed", "disagree")


def _accounts(db: Database) -> tuple[str, list[tuple[int, str]]]:
    """An admin's token and (user id, token) for each writer, made in this process (cheap hashes)."""
    with db.session() as session:
        admin = accounts.create_user(session, accounts.UserIn(username="ministre", password="correct horse battery"),
                                     is_admin=True)
        admin_token = accounts.issue_token(session, admin, "api")
        writers = []
        for n in range(WRITERS):
            user = accounts.create_user(session, accounts.UserIn(username=f"writer{n}", password="correct horse battery"))
            writers.append((user.id, accounts.issue_token(session, user, "api")))
    return admin_token, writers


def _write(client: httpx.Client, writer: int, round_: int, articles: list[int]) -> tuple[str, int, int, object]:
    """One write of this writer's round (a vote, an argument, or a proposal: a change or a new article):
    (what, article, status, what the answer says was written)."""
    article = articles[(writer + round_) % len(articles)]
    what = ("vote", "argument", "amendment")[(writer + round_) % 3]
    if what == "vote":
        value = VALUES[(writer * 7 + round_) % 3]
        answer = client.put(f"/api/v1/articles/{article}/vote", json={"value": value})
        return what, article, answer.status_code, value
    if what == "argument":
        answer = client.post(f"/api/v1/articles/{article}/arguments",
                             json={"stance": "for" if round_ % 2 else "against",
                                   "body": f"Raison numéro {round_} de la personne {writer} : {writer * 1000 + round_}"})
    elif round_ % 2:
        answer = client.post(f"/api/v1/articles/{article}/amendments",
                             json={"text": f"Texte proposé par la personne {writer}, tour {round_}."})
    else:  # a new article after this one: locks the bill, then checks the article's key
        answer = client.post(f"/api/v1/articles/{article}/amendments",
                             json={"kind": "insert", "text": f"Article nouveau de la personne {writer}, tour {round_}."})
    return what, article, answer.status_code, answer.json().get("id") if answer.status_code < 300 else None


def test_eight_concurrent_writers_get_no_error_and_lose_nothing(database_url, db, tmp_path):
    admin_token, writers = _accounts(db)
    server, base = serve(database_url, tmp_path, workers=2)
    results: list[tuple[int, str, int, int, object]] = []
    lock = threading.Lock()
    try:
        health = first_answer(server, f"{base}/healthz", timeout=60)
        assert health is not None and health.status_code == 200, f"the server did not start: {server.poll()}"
        with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {admin_token}"}) as admin:
            bill = admin.post("/api/v1/bills", json={"title": "Projet concurrent", "articles": [
                {"number": "1", "text": "Le premier article dit une chose."},
                {"number": "2", "text": "Le second article en dit une autre."},
            ]})
            assert bill.status_code == 201, bill.text
            slug = bill.json()["slug"]
            assert admin.post(f"/api/v1/bills/{slug}/status", json={"status": "open"}).status_code == 200
            articles = [a["id"] for a in admin.get(f"/api/v1/bills/{slug}").json()["articles"]]
        start = threading.Barrier(WRITERS, timeout=60)

        def run(writer: int) -> None:
            user_id, token = writers[writer]
            with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
                start.wait()
                for round_ in range(ROUNDS):
                    outcome = _write(client, writer, round_, articles)
                    with lock:
                        results.append((user_id, *outcome))

        threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert not any(thread.is_alive() for thread in threads), "writers still running after 300 s"
    finally:
        output = stop(server)

    statuses = Counter(status for *_, status, _ in results)
    assert len(results) == WRITERS * ROUNDS
    assert all(200 <= status < 300 for status in statuses), (statuses, output[-4000:])

    with db.session(write=False) as session:
        argument_ids = {row for row in session.scalars(select(Argument.id))}
        amendment_ids = {row for row in session.scalars(select(Amendment.id))}
        votes = {(row.user_id, row.article_id): row.value for row in session.execute(
            select(Vote.user_id, Vote.article_id, Vote.value))}
        drift = tallies.drift(session)
    written = {what: [r for r in results if r[1] == what] for what in ("vote", "argument", "amendment")}
    assert {r[4] for r in written["argument"]} == argument_ids
    assert {r[4] for r in written["amendment"]} == amendment_ids
    last_votes = {}
    for user_id, _, article, _, value in written["vote"]:  # each writer writes in order: the last one stays
        last_votes[(user_id, article)] = value
    assert votes == last_votes
    assert drift == []
    assert "Traceback" not in output, output[-4000:]
