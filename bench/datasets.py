"""The seeded databases the benchmarks run on, kept between runs while the seeder and schema are unchanged."""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from drafting.seeding import bench as benchseed
from drafting.db import Database
from drafting.migrate import upgrade

REPO = Path(__file__).resolve().parents[1]
VAR = REPO / "bench" / "var"
DEFAULT_PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def fingerprint() -> str:
    """Changes whenever the seeder changes: a database seeded by another seeder is seeded again."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "drafting" / "seeding").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _migrations() -> list[str]:
    return sorted(path.name for path in (REPO / "migrations" / "versions").glob("*.py"))


def _migrations_digest(names: list[str]) -> str | None:
    """The digest of these migration files as they are now; None when one is gone."""
    digest = hashlib.sha256()
    for name in names:
        path = REPO / "migrations" / "versions" / name
        if not path.exists():
            return None
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def marker(scale: str) -> str:
    """What a seeded database is marked with: the seeder, the scale and the migrations it ran."""
    names = _migrations()
    return f"navette-benchseed {fingerprint()} {scale} {_migrations_digest(names)} {','.join(names)}"


def freshness(mark: str | None, scale: str) -> str:
    """"fresh", "upgrade" (the same seeder, and only migrations added since, the ones it ran unchanged:
    ``alembic upgrade`` brings it up to date as it would a production database) or "stale"."""
    parts = (mark or "").split(" ")
    if len(parts) != 5 or parts[0] != "navette-benchseed" or parts[1] != fingerprint() or parts[2] != scale:
        return "stale"
    ran = parts[4].split(",")
    if _migrations_digest(ran) != parts[3]:
        return "stale"
    return "fresh" if ran == _migrations() else "upgrade"


@dataclass
class Dataset:
    """A seeded database and the ids the benchmarks aim at."""

    label: str  # e.g. "rn / SQLite"
    scale: str
    url: str
    seeded_now: bool
    seed_seconds: float | None
    counts: dict[str, int] = field(default_factory=dict)
    slug: str = benchseed.demo.DEMO_SLUG
    hot_article: int = 0
    amendment: int = 0  # the hot article's most supported modification
    old_article: int = 0  # an article with two versions (for the immutable diff)
    vote_targets: list[int] = field(default_factory=list)


def describe(dataset: Dataset) -> Dataset:
    """Fill in the counts and the target ids from the database itself."""
    from amendments.models import Amendment, Argument, UsefulMark, Vote
    from drafting.models import Article, User

    db = Database(dataset.url)
    try:
        with db.session(write=False) as session:
            article = benchseed.hot_article(session, dataset.slug)
            dataset.hot_article = article.id
            support = func.count(Vote.id)
            dataset.amendment = session.scalar(
                select(Amendment.id).outerjoin(Vote, Vote.amendment_id == Amendment.id)
                .where(Amendment.article_id == article.id, Amendment.kind == "modify")
                .group_by(Amendment.id).order_by(support.desc(), Amendment.id).limit(1)
            ) or 0
            dataset.old_article = session.scalar(
                select(Article.id).where(Article.bill_id == article.bill_id, Article.current_version >= 2)
                .order_by(Article.position).limit(1)
            ) or article.id
            dataset.vote_targets = list(session.scalars(
                select(Amendment.id).where(Amendment.kind == "modify").order_by(Amendment.id).limit(2000)
            ))
            dataset.counts = {
                "accounts": session.scalar(select(func.count()).select_from(User)),
                "amendments": session.scalar(select(func.count()).select_from(Amendment)),
                "arguments": session.scalar(select(func.count()).select_from(Argument)),
                "votes": session.scalar(select(func.count()).select_from(Vote)),
                "useful marks": session.scalar(select(func.count()).select_from(UsefulMark)),
                "hot article amendments": session.scalar(
                    select(func.count()).select_from(Amendment).where(Amendment.article_id == article.id)),
                "hot article arguments": session.scalar(
                    select(func.count()).select_from(Argument).where(Argument.article_id == article.id)),
            }
    finally:
        db.dispose()
    return dataset


def sqlite_dataset(scale: str, reseed: bool = False, progress: bool = True) -> Dataset:
    """bench/var/<scale>.db, seeded again when missing, stale or asked for."""
    VAR.mkdir(parents=True, exist_ok=True)
    path = VAR / f"{scale}.db"
    marker_file = path.with_suffix(".seeded")
    url = f"sqlite:///{path}"
    seeded_now, seconds = False, None
    state = freshness(marker_file.read_text().strip() if path.exists() and marker_file.exists() else None, scale)
    if reseed or state == "stale":
        for stale in (path, marker_file, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
        started = time.monotonic()
        benchseed.seed(url, scale, progress=progress)
        seconds = time.monotonic() - started
        seeded_now = True
    elif state == "upgrade":
        upgrade(url)
    marker_file.write_text(marker(scale))
    return describe(Dataset(f"{scale} / SQLite", scale, url, seeded_now, seconds))


# --- PostgreSQL --------------------------------------------------------------------------------

def pg_admin_url() -> str:
    return os.environ.get("NAVETTE_BENCH_PG_URL", DEFAULT_PG_ADMIN_URL)


def pg_reachable(admin_url: str) -> str | None:
    """None when PostgreSQL answers, else why not."""
    import psycopg

    try:
        with psycopg.connect(_plain(admin_url), connect_timeout=3) as connection:
            connection.execute("select 1")
        return None
    except Exception as error:  # any failure means: skip the PostgreSQL part, and say why
        return f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"


def _plain(url: str) -> str:
    """A libpq URL (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def pg_idle(url: str):
    """A check that PostgreSQL runs no statement and holds no open transaction for this database."""
    import psycopg

    def idle() -> bool:
        with psycopg.connect(_plain(url), connect_timeout=5) as connection:
            busy = connection.execute(
                "select count(*) from pg_stat_activity where datname = current_database() "
                "and pid <> pg_backend_pid() and state is not null and state <> 'idle'"
            ).fetchone()[0]
        return busy == 0

    return idle


def pg_server_version(admin_url: str) -> str:
    import psycopg

    with psycopg.connect(_plain(admin_url), connect_timeout=3) as connection:
        return connection.execute("show server_version").fetchone()[0]


def pg_dataset(admin_url: str, scale: str, reseed: bool = False, progress: bool = True) -> Dataset:
    """Database navette_bench_<scale>, created and seeded when missing, stale or asked for.

    ``NAVETTE_BENCH_PG_PREFIX`` replaces ``navette_bench``, so that two checkouts benchmarking on one
    server keep their databases apart."""
    import psycopg

    prefix = os.environ.get("NAVETTE_BENCH_PG_PREFIX", "navette_bench")
    name = f"{prefix}_{scale.replace('-', '_')}"
    url = make_url(_plain(admin_url)).set(database=name).render_as_string(hide_password=False)
    seeded_now, seconds = False, None
    with psycopg.connect(_plain(admin_url), autocommit=True) as admin:
        row = admin.execute(
            "select shobj_description(oid, 'pg_database') from pg_database where datname = %s", (name,)
        ).fetchone()
        state = freshness(row[0] if row else None, scale)
        if reseed or state == "stale":
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
            started = time.monotonic()
            benchseed.seed(url, scale, progress=progress)
            seconds = time.monotonic() - started
            seeded_now = True
        elif state == "upgrade":
            upgrade(url)
        admin.execute(f"COMMENT ON DATABASE \"{name}\" IS '{marker(scale)}'")
    return describe(Dataset(f"{scale} / PostgreSQL", scale, url, seeded_now, seconds))
