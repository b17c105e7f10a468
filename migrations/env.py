"""Alembic environment: the URL and connection come from drafting.migrate, never from a file."""
from alembic import context

from drafting.db import Base, create_db_engine
import drafting.models  # noqa: F401  (registers the tables)
import amendments.models  # noqa: F401

config = context.config
target_metadata = Base.metadata

# Indexes with a DESC column: autogenerate can't compare them (it would see a change on every run), so
# migrations write them by hand and comparisons leave them out.
HAND_WRITTEN_INDEXES = frozenset({"ix_arguments_article_rank", "ix_arguments_amendment_rank"})
# The full-text index of each dialect (migration 0006_search): an FTS5 table and its shadow tables on
# SQLite, a tsvector table on PostgreSQL; no model describes them.
DIALECT_OWN_TABLE = "search_index"


def dialect_own_table(name: str) -> bool:
    return name == DIALECT_OWN_TABLE or name.startswith(DIALECT_OWN_TABLE + "_")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table" and reflected and compare_to is None and dialect_own_table(name):
        return False
    return not (type_ == "index" and name in HAND_WRITTEN_INDEXES)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_db_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a table (copy, drop, rename): with foreign keys enforced, dropping a table
        # that other rows point at fails. SQLite ignores this pragma inside a transaction, so it goes
        # straight to the driver's connection (autocommit) before the migration's transaction.
        if connection.in_transaction():
            connection.commit()
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        _migrate(connection)
    finally:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
