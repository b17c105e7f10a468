"""Consistent backups of a serving database and their restore into an empty one (CONTRACT §9).

SQLite: the online backup API copies one snapshot of the database, write-ahead log included, while
other connections keep writing (copying the file alone loses what the log still holds).
PostgreSQL: ``pg_dump --format=custom`` (one snapshot too), restored with ``pg_restore``.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from drafting.db import sqlalchemy_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# Tables that say nothing about the record: a database holding only these counts as empty.
BOOKKEEPING_TABLES = {"alembic_version"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


# --- which database ----------------------------------------------------------------------------

def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(parsed.database)


def _libpq_url(url: str) -> str:
    """The URL as libpq reads it (pg_dump, pg_restore): no SQLAlchemy driver name."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _schema_of(url: str) -> str | None:
    """The schema named by ``options=-csearch_path=…``: a deployment (or a test) living in one schema."""
    options = make_url(url).query.get("options")
    if isinstance(options, tuple):
        options = " ".join(options)
    found = re.search(r"-c\s*search_path\s*=\s*([^\s,]+)", options or "")
    return found.group(1).strip('"') if found else None


# --- the target must hold no record ------------------------------------------------------------

def tables_with_rows(url: str) -> list[str]:
    """The tables of this database (its current schema) that hold at least one row."""
    path = _sqlite_path(url)
    if path is not None and not path.exists():
        return []
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as connection:
            # The search index (and SQLite FTS5's shadow tables, which always hold their settings)
            # only mirrors search_entries, which is checked itself.
            names = [n for n in inspect(connection).get_table_names() if n not in BOOKKEEPING_TABLES
                     and n != "search_index" and not n.startswith("search_index_")]
            preparer = engine.dialect.identifier_preparer
            return [name for name in names
                    if connection.execute(text(f"SELECT 1 FROM {preparer.quote(name)} LIMIT 1")).first()]
    finally:
        engine.dispose()


def _require_empty(url: str) -> None:
    full = tables_with_rows(url)
    if full:
        shown = ", ".join(full[:5]) + (", …" if len(full) > 5 else "")
        raise BackupError(f"the target database is not empty ({shown} hold rows): restore only into an empty "
                          "database, never over a live record")


# --- SQLite --------------------------------------------------------------------------------------

def _sqlite_backup(source: Path, destination: Path) -> None:
    if not source.exists():
        raise BackupError(f"no database at {source}")
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    # One step (pages=-1 by default): the copy is one snapshot; writers wait at most that long.
    with sqlite3.connect(source, timeout=30) as src, sqlite3.connect(partial) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no log beside it
    src.close()
    dst.close()
    os.replace(partial, destination)


def _sqlite_restore(backup: Path, target: Path) -> None:
    with open(backup, "rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{backup} is not a SQLite backup (a PostgreSQL dump restores only into PostgreSQL)")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as src, sqlite3.connect(target, timeout=30) as dst:
        if not src.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone():
            raise BackupError(f"{backup} is not a Navette database (no migration table)")
        src.backup(dst)
    src.close()
    dst.close()


# --- PostgreSQL ---------------------------------------------------------------------------------

def _major(version_output: str) -> int:
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", version_output)
    if not found:
        raise BackupError(f"cannot read the version of the PostgreSQL client from {version_output.strip()!r}")
    return int(found.group(1))


def _server_major(url: str) -> int:
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SHOW server_version_num")).scalar()) // 10000
    finally:
        engine.dispose()


def _pg_tool(name: str, url: str) -> str:
    """The path of pg_dump or pg_restore, refusing one missing or older than the server."""
    path = shutil.which(name)
    server = _server_major(url)
    if path is None:
        raise BackupError(f"{name} is not on PATH: install the PostgreSQL {server} client tools "
                          f"(Debian: apt-get install postgresql-client-{server})")
    client = _major(subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout)
    if client < server:
        raise BackupError(f"{path} is PostgreSQL {client}, older than the server ({server}): "
                          f"install the PostgreSQL {server} client tools (postgresql-client-{server}) "
                          "and put them first on PATH")
    return path


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip() or done.stdout.strip()}")


def _pg_backup(url: str, destination: Path) -> None:
    pg_dump = _pg_tool("pg_dump", url)
    partial = destination.with_name(destination.name + ".partial")
    command = [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"]
    if (schema := _schema_of(url)) is not None:
        command.append(f"--schema={schema}")
    _run([*command, f"--dbname={_libpq_url(url)}"])
    os.replace(partial, destination)


def _pg_restore(backup: Path, url: str) -> None:
    with open(backup, "rb") as handle:
        if handle.read(len(PG_DUMP_MAGIC)) != PG_DUMP_MAGIC:
            raise BackupError(f"{backup} is not a pg_dump custom-format file (a SQLite backup restores only "
                              "into SQLite)")
    pg_restore = _pg_tool("pg_restore", url)
    # --clean drops the empty tables a `navette db upgrade` may have made, inside the one transaction.
    _run([pg_restore, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
          "--clean", "--if-exists", f"--dbname={_libpq_url(url)}", str(backup)])


# --- the two commands ---------------------------------------------------------------------------

def backup(url: str, destination: Path) -> str:
    """Write a consistent copy of the database at ``url`` to ``destination``; returns what was done."""
    destination = Path(destination)
    if destination.parent and not destination.parent.exists():
        raise BackupError(f"no folder {destination.parent} to write the backup into")
    path = _sqlite_path(url)
    if path is not None:
        if destination.resolve() == path.resolve():
            raise BackupError("the backup file must not be the database itself")
        _sqlite_backup(path, destination)
        return f"SQLite backup of {path} written to {destination}"
    _pg_backup(url, destination)
    return f"PostgreSQL dump (custom format) written to {destination}; `navette restore` or pg_restore reads it"


def restore(backup_file: Path, url: str) -> str:
    """Bring a backup back into the empty database at ``url``, then bring its migrations up to date."""
    from drafting.migrate import upgrade

    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise BackupError(f"no backup file at {backup_file}")
    _require_empty(url)
    path = _sqlite_path(url)
    if path is not None:
        _sqlite_restore(backup_file, path)
    else:
        _pg_restore(backup_file, url)
    upgrade(url)
    return f"restored {backup_file} into the database; migrations are up to date"

