"""Applying and checking the Alembic migrations shipped with the project."""
from __future__ import annotations

from alembic import command
from alembic.config import Config

from drafting.settings import MIGRATIONS_DIR


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    """Apply every pending migration (idempotent)."""
    command.upgrade(alembic_config(database_url), "head")
