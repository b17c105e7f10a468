"""Jinja helpers that present amendments (redlines); registered by the app shell."""
from __future__ import annotations

from jinja2 import Environment


def register(environment: Environment) -> None:
    """Add the amendment filters and globals to the template environment."""
