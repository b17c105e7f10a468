"""What a search of one kind costs as the consultation grows (issue 13: "cost bounded, a bench figure at RN
and Grand Débat scale").

Run: python -m bench.bench_search_cost URL [URL ...]   (seeded bench databases; PostgreSQL or SQLite)

A search ranks at most ``MAX_RANKED`` matches, the first in the order of the items, so its work should stop
growing once a word has that many: on the République numérique database as on the Grand Débat one, 230
times larger. The HTTP rows "at gd scale against small" cannot show it: the small database has 223
arguments, so no word there ranks more than 223, and a word of 20 arguments there has 10,000 at Grand
Débat scale. Here each database asks its own words of arguments at levels of frequency (the rarest word
with at least 20, 100, 1,000, ... arguments, from the database's own counts), in-process (no HTTP), the
whole service (``search.search``: the ids and the page's rows, a page of 20), against the baseline of the
same run: the same words, the search's own ranking over every match (the unbounded way), then the same
page's rows.

The figure (target 80%, the bar of every "large against small" row): for the words ranking
``MAX_RANKED`` matches on both (the like work), the slowest such search on the République numérique
database against the slowest on the Grand Débat one, both PostgreSQL.
"""
from __future__ import annotations

import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import search_words  # noqa: E402
from drafting.db import Database  # noqa: E402
from drafting.services import search  # noqa: E402
from drafting.services.search import postgres as postgres_search  # noqa: E402
from drafting.services.search.text import LANGUAGES, MAX_RANKED, fold  # noqa: E402

KIND = "argument"
LEVELS = (20, 100, 1_000, 10_000, 100_000, 1_000_000)
ROUNDS = 15
UNBOUNDED_BUDGET = 3.0  # seconds of the unbounded query per word at most (at least one round)
TARGET = 0.80

# SQLite: the FTS5 vocabulary's every occurrence (its term, row and column), the kind's rows counted.
# (PostgreSQL: bench/search_words.py's KIND_WORDS, whose counts are exactly the rows a search finds.)
_SQLITE_VOCAB = "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab USING fts5vocab(main, search_index, 'instance')"
_SQLITE_WORDS = text("SELECT v.term, count(DISTINCT v.doc) FROM temp.search_vocab v JOIN search_entries e "
                     "ON e.id = v.doc WHERE e.kind = :kind AND v.col IN ('title', 'body') "
                     "AND v.term NOT GLOB '*[^a-z]*' GROUP BY v.term")
_SQLITE_COUNT = text("SELECT count(*) FROM search_index CROSS JOIN search_entries e ON e.id = search_index.rowid "
                     "WHERE search_index MATCH :match AND e.kind = :kind")


@dataclass
class Word:
    word: str
    matches: int  # items of the kind holding it
    ours_ms: float  # median of ROUNDS: search.search, a page of 20
    unbounded_ms: float  # median: every match ranked
    unbounded_rounds: int


@dataclass
class Scale:
    label: str
    items: int  # items of the kind
    words: list[Word]


def _pick(counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The rarest word at each level the counts reach, and the most frequent word."""
    ordered = sorted(counts, key=lambda c: (c[1], c[0]))
    picked = []
    for level in LEVELS:
        word = next((c for c in ordered if c[1] >= level), None)
        if word is not None and word not in picked:
            picked.append(word)
    if ordered and ordered[-1] not in picked:
        picked.append(ordered[-1])
    return picked


def _median_ms(call, rounds: int, budget: float | None = None) -> tuple[float, int]:
    times = []
    started = time.perf_counter()
    for _ in range(rounds):
        begin = time.perf_counter()
        call()
        times.append((time.perf_counter() - begin) * 1000)
        if budget is not None and time.perf_counter() - started > budget:
            break
    return statistics.median(times), len(times)


def measure(url: str, label: str) -> Scale:
    db = Database(url)
    postgres = url.startswith("postgresql")
    try:
        with db.session(write=False) as session:
            items = session.scalar(text("SELECT count(*) FROM search_entries WHERE kind = :kind"), {"kind": KIND})
            if postgres:
                words = _pick(list(session.execute(text(search_words.KIND_WORDS), {"kind": KIND})))
            else:
                session.execute(text(_SQLITE_VOCAB))
                words = _pick(list(session.execute(_SQLITE_WORDS, {"kind": KIND})))
            rows = []
            for word, matches in words:
                def ours() -> None:
                    search.search(session, word, kind=KIND, limit=20)

                ours()  # warm: the word's index pages read once
                ours_ms, _ = _median_ms(ours, ROUNDS)
                statement, values = (_postgres_unbounded if postgres else _sqlite_unbounded)(word)
                if not postgres:  # the vocabulary's count is of stems; a search stems the word again
                    matches = session.scalar(_SQLITE_COUNT, values)

                def unbounded() -> None:
                    search._hits(session, list(session.scalars(statement, values))[:20])

                unbounded_ms, done = _median_ms(unbounded, ROUNDS, UNBOUNDED_BUDGET)
                rows.append(Word(word, matches, ours_ms, unbounded_ms, done))
                print(f"[search cost] {label}: {word} ({matches:,}) ours {ours_ms:.1f} ms, "
                      f"every match ranked {unbounded_ms:.1f} ms", file=sys.stderr, flush=True)
            return Scale(label, items, rows)
    finally:
        db.dispose()


def _postgres_unbounded(word: str) -> tuple:
    """The search's own ranking (``postgres._ranked``) over every match of the kind, not the first
    ``MAX_RANKED``; French, the only language the bench databases' bills are written in."""
    queries = {"fr": f"plainto_tsquery('{LANGUAGES['fr']}', :q)"}
    every = (f"SELECT i.entry_id AS id, i.language, i.vector FROM search_index i JOIN search_entries e "
             f"ON e.id = i.entry_id WHERE e.kind = :kind AND {postgres_search._matching(queries, None)}")
    return text(postgres_search._ranked(every, queries)), {"q": fold(word), "kind": KIND, "limit": 21, "offset": 0}


def _sqlite_unbounded(word: str) -> tuple:
    """The search's own statement (``search._sqlite_query``) with no bound on the matches ranked."""
    values = {"kind": KIND, "limit": 21, "offset": 0, "ranked": -1}  # SQLite: LIMIT -1 is no limit
    return text(search._sqlite_query(list(LANGUAGES), " AND e.kind = :kind", values, word)), values


def like_work(small: Scale, large: Scale) -> dict:
    """The slowest search of words ranking ``MAX_RANKED`` matches on each, the smaller's against the larger's."""
    def slowest(scale: Scale) -> Word | None:
        full = [w for w in scale.words if w.matches >= MAX_RANKED]
        return max(full, key=lambda w: w.ours_ms) if full else None

    a, b = slowest(small), slowest(large)
    ratio = a.ours_ms / b.ours_ms if a and b else None
    return {"small": small.label, "large": large.label, "small_word": a and asdict(a), "large_word": b and asdict(b),
            "ratio": ratio, "target": TARGET,
            "verdict": "–" if ratio is None else "PASS" if ratio >= TARGET else "MISS"}


def run(urls: list[tuple[str, str]]) -> dict:
    """``urls``: (label, URL) of seeded databases; the figure compares the first two PostgreSQL ones."""
    scales = [measure(url, label) for label, url in urls]
    postgres = [s for (_, url), s in zip(urls, scales) if url.startswith("postgresql")]
    return {"scales": [asdict(s) for s in scales],
            "figure": like_work(postgres[0], postgres[1]) if len(postgres) >= 2 else None}


def render(result: dict) -> str:
    lines = ["Each database's words of arguments (the rarest with at least 20, 100, 1,000, ... of them, and the "
             f"most frequent), in-process: `search.search` (a page of 20 from the first {MAX_RANKED:,} matches) "
             "against the same word with every match ranked (`ORDER BY rank LIMIT 20`) and the same page's rows, medians.", "",
             "| database | arguments | word | arguments holding it | search | every match ranked | ratio |",
             "|---|---:|---|---:|---:|---:|---:|"]
    for scale in result["scales"]:
        for w in scale["words"]:
            lines.append(f"| {scale['label']} | {scale['items']:,} | `{w['word']}` | {w['matches']:,} | "
                         f"{w['ours_ms']:,.1f} ms | {w['unbounded_ms']:,.1f} ms | "
                         f"{w['unbounded_ms'] / w['ours_ms']:.1f}× |")
    figure = result.get("figure")
    if figure:
        lines.append("")
        if figure["ratio"] is None:
            lines.append(f"**–** No word ranks {MAX_RANKED:,} matches on both {figure['small']} and {figure['large']}.")
        else:
            a, b = figure["small_word"], figure["large_word"]
            lines.append(
                f"**{figure['verdict']}** Like work at two scales: the slowest search of a word with at least "
                f"{MAX_RANKED:,} arguments, {figure['small']} (`{a['word']}`, {a['ours_ms']:.1f} ms) against "
                f"{figure['large']} (`{b['word']}`, {b['ours_ms']:.1f} ms): {figure['ratio']:.0%} "
                f"(target {figure['target']:.0%}).")
    return "\n".join(lines)


if __name__ == "__main__":
    args = sys.argv[1:]
    print(render(run([(url.rsplit("/", 1)[-1], url) for url in args])))
