"""Times the word diff against diff-match-patch's own pure-Python character diff on long legal texts.

Run: python bench/bench_diff.py [--corpus DIR] [--repeats N] [--out FILE]
Without ../shared/corpus it times a synthetic text generated from a fixed seed instead.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from diff_match_patch import diff_match_patch  # noqa: E402

from amendments.engine import diff_words, tokenize  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
SEED = 20151018
SYNTHETIC_CHARS = 50_000
VOCABULARY = (
    "l'article L. 123-4 du code de la propriété intellectuelle est ainsi modifié : 1° au premier alinéa, "
    "les mots « à titre gratuit » sont remplacés par les mots « sans contrepartie » ; 2° après le "
    "deuxième alinéa, il est inséré un alinéa ainsi rédigé : l’auteur ne peut interdire la reproduction "
    "R. 611-14-1 de l’œuvre dans les conditions prévues au II de l'article L122-5 Straße Größe Maßnahme "
    "Bundesministerium für Gesundheit der Gemeinsame Bundesausschuss beschließt die Richtlinien"
).split()


def baseline_diff(old: str, new: str) -> list:
    """diff-match-patch's character diff, exact (no time limit) and semantically cleaned up."""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0
    diffs = dmp.diff_main(old, new)
    dmp.diff_cleanupSemantic(diffs)
    return diffs


def scatter_edits(text: str, rng: random.Random, every: int = 400) -> str:
    """Replaces, deletes or inserts one word about every `every` characters."""
    tokens = tokenize(text)
    words = [i for i, token in enumerate(tokens) if token[:1].isalnum()]
    for index in sorted(rng.sample(words, max(1, len(text) // every)), reverse=True):
        action = rng.choice(("replace", "delete", "insert"))
        if action == "replace":
            tokens[index] = rng.choice(VOCABULARY)
        elif action == "delete":
            tokens[index] = ""
        else:
            tokens[index] += " " + rng.choice(VOCABULARY)
    return "".join(tokens)


def synthetic_text(rng: random.Random, size: int) -> str:
    """Alinéas of vocabulary words, for machines without the shared corpus."""
    alineas, length = [], 0
    while length < size:
        alinea = " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(8, 60))) + "."
        alineas.append(alinea)
        length += len(alinea) + 1
    return "\n".join(alineas)


def corpus_pairs(corpus: Path) -> list[tuple[str, str, str]]:
    """Every consecutive pair of non-null versions in the article histories, named by file and version."""
    pairs = []
    for path in sorted((corpus / "article_histories").glob("*/*.json")):
        texts = [v["text"] for v in json.loads(path.read_text("utf-8"))["versions"] if v["text"] is not None]
        pairs += [(f"{path.stem} v{i + 1}→v{i + 2}", a, b) for i, (a, b) in enumerate(zip(texts, texts[1:]))]
    return pairs


def cases(corpus: Path | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """(name, [(old, new), ...]) for each row of the table."""
    rng = random.Random(SEED)
    rows = []
    if corpus is not None and (corpus / "article_histories").is_dir():
        pairs = corpus_pairs(corpus)
        for name, a, b in sorted(pairs, key=lambda p: len(p[1]) + len(p[2]), reverse=True)[:3]:
            rows.append((f"longest: {name}", [(a, b)]))
        rows.append((f"all {len(pairs)} corpus pairs", [(a, b) for _, a, b in pairs]))
        heads, length = [], 0
        for _, _, b in sorted(pairs, key=lambda p: p[0]):
            if length >= SYNTHETIC_CHARS:
                break
            if not heads or heads[-1] != b:
                heads.append(b)
                length += len(b) + 2
        text = "\n\n".join(heads)
        rows.append((f"{len(text):,} chars of real articles, scattered word edits", [(text, scatter_edits(text, rng))]))
    else:
        text = synthetic_text(rng, SYNTHETIC_CHARS)
        rows.append((f"{len(text):,} chars synthetic (no corpus), scattered word edits", [(text, scatter_edits(text, rng))]))
    return rows


def timed(function: Callable[[str, str], object], pairs: list[tuple[str, str]], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for a, b in pairs:
            function(a, b)
        times.append(time.perf_counter() - start)
    return times


def run(corpus_dir: Path | None = DEFAULT_CORPUS, repeats: int = 7) -> list[dict]:
    """Times both diffs on each case; one dict per case with milliseconds and the ratio ours / baseline."""
    results = []
    for name, pairs in cases(corpus_dir):
        ours = timed(diff_words, pairs, repeats)
        base = timed(baseline_diff, pairs, repeats)
        results.append(
            {
                "case": name,
                "pairs": len(pairs),
                "chars": sum(len(a) + len(b) for a, b in pairs),
                "ours_min_ms": min(ours) * 1000,
                "ours_median_ms": statistics.median(ours) * 1000,
                "baseline_min_ms": min(base) * 1000,
                "baseline_median_ms": statistics.median(base) * 1000,
                "ratio_min": min(ours) / min(base),
                "ratio_median": statistics.median(ours) / statistics.median(base),
            }
        )
    return results


def machine() -> dict:
    versions = {}
    for package in ("diff-match-patch", "fast-diff-match-patch"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "absent"
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cores": os.cpu_count(),
        **versions,
    }


def markdown(title: str, results: list[dict], info: dict, baseline: str) -> str:
    lines = [
        f"# {title}",
        "",
        ", ".join(f"{key}: {value}" for key, value in info.items()),
        "",
        f"| case | pairs | chars | ours min / median (ms) | {baseline} min / median (ms) | ratio (min) | ratio (median) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['case']} | {r['pairs']} | {r['chars']:,} | {r['ours_min_ms']:.2f} / {r['ours_median_ms']:.2f} "
            f"| {r['baseline_min_ms']:.2f} / {r['baseline_median_ms']:.2f} | {r['ratio_min']:.3f} | {r['ratio_median']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--out", type=Path, help="also write the table to this file (.json writes the raw rows)")
    args = parser.parse_args()
    corpus = args.corpus if args.corpus.is_dir() else None
    results = run(corpus, args.repeats)
    info = machine()
    report = markdown("Word diff vs diff-match-patch character diff", results, info, "diff-match-patch (Python)")
    print(report)
    if args.out:
        if args.out.suffix == ".json":
            args.out.write_text(json.dumps({"machine": info, "results": results}, indent=2, ensure_ascii=False))
        else:
            args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
