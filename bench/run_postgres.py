"""The PostgreSQL section of `make bench` (bench/run.py): the Grand Débat database against the small one,
figure by figure, its votes, two workers, the mixed writers; and the search words each database asks
(bench/search_words.py: the rarest word that still fills a page)."""
from __future__ import annotations

import contextlib
import secrets
from urllib.parse import quote

from bench import datasets, probes, search_words, servers
from bench.loadgen import LoadResult
from bench.report import Figure
from bench.run_plan import CONCURRENCY, MIXED_WRITERS, PAGE_FILLING, SEARCHES, TARGET, VOTERS
from drafting.seeding import bench as benchseed


class PostgresSection:
    """``Bench``'s PostgreSQL section, and the pages each database is asked (``pages_of``)."""

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
