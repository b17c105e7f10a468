"""In-process timings of a search of one kind on PostgreSQL, word by word, with a digest of the ids found,
so that two versions of the code can be compared on one database (same digests: same results).

    PYTHONPATH=<checkout> python -m bench.search_timing URL ROUNDS WORD[:KIND] ...

URL is a SQLAlchemy URL of a seeded bench database (``postgresql+psycopg://…/navette_bench_gd``); KIND is
``argument`` unless given; each word is asked ROUNDS times for a page of 21, and the median and the least
time are printed (bench/ANALYSIS.md, "search4")."""
from __future__ import annotations

import hashlib
import statistics
import sys
import time

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from drafting.services.search.postgres import _postgres_search
from drafting.services.search.text import LANGUAGES


def main(argv: list[str]) -> None:
    url, rounds, specs = argv[0], int(argv[1]), argv[2:]
    engine = create_engine(url)
    with Session(engine) as session:
        for spec in specs:
            word, _, kind = spec.partition(":")
            times, ids = [], []
            for _ in range(rounds):
                start = time.perf_counter()
                ids = _postgres_search(session, list(LANGUAGES), None, kind or "argument", word, 21, 0)
                times.append((time.perf_counter() - start) * 1000)
                session.rollback()
            digest = hashlib.md5(repr(ids).encode()).hexdigest()[:10]
            print(f"{spec:24} median {statistics.median(times):7.2f} ms  least {min(times):6.2f} ms  "
                  f"{len(ids)} found  {digest}", flush=True)
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
