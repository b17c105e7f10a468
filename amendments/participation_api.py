"""JSON API for votes, arguments, reports and moderation (CONTRACT §2)."""
from __future__ import annotations

from litestar import Router

participation_api_router = Router(path="/api/v1", route_handlers=[])
