"""Issue 11's mixed writers (bench/run_postgres.py): votes, arguments and amendments at once on the same
articles, then the check that nothing answered 2xx was lost and the stored counts equal the rows."""
from __future__ import annotations

import http.client
import json
import threading
import time

from sqlalchemy import func, select

from amendments.models import VOTE_VALUES
from drafting.db import Database


def mixed_writes(port: int, url: str, tokens: list[str], articles: list[int], duration: float) -> dict:
    """``len(tokens)`` writers at once for ``duration`` seconds, each in turn voting on, arguing on and
    proposing a change to the same few articles (issue 11: on PostgreSQL with 2 workers, 0 answers
    >= 500). Then: every argument and amendment answered 2xx is a row, and the stored counts equal
    the rows (``tallies.drift``)."""
    from amendments.models import Amendment, Argument
    from amendments.services import tallies

    barrier = threading.Barrier(len(tokens))
    statuses: dict[int, int] = {}
    written: dict[str, set[int]] = {"argument": set(), "amendment": set()}
    lock = threading.Lock()
    deadline = [0.0]

    def writer(index: int, token: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        barrier.wait()
        if index == 0:
            deadline[0] = time.perf_counter() + duration
        n = 0
        while not deadline[0] or time.perf_counter() < deadline[0]:
            article = articles[(index + n) % len(articles)]
            what = ("vote", "argument", "amendment")[(index + n) % 3]
            if what == "vote":
                method, path = "PUT", f"/api/v1/articles/{article}/vote"
                body = {"value": VOTE_VALUES[(index * 7 + n) % 3]}
            elif what == "argument":
                method, path = "POST", f"/api/v1/articles/{article}/arguments"
                body = {"stance": "for" if n % 2 else "against",
                        "body": f"Raison {n} de la personne {index} : {index * 100000 + n}"}
            else:
                method, path = "POST", f"/api/v1/articles/{article}/amendments"
                body = {"text": f"Texte proposé par la personne {index}, tour {n}, pour l'article {article}."}
            connection.request(method, path, body=json.dumps(body), headers=headers)
            response = connection.getresponse()
            answer = response.read()
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if what != "vote" and 200 <= response.status < 300:
                    written[what].add(json.loads(answer)["id"])
            n += 1
        connection.close()

    threads = [threading.Thread(target=writer, args=(i, t)) for i, t in enumerate(tokens)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    db = Database(url)
    try:
        with db.session(write=False) as session:
            arguments = set(session.scalars(select(Argument.id).where(Argument.id.in_(written["argument"]))))
            amendments = set(session.scalars(select(Amendment.id).where(Amendment.id.in_(written["amendment"]))))
            drift = tallies.drift(session)
    finally:
        db.dispose()
    errors = sum(count for status, count in statuses.items() if status >= 500)
    lost = len(written["argument"] - arguments) + len(written["amendment"] - amendments)
    return {"writers": len(tokens), "seconds": round(seconds, 1), "answers": dict(sorted(statuses.items())),
            "answers_500_or_more": errors, "arguments_written": len(written["argument"]),
            "amendments_written": len(written["amendment"]), "lost": lost, "count_drift": len(drift),
            "exact": errors == 0 and lost == 0 and not drift and all(200 <= s < 300 for s in statuses)}


def hot_articles(url: str, slug: str, count: int) -> list[int]:
    """The ``count`` articles of the bill with the most amendments (where writers meet)."""
    from amendments.models import Amendment
    from drafting.models import Article, Bill

    db = Database(url)
    try:
        with db.session(write=False) as session:
            return list(session.scalars(
                select(Article.id).join(Bill, Bill.id == Article.bill_id).outerjoin(
                    Amendment, Amendment.article_id == Article.id).where(Bill.slug == slug)
                .group_by(Article.id).order_by(func.count(Amendment.id).desc(), Article.id).limit(count)))
    finally:
        db.dispose()
