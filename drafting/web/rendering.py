"""Rendering user-written Markdown safely: raw HTML off, links neutralised."""
from __future__ import annotations

import functools

from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("js-default", {"linkify": False, "typographer": False})


@functools.lru_cache(maxsize=2048)
def markdown_html(text: str | None) -> Markup:
    """Markdown to HTML with raw HTML shown as text (js-default escapes it). Pure, so each distinct
    text (an explanation, an argument: written once, shown on every page that lists it) is rendered
    once while it stays among the recent ones."""
    return Markup(_markdown.render(text or ""))


@functools.lru_cache(maxsize=4096)
def law_text_html(text: str | None) -> Markup:
    """An article version's text as HTML, rendered once per distinct text: versions never change, and a
    bill page shows every article's head."""
    return markdown_html.__wrapped__(text)
