"""Scale data for the benchmarks: the demo bill under a consultation shaped like République numérique.

``seed(database_url, scale)`` loads the demo bill (drafting.seeding.demo.load_demo), then writes accounts,
amendments, arguments, votes and useful marks in bulk (executemany on SQLite, COPY on PostgreSQL).
The shapes (text lengths, shares, vote values, skew of votes per item) were measured once on
../shared/corpus/consultation_republique_numerique/ and are written below as constants, so the
seeder runs without the corpus. Run: ``python -m drafting.seeding.bench --scale rn --database-url URL``.
"""
from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterator

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from drafting.seeding import demo
from drafting.seeding.calibration import (
    AMENDMENT_SHARE,
    AMENDMENT_VOTE_VALUES,
    ARGUMENT_LENGTH,
    ARTICLE_AMENDMENT_WEIGHTS,
    ARTICLE_ARGUMENT_SHARE,
    ARTICLE_ARGUMENT_WEIGHTS,
    ARTICLE_VOTE_SHARE,
    ARTICLE_VOTE_VALUES,
    ARTICLE_VOTE_WEIGHTS,
    AUTHOR_SHARE,
    BENCH_PASSWORD,
    CONSULTATION_END,
    CONSULTATION_START,
    CONTRIBUTIONS_PER_AUTHOR,
    EXPLANATION_LENGTH,
    FOR_SHARE,
    HOT_ARTICLE_NUMBER,
    INSERT_SHARE,
    NEW_ARTICLE_LENGTH,
    ORGANIZATION_SHARE,
    SCALES,
    SEED,
    Scale,
    SeedReport,
    TITLE_LENGTH,
    USEFUL_MARKS,
    VOTER_PREFIX,
    VOTES_PER_PROPOSAL,
)
from drafting.seeding.sampling import (
    BulkWriter,
    HEAVY_TABLES,
    Progress,
    Words,
    allocate,
    digest,
    edited,
    fold_function,
    next_id,
    quantile_sampler,
    secondary_structures,
)
from drafting.services import accounts, bills, search
from drafting.db import Database
from drafting.migrate import upgrade
from drafting.models import Article, AuthToken, User

# --- the seeder --------------------------------------------------------------------------------

@dataclass
class _Article:
    id: int
    number: str
    version: int
    tokens: list[str]


def seed(database_url: str, scale: str | Scale = "rn", progress: bool = True, *,
         random_seed: int = SEED) -> SeedReport:
    """Build the demo bill and a consultation of ``scale`` in an empty database (migrated first)."""
    from amendments.services import tallies
    from amendments.engine import tokenize
    from drafting.db import Base

    shape = SCALES[scale] if isinstance(scale, str) else scale
    started = time.monotonic()
    upgrade(database_url)
    db = Database(database_url)
    bar = Progress(progress, shape.name)
    rng = random.Random(random_seed)
    try:
        with db.session() as session:
            if session.scalar(select(func.count()).select_from(User).where(User.username.like(VOTER_PREFIX + "%"))):
                raise SystemExit("error: this database already holds benchmark data; seed an empty database")
            slug, _ = demo.load_demo(session, with_consultation=False)
            bill = bills.get_bill(session, slug)
            articles_rows = bills.bill_articles(session, bill)
            heads = bills.head_versions(session, articles_rows)
            articles = [_Article(a.id, a.number, a.current_version, tokenize(heads[a.id].text)) for a in articles_rows]
            bill_id = bill.id
            source_text = "\n".join(heads[a.id].text for a in articles_rows)
        if len(articles) != len(ARTICLE_AMENDMENT_WEIGHTS):
            raise SystemExit(f"error: the demo bill has {len(articles)} articles, the calibration 30")
        hot = next(i for i, a in enumerate(articles) if a.number == HOT_ARTICLE_NUMBER)
        words = Words(rng, source_text)
        fold = fold_function(words)
        # Cheap argon2 parameters (the hash records them, so sign-in still verifies): benchmark data only.
        password_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(BENCH_PASSWORD)

        with db.write_engine.connect() as connection:
            postgres = connection.dialect.name == "postgresql"
            if not postgres:  # no fsync while loading: a failed seed is simply run again
                connection.connection.driver_connection.execute("PRAGMA synchronous=OFF")
            with connection.begin():
                heavy = postgres and shape.votes >= 1_000_000
                structures = secondary_structures(Base.metadata) if heavy else []
                if postgres:
                    connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
                    if heavy and connection.exec_driver_sql("SELECT rolsuper FROM pg_roles "
                                                            "WHERE rolname = current_user").scalar():
                        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
                    for drop, _ in structures:
                        connection.execute(drop)
                counts = _write_consultation(connection, shape, rng, words, fold, bill_id, articles, hot,
                                             password_hash, bar)
                if structures:
                    step = bar.step("indexes", len(structures))
                    for _, create in structures:
                        connection.execute(create)
                        step.advance()
                    step.finish()
                step = bar.step("counts", 1)  # every target's stored counts, from the rows just written
                counts["counted_targets"] = tallies.rebuild(connection, useful=False)  # rows carry it
                step.advance()
                step.finish()
                if postgres:
                    for table in ("users", "amendments", "amendment_events", "arguments", "votes"):
                        connection.exec_driver_sql(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT coalesce(max(id), 1) FROM \"{table}\"))"
                        )
        step = bar.step("search index", 1 + len(articles) + counts["amendments"] + counts.get("arguments", 0))
        with db.session() as session:  # over the rows written in bulk (the services index what they write)
            counts["indexed_for_search"] = search.reindex(session, lambda done: step.advance(done - step.done))
        step.finish()
        if postgres:  # what autovacuum would have done to a live database: statistics, visibility map
            with db.write_engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    f"VACUUM ANALYZE {', '.join(HEAVY_TABLES)}, search_entries, search_index")
        return SeedReport(shape.name, slug, articles[hot].id, counts, time.monotonic() - started)
    finally:
        db.dispose()


def _write_consultation(connection: Connection, shape: Scale, rng: random.Random, words: Words,
                        fold: Callable[[str], str], bill_id: int, articles: list[_Article], hot: int,
                        password_hash: str, bar: Progress) -> dict[str, int]:
    writer = BulkWriter(connection)
    span = (CONSULTATION_END - CONSULTATION_START).total_seconds()
    moments = [CONSULTATION_START + timedelta(seconds=span * i / 4096) for i in range(4096)]

    def moment() -> datetime:
        return moments[rng.randrange(4096)]

    counts: dict[str, int] = {}

    # Accounts: the voters of the vote benchmark first, then the participants.
    first_user = next_id(connection, "users")
    participants = shape.accounts - shape.voters
    if participants < 10:
        raise SystemExit("error: a scale needs more accounts than benchmark voters")
    participant_ids = range(first_user + shape.voters, first_user + shape.accounts)

    def user_rows() -> Iterator[tuple]:
        for i in range(shape.accounts):
            user_id = first_user + i
            if i < shape.voters:
                name, display, kind, org = f"{VOTER_PREFIX}{i:03d}", f"Votant {i}", "citizen", None
            else:
                n = i - shape.voters
                organization = rng.random() < ORGANIZATION_SHARE
                name = f"{'organisation' if organization else 'citoyen'}-{n:07d}"
                display = f"Organisation {n}" if organization else f"Participant {n}"
                kind, org = ("organization", display) if organization else ("citizen", None)
            yield (user_id, name, display, None, password_hash, kind, org,
                   words.window(120) if org else None, False, False, None, moment())

    step = bar.step("accounts", shape.accounts)
    counts["accounts"] = writer.write(
        "users", ("id", "username", "display_name", "email", "password_hash", "kind", "organization_name",
                  "declared_interests", "is_admin", "is_moderator", "created_by_id", "created_at"),
        user_rows(), step)
    step.finish()

    # Who writes: a tenth of participants, a few of them prolific (contributions per author).
    authors = participant_ids[: max(1, round(len(participant_ids) * AUTHOR_SHARE))]
    per_author = quantile_sampler(rng, CONTRIBUTIONS_PER_AUTHOR)
    author_weights = list(itertools.accumulate(per_author() for _ in authors))

    def author() -> int:
        return rng.choices(authors, cum_weights=author_weights)[0]

    # How many amendments and arguments each article gets.
    n_amendments = round(shape.contributions * AMENDMENT_SHARE)
    n_arguments = shape.contributions - n_amendments
    others = [i for i in range(len(articles)) if i != hot]
    if shape.hot_amendments is None:
        per_article_amendments = allocate(n_amendments, ARTICLE_AMENDMENT_WEIGHTS)
        article_arguments_total = round(n_arguments * ARTICLE_ARGUMENT_SHARE)
        per_article_arguments = allocate(article_arguments_total, ARTICLE_ARGUMENT_WEIGHTS)
    else:
        rest = n_amendments - shape.hot_amendments
        per_article_amendments = [0] * len(articles)
        for i, n in zip(others, allocate(rest, [ARTICLE_AMENDMENT_WEIGHTS[i] for i in others])):
            per_article_amendments[i] = n
        per_article_amendments[hot] = shape.hot_amendments
        # The share of arguments on articles applies to what the hot article leaves over.
        rest_arguments = n_arguments - shape.hot_arguments
        on_other_articles = round(rest_arguments * ARTICLE_ARGUMENT_SHARE)
        per_article_arguments = [0] * len(articles)
        for i, n in zip(others, allocate(on_other_articles, [ARTICLE_ARGUMENT_WEIGHTS[i] for i in others])):
            per_article_arguments[i] = n
        per_article_arguments[hot] = shape.hot_arguments
        article_arguments_total = sum(per_article_arguments)
    amendment_arguments_total = n_arguments - article_arguments_total
    if amendment_arguments_total < 0:
        raise SystemExit("error: the hot article asks for more arguments than the scale holds")

    # Amendments: modifications of the head text, or (elsewhere than the hot article) new articles.
    first_amendment = next_id(connection, "amendments")
    amendment_article: list[int] = []  # index of the article each amendment belongs to
    for i, n in enumerate(per_article_amendments):
        amendment_article.extend([i] * n)
    rng.shuffle(amendment_article)
    vote_weight = quantile_sampler(rng, VOTES_PER_PROPOSAL)
    amendment_weights = [vote_weight() for _ in amendment_article]
    explanation_length = quantile_sampler(rng, EXPLANATION_LENGTH)
    title_length = quantile_sampler(rng, TITLE_LENGTH)
    new_article_length = quantile_sampler(rng, NEW_ARTICLE_LENGTH)
    amendment_authors: list[int] = []
    amendment_created: list[datetime] = []
    amendment_bases: list[int | None] = []

    def amendment_rows() -> Iterator[tuple]:
        for k, index in enumerate(amendment_article):
            article = articles[index]
            who, when = author(), moment()
            amendment_authors.append(who)
            amendment_created.append(when)
            title = words.window(title_length())[:300]
            length = explanation_length()
            explanation = words.window(length) if length >= 1 else ""
            if index != hot and rng.random() < INSERT_SHARE:
                amendment_bases.append(None)
                body = words.window(new_article_length())
                yield (first_amendment + k, bill_id, None, "insert", who, title, explanation, "open", None,
                       body, digest(body), article.id, title[:120], None, None, when)
            else:
                amendment_bases.append(article.version)
                body = edited(rng, words, article.tokens)
                yield (first_amendment + k, bill_id, article.id, "modify", who, title, explanation, "open",
                       article.version, body, digest(body), None, "", None, None, when)

    step = bar.step("amendments", len(amendment_article))
    counts["amendments"] = writer.write(
        "amendments", ("id", "bill_id", "article_id", "kind", "author_id", "title", "explanation", "status",
                       "base_version", "text", "text_digest", "after_article_id", "heading",
                       "created_article_id", "hidden_by_id", "created_at"),
        amendment_rows(), step)
    step.finish()

    first_event = next_id(connection, "amendment_events")
    step = bar.step("events", len(amendment_article))
    counts["amendment_events"] = writer.write(
        "amendment_events", ("id", "amendment_id", "kind", "actor_id", "from_version", "to_version",
                             "previous_text", "detail", "created_at"),
        ((first_event + k, first_amendment + k, "proposed", amendment_authors[k], None, amendment_bases[k],
          None, "", amendment_created[k]) for k in range(len(amendment_article))),
        step)
    step.finish()

    # Arguments: on articles by the calibrated weights, on amendments in proportion to their support.
    first_argument = next_id(connection, "arguments")
    per_amendment_arguments = allocate(amendment_arguments_total, [w + 0.05 for w in amendment_weights])
    argument_length = quantile_sampler(rng, ARGUMENT_LENGTH)
    targets = itertools.chain(
        ((articles[i].id, None) for i, n in enumerate(per_article_arguments) for _ in range(n)),
        ((None, first_amendment + k) for k, n in enumerate(per_amendment_arguments) for _ in range(n)),
    )

    # Useful marks per argument, drawn now: each argument row carries its count (useful_count).
    useful = quantile_sampler(rng, USEFUL_MARKS)
    marks = [min(int(round(useful())), participants) for _ in range(n_arguments)]

    def argument_rows() -> Iterator[tuple]:
        for k, (article_id, amendment_id) in enumerate(targets):
            body = words.window(argument_length())
            stance = "for" if rng.random() < FOR_SHARE else "against"
            yield (first_argument + k, article_id, amendment_id, stance, body, fold(body), author(), None, None,
                   marks[k], moment())

    step = bar.step("arguments", n_arguments)
    counts["arguments"] = writer.write(
        "arguments", ("id", "article_id", "amendment_id", "stance", "body", "folded", "author_id",
                      "similar_to_id", "hidden_by_id", "useful_count", "created_at"),
        argument_rows(), step)
    step.finish()

    # Votes: each target's count drawn from the calibrated skew, from distinct participants.
    article_votes = allocate(round(shape.votes * ARTICLE_VOTE_SHARE), ARTICLE_VOTE_WEIGHTS, cap=participants)
    amendment_votes = allocate(shape.votes - sum(article_votes), amendment_weights, cap=participants)
    first_vote = next_id(connection, "votes")
    values = ("agree", "mixed", "disagree")
    population = range(participant_ids.start, participant_ids.stop)

    def voters(n: int) -> list[int]:
        return rng.sample(population, n)

    def vote_rows() -> Iterator[tuple]:
        vote_id = first_vote
        plans = itertools.chain(
            ((articles[i].id, None, n, ARTICLE_VOTE_VALUES) for i, n in enumerate(article_votes)),
            ((None, first_amendment + k, n, AMENDMENT_VOTE_VALUES) for k, n in enumerate(amendment_votes)),
        )
        for article_id, amendment_id, n, shares in plans:
            cum = list(itertools.accumulate(shares))
            chosen = rng.choices(values, cum_weights=cum, k=n)
            for user_id, value in zip(voters(n), chosen):
                when = moment()
                yield (vote_id, user_id, article_id, amendment_id, value, when, when)
                vote_id += 1

    step = bar.step("votes", shape.votes)
    counts["votes"] = writer.write(
        "votes", ("id", "user_id", "article_id", "amendment_id", "value", "created_at", "updated_at"),
        vote_rows(), step)
    step.finish()

    # Useful marks on arguments, from distinct participants.
    def mark_rows() -> Iterator[tuple]:
        for k, n in enumerate(marks):
            for user_id in voters(n):
                yield (first_argument + k, user_id, moment())

    step = bar.step("useful marks", sum(marks))
    counts["useful_marks"] = writer.write("useful_marks", ("argument_id", "user_id", "created_at"),
                                          mark_rows(), step)
    step.finish()
    counts["hot_amendments"] = per_article_amendments[hot]
    counts["hot_arguments"] = per_article_arguments[hot]
    return counts


# --- helpers for the benchmark harness ---------------------------------------------------------

def voter_tokens(database_url: str, count: int) -> list[str]:
    """Fresh API tokens for the first ``count`` benchmark voters, whose votes are cleared first."""
    db = Database(database_url)
    try:
        with db.session() as session:
            voters = list(session.scalars(
                select(User).where(User.username.like(VOTER_PREFIX + "%")).order_by(User.username).limit(count)
            ))
            if len(voters) < count:
                raise SystemExit(f"error: the database holds {len(voters)} benchmark voters, {count} wanted")
            ids = [u.id for u in voters]
            clear_voters(session, ids)
            return [accounts.issue_token(session, user, "api") for user in voters]
    finally:
        db.dispose()


def clear_voters(session, user_ids: list[int]) -> None:
    """Back to the seeded state: the benchmark voters' votes and tokens go."""
    from amendments.services import tallies
    from amendments.models import Vote

    touched = session.execute(select(Vote.article_id, Vote.amendment_id).where(Vote.user_id.in_(user_ids))
                              .distinct()).all()
    session.execute(Vote.__table__.delete().where(Vote.user_id.in_(user_ids)))
    session.execute(AuthToken.__table__.delete().where(AuthToken.user_id.in_(user_ids)))
    for article_id, amendment_id in touched:  # their stored tallies follow the rows
        tallies.recount(session, "article" if article_id else "amendment", article_id or amendment_id)


def hot_article(session, slug: str = demo.DEMO_SLUG) -> Article:
    """The seeded article that draws the crowd."""
    bill = bills.get_bill(session, slug)
    return session.scalar(select(Article).where(Article.bill_id == bill.id, Article.number == HOT_ARTICLE_NUMBER))


# --- command line ------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m drafting.seeding.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="rn")
    parser.add_argument("--database-url", help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB "
                        "(default: $NAVETTE_DATABASE_URL, then var/navette.db)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    from drafting.settings import default_database_url

    args = build_parser().parse_args(argv)
    report = seed(args.database_url or default_database_url(), args.scale, progress=not args.quiet)
    summary = ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in report.counts.items())
    print(f"seeded '{report.bill_slug}' at scale {report.scale} in {report.seconds:.1f} s: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
