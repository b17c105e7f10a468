"""JSON API of the authors' desk: reject, respond, and the proposer's rebase (CONTRACT §2)."""
from __future__ import annotations

from litestar import Router

desk_api_router = Router(path="/api/v1", route_handlers=[])
