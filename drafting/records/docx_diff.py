"""A Word document of bill version B whose changes since version A are tracked revisions (CONTRACT §9).

Staff and journalists open it in Word or LibreOffice and accept or reject each change: accepting all
gives version B's articles exactly, rejecting all gives version A's. python-docx writes the document;
the revision marks (``w:ins``, ``w:del``, and the same on paragraph marks) it does not write, so they
are built with its oxml layer. The changes are the project's word diff (amendments.engine), the same
the comparison page shows.

Layout: the bill's title, one line naming both versions, then article by article a "Heading 2"
paragraph ("Article 1 – Objet") and one paragraph per line of its text (each alinéa; a blank line of a
blank-line text is an empty paragraph). Division headings ("Heading 1") are those of version B and are
not revisions: they are not part of any article's text.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Iterable

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from sqlalchemy.orm import Session

from amendments import engine
from drafting.services import history
from drafting.views import json as out
from drafting.models import Bill, BillVersionArticle
from drafting.records.akn import xml_safe

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ARTICLE_STYLE = "Heading 2"
DIVISION_STYLE = "Heading 1"
KEPT, DELETED, INSERTED = 0, -1, 1


@dataclass
class _Revisions:
    """Who made the changes and when, and the next revision id (unique in the document)."""

    author: str
    date: str
    next_id: int = field(default=1)

    def mark(self, tag: str):
        element = OxmlElement(tag)
        element.set(qn("w:id"), str(self.next_id))
        element.set(qn("w:author"), self.author)
        element.set(qn("w:date"), self.date)
        self.next_id += 1
        return element


def heading_line(entry: BillVersionArticle | None) -> str:
    if entry is None:
        return ""
    return f"Article {entry.number}" + (f" – {entry.heading}" if entry.heading else "")


def _run(op: int, text: str):
    run = OxmlElement("w:r")
    piece = OxmlElement("w:delText" if op == DELETED else "w:t")
    piece.set(qn("xml:space"), "preserve")
    piece.text = xml_safe(text)
    run.append(piece)
    return run


def _add_run(paragraph, op: int, text: str, revisions: _Revisions) -> None:
    if not text:
        return
    if op == KEPT:
        paragraph._p.append(_run(op, text))
        return
    wrapper = revisions.mark("w:ins" if op == INSERTED else "w:del")
    wrapper.append(_run(op, text))
    paragraph._p.append(wrapper)


def _mark_paragraph_end(paragraph, op: int, revisions: _Revisions) -> None:
    """Track the paragraph mark itself: an inserted or deleted line break joins or splits paragraphs."""
    if op == KEPT:
        return
    properties = OxmlElement("w:rPr")
    properties.append(revisions.mark("w:ins" if op == INSERTED else "w:del"))
    paragraph._p.get_or_add_pPr().append(properties)


def _write_block(document, style: str, diff: Iterable[tuple[int, str]], end: int, revisions: _Revisions) -> None:
    """Paragraphs of ``style`` for one diff: each line break of the diff ends a paragraph, tracked with the
    op of the part it is in; ``end`` is the op of the block's own closing paragraph mark."""
    paragraph = document.add_paragraph(style=style)
    for op, text in diff:
        lines = text.split("\n")
        for index, line in enumerate(lines):
            if index:
                _mark_paragraph_end(paragraph, op, revisions)
                paragraph = document.add_paragraph(style=style)
            _add_run(paragraph, op, line, revisions)
    _mark_paragraph_end(paragraph, end, revisions)


def bill_diff_document(session: Session, bill: Bill, from_: history.VersionArg, to: history.VersionArg) -> bytes:
    """The .docx of version ``to`` with its changes since version ``from_`` as tracked revisions."""
    old_seq, new_seq = history.version_number("from", from_), history.version_number("to", to)
    changes = history.bill_diff(session, bill, old_seq, new_seq)  # 404 for an unknown version
    old_version, old_snapshot = history.bill_version_snapshot(session, bill, old_seq)
    new_version, new_snapshot = history.bill_version_snapshot(session, bill, new_seq)
    old_entries = {item.entry.article_id: item.entry for item in old_snapshot}
    new_items = {item.entry.article_id: item for item in new_snapshot}
    published = out.bill_version_summary(new_version)
    revisions = _Revisions(author=new_version.published_by.display_name or published["published_by"],
                           date=new_version.published_at.strftime("%Y-%m-%dT%H:%M:%SZ"))

    document = docx.Document()
    document.core_properties.title = bill.title
    document.core_properties.author = "Navette"
    document.add_heading(xml_safe(bill.title), level=0)
    document.add_paragraph(xml_safe(f"{new_version.label} (version {new_version.seq}), avec les modifications "
                                    f"depuis {old_version.label} (version {old_version.seq}) en révisions suivies."))
    for change in changes:
        new_item = new_items.get(change["id"])
        for division in new_item.divisions if new_item else []:
            document.add_paragraph(xml_safe(f"{division.label} – {division.heading}" if division.heading
                                            else division.label), style=DIVISION_STYLE)
        end = {"added": INSERTED, "removed": DELETED}.get(change["change"], KEPT)
        old_heading = heading_line(old_entries.get(change["id"]))
        new_heading = heading_line(new_item.entry if new_item else None)
        _write_block(document, ARTICLE_STYLE, engine.diff_words(old_heading, new_heading), end, revisions)
        _write_block(document, "Normal", change["diff"], end, revisions)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
