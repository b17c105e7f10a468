"""Times rebasing 500 open amendments of one article onto a new head (merge3) against 500 word diffs.

Run: python bench/bench_rebase.py [--corpus DIR] [--repeats N] [--amendments N] [--out FILE]
The article is the longest one in ../shared/corpus; without the corpus, a synthetic text from a fixed seed.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from amendments.engine import DiffCache, diff_words, merge3  # noqa: E402
from bench.bench_diff import (  # noqa: E402
    DEFAULT_CORPUS,
    SEED,
    corpus_pairs,
    machine,
    scatter_edits,
    synthetic_text,
)


def article(corpus: Path | None, rng: random.Random) -> tuple[str, str]:
    """(name, text): the longest article text of the corpus, or a synthetic one."""
    if corpus is not None and (corpus / "article_histories").is_dir():
        name, _, text = max(corpus_pairs(corpus), key=lambda pair: len(pair[2]))
        return f"{name.split(' ')[0]} ({len(text):,} chars)", text
    text = synthetic_text(rng, 15_000)
    return f"synthetic, no corpus ({len(text):,} chars)", text


def run(corpus_dir: Path | None = DEFAULT_CORPUS, repeats: int = 5, amendments: int = 500) -> list[dict]:
    """One dict: times of rebasing `amendments` amendments with merge3 and of diffing the same texts."""
    rng = random.Random(SEED)
    name, base = article(corpus_dir, rng)
    head = scatter_edits(base, rng, every=1500)  # the merged change that triggers the rebase
    proposals = [scatter_edits(base, rng, every=rng.choice((1000, 3000, 8000, 20000))) for _ in range(amendments)]
    merges, diffs = [], []
    for _ in range(repeats):
        cache = DiffCache()  # each repeat is a fresh rebase run: the base→head diff is computed once
        start = time.perf_counter()
        results = [merge3(base, proposal, head, cache=cache) for proposal in proposals]
        merges.append(time.perf_counter() - start)
        start = time.perf_counter()
        for proposal in proposals:
            diff_words(base, proposal)
        diffs.append(time.perf_counter() - start)
    clean = sum(result.clean for result in results)
    return [
        {
            "case": f"{amendments} amendments of {name}",
            "amendments": amendments,
            "clean": clean,
            "conflict": amendments - clean,
            "merge3_min_ms": min(merges) * 1000,
            "merge3_median_ms": statistics.median(merges) * 1000,
            "diff_words_min_ms": min(diffs) * 1000,
            "diff_words_median_ms": statistics.median(diffs) * 1000,
            "ratio_min": min(merges) / min(diffs),
            "ratio_median": statistics.median(merges) / statistics.median(diffs),
        }
    ]


def markdown(results: list[dict], info: dict) -> str:
    lines = [
        "# Rebase (merge3) vs word diff",
        "",
        ", ".join(f"{key}: {value}" for key, value in info.items()),
        "",
        "| case | clean / conflict | merge3 min / median (ms) | diff_words min / median (ms) | ratio (min) | ratio (median) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['case']} | {r['clean']} / {r['conflict']} | {r['merge3_min_ms']:.1f} / {r['merge3_median_ms']:.1f} "
            f"| {r['diff_words_min_ms']:.1f} / {r['diff_words_median_ms']:.1f} | {r['ratio_min']:.3f} | {r['ratio_median']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--amendments", type=int, default=500)
    parser.add_argument("--out", type=Path, help="also write the table to this file (.json writes the raw rows)")
    args = parser.parse_args()
    results = run(args.corpus if args.corpus.is_dir() else None, args.repeats, args.amendments)
    info = machine()
    report = markdown(results, info)
    print(report)
    if args.out:
        if args.out.suffix == ".json":
            args.out.write_text(json.dumps({"machine": info, "results": results}, indent=2, ensure_ascii=False))
        else:
            args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
