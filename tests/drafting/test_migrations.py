"""The Alembic migrations build exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from drafting.db import Base, create_db_engine

# Written by hand in the migrations (a DESC column autogenerate can't compare): checked by name below.
HAND_WRITTEN_INDEXES = {"ix_arguments_article_rank", "ix_arguments_amendment_rank"}


# The dialect's full-text index (migration 0006_search: FTS5 and its shadow tables, or a tsvector table).
SEARCH_INDEX = "search_index"


def _include(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table" and reflected and compare_to is None and (name == SEARCH_INDEX
                                                                   or name.startswith(SEARCH_INDEX + "_")):
        return False
    return not (type_ == "index" and name in HAND_WRITTEN_INDEXES)


def test_migrated_database_matches_the_models(database_url):
    engine = create_db_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": _include})
        differences = compare_metadata(context, Base.metadata)
        indexes = {index["name"] for index in inspect(connection).get_indexes("arguments")}
    engine.dispose()
    assert differences == []
    assert HAND_WRITTEN_INDEXES <= indexes
    declared = {index.name for index in Base.metadata.tables["arguments"].indexes}
    assert HAND_WRITTEN_INDEXES <= declared


def test_migration_creates_the_dialects_search_index(database_url):
    engine = create_db_engine(database_url)
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert SEARCH_INDEX in tables
