"""Database engines and sessions: SQLite (WAL, foreign keys) embedded, PostgreSQL in production."""
from __future__ import annotations

import functools
import logging
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from sqlalchemy import DateTime, MetaData, bindparam, create_engine, event, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.util import identity_key
from sqlalchemy.types import TypeDecorator

from drafting import retry

log = logging.getLogger("navette.db")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Times stored as UTC and always handed back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@functools.cache
def _by_id_statement(model: type):
    # No autoflush, like Session.get: a lookup by key never writes what the session holds.
    return select(model).where(model.__mapper__.primary_key[0] == bindparam("id")).execution_options(autoflush=False)


def by_id(session: Session, model: type, id_: int):
    """``session.get(model, id_)`` for a model with a one-column key, or None. ``Session.get`` builds its
    SELECT at every call that misses the session's identity map (most of a request's reads by key): this
    runs one built once."""
    if identity_key(model, id_) in session.identity_map:
        return session.get(model, id_)
    return session.scalar(_by_id_statement(model), {"id": id_})


def sqlalchemy_url(url: str) -> str:
    """Map the contract's URL forms onto the drivers this project ships."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if parsed.drivername == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return url


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def create_db_engine(url: str, *, immediate: bool = False) -> Engine:
    """An engine; with ``immediate`` SQLite transactions take the write lock at BEGIN.

    A deferred SQLite transaction that reads and then writes fails at once (no busy wait) when
    another writer committed in between; write requests therefore begin IMMEDIATE and queue.
    """
    real_url = sqlalchemy_url(url)
    if real_url.startswith("sqlite"):
        engine = create_engine(
            real_url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=8,
            max_overflow=16,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(real_url, pool_size=10, max_overflow=20, pool_pre_ping=True)


WRITE_MARK_SEQUENCE = "navette_write_mark"
_MOVE_MARK = text(f"SELECT nextval('{WRITE_MARK_SEQUENCE}')")
_READ_MARK = text(f"SELECT last_value FROM {WRITE_MARK_SEQUENCE}")


class Database:
    """The two session factories of one deployment: reads, and writes (serialised on SQLite)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_db_engine(url)
        self.write_engine = create_db_engine(url, immediate=True) if is_sqlite(self.engine) else self.engine
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)
        parsed = make_url(url)
        # The files whose size and time tell that something was written (write_mark): SQLite files only.
        self._marked_files = ((parsed.database, parsed.database + "-wal")
                              if parsed.drivername.startswith("sqlite") and parsed.database
                              and parsed.database != ":memory:" else ())
        # PostgreSQL's write mark: a sequence of our schema, moved after each write transaction commits.
        self._mark_engine = (self.engine.execution_options(isolation_level="AUTOCOMMIT")
                             if self.engine.dialect.name == "postgresql" else None)
        self._writes = 0  # write transactions this instance committed: part of SQLite's write mark

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """One transaction: committed if the block ends normally, rolled back otherwise."""
        factory = self._write if write else self._read
        with factory() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
        if write:
            retry.committed()
            self._writes += 1
            self._move_write_mark()

    def _move_write_mark(self) -> None:
        """PostgreSQL: move the write mark, after the commit, so that a reader who reads the new mark
        then renders sees the write (moved before, a reader could store an old answer under it)."""
        if self._mark_engine is not None:
            self._on_mark(_MOVE_MARK)

    def _on_mark(self, statement) -> object:
        """Run one statement on the write-mark sequence outside any transaction; None (and the cache
        falls back to its seconds) if the database lacks it, as one migrated before 0003 would."""
        try:
            with self._mark_engine.connect() as connection:
                return connection.execute(statement).scalar()
        except DBAPIError as error:
            log.warning("no write mark on this database (%s): cached answers may be up to "
                        "page_cache_seconds old", error.orig)
            return None

    def write_mark(self) -> object:
        """Something that changes whenever any process commits a write to this database, cheap enough to
        ask before every cached answer (drafting/pagecache.py): on SQLite, the size and time of the
        database file and its write-ahead log (no query); on PostgreSQL, the sequence
        ``navette_write_mark`` of our schema, moved by every write transaction of every worker (one read
        of a sequence, outside any transaction). On SQLite the count of this instance's own write
        transactions comes first: a file's time ticks coarsely, and a log restarted after a checkpoint
        may keep its size, so the files alone could miss a write of this process. None for an
        in-memory database."""
        if self._mark_engine is not None:
            return self._on_mark(_READ_MARK)
        if not self._marked_files:
            return None
        marks: list[object] = [self._writes]
        for path in self._marked_files:
            try:
                found = os.stat(path)
            except FileNotFoundError:
                marks.append(None)
            else:  # an empty log (created by the first reader) holds no write
                marks.append((found.st_mtime_ns, found.st_size) if found.st_size else None)
        return tuple(marks)

    @contextmanager
    def recorded_statements(self) -> Iterator[list[str]]:
        """Every SQL statement sent while the block runs (query-count tests, benchmark probes)."""
        seen: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            seen.append(" ".join(statement.split()))

        engines = list({id(e): e for e in (self.engine, self.write_engine)}.values())
        for engine in engines:
            event.listen(engine, "before_cursor_execute", record)
        try:
            yield seen
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", record)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()
