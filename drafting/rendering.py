"""Rendering user-written Markdown safely: raw HTML off, links neutralised."""
from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("js-default", {"linkify": False, "typographer": False})


def markdown_html(text: str | None) -> Markup:
    """Markdown to HTML with raw HTML shown as text (js-default escapes it)."""
    return Markup(_markdown.render(text or ""))
