"""Reading the argument map with 50 and with 5,000 arguments on one article (issue 14, CONTRACT §7).

Run: python -m bench.bench_argmap [--sizes 50,5000] [--repeats 7] [--out FILE]
A fresh SQLite database; the arguments are written straight into kept positions with random vectors
(drafting/seeding/argmap.py: embedding 5,000 texts with e5 would take half an hour). Per size: SQL
statements and median time in-process of the JSON map, the article page and the bill's synthesis (JSON
and page), and the time to place one new argument (its vector given: the embedding is computed before the transaction, ~0.3 s),
with the statements it runs.
"""
from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

logging.getLogger("httpx").setLevel(logging.WARNING)


def _times_ms(client, path: str, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        assert client.get(path).status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    return times


def _place_ms(db, article_id: int, repeats: int) -> tuple[list[float], int]:
    """Placing one new argument in its own transaction, its vector given (rolled back each time): the
    times, and the statements of the last one."""
    from amendments.models import Argument
    from amendments.services import participation, positions
    from drafting.models import User
    from sqlalchemy import select

    times = []
    rng = np.random.default_rng(1)
    for i in range(repeats):
        vector = rng.standard_normal(384)
        vector /= np.linalg.norm(vector)
        with db.session() as session:
            author = session.scalar(select(User).limit(1))
            target = participation.get_target(session, "article", article_id, for_update=True)
            argument = Argument(article_id=article_id, stance="for", body=f"Un argument nouveau numéro {i}.",
                                folded=f"un argument nouveau numéro {i}", author_id=author.id)
            session.add(argument)
            session.flush()
            with db.recorded_statements() as seen:
                started = time.perf_counter()
                positions.place_argument(session, target, argument, vector)
                times.append((time.perf_counter() - started) * 1000)
            session.rollback()
    return times, len(seen)


def run(corpus=None, repeats: int = 7, sizes: tuple[int, ...] = (50, 5000)) -> list[dict]:
    from litestar.testing import TestClient

    from drafting.app import create_app
    from drafting.db import Database
    from drafting.migrate import upgrade
    from drafting.models import User
    from drafting.seeding.argmap import seed_argument_map
    from drafting.services import accounts
    from drafting.settings import Settings

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/argmap.db"
        upgrade(url)
        db = Database(url)
        app = create_app(Settings.load(database_url=url, secret_key="bench-secret-key", rate_limit_writes=0,
                                       page_cache_seconds=0))
        with db.session() as session:
            admin = User(username="redaction", display_name="Rédaction", is_admin=True)
            session.add(admin)
            session.flush()
            headers = {"Authorization": f"Bearer {accounts.issue_token(session, admin, 'api')}"}
        seeded = 0
        with TestClient(app=app) as client:
            bill = client.post("/api/v1/bills", headers=headers, json={"title": "Carte des arguments", "articles": [
                {"number": "1", "text": "Les administrations publient leurs données."}]}).json()
            slug, article_id = bill["slug"], bill["articles"][0]["id"]
            client.post(f"/api/v1/bills/{slug}/status", headers=headers, json={"status": "open"})
            for size in sizes:
                seed_argument_map(db, article_id, size - seeded, start=seeded)
                seeded = size
                for name, path in (("JSON map", f"/api/v1/articles/{article_id}/argument-map"),
                                   ("article page", f"/bills/{slug}/articles/{article_id}"),
                                   ("synthesis JSON", f"/api/v1/bills/{slug}/synthesis"),
                                   ("synthesis page", f"/bills/{slug}/synthesis")):
                    client.get(path)
                    with app.state.db.recorded_statements() as seen:
                        client.get(path)
                    # The fastest run beside the median: on a shared, loaded machine the median moves with
                    # the neighbours' load, the fastest run much less.
                    times = _times_ms(client, path, repeats)
                    rows.append({"read": name, "arguments": size, "statements": len(seen),
                                 "median ms": statistics.median(times), "fastest ms": min(times)})
                times, statements = _place_ms(db, article_id, repeats)
                rows.append({"read": "placing one argument (vector given)", "arguments": size,
                             "statements": statements, "median ms": statistics.median(times),
                             "fastest ms": min(times)})
        db.dispose()
    return rows


def render(rows: list[dict]) -> str:
    lines = ["## Argument map at 50 and 5,000 arguments (bench/bench_argmap.py)", "",
             "| read | arguments | statements | median ms | fastest ms |", "|---|---:|---:|---:|---:|"]
    for row in rows:
        statements = row["statements"] or "–"
        fastest = f"{row['fastest ms']:.1f}" if isinstance(row.get("fastest ms"), float) else "–"
        lines.append(f"| {row['read']} | {row['arguments']:,} | {statements} | {row['median ms']:.1f} | {fastest} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,5000")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--out", type=Path, help="also write the Markdown table to this file")
    args = parser.parse_args(argv)
    text = render(run(repeats=args.repeats, sizes=tuple(int(s) for s in args.sizes.split(","))))
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
