"""Database engines and sessions: SQLite (WAL, foreign keys) embedded, PostgreSQL in production."""
from __future__ import annotations

import collections
import contextlib
import functools
import logging
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import DateTime, MetaData, bindparam, create_engine, event, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.util import identity_key
from sqlalchemy.types import TypeDecorator

from drafting import retry
from drafting.checkpoints import Checkpoints

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


_TUPLES_OK = 2  # libpq's PGRES_TUPLES_OK: a result with rows (psycopg.pq.ExecStatus.TUPLES_OK)


class Prepared:
    """A Core statement compiled once per database and run straight on the connection's DBAPI cursor:
    for the few statements of the hottest write (a vote), where SQLAlchemy's work around each execute
    (an execution context, a result object, its events) costs several times the SQL itself.

    Parameters and answers go through the columns' own types (UTC datetimes on SQLite as SQLAlchemy
    stores them); ``before_cursor_execute`` listeners still see each statement (query counts, the
    benchmark's profile); a database error arrives as SQLAlchemy's ``DBAPIError``, so a deadlock is
    replayed (drafting/retry.py) as on any other path. Answers tuples, or None for a statement
    without rows; rows are named tuples (``row.id``).
    """

    def __init__(self, statement) -> None:
        self.statement = statement
        self._by_dialect: dict[str, tuple] = {}

    def _compiled(self, dialect) -> tuple:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            if compiled.insert_prefetch or compiled.update_prefetch:  # defaults computed in Python: not here
                raise ValueError(f"give every column a value: {compiled.insert_prefetch + compiled.update_prefetch}")
            binds = {name: (bind, bind.type.dialect_impl(dialect).bind_processor(dialect))
                     for name, bind in compiled.binds.items()}
            order = compiled.positiontup if compiled.positional else None
            results = [column[3].dialect_impl(dialect).result_processor(dialect, None)
                       for column in compiled._result_columns]
            shape = collections.namedtuple("Row", [column[0] for column in compiled._result_columns], rename=True)
            found = self._by_dialect[dialect.name] = (compiled.string, binds, order, results, shape)
        return found

    def run(self, connection: Connection, *, commit: bool = False, **parameters) -> list[tuple] | None:
        """The statement's rows (None without rows). With ``commit``, on PostgreSQL, the transaction
        commits in the same round trip (psycopg's pipeline), so the rows the statement locked are held
        for that round trip and the WAL flush, not for the Python work before the connection's own
        commit (which then finds nothing left to do); elsewhere that commit does it, as always."""
        return run_together(connection, [(self, parameters)], commit=commit)[0]

    def _bound(self, dialect, parameters: dict) -> tuple[str, Any]:
        """The SQL and the driver's parameters for ``parameters`` (the columns' types applied)."""
        sql, binds, order, _, _ = self._compiled(dialect)
        values = {}
        for name, (bind, process) in binds.items():
            value = parameters[name] if name in parameters else bind.value
            values[name] = process(value) if process is not None and value is not None else value
        return sql, tuple(values[name] for name in order) if order is not None else values

    def _answer(self, dialect, cursor) -> list[tuple] | None:
        # psycopg builds the description's column objects at each ask: its result's status says as much.
        result = getattr(cursor, "pgresult", None)
        if (cursor.description is None) if result is None else result.status != _TUPLES_OK:
            return None
        rows = cursor.fetchall()
        _, _, _, results, shape = self._compiled(dialect)
        if any(results):
            return [shape._make(value if process is None or value is None else process(value)
                                for process, value in zip(results, row)) for row in rows]
        return [shape._make(row) for row in rows]

    def first(self, connection: Connection, *, commit: bool = False, **parameters) -> tuple | None:
        """The first row the statement answers, or None."""
        rows = self.run(connection, commit=commit, **parameters)
        return rows[0] if rows else None


def run_together(connection: Connection, calls: list[tuple[Prepared, dict]], *,
                 commit: bool = False, then: str | None = None) -> list[list[tuple] | None]:
    """Each ``(statement, parameters)`` run in order, answering each one's rows (``Prepared.run``). On
    PostgreSQL they go in one round trip (psycopg's pipeline), with the commit when ``commit``: for
    statements none of whose parameters depend on another's answer; ``then`` (SQL, its answer unread)
    runs after that commit, in the same round trip (``Database.mark_after_commit``). Elsewhere, one
    after the other (the connection's own commit commits)."""
    dialect, dispatch = connection.dialect, connection.dispatch
    pipelined = dialect.name == "postgresql" and (commit or len(calls) > 1)
    bound = [(statement, *statement._bound(dialect, parameters)) for statement, parameters in calls]
    cursors: list = []
    answers: list[list[tuple] | None] = []
    sql, driver_parameters = bound[0][1], bound[0][2]
    try:
        try:
            with (connection.connection.driver_connection.pipeline() if pipelined else contextlib.nullcontext()):
                for statement, sql, driver_parameters in bound:
                    cursor = connection.connection.cursor()
                    cursors.append(cursor)
                    for listener in dispatch.before_cursor_execute if dispatch.before_cursor_execute else ():
                        listener(connection, cursor, sql, driver_parameters, None, False)
                    cursor.execute(sql, driver_parameters)
                    for listener in dispatch.after_cursor_execute if dispatch.after_cursor_execute else ():
                        listener(connection, cursor, sql, driver_parameters, None, False)
                    if not pipelined:  # SQLite: a statement's rows are read before the next one runs
                        answers.append(statement._answer(dialect, cursor))
                if pipelined and commit:
                    connection.connection.driver_connection.commit()
                    if then is not None:
                        cursors.append(connection.connection.cursor())
                        cursors[-1].execute(then)
                        connection.connection.driver_connection.commit()
            if pipelined:
                answers = [statement._answer(dialect, cursor) for (statement, _, _), cursor in zip(bound, cursors)]
        except dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(sql, driver_parameters, error, dialect.loaded_dbapi.Error,
                                      dialect=dialect) from error
    finally:
        for cursor in cursors:
            cursor.close()
    return answers


def padded(values: list, *, at_least: int = 1) -> list:
    """``values`` repeated at the end up to the next power of two: an ``IN`` list built once per size
    (``Prepared``) for lists of any length, a handful of shapes (repeating a value changes no answer)."""
    size = at_least
    while size < len(values):
        size *= 2
    return list(values) + [values[-1]] * (size - len(values))


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


def create_db_engine(url: str, *, immediate: bool = False, ping: bool = True, autocheckpoint: bool = True) -> Engine:
    """An engine; with ``immediate`` SQLite transactions take the write lock at BEGIN; without ``ping``
    a PostgreSQL connection is not tested (one round trip) each time it leaves the pool; without
    ``autocheckpoint`` SQLite's commits never checkpoint (drafting/checkpoints.py does).

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
            if not autocheckpoint:
                cursor.execute("PRAGMA wal_autocheckpoint=0")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(real_url, pool_size=10, max_overflow=20, pool_pre_ping=ping)


WRITE_MARK_SEQUENCE = "navette_write_mark"
_MOVE_MARK = text(f"SELECT nextval('{WRITE_MARK_SEQUENCE}')")
_READ_MARK = text(f"SELECT last_value FROM {WRITE_MARK_SEQUENCE}")
_MARKED = "navette_write_mark_moved"  # in a connection's info: its transaction's commit moved the mark


class Database:
    """The two session factories of one deployment: reads, and writes (serialised on SQLite)."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        on_file = bool(parsed.drivername.startswith("sqlite") and parsed.database and parsed.database != ":memory:")
        self._checkpoints = Checkpoints(parsed.database) if on_file else None
        self.engine = create_db_engine(url, autocheckpoint=not on_file)
        self.write_engine = (create_db_engine(url, immediate=True, autocheckpoint=not on_file)
                             if is_sqlite(self.engine) else self.engine)
        # The vote batches' connections (``connection``) go unpinged: a batch that meets a dead
        # connection fails, and its votes run again alone on fresh ones (vote_batches.cast).
        self._unpinged = self.write_engine if is_sqlite(self.engine) else create_db_engine(url, ping=False)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)
        # The files whose size and time tell that something was written (write_mark): SQLite files only.
        self._marked_files = (parsed.database, parsed.database + "-wal") if on_file else ()
        # PostgreSQL's write mark: a sequence of our schema, moved after each write transaction commits.
        self._mark_engine = (self.engine.execution_options(isolation_level="AUTOCOMMIT")
                             if self.engine.dialect.name == "postgresql" else None)
        self._writes = 0  # write transactions this instance committed: part of SQLite's write mark
        self._mark_in_pipeline: bool | None = None  # whether mark_after_commit may move the mark

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
            self._committed(marked=False)

    @contextmanager
    def connection(self, *, write: bool = True) -> Iterator[Connection]:
        """One transaction on a Core connection, without an ORM session (the vote path: plain statements
        built once): committed if the block ends normally, rolled back otherwise, and counted and
        marked like ``session``'s."""
        with (self._unpinged if write else self.engine).begin() as connection:
            try:
                yield connection
            finally:  # the connection goes back to the pool: its next transaction moves its own mark
                marked = connection.info.pop(_MARKED, False)
        if write:
            self._committed(marked=marked)

    def _committed(self, *, marked: bool) -> None:
        """After a write transaction's commit: counted (the write mark on SQLite, the replays' rule),
        the mark moved unless the commit's own round trip did, SQLite's checkpoint when one is due."""
        retry.committed()
        self._writes += 1
        if not marked:
            self._move_write_mark()
        if self._checkpoints is not None:
            self._checkpoints.committed()

    def mark_after_commit(self, connection: Connection) -> str | None:
        """PostgreSQL: the SQL moving the write mark, for ``run_together(…, commit=True, then=…)`` to run
        right after the commit of ``connection``'s transaction in the same round trip (``connection()``
        then moves it no more); None where the mark is not a sequence, or the database lacks it."""
        if self._mark_engine is None:
            return None
        if self._mark_in_pipeline is None:
            self._mark_in_pipeline = self._on_mark(_READ_MARK) is not None
        if not self._mark_in_pipeline:
            return None
        connection.info[_MARKED] = True
        return _MOVE_MARK.text

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

        engines = self.engines()
        for engine in engines:
            event.listen(engine, "before_cursor_execute", record)
        try:
            yield seen
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", record)

    def engines(self) -> list[Engine]:
        """Each engine of this database once (reads, writes, the vote batches' unpinged writes)."""
        return list({id(e): e for e in (self.engine, self.write_engine, self._unpinged)}.values())

    def dispose(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.wait()
        for engine in self.engines():
            engine.dispose()
