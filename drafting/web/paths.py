"""The integer path parameters (row ids, version numbers), bounded to what the database's INTEGER holds.

Every ``{name:int}`` of the API and the pages is a ``PathId``: Litestar refuses a value outside 1 ..
2**31 - 1 with a 400 naming the parameter (errors.validation_error_handler) before the handler runs,
and the OpenAPI document says the bounds. Without them a huge id reached PostgreSQL, which refused the
statement (``integer out of range``), and a vote's batch (vote_batches) failed for every vote it held.
"""
from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter

MIN_ID = 1
MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER, the type of every key and version number

PathId = Annotated[int, PathParameter(ge=MIN_ID, le=MAX_ID)]


def in_range(value: int) -> bool:
    """What ``PathId`` admits, for a path read before Litestar's routing (the votes' fast routes)."""
    return MIN_ID <= value <= MAX_ID
