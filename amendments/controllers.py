"""Pages for amendments: proposing, the redline, the authors' desk."""
from __future__ import annotations

amendment_pages: list = []
