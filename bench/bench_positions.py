"""The argument map's grouping against hand-made positions of real consultation arguments (issue 14).

Run: python -m bench.bench_positions [--corpus DIR] [--out FILE]
Scores, per labelled article and pooled over all of them, pairwise precision/recall/F1 and the adjusted
Rand index of: one position per stance (the trivial grouping), a lexical baseline (character n-gram
TF-IDF on Snowball stems, agglomerative cosine threshold), the naive embedding baseline (e5 passage
vectors, agglomerative cosine threshold), the chosen method in a batch (amendments.positions.group) and
one argument at a time (amendments.positions.place, in the order the arguments were written). Each
baseline's threshold is chosen on Article 9 alone and applied unchanged to the other articles. Then the
hand-written French/German/English pairs, and the time per argument on this machine.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from amendments.positions import evaluation, grouping  # noqa: E402
from amendments.positions.embeddings import embed_parts  # noqa: E402
from amendments.positions.grouping import PositionVector, Space, place  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
LABELS = REPO / "tests" / "data" / "positions"
TUNING_ARTICLE = "rn_article9_libre_acces"
SWEEP = {
    "lexical": np.round(np.arange(0.50, 0.99, 0.02), 2),
    "naive e5": np.round(np.arange(0.04, 0.30, 0.01), 2),
    "chosen": np.round(np.arange(0.80, 0.99, 0.01), 2),
}


def _unit(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.clip(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9, None)


def _agglomerative(vectors: np.ndarray, stances: list[str], distance: float) -> list[str]:
    from sklearn.cluster import AgglomerativeClustering

    labels = [""] * len(stances)
    for stance in sorted(set(stances)):
        members = [i for i, s in enumerate(stances) if s == stance]
        if len(members) == 1:
            labels[members[0]] = f"{stance}:0"
            continue
        found = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average", distance_threshold=distance
        ).fit(vectors[members]).labels_
        for i, cluster in zip(members, found):
            labels[i] = f"{stance}:{cluster}"
    return labels


def _lexical_vectors(texts: list[str]) -> np.ndarray:
    import snowballstemmer
    from sklearn.feature_extraction.text import TfidfVectorizer

    stemmer = snowballstemmer.stemmer("french")
    stemmed = [" ".join(stemmer.stemWords(re.findall(r"\w+", t.lower()))) for t in texts]
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(stemmed).toarray()


def _incremental(article: evaluation.Article, vectors: np.ndarray, written: list[int]) -> tuple[list[str], float]:
    """Each argument placed in turn, in the order written, against the positions kept so far."""
    space, kept = Space(), {s: [] for s in set(article.stances)}
    labels, seconds = [""] * len(article.texts), 0.0
    for i in written:
        stance = article.stances[i]
        start = time.perf_counter()
        placed = place(article.texts[i], "fr", kept[stance], space, vector=vectors[i])
        space = placed.space
        positions = kept[stance]
        if placed.position is None:
            positions.append(PositionVector.opened(len(positions), placed.features))
            labels[i] = f"{stance}:{len(positions) - 1}"
        else:
            positions[placed.position] = positions[placed.position].joined(placed.features)
            labels[i] = f"{stance}:{placed.position}"
        seconds += time.perf_counter() - start
    return labels, seconds / len(written)


def _timed(function, *args):
    start, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, (time.perf_counter() - start, time.process_time() - cpu)


def _tuned(method: str, predict, articles) -> tuple[float, list[evaluation.Scores]]:
    tuning = next(a for a in articles if a.name == TUNING_ARTICLE)
    best = max(SWEEP[method], key=lambda t: evaluation.score(tuning.gold, predict(tuning, t)).f1)
    return float(best), [evaluation.score(a.gold, predict(a, best)) for a in articles]


def crosslingual(labels_dir: Path = LABELS) -> dict:
    """The hand-written fr/de/en arguments grouped together: share of same-reason pairs grouped, and of
    grouped pairs that give the same reason."""
    data = json.loads((labels_dir / "crosslingual.json").read_text(encoding="utf-8"))
    rows = [(r["key"], r["stance"], lang, text) for r in data["reasons"] for lang, text in r["texts"].items()]
    clusters = grouping.group([r[3] for r in rows], [r[2] for r in rows], stances=[r[1] for r in rows])
    scores = evaluation.score([r[0] for r in rows], clusters)
    return {"arguments": len(rows), "reasons": len(data["reasons"]), "precision": scores.precision,
            "recall": scores.recall, "f1": scores.f1}


def run(corpus: Path = DEFAULT_CORPUS, labels_dir: Path = LABELS) -> dict:
    opinions = corpus / "consultation_republique_numerique" / "opinions.json"
    articles = evaluation.load_articles(labels_dir, opinions)
    written_at = {a["id"]: a["created_at"] for o in json.loads(opinions.read_text(encoding="utf-8"))["opinions"]
                  for a in o["arguments"]}
    count = sum(len(a.texts) for a in articles)

    start, cpu = time.perf_counter(), time.process_time()
    parts = {a.name: embed_parts(a.texts) for a in articles}
    embed_seconds = ((time.perf_counter() - start) / count, (time.process_time() - cpu) / count)
    start, cpu = time.perf_counter(), time.process_time()
    for text in articles[0].texts[:10]:
        embed_parts([text])
    single_seconds = ((time.perf_counter() - start) / 10, (time.process_time() - cpu) / 10)
    chosen_vectors = {name: _unit(heads + wholes) for name, (heads, wholes) in parts.items()}
    lexical = {a.name: _lexical_vectors(a.texts) for a in articles}

    methods = {}
    methods["one position per stance"] = (None, [evaluation.score(a.gold, a.stances) for a in articles])
    methods["lexical: char 3-5-gram TF-IDF, stems, average linkage"] = _tuned(
        "lexical", lambda a, t: _agglomerative(lexical[a.name], a.stances, t), articles)
    methods["naive e5: passage vectors, average linkage"] = _tuned(
        "naive e5", lambda a, t: _agglomerative(parts[a.name][1], a.stances, t), articles)
    chosen_threshold, chosen = _tuned(
        "chosen", lambda a, t: grouping.group(a.texts, "fr", stances=a.stances, vectors=chosen_vectors[a.name],
                                              threshold=1.0 - t), articles)
    methods["chosen, batch (group)"] = (chosen_threshold, chosen)
    default = [evaluation.score(a.gold, grouping.group(a.texts, "fr", stances=a.stances, vectors=chosen_vectors[a.name]))
               for a in articles]
    methods["chosen, batch, shipped THRESHOLD"] = (1.0 - grouping.THRESHOLD, default)
    incremental, place_seconds = [], []
    for a in articles:
        order = sorted(range(len(a.ids)), key=lambda i: written_at[a.ids[i]])
        (labels, _), elapsed = _timed(_incremental, a, chosen_vectors[a.name], order)
        incremental.append(evaluation.score(a.gold, labels))
        place_seconds.append(np.array(elapsed) / len(a.ids))
    largest = max(articles, key=lambda a: len(a.texts))
    _, rebuild_seconds = _timed(
        lambda: grouping.group(largest.texts, "fr", stances=largest.stances, vectors=chosen_vectors[largest.name]))
    methods["chosen, one at a time (place), in order written"] = (None, incremental)

    return {
        "articles": [{"name": a.name, "title": a.title, "arguments": len(a.texts),
                      "positions": len(set(a.gold))} for a in articles],
        "methods": {name: {"threshold": thr, "scores": scores, "pooled": evaluation.pooled(scores)}
                    for name, (thr, scores) in methods.items()},
        "crosslingual": crosslingual(labels_dir),
        "seconds_per_argument": {"embedding, batch of one article": embed_seconds,
                                 "embedding, one argument alone": single_seconds,
                                 "placing one argument (place, vector given)": tuple(np.mean(place_seconds, axis=0)),
                                 f"rebuild of {len(largest.texts)} arguments (group, vectors given), per argument":
                                     tuple(np.array(rebuild_seconds) / len(largest.texts))},
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
                   f"Python {platform.python_version()}",
    }


def render(result: dict) -> str:
    names = [a["name"] for a in result["articles"]]
    lines = ["## Argument map: grouping into positions (issue 14)", "",
             f"Machine: {result['machine']}. French arguments of the République numérique consultation, "
             "grouped by hand (tests/data/positions/README.md):", ""]
    for a in result["articles"]:
        lines.append(f"- `{a['name']}`: {a['title']} — {a['arguments']} arguments, {a['positions']} positions")
    lines += ["", "Pairwise F1 (precision / recall) per article, pooled over all pairs, and mean adjusted Rand "
              f"index. Thresholds (cosine distance) chosen on `{TUNING_ARTICLE}` only.", "",
              "| method | threshold | " + " | ".join(names) + " | all (fr) | ARI |",
              "|---|---|" + "---|" * len(names) + "---|---|"]
    for name, m in result["methods"].items():
        cells = [f"{s.f1:.2f} ({s.precision:.2f} / {s.recall:.2f})" for s in m["scores"]]
        threshold = "" if m["threshold"] is None else f"{m['threshold']:.2f}"
        p = m["pooled"]
        lines.append(f"| {name} | {threshold} | " + " | ".join(cells) + f" | **{p.f1:.2f}** ({p.precision:.2f} / "
                     f"{p.recall:.2f}) | {p.ari:.2f} |")
    c = result["crosslingual"]
    lines += ["", f"Cross-language (fr/de/en, hand-written, {c['arguments']} arguments giving {c['reasons']} reasons): "
              f"pairwise F1 {c['f1']:.2f} (precision {c['precision']:.2f}, recall {c['recall']:.2f}).", "",
              "| time per argument | wall ms | CPU ms |", "|---|---|---|"]
    for name, (wall, cpu) in result["seconds_per_argument"].items():
        lines.append(f"| {name} | {wall * 1000:.1f} | {cpu * 1000:.1f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, help="also write the Markdown table to this file")
    args = parser.parse_args(argv)
    text = render(run(args.corpus))
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
