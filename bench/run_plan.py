"""What `make bench` measures and against what: the sizes of its loads, its sections, issue 11's targets
and the rows of the search API (bench/run.py and its sections, bench/run_sqlite.py, bench/run_postgres.py)."""
from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
VOTERS = 50
CONCURRENCY = (10, 50)
LAST_RUN = {mode: REPO / "bench" / "var" / f"last-{mode}-run.json" for mode in ("full", "quick")}
SLOW_PAGE = 2.0  # seconds for one request, beyond which a page is not put under load
PASSWORD_GUESSERS = 8
VOTES_PER_SECOND = 20  # written on the article while its page is loaded (the render cache's invalidations)
PASSWORD_PROBE_TARGET_MS = 50.0  # issue 11: /healthz median while the guessers run
MIXED_WRITERS = 8
# Seconds of vote load before the measured one: on the Grand Débat database the first load after a
# pause read the voters' rows of a 10-million-row table from disk (bench/ANALYSIS.md, lead, 2 December).
VOTE_WARMUP = 5.0
SECTIONS = ("sqlite", "pages", "votes", "passwords", "cached", "engine", "postgres", "searchcost")
# Issue 11's targets, as shares of H, for signed-in requests with the page cache bypassed.
TARGET = {"article page": 0.10, "amendment page": 0.10, "bill page": 0.08, "amendment JSON": 0.30,
          "article JSON": 0.30, "votes": 0.30, "votes, 2 workers": 0.15, "large against small": 0.80}
# The search API's rows (CONTRACT §6), 20 results each: info against H on SQLite, large against small
# on PostgreSQL.
SEARCHES = {"search API, common word": "Search API, a word of most items, 20 results",
            "search API, two words": "Search API, two words of most items, 20 results",
            "search API, rare word": "Search API, a rare word, arguments only, 20 results"}
# PostgreSQL only, large against small: the rare word's row with the two sides doing like work. The fixed
# word of "rare word" finds 1 argument on the small database and 10,038 on the Grand Débat one (1 result
# against 20); here each database asks its own rarest word that still fills the page (20 results on
# both): bench/search_words.py, the words and their counts in the run's notes.
PAGE_FILLING = "search API, rarest word filling a page"
