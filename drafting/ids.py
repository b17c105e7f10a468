"""Ids and version numbers as the database holds them: 32-bit INTEGER keys, from 1 to 2**31 - 1.

``RowId`` is the type of every id or version number a JSON body carries (``positions: list[RowId]``):
msgspec refuses any other value with a 400 naming the field, before a statement is built. Without it
such a value reached the database, where PostgreSQL refused it (``integer out of range``, a 400 naming
no field) and SQLite looked it up and found nothing (a 404). Path parameters are checked with
``in_id_range`` (drafting/web/paths.py), and so are the ids a service reads from elsewhere.
"""
from __future__ import annotations

from typing import Annotated

import msgspec

MAX_ID = 2**31 - 1

RowId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID, description=f"An id or version number, 1 to {MAX_ID}.")]


def in_id_range(value: int) -> bool:
    """Whether ``value`` can be an id or version number (a larger one would fail in the database)."""
    return 0 < value <= MAX_ID
