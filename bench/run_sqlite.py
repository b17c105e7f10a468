"""The SQLite section of `make bench` (bench/run.py): issue 11's pages signed in against H and their
render-only ceiling, the votes, the JSON documents' cache off, the anonymous page cache, /healthz during
wrong passwords, the immutable URLs' caching."""
from __future__ import annotations

import json

from bench import datasets, probes, servers
from bench.loadgen import LoadResult
from bench.report import Figure
from bench.run_plan import (CONCURRENCY, PASSWORD_GUESSERS, PASSWORD_PROBE_TARGET_MS, SEARCHES, TARGET, VOTERS,
                            VOTES_PER_SECOND)
from drafting.seeding import bench as benchseed


class SqliteSection:
    """``Bench``'s SQLite section: its methods use the run's loads (``page``, ``votes``, ``burst``) and figures."""

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
