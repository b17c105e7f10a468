"""Public history pages: bill timeline, comparisons, article history, blame, Atom feed."""
from __future__ import annotations

history_pages: list = []
