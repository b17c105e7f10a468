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
import contextlib
import inspect
import json
import os
import secrets
import sys
import time
import traceback
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from bench import datasets, probes, search_words, servers
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
VOTES_PER_SECOND = 20  # written on the article while its page is loaded (the render cache's invalidations)
PASSWORD_PROBE_TARGET_MS = 50.0  # issue 11: /healthz median while the guessers run
MIXED_WRITERS = 8
# Seconds of vote load before the measured one: on the Grand Débat database the first load after a
# pause read the voters' rows of a 10-million-row table from disk (bench/ANALYSIS.md, lead, 2 December).
VOTE_WARMUP = 5.0
SECTIONS = ("sqlite", "pages", "votes", "passwords", "cached", "engine", "postgres")
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

    def pages_of(self, d: datasets.Dataset) -> dict[str, str]:
        pages = self.fixed_pages(d)
        if d.url.startswith("postgresql"):
            if d.label not in self.page_filling:
                self.page_filling[d.label] = search_words.page_filling_word(d.url)
                word, count = self.page_filling[d.label]
                self.run.notes.append(f"{PAGE_FILLING[0].upper()}{PAGE_FILLING[1:]}, {d.label}: `{word}`, in "
                                      f"{count:,} arguments (`kind=argument&limit=20`: a full page).")
            word = quote(self.page_filling[d.label][0])
            pages[PAGE_FILLING] = f"/api/v1/search?q={word}&kind=argument&limit=20"
        return pages

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

    def sqlite_section(self) -> None:
        if not self.only & {"pages", "votes", "passwords", "cached"}:
            return
        scale = "small" if self.quick else "rn"
        self.say(f"seeding or reusing the {scale} database (SQLite)")
        d = datasets.sqlite_dataset(scale, reseed=self.args.reseed)
        self.run.datasets.append(d)
        where = d.label
        pages = self.pages_of(d)
        signed_in = self.reader(d)
        self.say("pages in-process, signed in: statements and times")
        self.run.profiles[where] = probes.profile_pages(d.url, pages, headers=signed_in)
        hot = f"{d.counts['hot article amendments']:,} amendments, {d.counts['hot article arguments']:,} arguments"
        size = self.run.profiles[where]["bill page"].bytes / 1024
        labels = {
            "article page": f"Article page ({hot})",
            "amendment page": "Amendment page",
            "bill page": f"Bill page (30 articles, {size:,.0f} KB)",
            "amendment JSON": "One amendment as JSON",
            "article JSON": "One article as JSON",
        }

        ceiling: dict[tuple[str, int], LoadResult] = {}
        if self.wanted("pages"):
            self.say("render-only ceiling, signed in")
            render_pages = {"bill": pages["bill page"], "article": pages["article page"]}
            try:
                with servers.render_ceiling(d.url, json.dumps(render_pages), headers=signed_in) as server:
                    for c in CONCURRENCY:
                        for name in render_pages:
                            ceiling[name, c] = self.load(server, c, path=f"/bench/render/{name}")
                            self.run.baselines.append((f"render-only ceiling, {name} page, signed in",
                                                       f"{where}, contexts computed once", ceiling[name, c]))
            except RuntimeError as error:
                self.run.notes.append(f"render-only ceiling unavailable: {error}")

        if self.only & {"pages", "votes"}:
            self.say("Navette on SQLite, one worker, signed in")
            with servers.navette(f"{scale}-sqlite", d.url) as server:
                if self.wanted("pages"):
                    self.signed_in_pages(server, d, pages, labels, ceiling)
                if self.wanted("votes"):
                    for c in CONCURRENCY:
                        self.say(f"votes, {c} connections")
                        result, check = self.votes(server, d, c)
                        self.run.vote_checks.append((f"{where}, 1 worker, {c} connections, {VOTERS} voters", check))
                        self.run.figures.append(Figure(f"Votes (PUT, {VOTERS} voters)", f"{where}, 1 worker", c,
                                                       result, "H", self.hello.get(c), TARGET["votes"],
                                                       exact=check["exact"]))
                    self.burst(server, d, f"{where}, 1 worker")
                if self.wanted("pages"):
                    self.cache_checks(server, d)
            if self.wanted("pages"):
                self.uncached_documents(d, pages, labels)
        if self.wanted("passwords"):
            self.password_probe(d, scale)
        if self.wanted("cached"):
            self.cached_pages(d, scale, pages, labels)

    def signed_in_pages(self, server: servers.Server, d: datasets.Dataset, pages: dict[str, str],
                        labels: dict[str, str], ceiling: dict[tuple[str, int], LoadResult]) -> None:
        """Issue 11's pages for a signed-in reader (the page cache bypassed), as shares of H."""
        signed_in = self.reader(d)
        for c in CONCURRENCY:
            for name, label in labels.items():
                result, why = self.page(server, pages[name], c, headers=signed_in)
                self.run.figures.append(Figure(f"{label}, signed in", d.label, c, result, "H", self.hello.get(c),
                                               TARGET[name], why, page=name))
                kind = name.split()[0]
                if ceiling.get((kind, c)) and name.endswith("page"):
                    self.run.figures.append(Figure(f"{label}, signed in, against its render-only ceiling", d.label,
                                                   c, result, "render-only ceiling", ceiling[kind, c], None, why,
                                                   page=name))
            for name, label in SEARCHES.items():
                result, why = self.page(server, pages[name], c, headers=signed_in)
                self.run.figures.append(Figure(f"{label}, signed in", d.label, c, result, "H", self.hello.get(c),
                                               None, why, page=name))
        # What the signed-in render cache costs when writes keep making the page stale (no target).
        tokens = benchseed.voter_tokens(d.url, VOTERS)
        for c in CONCURRENCY:
            with probes.SteadyVotes(server.port, d.hot_article, tokens, VOTES_PER_SECOND) as votes:
                result, why = self.page(server, pages["article page"], c, headers=signed_in)
            written = ", ".join(f"{n} answered {status or 'nothing'}" for status, n in sorted(votes.answered.items()))
            self.run.figures.append(Figure(
                f"{labels['article page']}, signed in, while {VOTES_PER_SECOND} votes a second are written on it",
                d.label, c, result, "H", self.hello.get(c), None, "; ".join(filter(None, [why, f"votes: {written}"])),
                page="article page"))
            self.run.notes.append(f"Votes written on the article ({VOTES_PER_SECOND} a second asked) while its page "
                                  f"was loaded signed in at {c} connections: {written}.")
        benchseed.voter_tokens(d.url, VOTERS)  # the voters' votes cleared again

    def uncached_documents(self, d: datasets.Dataset, pages: dict[str, str], labels: dict[str, str]) -> None:
        """The two JSON documents with their cache off (drafting/web/documents.py): every answer built, as
        when every request follows a write. For information: the targets are measured as deployed."""
        self.say("Navette on SQLite, one worker, signed in, JSON documents' cache off")
        signed_in = self.reader(d)
        with servers.navette(f"{d.scale}-sqlite-uncached", d.url, env={"NAVETTE_DOCUMENT_CACHE_ENTRIES": "0"}) as server:
            for c in CONCURRENCY:
                for name in ("amendment JSON", "article JSON"):
                    result, why = self.page(server, pages[name], c, headers=signed_in)
                    self.run.figures.append(Figure(f"{labels[name]}, signed in, documents' cache off (each answer "
                                                   "built)", d.label, c, result, "H", self.hello.get(c), None, why,
                                                   page=name))

    def cached_pages(self, d: datasets.Dataset, scale: str, pages: dict[str, str], labels: dict[str, str]) -> None:
        self.say("Navette on SQLite, one worker, anonymous page cache on (as deployed)")
        with servers.navette(f"{scale}-sqlite-cached", d.url, page_cache=True) as server:
            cached = "anonymous readers, page cache as deployed"
            for c in CONCURRENCY:
                for name in ("article page", "bill page", "amendment JSON"):
                    result, why = self.page(server, pages[name], c)
                    self.run.figures.append(Figure(f"{labels[name]}, {cached}", d.label, c, result, "H",
                                                   self.hello.get(c), TARGET[name], why))
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

    def postgres_section(self) -> None:
        if not self.wanted("postgres"):
            return
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
        compared = ["article page", "bill page", "amendment JSON", "article JSON", "amendment page", *SEARCHES,
                    PAGE_FILLING]
        small_results: dict[tuple[str, int], LoadResult | None] = {}
        self.run.profiles[small.label] = probes.profile_pages(small.url, self.pages_of(small),
                                                              headers=self.reader(small))
        if big is not None:
            self.say("pages in-process on the large database")
            self.run.profiles[big.label] = probes.profile_pages(big.url, self.pages_of(big), budget=5.0,
                                                                headers=self.reader(big))
        # Both servers run at once and each figure of the large database is measured right after the
        # same figure of the small one: measured minutes apart, on a shared machine, the ratio followed
        # the machine's load more than the databases (bench/ANALYSIS.md, gdpages).
        self.say("Navette on PostgreSQL, one worker, signed in: the small database"
                 + (f" and {big.scale}, figure by figure" if big is not None else ""))
        with contextlib.ExitStack() as stack:
            small_server = stack.enter_context(servers.navette("pg-small", small.url, env=env,
                                                               idle_check=datasets.pg_idle(small.url)))
            big_server = None if big is None else stack.enter_context(servers.navette(
                f"pg-{big.scale}", big.url, env=env, idle_check=datasets.pg_idle(big.url)))
            for c in CONCURRENCY:
                for name in compared:
                    small_results[name, c], _ = self.page(small_server, self.pages_of(small)[name], c,
                                                          headers=self.reader(small))
                    if big_server is None:
                        continue
                    result, why = self.page(big_server, self.pages_of(big)[name], c, headers=self.reader(big))
                    self.run.figures.append(Figure(
                        f"{name[0].upper()}{name[1:]} at {big.scale} scale, signed in", f"{big.label}, 1 worker",
                        c, result, f"same page, {small.label}", small_results.get((name, c)),
                        TARGET["large against small"], why, page=name, compared=(small.label, big.label)))
            if big_server is not None:
                for c in CONCURRENCY:
                    self.say(f"votes on PostgreSQL (small, then {big.scale}), 1 worker, {c} connections")
                    small_results["votes", c], check = self.votes(small_server, small, c)
                    self.run.vote_checks.append((f"{small.label}, 1 worker, {c} connections", check))
                    result, check = self.votes(big_server, big, c)
                    self.run.vote_checks.append((f"{big.label}, 1 worker, {c} connections", check))
                    self.run.figures.append(Figure(f"Votes (PUT, {VOTERS} voters) at {big.scale} scale",
                                                   f"{big.label}, 1 worker", c, result, f"same votes, {small.label}",
                                                   small_results.get(("votes", c)), TARGET["large against small"],
                                                   exact=check["exact"]))
                    self.run.figures.append(Figure(f"Votes (PUT, {VOTERS} voters)", f"{big.label}, 1 worker", c,
                                                   result, "H", self.hello.get(c), None, exact=check["exact"]))
        target = big or small
        self.say(f"navette serve --workers 2 on PostgreSQL ({target.scale})")
        with servers.navette(f"pg-{target.scale}-2workers", target.url, workers=2, env=env,
                             idle_check=datasets.pg_idle(target.url)) as server:
            for c in CONCURRENCY:
                result, check = self.votes(server, target, c)
                self.run.vote_checks.append((f"{target.label}, 2 workers, {c} connections", check))
                self.run.figures.append(Figure(f"Votes (PUT, {VOTERS} voters), `navette serve --workers 2`",
                                               f"{target.label}, 2 workers", c, result, "H (1 worker)",
                                               self.hello.get(c), TARGET["votes, 2 workers"], exact=check["exact"]))
            self.burst(server, target, f"{target.label}, 2 workers")
        self.mixed_writes(small, env)

    def mixed_writes(self, d: datasets.Dataset, env: dict[str, str]) -> None:
        """Issue 11: 8 writers at once (votes, arguments, amendments on the same articles) on
        PostgreSQL with 2 workers: no answer >= 500, nothing lost, counts exact. On the small
        database, whose counts can be checked against every row in seconds."""
        self.say(f"{MIXED_WRITERS} mixed writers, navette serve --workers 2 on PostgreSQL ({d.scale})")
        articles = probes.hot_articles(d.url, d.slug, 3)
        with servers.navette(f"pg-{d.scale}-mixed", d.url, workers=2, env=env,
                             idle_check=datasets.pg_idle(d.url)) as server:
            tokens = benchseed.voter_tokens(d.url, MIXED_WRITERS)
            check = probes.mixed_writes(server.port, d.url, tokens, articles, self.duration)
            server.wait_idle()
            benchseed.voter_tokens(d.url, VOTERS)  # their votes go: the seeded state again
        self.run.write_checks.append({"name": f"{MIXED_WRITERS} writers at once: votes, arguments, amendments "
                                              f"on {len(articles)} articles", "where": f"{d.label}, 2 workers",
                                      **check})

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
