"""`make bench`: every performance figure of issue 6 as a ratio to a baseline of the same run.

Run: python -m bench.run [--quick] [--skip-gd] [--gd-scale gd|gd-lite] [--out bench/RESULTS.md]
  --quick     smoke run: the "small" data on SQLite, short loads, no Grand Débat comparison
  --skip-gd   leave PostgreSQL out (it is left out anyway, with a note, when it does not answer)
  --rewrite   measure nothing: write the results of the last run again (after editing bench/ANALYSIS.md)
PostgreSQL: $NAVETTE_BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres); the run creates
the databases navette_bench_small and navette_bench_<gd scale> there, and keeps them for the next run.
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import secrets
import sys
import time
import traceback
from pathlib import Path
from typing import Callable

from bench import datasets, probes, servers
from bench.loadgen import Load, LoadResult, run_load, wrk_path
from bench.report import Figure, Run, latency_verdict, load_run, machine_info, render_markdown, save_run
from drafting.seeding import bench as benchseed

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
VOTERS = 50
CONCURRENCY = (10, 50)
LAST_RUN = {mode: REPO / "bench" / "var" / f"last-{mode}-run.json" for mode in ("full", "quick")}
SLOW_PAGE = 2.0  # seconds for one request, beyond which a page is not put under load
PASSWORD_GUESSERS = 8
PASSWORD_PROBE_TARGET_MS = 50.0  # issue 11: /healthz median while the guessers run


class Bench:
    """One run: its settings, and the figures it gathers into ``self.run``."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.quick = args.quick
        self.duration = args.duration or (2.0 if self.quick else 5.0)
        self.warmup = 1.0
        self.run = Run(mode="quick" if self.quick else "full")
        self.run.settings = {"concurrency": CONCURRENCY, "duration": self.duration, "warmup": self.warmup}
        self.hello: dict[int, LoadResult] = {}
        self.slow: dict[tuple[str, str], tuple[LoadResult, str]] = {}

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

    def page(self, server: servers.Server, path: str, concurrency: int) -> tuple[LoadResult | None, str]:
        """A page's load, or None and why when the page does not answer 200. A page slower than
        SLOW_PAGE seconds is not loaded (its queue would take minutes to drain): its figure is the rate
        of one connection asking again and again, said in the note."""
        if (server.name, path) in self.slow:
            return self.slow[server.name, path]
        started = time.monotonic()
        status, _, _ = servers.get(server.port, path, timeout=300)
        elapsed = time.monotonic() - started
        if status != 200:
            return None, f"{path} answered {status}"
        if elapsed > SLOW_PAGE:
            again = time.monotonic()
            servers.get(server.port, path, timeout=300)
            elapsed = min(elapsed, time.monotonic() - again)
            result = LoadResult(tool="sequential", concurrency=1, seconds=elapsed, requests=1, rps=1 / elapsed,
                                p50_ms=elapsed * 1000, p99_ms=elapsed * 1000, errors=0, socket_errors=0)
            self.slow[server.name, path] = (result, f"one request takes {elapsed:.1f} s: measured one request "
                                                    "at a time, not under load")
            return self.slow[server.name, path]
        return self.load(server, concurrency, path=path), ""

    def votes(self, server: servers.Server, dataset: datasets.Dataset, concurrency: int) -> tuple[LoadResult, dict]:
        """PUT votes from VOTERS distinct accounts over many amendments, then check every one counted once."""
        targets = dataset.vote_targets
        ids = probes.voter_ids(dataset.url, VOTERS)

        def spec(tokens: list[str], duration: float) -> Load:
            return Load(host=servers.HOST, port=server.port, concurrency=concurrency, duration=duration, method="PUT",
                        path="/api/v1/amendments/{target}/vote", headers={"Content-Type": "application/json"},
                        voters=[{"headers": {"Authorization": f"Bearer {token}"},
                                 "body": json.dumps({"value": probes.VALUES[i % 3]})}
                                for i, token in enumerate(tokens)],
                        targets=targets)

        run_load(spec(benchseed.voter_tokens(dataset.url, VOTERS), self.warmup))
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

    def pages_of(self, d: datasets.Dataset) -> dict[str, str]:
        return {
            "article page": f"/bills/{d.slug}/articles/{d.hot_article}",
            "bill page": f"/bills/{d.slug}",
            "amendment JSON": f"/api/v1/amendments/{d.amendment}",
            "amendment page": f"/amendments/{d.amendment}",
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

    def sqlite_section(self) -> None:
        scale = "small" if self.quick else "rn"
        self.say(f"seeding or reusing the {scale} database (SQLite)")
        d = datasets.sqlite_dataset(scale, reseed=self.args.reseed)
        self.run.datasets.append(d)
        where = d.label
        pages = self.pages_of(d)
        self.say("pages in-process: statements and times")
        self.run.profiles[where] = probes.profile_pages(d.url, pages)
        hot = f"{d.counts['hot article amendments']:,} amendments, {d.counts['hot article arguments']:,} arguments"

        self.say("render-only ceiling")
        ceiling: dict[tuple[str, int], LoadResult] = {}
        render_pages = {"bill": pages["bill page"], "article": pages["article page"]}
        try:
            with servers.render_ceiling(d.url, json.dumps(render_pages)) as server:
                for c in CONCURRENCY:
                    for name in render_pages:
                        ceiling[name, c] = self.load(server, c, path=f"/bench/render/{name}")
                        self.run.baselines.append((f"render-only ceiling, {name} page", f"{where}, contexts "
                                                   "computed once", ceiling[name, c]))
        except RuntimeError as error:
            self.run.notes.append(f"render-only ceiling unavailable: {error}")

        self.say("Navette on SQLite, one worker")
        with servers.navette(f"{scale}-sqlite", d.url) as server:
            for c in CONCURRENCY:
                self.run.baselines.append(("Navette /healthz (handler on the event loop, one transaction, SELECT 1)",
                                           where, self.load(server, c, path="/healthz")))
            size = self.run.profiles[where]["bill page"].bytes / 1024
            for c in CONCURRENCY:
                article, why = self.page(server, pages["article page"], c)
                self.run.figures.append(Figure(f"Article page ({hot})", where, c, article, "H",
                                               self.hello.get(c), 0.10, why, page="article page"))
                if ceiling.get(("article", c)):
                    self.run.figures.append(Figure("Article page against its render-only ceiling", where, c,
                                                   article, "render-only ceiling", ceiling.get(("article", c)),
                                                   None, why, page="article page"))
                result, why = self.page(server, pages["bill page"], c)
                self.run.figures.append(Figure(f"Bill page (30 articles, {size:,.0f} KB)", where, c, result,
                                               "render-only ceiling", ceiling.get(("bill", c)), 0.80, why,
                                               page="bill page"))
                result, why = self.page(server, pages["amendment JSON"], c)
                self.run.figures.append(Figure("One amendment as JSON", where, c, result, "H", self.hello.get(c),
                                               0.16, why, page="amendment JSON"))
                result, why = self.page(server, pages["amendment page"], c)
                self.run.figures.append(Figure("Amendment page", where, c, result, "H", self.hello.get(c), None,
                                               why, page="amendment page"))
                result, why = self.page(server, pages["search API, common word"], c)
                self.run.figures.append(Figure("Search API, a word of most items, 20 results", where, c, result,
                                               "H", self.hello.get(c), None, why, page="search API, common word"))
            for c in CONCURRENCY:
                self.say(f"votes, {c} connections")
                result, check = self.votes(server, d, c)
                self.run.vote_checks.append((f"{where}, 1 worker, {c} connections, {VOTERS} voters", check))
                self.run.figures.append(Figure(f"Votes (PUT, {VOTERS} voters)", f"{where}, 1 worker", c, result, "H",
                                               self.hello.get(c), 0.10, exact=check["exact"]))
            self.burst(server, d, f"{where}, 1 worker")
            self.cache_checks(server, d)
        self.password_probe(d, scale)
        self.say("Navette on SQLite, one worker, anonymous page cache on (as deployed)")
        with servers.navette(f"{scale}-sqlite-cached", d.url, page_cache=True) as server:
            cached = "anonymous readers, page cache as deployed"
            for c in CONCURRENCY:
                for name, label, baseline, target in (
                    ("article page", f"Article page ({hot})", "H", 0.10),
                    ("bill page", f"Bill page (30 articles, {size:,.0f} KB)", "render-only ceiling", 0.80),
                    ("amendment JSON", "One amendment as JSON", "H", 0.16),
                ):
                    result, why = self.page(server, pages[name], c)
                    base = ceiling.get(("bill", c)) if baseline == "render-only ceiling" else self.hello.get(c)
                    self.run.figures.append(Figure(f"{label}, {cached}", where, c, result, baseline, base, target,
                                                   why))
            seen = {}
            for name in ("article page", "bill page", "amendment JSON"):
                for _ in range(2):  # the first may find the answer expired (2 s) since the loads
                    headers = servers.get(server.port, pages[name])[2]
                seen[name] = {k.lower(): v for k, v in headers.items()}.get("x-navette-cache", "absent")
            self.run.notes.append("Page cache check after the cached loads (X-Navette-Cache of the second of two "
                                  "more anonymous GETs): " + ", ".join(f"{n} {v}" for n, v in seen.items()) + ".")

    def password_probe(self, d: datasets.Dataset, scale: str) -> None:
        """/healthz while 8 clients send wrong passwords: argon2 (production parameters) must never
        stall other requests. Sign-in throttling is off for it, or the guesses would be refused at once."""
        self.say("/healthz while 8 clients send wrong passwords")
        with servers.navette(f"{scale}-sqlite-passwords", d.url, env={
            "NAVETTE_SIGNIN_FAILURES_PER_USERNAME": "0", "NAVETTE_SIGNIN_FAILURES_PER_ADDRESS": "0",
        }) as server:
            check = probes.healthz_during_wrong_passwords(server.port, self.duration, clients=PASSWORD_GUESSERS)
            server.wait_idle()
        self.run.latency_checks.append({
            "name": f"/healthz while {PASSWORD_GUESSERS} clients send wrong passwords (median)",
            "where": f"{d.label}, 1 worker", "target_ms": PASSWORD_PROBE_TARGET_MS, **check})

    def cache_checks(self, server: servers.Server, d: datasets.Dataset) -> None:
        """Published versions and diffs never change: do their URLs say so (ETag, immutable)?"""
        paths = [f"/api/v1/bills/{d.slug}/versions/1", f"/api/v1/articles/{d.old_article}/versions/1",
                 f"/api/v1/articles/{d.old_article}/diff?from=1&to=2", f"/bills/{d.slug}/diff?from=1&to=2"]
        port = server.port
        server.wait_idle()
        for path in paths:
            status, _, headers = servers.get(port, path)
            headers = {k.lower(): v for k, v in headers.items()}
            check = {"path": path, "status": status, "etag": headers.get("etag"),
                     "cache_control": headers.get("cache-control")}
            if status == 200 and check["etag"]:
                again, _, _ = servers.get(port, path, headers={"If-None-Match": check["etag"]})
                check["conditional"] = f"{again}"
            self.run.cache_checks.append(check)
        path = paths[2]
        if self.run.cache_checks[2]["status"] == 200:
            etag = self.run.cache_checks[2]["etag"]
            for c in CONCURRENCY:
                result = self.load(server, c, path=path, headers={"If-None-Match": etag} if etag else {})
                self.run.figures.append(Figure("Published article diff (JSON" + (", If-None-Match)" if etag else ")"),
                                               d.label, c, result, "H", self.hello.get(c), None))

    def engine_benchmarks(self) -> None:
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

    def postgres_section(self) -> None:
        admin = datasets.pg_admin_url()
        if self.args.skip_gd:
            self.run.notes.append("PostgreSQL part skipped (--skip-gd): no Grand Débat comparison, "
                                  "no multi-worker run.")
            return
        reason = datasets.pg_reachable(admin)
        if reason:
            self.run.notes.append(f"PostgreSQL did not answer at {admin} ({reason}): the Grand Débat comparison and "
                                  "the multi-worker vote run were skipped.")
            return
        self.run.machine["PostgreSQL"] = datasets.pg_server_version(admin)
        env = {"NAVETTE_SECRET_KEY": secrets.token_urlsafe(32)}
        self.say("seeding or reusing navette_bench_small (PostgreSQL)")
        small = datasets.pg_dataset(admin, "small", reseed=self.args.reseed)
        self.run.datasets.append(small)
        big = None
        if self.quick:
            self.run.notes.append("Quick mode: no Grand Débat database; the PostgreSQL runs use the small one only.")
        else:
            self.say(f"seeding or reusing navette_bench_{self.args.gd_scale} (PostgreSQL); "
                     "the first time takes minutes")
            big = datasets.pg_dataset(admin, self.args.gd_scale, reseed=self.args.reseed)
            self.run.datasets.append(big)
        compared = ["article page", "bill page", "amendment JSON", "amendment page", "search API, common word"]
        small_results: dict[tuple[str, int], LoadResult | None] = {}
        self.run.profiles[small.label] = probes.profile_pages(small.url, self.pages_of(small))
        self.say("Navette on PostgreSQL (small), one worker")
        with servers.navette("pg-small", small.url, env=env,
                             idle_check=datasets.pg_idle(small.url)) as server:
            for c in CONCURRENCY:
                for name in compared:
                    small_results[name, c], _ = self.page(server, self.pages_of(small)[name], c)
        if big is not None:
            self.say("pages in-process on the large database")
            self.run.profiles[big.label] = probes.profile_pages(big.url, self.pages_of(big), budget=5.0)
            self.say(f"Navette on PostgreSQL ({big.scale}), one worker")
            with servers.navette(f"pg-{big.scale}", big.url, env=env,
                                 idle_check=datasets.pg_idle(big.url)) as server:
                for c in CONCURRENCY:
                    for name in compared:
                        result, why = self.page(server, self.pages_of(big)[name], c)
                        self.run.figures.append(Figure(
                            f"{name[0].upper()}{name[1:]} at {big.scale} scale", f"{big.label}, 1 worker", c, result,
                            f"same page, {small.label}", small_results.get((name, c)), 0.80, why, page=name,
                            compared=(small.label, big.label)))
                for c in CONCURRENCY:
                    self.say(f"votes on PostgreSQL, 1 worker, {c} connections")
                    result, check = self.votes(server, big, c)
                    self.run.vote_checks.append((f"{big.label}, 1 worker, {c} connections", check))
                    self.run.figures.append(Figure(f"Votes (PUT, {VOTERS} voters)", f"{big.label}, 1 worker", c,
                                                   result, "H", self.hello.get(c), 0.10, exact=check["exact"]))
        target = big or small
        self.say(f"navette serve --workers 2 on PostgreSQL ({target.scale})")
        with servers.navette(f"pg-{target.scale}-2workers", target.url, workers=2, env=env,
                             idle_check=datasets.pg_idle(target.url)) as server:
            for c in CONCURRENCY:
                result, check = self.votes(server, target, c)
                self.run.vote_checks.append((f"{target.label}, 2 workers, {c} connections", check))
                self.run.figures.append(Figure(f"Votes (PUT, {VOTERS} voters), `navette serve --workers 2`",
                                               f"{target.label}, 2 workers", c, result, "H (1 worker)",
                                               self.hello.get(c), 0.10, exact=check["exact"]))
            self.burst(server, target, f"{target.label}, 2 workers")

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
                                              self.postgres_section, self.baselines_again]
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
        out = self.args.out or (REPO / "bench" / ("RESULTS.quick.md" if self.quick else "RESULTS.md"))
        save_run(self.run, LAST_RUN[self.run.mode])
        out.write_text(render_markdown(self.run), encoding="utf-8")
        self.say(f"wrote {out}")
        for figure in self.run.figures:
            if figure.target is not None:
                ratio = f"{figure.ratio:.0%}" if figure.ratio is not None else "–"
                print(f"{figure.verdict:4}  {figure.name}, {figure.where}, c={figure.concurrency}: {ratio} "
                      f"(target {figure.target:.0%})")
        for check in self.run.latency_checks:
            median = f"{check['median_ms']:.1f} ms" if check.get("median_ms") is not None else "–"
            print(f"{latency_verdict(check):4}  {check['name']}, {check['where']}: {median} "
                  f"(target < {check['target_ms']:.0f} ms)")
        return 1 if failed else 0


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
