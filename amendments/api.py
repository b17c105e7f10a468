"""JSON API for amendments, votes, arguments and moderation (CONTRACT §2)."""
from __future__ import annotations

from litestar import Router

amendments_api_router = Router(path="/api/v1", route_handlers=[])
