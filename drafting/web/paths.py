"""Integer path parameters (row ids, version numbers) beyond what the database's INTEGER holds name
nothing: such a request is answered 404, as any unknown id is (CONTRACT §2), before any statement.

One place for every route: the app's ``before_request`` (drafting/app.py) and the votes' fast routes,
which skip Litestar's hooks (amendments/api/participation.py). Without it a huge id reached PostgreSQL,
which refused the statement (``integer out of range``, answered 400 by errors.bad_value_handler, where
SQLite answered 404), and a vote's batch failed for every vote it held. Ids in JSON bodies are typed
``drafting.ids.RowId`` (a 400 naming the field); the services' own checks (``in_id_range``) stay for
ids that come in queries and forms.
"""
from __future__ import annotations

from litestar import Request

from drafting.errors import NotFound
from drafting.ids import in_id_range


def check_ids(parameters: dict) -> None:
    """Raise the 404 of the first int parameter no row can have (0, negative, or past 2**31 - 1)."""
    for name, value in parameters.items():
        if type(value) is int and not in_id_range(value):
            raise NotFound("nothing has the {name} {value}", field=name, name=name, value=value)


async def unknown_ids(request: Request) -> None:
    """The app's ``before_request``: ``check_ids`` on the route's path parameters."""
    check_ids(request.path_params)
