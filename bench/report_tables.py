"""The tables of bench/RESULTS.md for checks and engine rows (bench/report.py writes the rest): the
latency while passwords are checked, the concurrent writers, the diff, rebase and argument-map rows."""
from __future__ import annotations


def number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def latency_verdict(check: dict) -> str:
    """PASS when the median is under its target and every guess was checked (401), not refused."""
    median, answers = check.get("median_ms"), check.get("sign_in_answers", {})
    if median is None or not answers:
        return "n/a"
    checked_only = set(answers) == {"401"} or set(answers) == {401}
    return "PASS" if median < check["target_ms"] and checked_only else "MISS"


def latency_lines(checks: list[dict]) -> list[str]:
    if not checks:
        return []
    lines = ["", "## Latency while passwords are checked", "",
             "One client asks `/healthz` again and again while the others send wrong passwords to "
             "`POST /api/v1/auth/token` without pause (argon2 with its production parameters, sign-in "
             "throttling off so that every guess is checked). Target: the median stays under the time given.", "",
             "| probe | database | seconds | /healthz answers | median ms | p99 ms | idle median ms "
             "| sign-in answers (status: count) | target | verdict |",
             "|---|---|---:|---:|---:|---:|---:|---|---:|---|"]
    for c in checks:
        answers = ", ".join(f"{status}: {count:,}" for status, count in c.get("sign_in_answers", {}).items())
        lines.append(f"| {c['name']} | {c['where']} | {c['seconds']:.0f} | {c['healthz_answers']:,} "
                     f"| {number(c.get('median_ms'), 1)} | {number(c.get('p99_ms'), 1)} "
                     f"| {number(c.get('idle_median_ms'), 1)} "
                     f"| {answers or '–'} | < {c['target_ms']:.0f} ms | {latency_verdict(c)} |")
    return lines


def write_lines(checks: list[dict]) -> list[str]:
    if not checks:
        return []
    lines = ["", "## Concurrent writers", "",
             "Writers at once, each in turn voting on, arguing on and proposing a change to the same articles, "
             "without pause. Target (issue 11): no answer ≥ 500, every argument and amendment answered 2xx is a "
             "row, the stored counts equal the rows.", "",
             "| writers | database | seconds | answers (status: count) | answers ≥ 500 | arguments | amendments "
             "| lost | counts off | verdict |", "|---:|---|---:|---|---:|---:|---:|---:|---:|---|"]
    for c in checks:
        answers = ", ".join(f"{status}: {count:,}" for status, count in c.get("answers", {}).items())
        lines.append(f"| {c['writers']} | {c['where']} | {c['seconds']:.0f} | {answers} | {c['answers_500_or_more']} "
                     f"| {c['arguments_written']:,} | {c['amendments_written']:,} | {c['lost']} | {c['count_drift']} "
                     f"| {'PASS' if c['exact'] else 'MISS'} |")
    return lines


def diff_miss(row: dict, rows: list[dict]) -> str:
    ours, theirs = row.get("ours_median_ms", 0), row.get("baseline_median_ms", 0)
    if theirs < 1:
        overall = next((r for r in rows if str(r.get("case", "")).startswith("all ")), None)
        tail = (f"; over all {overall['pairs']} corpus pairs together the ratio is {overall['ratio_median']:.2f}"
                if overall else "")
        return (f"both diffs take under a millisecond ({ours:.3f} ms against {theirs:.3f} ms): the pair differs in "
                "one place, which diff-match-patch finds by comparing the common prefix and suffix in C, while the "
                f"word diff also looks for the token boundaries around it, a fixed cost of a few hundredths of a "
                f"millisecond{tail}")
    return f"{ours:.1f} ms against {theirs:.1f} ms"


def table(rows: list[dict] | str | None, header: str, target_key: str | None = None,
           target: float | None = None) -> list[str]:
    if rows is None:
        return ["Not run."]
    if isinstance(rows, str):
        return [rows]
    if not rows:
        return ["No results."]
    keys = list(rows[0])
    lines = [header, "", "| " + " | ".join(keys) + (" | verdict |" if target_key else " |"),
             "|" + "---|" * (len(keys) + (1 if target_key else 0))]
    for row in rows:
        cells = [f"{v:,.3f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else str(v)
                 for v in row.values()]
        verdict = ""
        if target_key:
            value = row.get(target_key)
            verdict = " | " + ("PASS" if isinstance(value, (int, float)) and value <= target else "MISS")
        lines.append("| " + " | ".join(cells) + verdict + " |")
    return lines
