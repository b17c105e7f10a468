"""The argument map's grouping against hand-made positions of real consultation arguments (issue 14).

Run: python -m bench.bench_positions [--corpus DIR] [--out FILE]
Scores, per labelled article and pooled over all of them, pairwise precision/recall/F1 and the adjusted
Rand index of: one position per stance (the trivial grouping), a lexical baseline (character n-gram
TF-IDF on Snowball stems, agglomerative cosine threshold), the naive embedding baseline (e5 passage
vectors, agglomerative cosine threshold), the chosen method in a batch (amendments.positions.group),
one argument at a time (amendments.positions.place, in the order the arguments were written), and as the
service keeps it (placed, and regrouped as position_staff.regroups says: evaluation.kept). Each
baseline's threshold is chosen on Article 9 alone and applied unchanged to the other articles. Then, leave one
set out: each method's parameters (thresholds; for the chosen method also the key terms' weight) chosen on two
articles and scored on the third, for each, beside the in-sample figure (chosen on all three). Then the
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
from amendments.services import position_staff  # noqa: E402
from amendments.services.position_staff import REBUILD_BELOW, REBUILD_UP_TO  # noqa: E402


REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
LABELS = REPO / "tests" / "data" / "positions"
TUNING_ARTICLE = "rn_article9_libre_acces"
SWEEP = {
    "lexical": np.round(np.arange(0.50, 0.99, 0.02), 2),
    "naive e5": np.round(np.arange(0.04, 0.30, 0.01), 2),
    "chosen": np.round(np.arange(0.80, 0.99, 0.01), 2),
}
TERMS_WEIGHTS = (0.2, 0.3, 0.4, 0.5)  # the key terms' weights tried by the leave-one-set-out choice


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
    """Each argument placed in turn, in the order written, against the positions kept so far: the labels
    and the seconds per placement."""
    start = time.perf_counter()
    labels = evaluation.kept(article, vectors, written)
    return labels, (time.perf_counter() - start) / len(written)


def _timed(function, *args):
    start, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, (time.perf_counter() - start, time.process_time() - cpu)


def _tuned(method: str, predict, articles) -> tuple[float, list[evaluation.Scores]]:
    tuning = next(a for a in articles if a.name == TUNING_ARTICLE)
    best = max(SWEEP[method], key=lambda t: evaluation.score(tuning.gold, predict(tuning, t)).f1)
    return float(best), [evaluation.score(a.gold, predict(a, best)) for a in articles]


def _held_out(candidates: list, predict, articles) -> dict:
    """Leave one set out: for each article, the candidate with the best pooled F1 on the other articles,
    scored on that article; and the candidate chosen on all of them (in-sample), for comparison."""
    scored = {c: [evaluation.score(a.gold, predict(a, c)) for a in articles] for c in candidates}

    def best(indexes: list[int]):
        return max(candidates, key=lambda c: evaluation.pooled([scored[c][i] for i in indexes]).f1)

    choices = [best([i for i in range(len(articles)) if i != k]) for k in range(len(articles))]
    in_sample = best(list(range(len(articles))))
    held = [scored[c][k] for k, c in enumerate(choices)]
    return {"choices": choices, "held": held, "held_pooled": evaluation.pooled(held), "in_sample": in_sample,
            "in_sample_pooled": evaluation.pooled(scored[in_sample])}


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
        (labels, _), elapsed = _timed(_incremental, a, chosen_vectors[a.name], a.order)
        incremental.append(evaluation.score(a.gold, labels))
        place_seconds.append(np.array(elapsed) / len(a.ids))
    largest = max(articles, key=lambda a: len(a.texts))
    _, rebuild_seconds = _timed(
        lambda: grouping.group(largest.texts, "fr", stances=largest.stances, vectors=chosen_vectors[largest.name]))
    methods["chosen, one at a time (place), in order written"] = (None, incremental)
    for name, regroups in ((f"regrouped below {REBUILD_BELOW} arguments only (before 2026-12-01)",
                            lambda count: count < REBUILD_BELOW),
                           (f"regrouped below {REBUILD_BELOW} and at each doubling to {REBUILD_UP_TO} (shipped)",
                            position_staff.regroups)):
        methods[f"chosen, as the service keeps it: {name}"] = (None, [
            evaluation.score(a.gold, evaluation.kept(a, chosen_vectors[a.name], a.order, regroups)) for a in articles])

    held_out = {
        "lexical": _held_out(list(SWEEP["lexical"]), lambda a, t: _agglomerative(lexical[a.name], a.stances, t),
                             articles),
        "naive e5": _held_out(list(SWEEP["naive e5"]), lambda a, t: _agglomerative(parts[a.name][1], a.stances, t),
                              articles),
        "chosen (threshold)": _held_out(
            list(SWEEP["chosen"]), lambda a, t: grouping.group(a.texts, "fr", stances=a.stances,
                                                               vectors=chosen_vectors[a.name], threshold=1.0 - t),
            articles),
        "chosen (threshold and terms weight)": _held_out(
            [(w, t) for w in TERMS_WEIGHTS for t in SWEEP["chosen"]],
            lambda a, c: grouping.group(a.texts, "fr", stances=a.stances, vectors=chosen_vectors[a.name],
                                        threshold=1.0 - c[1], terms_weight=c[0]), articles),
    }

    return {
        "articles": [{"name": a.name, "title": a.title, "arguments": len(a.texts),
                      "positions": len(set(a.gold))} for a in articles],
        "methods": {name: {"threshold": thr, "scores": scores, "pooled": evaluation.pooled(scores)}
                    for name, (thr, scores) in methods.items()},
        "held_out": held_out,
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
    lines += ["", "Leave one set out: parameters chosen on the two other articles, scored on the article of the "
              "column (the choice in brackets: distance threshold, or terms weight / distance threshold); "
              "in-sample: chosen on all three.", "",
              "| method | " + " | ".join(f"held-out {n}" for n in names) + " | **held-out, all (fr)** | ARI | "
              "in-sample, all (fr) |", "|---|" + "---|" * len(names) + "---|---|---|"]
    for name, h in result.get("held_out", {}).items():
        cells = [f"{s.f1:.2f} ({_choice(c)})" for s, c in zip(h["held"], h["choices"])]
        p, i = h["held_pooled"], h["in_sample_pooled"]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | **{p.f1:.2f}** ({p.precision:.2f} / {p.recall:.2f}) | "
                     f"{p.ari:.2f} | {i.f1:.2f} ({_choice(h['in_sample'])}) |")
    c = result["crosslingual"]
    lines += ["", f"Cross-language (fr/de/en, hand-written, {c['arguments']} arguments giving {c['reasons']} reasons): "
              f"pairwise F1 {c['f1']:.2f} (precision {c['precision']:.2f}, recall {c['recall']:.2f}).", "",
              "| time per argument | wall ms | CPU ms |", "|---|---|---|"]
    for name, (wall, cpu) in result["seconds_per_argument"].items():
        lines.append(f"| {name} | {wall * 1000:.1f} | {cpu * 1000:.1f} |")
    return "\n".join(lines) + "\n"


def _choice(choice) -> str:
    return "/".join(f"{x:.2f}" for x in choice) if isinstance(choice, tuple) else f"{choice:.2f}"


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
