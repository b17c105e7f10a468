"""The figures of one benchmark run and bench/RESULTS.md written from them."""
from __future__ import annotations

import datetime
import os
import platform
import sqlite3
import subprocess
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.loadgen import LoadResult, wrk_path
from bench.probes import PageProfile
from bench.report_tables import diff_miss as _diff_miss, latency_lines as _latency_lines, number as _n
from bench.report_tables import table as _table, write_lines as _write_lines
from bench.report_tables import latency_verdict  # noqa: F401  (bench.report's, as bench/run.py asks it)

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Figure:
    """One measured page or action as a ratio to its baseline, next to its target."""

    name: str
    where: str
    concurrency: int
    result: LoadResult | None
    baseline_name: str
    baseline: LoadResult | None
    target: float | None  # None: shown for information
    note: str = ""
    exact: bool | None = None  # votes: were they all counted once?
    page: str | None = None  # key of the page profile that explains it
    compared: tuple[str, str] | None = None  # (small, large) database labels of a scale comparison

    @property
    def ratio(self) -> float | None:
        if not self.result or not self.baseline or not self.baseline.rps:
            return None
        return self.result.rps / self.baseline.rps

    @property
    def error_share(self) -> float:
        if not self.result or not self.result.requests:
            return 1.0 if self.result else 0.0
        return (self.result.errors + self.result.socket_errors) / max(self.result.requests, 1)

    @property
    def verdict(self) -> str:
        if self.target is None:
            return "info"
        if self.ratio is None:
            return "n/a"
        if self.error_share > 0.01 or self.exact is False:
            return "MISS"
        return "PASS" if self.ratio >= self.target else "MISS"


@dataclass
class Run:
    """Everything one run measured, in the order it is reported."""

    mode: str
    started: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.timezone.utc))
    machine: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    datasets: list[Any] = field(default_factory=list)
    baselines: list[tuple[str, str, LoadResult]] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    profiles: dict[str, dict[str, PageProfile]] = field(default_factory=dict)
    vote_checks: list[tuple[str, dict]] = field(default_factory=list)
    cache_checks: list[dict] = field(default_factory=list)
    latency_checks: list[dict] = field(default_factory=list)  # absolute latencies under a load (ms)
    write_checks: list[dict] = field(default_factory=list)  # concurrent writers: statuses, lost rows
    diff: list[dict] | str | None = None
    rebase: list[dict] | str | None = None
    argmap: list[dict] | str | None = None
    positions: str | None = None  # bench/bench_positions.py's tables (Markdown), or why they are missing
    search_cost: dict | str | None = None  # bench/bench_search_cost.py's result, or why it is missing
    notes: list[str] = field(default_factory=list)
    loads: list[tuple[str, float]] = field(default_factory=list)  # (moment, 1-minute load average)
    seconds: float = 0.0


def save_run(run: Run, path: Path) -> None:
    """The run's figures as JSON, so RESULTS.md can be written again without measuring again."""
    import dataclasses
    import json

    data = dataclasses.asdict(run)
    data["started"] = run.started.isoformat()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def load_run(path: Path) -> Run:
    import json

    from bench.datasets import Dataset

    data = json.loads(path.read_text(encoding="utf-8"))

    def result(raw: dict | None) -> LoadResult | None:
        return LoadResult(**raw) if raw else None

    run = Run(**{**data, "started": datetime.datetime.fromisoformat(data["started"])})
    run.datasets = [Dataset(**d) for d in data["datasets"]]
    run.baselines = [(name, where, result(r)) for name, where, r in data["baselines"]]
    run.figures = [Figure(**{**f, "result": result(f["result"]), "baseline": result(f["baseline"]),
                             "compared": tuple(f["compared"]) if f.get("compared") else None})
                   for f in data["figures"]]
    run.profiles = {where: {name: PageProfile(**p) for name, p in pages.items()}
                    for where, pages in data["profiles"].items()}
    run.vote_checks = [tuple(c) for c in data["vote_checks"]]
    run.loads = [tuple(x) for x in data["loads"]]
    return run


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def machine_info(pg_version: str | None = None) -> dict[str, str]:
    cpu = "unknown"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    wrk = wrk_path()
    tool = "Python asyncio client (bench/loadgen.py)"
    if wrk:
        version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.split("\n")[0]
        tool = f"{version.split(' [')[0].strip() or 'wrk'} (1 thread)"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=REPO).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True,
                               cwd=REPO).stdout.strip()
        commit = f"{commit}{' + uncommitted changes' if dirty else ''}"
    except OSError:
        commit = "unknown"
    return {
        "cores": str(os.cpu_count()),
        "memory": memory,
        "CPU": cpu,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Litestar": _version("litestar"),
        "SQLAlchemy": _version("sqlalchemy"),
        "uvicorn": _version("uvicorn"),
        "Jinja2": _version("jinja2"),
        "psycopg": _version("psycopg"),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": pg_version or "not used",
        "load generator": tool,
        "commit": commit,
    }


# --- markdown ----------------------------------------------------------------------------------


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}" if value < 10 else f"{value:.1f}×"


def _profile_line(profile: PageProfile | None) -> str:
    if profile is None:
        return ""
    render = f", template alone {profile.render_ms:.1f} ms" if profile.render_ms is not None else ""
    return (f"{profile.bytes / 1024:,.0f} KB, {profile.statements} SQL statements, "
            f"{profile.request_ms:.1f} ms per request in-process{render}")


def explain(figure: Figure, run: Run) -> str:
    """What the run itself says about a miss: errors, statements, where the time goes."""
    parts = []
    if figure.result is None:
        return figure.note or "not measured"
    if figure.result.requests == 0 and figure.result.tool != "sequential":
        parts.append(f"no request completed within the {figure.result.seconds:.0f} s run: with "
                     f"{figure.concurrency} requests sharing the CPU, each took longer than that")
    elif figure.error_share > 0.01:
        parts.append(f"{figure.result.errors} error answers and {figure.result.socket_errors} socket errors "
                     f"out of {figure.result.requests} requests")
    if figure.exact is False:
        parts.append("votes were lost or doubled (see the vote checks)")
    profile = None
    if figure.page and not figure.compared:
        profile = run.profiles.get(figure.where, {}).get(figure.page)
    if figure.ratio is not None and figure.target:
        budget = 1000 / (figure.baseline.rps * figure.target) if figure.baseline and figure.baseline.rps else None
        served = 1000 / figure.result.rps if figure.result.rps else None
        if budget and served:
            parts.append(f"the target allows {budget:.2f} ms of server time per request; it took {served:.2f} ms "
                         f"(at {figure.concurrency} connections)")
    if profile is not None:
        parts.append(_profile_line(profile))
        if profile.render_ms is not None and profile.request_ms:
            share = profile.render_ms / profile.request_ms
            if share > 0.5:
                parts.append(f"the template alone is {share:.0%} of the in-process time: rendering, not the "
                             "database, is the cost")
            else:
                parts.append(f"the database and handler take {profile.request_ms - profile.render_ms:.1f} ms "
                             f"of it ({1 - share:.0%})")
    if figure.compared and figure.page:
        small = run.profiles.get(figure.compared[0], {}).get(figure.page)
        big = run.profiles.get(figure.compared[1], {}).get(figure.page)
        if small and big:
            parts.append(f"in-process, the small database needs {small.statements} statements and "
                         f"{small.request_ms:,.1f} ms ({small.bytes / 1024:,.0f} KB), the large one {big.statements} "
                         f"statements and {big.request_ms:,.1f} ms ({big.bytes / 1024:,.0f} KB"
                         + (f", of which the template alone {big.render_ms:,.1f} ms" if big.render_ms else "") + ")")
    if figure.note:
        parts.append(figure.note)
    return "; ".join(parts)


def render_markdown(run: Run) -> str:
    lines = [
        "# Navette benchmark results",
        "",
        f"Written by `make bench` (`python -m bench.run{' --quick' if run.mode == 'quick' else ''}`) on "
        f"{run.started:%Y-%m-%d %H:%M} UTC, in {run.seconds / 60:.1f} minutes. Mode: **{run.mode}**.",
        "",
        "## Machine",
        "",
        "| " + " | ".join(run.machine) + " |",
        "|" + "---|" * len(run.machine),
        "| " + " | ".join(run.machine.values()) + " |",
        "",
        f"Load average (1 min) of the machine during the run: "
        + ", ".join(f"{moment} {value:.2f}" for moment, value in run.loads)
        + (f" — **busier than its {run.machine.get('cores')} cores: other work shared the CPU, figures are "
           "pessimistic and noisier**" if any(v > float(run.machine.get("cores", "1")) * 0.75 for _, v in run.loads)
           else "") + ".",
        "",
        "## How it is measured",
        "",
        f"- Every figure is a ratio to a baseline measured in this same run on this machine. **H**: a minimal "
        f"Litestar hello-world handler (`bench/hello.py`) served like Navette (uvicorn, 1 worker, loopback, no access "
        f"log). **Render-only ceiling**: Navette's own app answering the same template with the context its handler "
        f"computed once at start-up (`/bench/render/...`), so no database work per request.",
        f"- Load comes from a separate process ({run.machine.get('load generator', '?')}) over keep-alive "
        f"connections, at {' and '.join(str(c) for c in run.settings.get('concurrency', []))} connections, "
        f"{run.settings.get('duration', '?')} s per run after a {run.settings.get('warmup', '?')} s warm-up; "
        f"requests/s counts completed answers, p50/p99 their latency.",
        "- Navette is started with `navette serve` (migrations, then uvicorn), rate limits off (all load comes "
        "from one address). Pages and JSON are asked for by a **signed-in** reader (a seeded participant: session "
        "cookie and bearer token on every request), so the anonymous page cache never answers; the rows marked "
        "\"anonymous readers, page cache as deployed\" measure the cache. A verdict is PASS when the ratio meets "
        "the target and under 1% of answers are errors; votes must also all be counted exactly once.",
        "",
        "## Targets",
        "",
        "| figure | database | conn. | req/s | p50 ms | p99 ms | baseline | baseline req/s | ratio | target "
        "| verdict |",
        "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for f in run.figures:
        r, b = f.result, f.baseline
        lines.append(
            f"| {f.name} | {f.where} | {f.concurrency} | {_n(r.rps if r else None)} | {_n(r.p50_ms if r else None, 1)} "
            f"| {_n(r.p99_ms if r else None, 1)} | {f.baseline_name} | {_n(b.rps if b else None)} | {_ratio(f.ratio)} "
            f"| {'≥ ' + format(f.target, '.0%') if f.target is not None else '–'} | {f.verdict} |"
        )
    misses = [f for f in run.figures if f.verdict in ("MISS", "n/a")]
    if misses:
        lines += ["", "### Misses, and what this run measured about them", ""]
        for f in misses:
            lines.append(f"- **{f.name}, {f.where}, {f.concurrency} connections — {f.verdict}**: {explain(f, run)}.")
    lines += _latency_lines(run.latency_checks)
    lines += _write_lines(run.write_checks)
    analysis = REPO / "bench" / "ANALYSIS.md"
    if analysis.exists():
        lines += ["", analysis.read_text(encoding="utf-8").strip()]

    lines += ["", "## Baselines", "", "| baseline | served from | conn. | req/s | p50 ms | p99 ms |",
              "|---|---|---:|---:|---:|---:|"]
    for name, where, r in run.baselines:
        lines.append(f"| {name} | {where} | {r.concurrency} | {_n(r.rps)} | {_n(r.p50_ms, 2)} | {_n(r.p99_ms, 2)} |")

    if run.profiles:
        lines += ["", "## Pages in-process (one signed-in request through the app, no network)", "",
                  "| database | page | status | size | SQL statements | ms per request | ms template alone |",
                  "|---|---|---:|---:|---:|---:|---:|"]
        for where, pages in run.profiles.items():
            for name, p in pages.items():
                lines.append(f"| {where} | {name} | {p.status} | {p.bytes / 1024:,.1f} KB | {p.statements} "
                             f"| {p.request_ms:.2f} | {_n(p.render_ms, 2)} |")

    if run.datasets:
        lines += ["", "## Data", "",
                  "Seeded by `drafting/seeding/` from the demo bill, shaped on the République numérique "
                  "consultation (constants calibrated once on `../shared/corpus`). Accounts include the demo "
                  "bill's staff account.", "",
                  "| database | seeded | " + " | ".join(run.datasets[0].counts) + " |",
                  "|---|---|" + "---:|" * len(run.datasets[0].counts)]
        for d in run.datasets:
            seeded = f"this run, {d.seed_seconds:.0f} s" if d.seeded_now and d.seed_seconds else "earlier run, reused"
            lines.append(f"| {d.label} | {seeded} | " + " | ".join(f"{v:,}" for v in d.counts.values()) + " |")

    if run.vote_checks:
        lines += ["", "## Votes: none lost, none doubled", ""]
        for label, check in run.vote_checks:
            verdict = "exact" if check.get("exact") else "NOT EXACT"
            details = ", ".join(f"{k}: {v}" for k, v in check.items() if k != "exact")
            lines.append(f"- {label}: **{verdict}** ({details})")

    if run.cache_checks:
        lines += ["", "## Published versions and diffs: cache headers", "",
                  "| URL | status | ETag | Cache-Control | conditional GET |", "|---|---:|---|---|---|"]
        for c in run.cache_checks:
            lines.append(f"| `{c['path']}` | {c['status']} | {c.get('etag') or '–'} | {c.get('cache_control') or '–'} "
                         f"| {c.get('conditional', '–')} |")

    lines += ["", "## Word diff against diff-match-patch (bench/bench_diff.py)", ""]
    lines += _table(run.diff, target_key="ratio_median", target=1.5,
                    header="Target: the word diff takes ≤ 1.5× diff-match-patch's pure-Python character diff "
                           "of the same pair (ratio of medians).")
    if isinstance(run.diff, list):
        for row in run.diff:
            if row.get("ratio_median", 0) > 1.5:
                lines.append(f"- MISS on {row.get('case')}: {_diff_miss(row, run.diff)}")
    lines += ["", "## Rebase of 500 amendments (bench/bench_rebase.py)", ""]
    lines += _table(run.rebase, header="Rebasing 500 open amendments of one article onto a new head (merge3), "
                                       "against 500 plain word diffs of the same texts in the same run.")
    lines += ["", "## Argument map at 50 and 5,000 arguments on one article (bench/bench_argmap.py)", ""]
    lines += _table(run.argmap, header="Reading the kept map (JSON and the article page): statements and median "
                                       "time in-process; placing one new argument, its vector given.")
    if run.positions:
        lines += ["", "## Grouping arguments into positions, against hand-made positions of real arguments "
                      "(bench/bench_positions.py)", "", run.positions.rstrip()]
    if run.search_cost:
        from bench import bench_search_cost

        lines += ["", "## A search of one kind as the consultation grows (bench/bench_search_cost.py)", "",
                  run.search_cost if isinstance(run.search_cost, str) else bench_search_cost.render(run.search_cost)]
    if run.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in run.notes]
    return "\n".join(lines) + "\n"
