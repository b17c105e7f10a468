"""`make bench`: every performance figure of issues 6 and 11 as a ratio to a baseline of the same run.

Run: python -m bench.run [--quick] [--skip-gd] [--gd-scale gd|gd-lite] [--only SECTION] [--out bench/RESULTS.md]
  --quick     smoke run: the "small" data on SQLite, short loads, no Grand Débat comparison
  --skip-gd   leave PostgreSQL out (it is left out anyway, with a note, when it does not answer)
  --only      run only these sections (sqlite, pages, votes, passwords, cached, engine, postgres; H always
              runs); the results then go to bench/RESULTS.partial.md unless --out says otherwise
  --rewrite   measure nothing: write the results of the last run again (after editing bench/ANALYSIS.md)
PostgreSQL: $NAVETTE_BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres); the run creates
the databases navette_bench_small and navette_bench_<gd scale> there, and keeps them for the next run.
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Callable

from bench import datasets, probes, servers
from bench.loadgen import Load, LoadResult, run_load, wrk_path
from bench.report import Run, latency_verdict, load_run, machine_info, render_markdown, save_run
from bench.run_plan import CONCURRENCY, CORPUS, LAST_RUN, REPO, SECTIONS, SLOW_PAGE, VOTE_WARMUP, VOTERS
from bench.run_postgres import PostgresSection
from bench.run_sqlite import SqliteSection
from drafting.seeding import bench as benchseed


class Bench(SqliteSection, PostgresSection):
    """One run: its settings, and the figures it gathers into ``self.run``; its sections' methods come from
    bench/run_sqlite.py and bench/run_postgres.py."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.quick = args.quick
        self.duration = args.duration or (2.0 if self.quick else 5.0)
        self.warmup = 1.0
        self.run = Run(mode="quick" if self.quick else "full")
        self.run.settings = {"concurrency": CONCURRENCY, "duration": self.duration, "warmup": self.warmup}
        self.hello: dict[int, LoadResult] = {}
        self.slow: dict[tuple[str, str], tuple[LoadResult, str]] = {}
        self.only = set(args.only or SECTIONS)
        if "sqlite" in self.only:
            self.only |= {"pages", "votes", "passwords", "cached"}
        self.signed_in: dict[str, dict[str, str]] = {}  # dataset label -> a signed-in reader's headers
        self.page_filling: dict[str, tuple[str, int]] = {}  # dataset label -> its word (PAGE_FILLING), count

    def wanted(self, section: str) -> bool:
        return section in self.only

    def reader(self, d: datasets.Dataset) -> dict[str, str]:
        """A signed-in reader's headers (session cookie and bearer token) for this database."""
        if d.label not in self.signed_in:
            self.signed_in[d.label] = probes.signed_in_headers(probes.reader_tokens(d.url))
        return self.signed_in[d.label]

    def say(self, message: str) -> None:
        print(f"[bench {time.monotonic() - self.t0:6.0f} s] {message}", file=sys.stderr, flush=True)

    # --- loads ---------------------------------------------------------------------------------

    def load(self, server: servers.Server, concurrency: int, **fields) -> LoadResult:
        """A warm-up, then the measured run (both with the same load), each followed by a drain."""
        base = dict(host=servers.HOST, port=server.port, concurrency=concurrency, **fields)
        run_load(Load(duration=self.warmup, **base))
        server.wait_idle()
        result = run_load(Load(duration=self.duration, **base))
        server.wait_idle()
        return result

    def page(self, server: servers.Server, path: str, concurrency: int,
             headers: dict[str, str] | None = None) -> tuple[LoadResult | None, str]:
        """A page's load, or None and why when the page does not answer 200. A page slower than
        SLOW_PAGE seconds is not loaded (its queue would take minutes to drain): its figure is the rate
        of one connection asking again and again, said in the note."""
        if (server.name, path) in self.slow:
            return self.slow[server.name, path]
        headers = headers or {}
        started = time.monotonic()
        status, _, _ = servers.get(server.port, path, timeout=300, headers=headers)
        elapsed = time.monotonic() - started
        if status != 200:
            return None, f"{path} answered {status}"
        if elapsed > SLOW_PAGE:
            again = time.monotonic()
            servers.get(server.port, path, timeout=300, headers=headers)
            elapsed = min(elapsed, time.monotonic() - again)
            result = LoadResult(tool="sequential", concurrency=1, seconds=elapsed, requests=1, rps=1 / elapsed,
                                p50_ms=elapsed * 1000, p99_ms=elapsed * 1000, errors=0, socket_errors=0)
            self.slow[server.name, path] = (result, f"one request takes {elapsed:.1f} s: measured one request "
                                                    "at a time, not under load")
            return self.slow[server.name, path]
        return self.load(server, concurrency, path=path, headers=headers), ""

    def votes(self, server: servers.Server, dataset: datasets.Dataset, concurrency: int) -> tuple[LoadResult, dict]:
        """PUT votes from VOTERS distinct accounts over many amendments, then check every one counted once.
        Each pass over the targets changes every voter's vote: every request writes, on a database of 74
        targets as on one of 2,000 (one value a voter, its votes after the first pass asked again what
        was stored, and answered without writing)."""
        targets = dataset.vote_targets
        ids = probes.voter_ids(dataset.url, VOTERS)

        def spec(tokens: list[str], duration: float) -> Load:
            return Load(host=servers.HOST, port=server.port, concurrency=concurrency, duration=duration, method="PUT",
                        path="/api/v1/amendments/{target}/vote", headers={"Content-Type": "application/json"},
                        voters=[{"headers": {"Authorization": f"Bearer {token}"},
                                 "bodies": [json.dumps({"value": probes.VALUES[(i + n) % 3]}) for n in range(3)]}
                                for i, token in enumerate(tokens)],
                        targets=targets)

        run_load(spec(benchseed.voter_tokens(dataset.url, VOTERS), max(self.warmup, VOTE_WARMUP)))
        server.wait_idle()
        tokens = benchseed.voter_tokens(dataset.url, VOTERS)  # back to the seeded state, fresh tokens
        result = run_load(spec(tokens, self.duration))
        server.wait_idle()
        check = probes.check_vote_run(dataset.url, server.port, ids, targets, result.ok, result.requests, concurrency)
        return result, check

    def burst(self, server: servers.Server, dataset: datasets.Dataset, label: str) -> None:
        tokens = benchseed.voter_tokens(dataset.url, VOTERS)
        ids = probes.voter_ids(dataset.url, VOTERS)
        check = probes.vote_burst(server.port, dataset.url, tokens, ids, dataset.hot_article)
        self.run.vote_checks.append((f"{label}: {VOTERS} voters PUT on one article at once, 3 rounds", check))
        benchseed.voter_tokens(dataset.url, VOTERS)

    # --- sections ------------------------------------------------------------------------------

    def fixed_pages(self, d: datasets.Dataset) -> dict[str, str]:
        return {
            "article page": f"/bills/{d.slug}/articles/{d.hot_article}",
            "bill page": f"/bills/{d.slug}",
            "amendment JSON": f"/api/v1/amendments/{d.amendment}",
            "amendment page": f"/amendments/{d.amendment}",
            "article JSON": f"/api/v1/articles/{d.hot_article}",
            "bill JSON": f"/api/v1/bills/{d.slug}",
            # Search (CONTRACT §6): a word of nearly every amendment (the seeded texts are the bill's
            # words), a rare one, and the results page; each one statement on the index with its LIMIT.
            "search API, common word": "/api/v1/search?q=donn%C3%A9es&limit=20",
            "search API, two words": "/api/v1/search?q=donn%C3%A9es+publiques&limit=20",
            "search API, rare word": "/api/v1/search?q=portabilit%C3%A9&kind=argument&limit=20",
            "search page": "/search?q=donn%C3%A9es",
        }

    def baselines(self) -> None:
        self.say("H: the hello-world baseline")
        with servers.hello() as server:
            for c in CONCURRENCY:
                self.hello[c] = self.load(server, c, path="/")
                self.run.baselines.append(("H (hello world)", "bench/hello.py", self.hello[c]))
            for c in CONCURRENCY:  # what a worker thread adds (Navette's handlers on PostgreSQL)
                self.run.baselines.append(("hello world in a worker thread (like Navette's handlers on PostgreSQL)",
                                           "bench/hello.py /threaded", self.load(server, c, path="/threaded")))

    def baselines_again(self) -> None:
        """H once more at the end: how much the machine drifted during the run."""
        with servers.hello() as server:
            for c in CONCURRENCY:
                self.run.baselines.append(("H again, at the end of the run", "bench/hello.py",
                                           self.load(server, c, path="/")))

    def engine_benchmarks(self) -> None:
        if not self.wanted("engine"):
            return
        corpus = CORPUS if CORPUS.is_dir() else None
        if corpus is None:
            self.run.notes.append(f"../shared/corpus is absent: the diff and rebase benchmarks used synthetic texts")
        for attribute, module_name in (("diff", "bench.bench_diff"), ("rebase", "bench.bench_rebase"),
                                       ("argmap", "bench.bench_argmap")):
            self.say(f"{module_name}")
            try:
                module = __import__(module_name, fromlist=["run"])
                kwargs = {}
                if "repeats" in inspect.signature(module.run).parameters:
                    kwargs["repeats"] = 2 if self.quick else 3  # keeps `make bench` within its time budget
                setattr(self.run, attribute, module.run(corpus, **kwargs))
            except Exception as error:  # another engineer's module: report, do not stop the run
                setattr(self.run, attribute, f"{module_name} failed: {type(error).__name__}: {error}")
                traceback.print_exc()
        # The argument map's quality (issue 14): pairwise F1 and ARI against the labels of tests/data/positions.
        self.say("bench.bench_positions")
        if corpus is None:
            self.run.positions = "../shared/corpus is absent: the grouping was not scored (its labels are of real arguments)"
            return
        try:
            from bench import bench_positions
            self.run.positions = bench_positions.render(bench_positions.run(corpus))
        except Exception as error:  # report, do not stop the run
            self.run.positions = f"bench.bench_positions failed: {type(error).__name__}: {error}"
            traceback.print_exc()


    def search_cost(self) -> None:
        """Issue 13: a search of one kind on the République numérique and Grand Débat databases
        (PostgreSQL, then the République numérique one on SQLite), in-process, against every match ranked."""
        if not self.wanted("searchcost"):
            return
        admin = datasets.pg_admin_url()
        if self.quick or self.args.skip_gd or datasets.pg_reachable(admin):
            self.run.search_cost = "Not measured: it needs PostgreSQL and the Grand Débat database (not in quick mode)."
            return
        self.say("search cost: seeding or reusing navette_bench_rn (PostgreSQL)")
        rn = datasets.pg_dataset(admin, "rn", reseed=self.args.reseed)
        self.run.datasets.append(rn)
        big = self.described("postgresql", self.args.gd_scale) or datasets.pg_dataset(admin, self.args.gd_scale)
        lite = self.described("sqlite", "rn") or datasets.sqlite_dataset("rn")
        self.say("search cost: words of arguments at each level, in-process")
        from bench import bench_search_cost

        try:
            self.run.search_cost = bench_search_cost.run([(rn.label, rn.url), (big.label, big.url),
                                                          (lite.label, lite.url)])
        except Exception as error:  # report, do not stop the run
            self.run.search_cost = f"bench.bench_search_cost failed: {type(error).__name__}: {error}"
            traceback.print_exc()

    def described(self, dialect: str, scale: str) -> datasets.Dataset | None:
        """A database an earlier section of this run already seeded or reused (and counted)."""
        return next((d for d in self.run.datasets if d.scale == scale and d.url.startswith(dialect)), None)

    # --- the whole run -------------------------------------------------------------------------

    def wait_quiet(self) -> None:
        """Other work on the machine skews every figure: wait (up to --wait-quiet s) for a calm CPU."""
        limit = 0.5 * (os.cpu_count() or 1)
        deadline = time.monotonic() + self.args.wait_quiet
        while os.getloadavg()[0] > limit and time.monotonic() < deadline:
            self.say(f"load average {os.getloadavg()[0]:.2f} > {limit:.1f}: waiting for a quieter machine")
            time.sleep(15)

    def main(self) -> int:
        self.t0 = time.monotonic()
        if not wrk_path():
            print("note: wrk is not installed (apt-get install wrk); using the slower Python load generator, "
                  "which competes with the server for CPU", file=sys.stderr)
            self.run.notes.append("wrk was not installed: the load came from bench/loadgen.py's Python client.")
        self.run.machine = machine_info()
        sections: list[Callable[[], None]] = [self.baselines, self.sqlite_section, self.engine_benchmarks,
                                              self.postgres_section, self.search_cost, self.baselines_again]
        failed = False
        self.wait_quiet()
        for section in sections:
            self.run.loads.append((section.__name__.strip("_").replace("_", " "), os.getloadavg()[0]))
            try:
                section()
            except Exception as error:  # keep what was measured, say what broke
                failed = True
                traceback.print_exc()
                self.run.notes.append(f"{section.__name__} stopped: {type(error).__name__}: {error}")
        self.run.loads.append(("end", os.getloadavg()[0]))
        self.run.seconds = time.monotonic() - self.t0
        out = self.args.out or default_out(self.args)
        if self.args.only:
            self.run.mode += " (only " + ", ".join(self.args.only) + ")"
        else:
            save_run(self.run, LAST_RUN[self.run.mode])
        out.write_text(render_markdown(self.run), encoding="utf-8")
        self.say(f"wrote {out}")
        for figure in self.run.figures:
            if figure.target is not None:
                ratio = f"{figure.ratio:.0%}" if figure.ratio is not None else "–"
                print(f"{figure.verdict:4}  {figure.name}, {figure.where}, c={figure.concurrency}: {ratio} "
                      f"(target {figure.target:.0%})")
        figure = self.run.search_cost.get("figure") if isinstance(self.run.search_cost, dict) else None
        if figure and figure["ratio"] is not None:
            print(f"{figure['verdict']:4}  search of one kind, like work, {figure['small']} against {figure['large']}: "
                  f"{figure['ratio']:.0%} (target {figure['target']:.0%})")
        for check in self.run.write_checks:
            print(f"{'PASS' if check['exact'] else 'MISS':4}  {check['name']}, {check['where']}: "
                  f"{check['answers_500_or_more']} answers >= 500, answers {check['answers']}")
        for check in self.run.latency_checks:
            median = f"{check['median_ms']:.1f} ms" if check.get("median_ms") is not None else "–"
            print(f"{latency_verdict(check):4}  {check['name']}, {check['where']}: {median} "
                  f"(target < {check['target_ms']:.0f} ms)")
        return 1 if failed else 0


def default_out(args: argparse.Namespace) -> Path:
    name = "RESULTS.partial.md" if args.only else "RESULTS.quick.md" if args.quick else "RESULTS.md"
    return REPO / "bench" / name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fast smoke run (small data, short loads)")
    parser.add_argument("--skip-gd", action="store_true", help="leave out the PostgreSQL part")
    parser.add_argument("--gd-scale", choices=["gd", "gd-lite"], default="gd",
                        help="the large PostgreSQL database (default gd: 2 million contributions, 10 million votes)")
    parser.add_argument("--reseed", action="store_true", help="seed every database again")
    parser.add_argument("--duration", type=float, help="seconds per measured load (default 5, quick 2)")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                        help="first wait up to this long for the 1-minute load average to fall under half the cores")
    parser.add_argument("--rewrite", action="store_true",
                        help="measure nothing: write the results of the last run again (after editing ANALYSIS.md)")
    parser.add_argument("--only", action="append", choices=SECTIONS,
                        help="run only this section (repeatable; H always runs): a quicker look at some figures")
    parser.add_argument("--out", type=Path, help="default bench/RESULTS.md (quick: bench/RESULTS.quick.md)")
    args = parser.parse_args(argv)
    if args.rewrite:
        mode = "quick" if args.quick else "full"
        out = args.out or (REPO / "bench" / ("RESULTS.quick.md" if args.quick else "RESULTS.md"))
        out.write_text(render_markdown(load_run(LAST_RUN[mode])), encoding="utf-8")
        print(f"wrote {out} from {LAST_RUN[mode]}", file=sys.stderr)
        return 0
    return Bench(args).main()


if __name__ == "__main__":
    sys.exit(main())
