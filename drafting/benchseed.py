"""Scale data for the benchmarks: the demo bill under a consultation shaped like République numérique.

``seed(database_url, scale)`` loads the demo bill (drafting.seed.load_demo), then writes accounts,
amendments, arguments, votes and useful marks in bulk (executemany on SQLite, COPY on PostgreSQL).
The shapes (text lengths, shares, vote values, skew of votes per item) were measured once on
../shared/corpus/consultation_republique_numerique/ and are written below as constants, so the
seeder runs without the corpus. Run: ``python -m drafting.benchseed --scale rn --database-url URL``.
"""
from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import math
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Iterator, Sequence

from argon2 import PasswordHasher
from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex, UniqueConstraint

from drafting import accounts, seed as demo, services
from drafting.db import Database
from drafting.migrate import upgrade
from drafting.models import Article, AuthToken, User

# --- calibration -------------------------------------------------------------------------------
# Measured on ../shared/corpus/consultation_republique_numerique/: RN1 = opinions.json (the 30
# government articles and 666 citizen proposals of new articles, with their 3,994 arguments),
# RN2 = article9_versions.json (Article 9 and its 108 proposed rewrites), RN3 =
# contributions_index.json (all 2,086 contributions: 1,390 "amendement" and 696 "proposition").

# Per government article 1..30 (RN1, author "gouvernement", in article order): proposed
# modifications (versions_count), arguments (len(arguments)) and votes (votes_total).
ARTICLE_AMENDMENT_WEIGHTS = (116, 32, 18, 30, 27, 13, 19, 49, 108, 12, 24, 38, 31, 16, 24,
                             31, 30, 13, 34, 16, 3, 26, 41, 7, 7, 10, 30, 24, 22, 11)
ARTICLE_ARGUMENT_WEIGHTS = (95, 44, 35, 38, 21, 23, 54, 25, 132, 40, 40, 47, 38, 24, 31,
                            25, 23, 22, 28, 35, 7, 35, 22, 9, 13, 21, 81, 19, 45, 24)
ARTICLE_VOTE_WEIGHTS = (2447, 1318, 1106, 892, 658, 777, 800, 822, 3334, 706, 1426, 796, 669, 379, 488,
                        733, 495, 324, 561, 625, 187, 853, 368, 386, 226, 392, 1380, 498, 408, 833)
# The article that draws the crowd: Article 9 (open access to research, 3,334 votes, 108 rewrites; RN1/RN2).
HOT_ARTICLE_NUMBER = "9"
# Amendments among contributions: 1,390 modifications (RN3) + 666 proposed new articles (RN1) against
# 6,001 arguments (3,994 on RN1 opinions + 2,007 on RN3 modifications).
AMENDMENT_SHARE = 2056 / 8057
# Proposed new articles among amendments: 666 / 2,056 (RN1 citizen opinions / all proposals).
INSERT_SHARE = 666 / 2056
# Arguments on the articles themselves rather than on proposals: 1,096 / 6,001 (RN1 government opinions).
ARTICLE_ARGUMENT_SHARE = 1096 / 6001
# Votes on articles rather than on proposals: 24,887 / (24,887 + 105,157) (RN1 government / RN3 + RN1 citizen).
ARTICLE_VOTE_SHARE = 24887 / 130044
# Vote values (agree, mixed, disagree): on articles, RN1 government votes_ok/votes_mitige/votes_nok;
# on proposals, RN3 votes_pro/unsure/against plus RN1 citizen opinions (88,410 / 5,079 / 11,668).
ARTICLE_VOTE_VALUES = (0.7600, 0.0984, 0.1415)
AMENDMENT_VOTE_VALUES = (0.8407, 0.0483, 0.1110)
# Arguments "for" (type 1) among the 3,994 arguments of RN1; the rest are "against".
FOR_SHARE = 0.4907
# Distinct authors among participants: 1,992 pseudonymised authors of RN1/RN3 for 21,000 participants.
AUTHOR_SHARE = 1992 / 21000
# Quantile tables: (percentile, value) pairs, sampled by linear interpolation of the inverse CDF.
_P = (0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 100)
# Votes per proposal relative to the mean (51.1): 2,056 proposals of RN3 + RN1 citizen opinions.
VOTES_PER_PROPOSAL = tuple(zip(_P, (0.0, 0.02, 0.059, 0.098, 0.137, 0.176, 0.254, 0.391, 0.606, 1.486,
                                    3.382, 17.303, 80.142)))
# Characters of an argument body (RN1, 3,994 arguments; the platform capped them at 2,000).
ARGUMENT_LENGTH = tuple(zip(_P, (7, 66, 103, 142, 189, 239, 300, 385, 530, 809, 1151, 1865, 2000)))
# Characters of a proposal's explanation (RN2 "comment", 108 rewrites of Article 9); empty ones kept.
EXPLANATION_LENGTH = tuple(zip(_P, (0, 0, 62, 157, 280, 448, 585, 860, 1421, 2242, 2519, 5047, 7543)))
# Characters of a proposal's title (RN3 "name" of the 1,390 modifications).
TITLE_LENGTH = tuple(zip(_P, (2, 20, 27, 35, 43, 52, 62, 74, 90, 114, 133, 191, 255)))
# Characters of a proposed new article (RN1 body_text of the 666 citizen proposals).
NEW_ARTICLE_LENGTH = tuple(zip(_P, (2, 106, 175, 235, 303, 389, 491, 656, 874, 1361, 2041, 5708, 19528)))
# "Useful" marks per argument (RN1 argument votes_count; mean 3.2).
USEFUL_MARKS = tuple(zip(_P, (0, 0, 0, 1, 1, 2, 2, 3, 5, 9, 12, 22, 45)))
# Contributions per author (RN1 + RN3, 1,992 authors of 6,050 contributions; one author wrote 254).
CONTRIBUTIONS_PER_AUTHOR = tuple(zip(_P, (1, 1, 1, 1, 1, 1, 2, 2, 3, 6, 9, 26, 254)))
# The consultation ran from 26 September to 18 October 2015 (RN1 created_at of the first opinion
# and of the last argument).
CONSULTATION_START = datetime(2015, 9, 26, 0, 27, 54, tzinfo=timezone.utc)
CONSULTATION_END = datetime(2015, 10, 18, 21, 58, 59, tzinfo=timezone.utc)
# Not in the corpus, assumed: the share of organisation accounts, and the size of a proposed change
# (amendment texts are absent from RN1/RN2: their "after" field repeats the original text).
ORGANIZATION_SHARE = 0.03
EDITS_PER_AMENDMENT = (1, 6)  # word-level edits, each replacing, deleting or inserting 1 to 8 words

BENCH_PASSWORD = "bench-password"  # every seeded account shares it: benchmark databases only
VOTER_PREFIX = "bench-voter-"  # accounts kept without votes, for the vote benchmark
SEED = 20151018


@dataclass(frozen=True)
class Scale:
    """How big a consultation to build; ``hot_*`` None means the hot article's calibrated share."""

    name: str
    accounts: int
    contributions: int  # amendments + arguments
    votes: int
    hot_amendments: int | None
    hot_arguments: int | None
    voters: int = 100  # accounts without votes, for the vote benchmark (counted in ``accounts``)


SCALES = {
    # A few hundred rows, yet enough for the hot article to fill a first page of each list.
    "small": Scale("small", accounts=400, contributions=300, votes=2_000, hot_amendments=60, hot_arguments=120),
    # République numérique: 21,000 participants, 8,500 contributions, 150,000 votes on 30 articles.
    "rn": Scale("rn", accounts=21_000, contributions=8_500, votes=150_000, hot_amendments=500, hot_arguments=2_000),
    # A fifth of the Grand Débat, for machines that cannot seed the whole of it in minutes.
    "gd-lite": Scale("gd-lite", accounts=100_000, contributions=400_000, votes=2_000_000,
                     hot_amendments=None, hot_arguments=None),
    # Grand Débat National: about 500,000 people, 2 million contributions, 10 million votes.
    "gd": Scale("gd", accounts=500_000, contributions=2_000_000, votes=10_000_000,
                hot_amendments=None, hot_arguments=None),
}


@dataclass
class SeedReport:
    """What was written, and where the benchmarks find their targets."""

    scale: str
    bill_slug: str
    hot_article_id: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


# --- sampling ----------------------------------------------------------------------------------

def quantile_sampler(rng: random.Random, table: Sequence[tuple[float, float]]) -> Callable[[], float]:
    """Draws from the distribution whose inverse CDF passes through ``table``'s (percentile, value)."""
    percentiles = [p for p, _ in table]
    values = [v for _, v in table]

    def draw() -> float:
        u = rng.random() * 100
        i = min(bisect.bisect_right(percentiles, u), len(percentiles) - 1)
        p0, p1, v0, v1 = percentiles[i - 1], percentiles[i], values[i - 1], values[i]
        return v0 + (v1 - v0) * (u - p0) / (p1 - p0)

    return draw


def allocate(total: int, weights: Sequence[float], cap: int | None = None) -> list[int]:
    """Split ``total`` in proportion to ``weights``, no part above ``cap`` (largest remainders)."""
    n = len(weights)
    parts = [0] * n
    if total <= 0 or n == 0:
        return parts
    if cap is not None and cap * n < total:
        raise ValueError(f"cannot place {total} among {n} slots of at most {cap}")
    open_slots = [i for i in range(n) if weights[i] > 0] or list(range(n))
    remaining = total
    while remaining > 0 and open_slots:
        weight_sum = sum(weights[i] for i in open_slots) or float(len(open_slots))
        shares = {i: remaining * ((weights[i] or 1.0) if weight_sum else 1.0) / weight_sum for i in open_slots}
        placed = 0
        for i in open_slots:
            room = (cap - parts[i]) if cap is not None else remaining
            take = min(int(shares[i]), room)
            parts[i] += take
            placed += take
        remaining -= placed
        if remaining and placed == 0:  # hand the last units out by largest remainder
            order = sorted(open_slots, key=lambda i: shares[i] - int(shares[i]), reverse=True)
            for i in order:
                if remaining == 0:
                    break
                if cap is None or parts[i] < cap:
                    parts[i] += 1
                    remaining -= 1
        open_slots = [i for i in open_slots if cap is None or parts[i] < cap]
        if remaining and not open_slots:  # weights were zero where room is left
            open_slots = [i for i in range(n) if cap is None or parts[i] < cap]
    return parts


class Words:
    """Text made of the demo bill's own words: windows of a long shuffled sequence of its sentences."""

    def __init__(self, rng: random.Random, source: str) -> None:
        sentences = [s.strip() for s in source.replace("\n", " ").split(". ") if len(s.strip()) > 20]
        stream: list[str] = []
        while sum(map(len, stream)) < 400_000:
            rng.shuffle(sentences)
            stream.extend(s + "." for s in sentences)
        self.text = " ".join(stream)
        self.rng = rng
        self.words = [w for w in source.split() if w.isalpha()]

    def window(self, length: int) -> str:
        """About ``length`` characters, starting and ending on word boundaries."""
        length = max(1, int(length))
        start = self.rng.randrange(0, len(self.text) - length - 200)
        start = self.text.find(" ", start) + 1
        end = self.text.rfind(" ", start, start + length + 1)
        if end <= start:
            end = self.text.find(" ", start + 1)
        chunk = self.text[start:end].strip()
        return chunk[:1].upper() + chunk[1:] if chunk else self.rng.choice(self.words)


def edited(rng: random.Random, words: Words, tokens: list[str]) -> str:
    """The base text (as tokens) with a few word-level edits: replacements, deletions, insertions."""
    tokens = list(tokens)
    positions = [i for i, token in enumerate(tokens) if token[:1].isalnum()]
    for _ in range(rng.randint(*EDITS_PER_AMENDMENT)):
        if not positions:
            break
        i = rng.choice(positions)
        span = rng.randint(1, 8)
        action = rng.random()
        if action < 0.5:
            tokens[i] = words.window(span * 7)
        elif action < 0.75:
            for j in range(i, min(i + span * 2, len(tokens))):
                tokens[j] = ""
        else:
            tokens[i] = tokens[i] + " " + words.window(span * 7)
    return "".join(tokens)


def _fold_function(words: Words) -> Callable[[str], str]:
    """The participation module's folding (so seeded arguments group like real ones), sped up with a
    character table for the seeder's alphabet when the table gives the very same results."""
    import re
    import unicodedata

    try:
        from amendments.participation import fold
    except ImportError:  # pragma: no cover - the module predates ``fold``

        def fold(value: str) -> str:
            value = unicodedata.normalize("NFKC", value).casefold()
            value = "".join(" " if unicodedata.category(c).startswith("P") else c for c in value)
            return re.sub(r"\s+", " ", value).strip()

    table = {ord(c): " " if unicodedata.category(c).startswith("P") else unicodedata.normalize("NFKC", c).casefold()
             for c in set(words.text) | set(words.text.upper())}

    def fast(value: str) -> str:
        return " ".join(value.translate(table).split())

    alphabet = "".join(sorted(set(words.text) | set(words.text.upper())))
    samples = [alphabet, " ".join(alphabet)] + [words.window(400) for _ in range(100)]
    return fast if all(fast(sample) == fold(sample) for sample in samples) else fold


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


# --- progress ----------------------------------------------------------------------------------

class Progress:
    """A plain-text progress bar on stderr (a line per step when stderr is not a terminal)."""

    def __init__(self, enabled: bool, label: str) -> None:
        self.enabled = enabled
        self.label = label
        self.tty = sys.stderr.isatty()
        self.started = time.monotonic()

    def step(self, name: str, total: int) -> "_Step":
        return _Step(self, name, total)


class _Step:
    def __init__(self, progress: Progress, name: str, total: int) -> None:
        self.p, self.name, self.total, self.done = progress, name, max(total, 1), 0
        self.started = time.monotonic()
        self.shown = 0.0
        self.next_line = 0.1

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if not self.p.enabled or now - self.shown < 0.25:
            return
        self.shown = now
        fraction = min(self.done / self.total, 1.0)
        if self.p.tty:
            bar = "#" * int(fraction * 30)
            sys.stderr.write(f"\r[{self.p.label}] {self.name:<14} [{bar:<30}] {fraction:6.1%} "
                             f"{self.done:>11,}/{self.total:,} {now - self.p.started:7.1f} s")
            sys.stderr.flush()
        elif fraction >= self.next_line:
            self.next_line = math.floor(fraction * 10) / 10 + 0.1
            print(f"[{self.p.label}] {self.name}: {fraction:.0%} ({self.done:,}/{self.total:,}) "
                  f"{now - self.p.started:.1f} s", file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self.p.enabled:
            elapsed = time.monotonic() - self.started
            line = (f"[{self.p.label}] {self.name:<14} {self.done:>11,} rows in {elapsed:6.1f} s "
                    f"(total {time.monotonic() - self.p.started:.1f} s)")
            sys.stderr.write(("\r" + line + " " * 30 + "\n") if self.p.tty else line + "\n")
            sys.stderr.flush()


# --- bulk writers ------------------------------------------------------------------------------

def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, bool):
        return int(value)
    return value


class BulkWriter:
    """Appends rows to a table: executemany in batches on SQLite, COPY on PostgreSQL."""

    batch = 20_000

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple], step: _Step) -> int:
        count = 0
        if self.postgres:
            raw = self.connection.connection.driver_connection
            with raw.cursor() as cursor:
                with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                        if count % 10_000 == 0:
                            step.advance(10_000)
            step.advance(count % 10_000)
            return count
        cursor = self.connection.connection.driver_connection.cursor()
        sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
        rows = iter(rows)
        while True:
            chunk = [tuple(map(_sqlite_value, row)) for row in itertools.islice(rows, self.batch)]
            if not chunk:
                break
            cursor.executemany(sql, chunk)
            count += len(chunk)
            step.advance(len(chunk))
        cursor.close()
        return count


def _next_id(connection: Connection, table: str) -> int:
    return (connection.execute(text(f'SELECT max(id) FROM "{table}"')).scalar() or 0) + 1


# Secondary indexes and unique constraints dropped while PostgreSQL loads millions of rows, and
# built again afterwards (sorting once beats maintaining them row by row).
_HEAVY_TABLES = ("votes", "useful_marks", "arguments", "amendments", "amendment_events", "users")


def _secondary_structures(metadata) -> list[tuple[Any, Any]]:
    found = []
    for name in _HEAVY_TABLES:
        table = metadata.tables[name]
        for index in table.indexes:
            found.append((DropIndex(index), CreateIndex(index)))
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint):
                found.append((DropConstraint(constraint), AddConstraint(constraint)))
    return found


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
    from amendments import tallies
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
            slug, _ = demo.load_demo(session)
            bill = services.get_bill(session, slug)
            articles_rows = services.bill_articles(session, bill)
            heads = services.head_versions(session, articles_rows)
            articles = [_Article(a.id, a.number, a.current_version, tokenize(heads[a.id].text)) for a in articles_rows]
            bill_id = bill.id
            source_text = "\n".join(heads[a.id].text for a in articles_rows)
        if len(articles) != len(ARTICLE_AMENDMENT_WEIGHTS):
            raise SystemExit(f"error: the demo bill has {len(articles)} articles, the calibration 30")
        hot = next(i for i, a in enumerate(articles) if a.number == HOT_ARTICLE_NUMBER)
        words = Words(rng, source_text)
        fold = _fold_function(words)
        # Cheap argon2 parameters (the hash records them, so sign-in still verifies): benchmark data only.
        password_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(BENCH_PASSWORD)

        with db.write_engine.connect() as connection:
            postgres = connection.dialect.name == "postgresql"
            if not postgres:  # no fsync while loading: a failed seed is simply run again
                connection.connection.driver_connection.execute("PRAGMA synchronous=OFF")
            with connection.begin():
                heavy = postgres and shape.votes >= 1_000_000
                structures = _secondary_structures(Base.metadata) if heavy else []
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
        if postgres:  # what autovacuum would have done to a live database: statistics, visibility map
            with db.write_engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    f"VACUUM ANALYZE {', '.join(_HEAVY_TABLES)}")
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
    first_user = _next_id(connection, "users")
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
    first_amendment = _next_id(connection, "amendments")
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

    first_event = _next_id(connection, "amendment_events")
    step = bar.step("events", len(amendment_article))
    counts["amendment_events"] = writer.write(
        "amendment_events", ("id", "amendment_id", "kind", "actor_id", "from_version", "to_version",
                             "previous_text", "detail", "created_at"),
        ((first_event + k, first_amendment + k, "proposed", amendment_authors[k], None, amendment_bases[k],
          None, "", amendment_created[k]) for k in range(len(amendment_article))),
        step)
    step.finish()

    # Arguments: on articles by the calibrated weights, on amendments in proportion to their support.
    first_argument = _next_id(connection, "arguments")
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
    first_vote = _next_id(connection, "votes")
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
    from amendments import tallies
    from amendments.models import Vote

    touched = session.execute(select(Vote.article_id, Vote.amendment_id).where(Vote.user_id.in_(user_ids))
                              .distinct()).all()
    session.execute(Vote.__table__.delete().where(Vote.user_id.in_(user_ids)))
    session.execute(AuthToken.__table__.delete().where(AuthToken.user_id.in_(user_ids)))
    for article_id, amendment_id in touched:  # their stored tallies follow the rows
        tallies.recount(session, "article" if article_id else "amendment", article_id or amendment_id)


def hot_article(session, slug: str = demo.DEMO_SLUG) -> Article:
    """The seeded article that draws the crowd."""
    bill = services.get_bill(session, slug)
    return session.scalar(select(Article).where(Article.bill_id == bill.id, Article.number == HOT_ARTICLE_NUMBER))


# --- command line ------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m drafting.benchseed", description=__doc__.splitlines()[0])
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
