"""Split a pasted bill (Markdown or plain text) into divisions and articles, as CONTRACT §4 defines.

Pure functions: text in, frozen dataclasses out. The rules for ambiguous lines are written next to the
code that applies them; `tests/drafting/test_importer.py` checks them on every bill of the shared corpus.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "NoArticlesFound",
    "ParsedArticle",
    "ParsedBill",
    "ParsedDivision",
    "bill_to_text",
    "normalise_text",
    "parse_bill_text",
]


class NoArticlesFound(ValueError):
    """The text has no line that starts an article."""

    def __init__(self) -> None:
        super().__init__(
            "Aucun article reconnu : chaque article doit commencer par une ligne « Article 1 », "
            "« Art. 2 » ou « § 3 » (ou un titre Markdown « ## Article 1 »). "
            "No article found: each article must start with a line such as 'Article 1', 'Art. 2' "
            "or '§ 3' (or a Markdown heading '## Article 1')."
        )


@dataclass(frozen=True)
class ParsedDivision:
    """A Titre, Chapitre, Section… ; `parent` is the `key` of the enclosing division."""

    key: int
    parent: int | None
    kind: str  # the keyword in lower case: "titre", "chapitre", "section", "sous-section", "abschnitt"…
    label: str  # as written: "Titre Ier", "CHAPITRE II", "Section 1"
    heading: str
    depth: int  # 0 for a top-level division
    intro: str = ""  # text between the division's heading and its first article or subdivision


@dataclass(frozen=True)
class ParsedArticle:
    number: str  # "1", "1er", "2 bis", "L. 123-4", "unique"; "12" for "§ 12"
    heading: str
    text: str  # verbatim body, "\n" line endings, without blank lines at either end
    division: int | None  # `key` of the innermost enclosing division
    line: int  # 1-based line of the article's header in the normalised text


@dataclass(frozen=True)
class ParsedBill:
    title: str  # the first level-1 Markdown heading before any article, or ""
    preamble: str  # everything before the first article or division, verbatim
    divisions: tuple[ParsedDivision, ...]
    articles: tuple[ParsedArticle, ...]
    markdown: bool  # True when Markdown headings decided where articles start

    @property
    def article_count(self) -> int:
        return len(self.articles)


# --- Patterns -------------------------------------------------------------------------------------

_LATIN = (r"(?i:bis|ter|quater|quinquies|sexies|septies|octies|nonies|novies|decies|undecies|"
          r"duodecies|terdecies|quaterdecies|quindecies|sexdecies|septdecies|octodecies|novodecies|vicies)")
_END = r"(?![\w’'])"
# "1", "1er", "175-2", "12a", "L. 123-4", "LO 135-1", "R*122-8", "premier", "unique"; then "bis", "ter"…;
# then an insertion letter ("1er A", "11 bis AA") only when the line or a separator follows it.
_ARTICLE_NUMBER = (
    r"(?:(?:L\.\s?O|LO|L|R|D|A)\.?\s?\*?\s?\d+(?:-\d+)*"
    r"|\d+(?:er|re|ER|RE|ᵉʳ|ʳᵉ|[a-z])?(?:-\d+)*"
    r"|(?i:premier|unique|liminaire|préliminaire))"
    rf"(?:\s*{_LATIN}{_END})*"
    r"(?:\s+[A-Z]{1,3}(?=\s*(?:$|[-–—.:(])))?"
)
_ARTICLE = re.compile(
    rf"^(?P<marker>Article|ARTICLE|Artikel|ARTIKEL|(?:Art|ART)(?=[.\s]))\.?\s*"
    rf"(?P<number>{_ARTICLE_NUMBER}){_END}(?P<rest>.*)$"
)
_PARAGRAPH = re.compile(rf"^(?P<marker>§)\s*(?P<number>\d+[a-z]?){_END}(?P<rest>.*)$")

_DIVISION_RANKS = {
    "partie": 0, "part": 0, "teil": 0,
    "livre": 1, "buch": 1,
    "titre": 2, "title": 2,
    "chapitre": 3, "chapter": 3, "kapitel": 3,
    "section": 4, "abschnitt": 4,
    "sous-section": 5, "unterabschnitt": 5,
    "paragraphe": 6,
}
_DIVISION_KEYWORDS = "|".join(
    re.escape(variant)
    for keyword in sorted(_DIVISION_RANKS, key=len, reverse=True)
    for variant in dict.fromkeys((keyword.capitalize(), keyword.title(), keyword.upper()))
)
_DIVISION = re.compile(
    rf"^(?P<marker>{_DIVISION_KEYWORDS})\s+(?P<number>"
    r"(?:[IVXLCDM]+(?:er|ER)?|\d+(?:er|re|ER|RE)?[A-Z]?"
    r"|(?i:premier|première|unique|préliminaire|liminaire|législative|réglementaire))"
    rf"(?:\s*{_LATIN})?){_END}(?P<rest>.*)$"
)

_ATX = re.compile(r" {0,3}(?P<level>#{1,6})(?:[ \t](?P<content>.*))?")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-{3,})[ \t]*$")
_SEPARATOR = re.compile(r"\s*(?P<period>[.:]\s*)?(?P<dash>[-–—]+\s*)?")
_QUOTES = ("«", '"', "“", "„", "‹", "'", "‘")
# First words that make "§ 9 Abs. 4 gilt entsprechend" or "Article 3 al. 2 …" a citation, not a header.
_CITATION_WORDS = {"abs", "absatz", "satz", "nr", "nummer", "s", "buchst", "buchstabe", "halbsatz", "hs",
                   "unterabs", "al", "alinéa", "alinea", "para", "paragraph", "subsection"}
_LAW_ABBREVIATION = re.compile(r"^[A-Z][A-Za-z]*[A-Z]$")  # BGB, StGB, VwVfG
_ENUMERATOR = re.compile(r"^(?:[IVXLC]+\.|[IVXLC]+\s*[-–—]|\d+°|\(\d+\)|\d+\)|[a-z]\))\s")


@dataclass(frozen=True)
class _Header:
    kind: str  # "article" or a division kind
    number: str
    label: str
    heading: str
    inline_text: str = ""  # body text that shared the header line ("Article 1er – Le code … :")
    md_level: int | None = None


# --- Public functions -----------------------------------------------------------------------------

def normalise_text(text: str) -> str:
    """Line endings to "\\n" (CRLF, and lone CR as in "\\n\\r\\n" from HTML exports); no BOM."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse_bill_text(text: str) -> ParsedBill:
    """Split a bill into its preamble, divisions and articles; raise NoArticlesFound if it has none."""
    lines = normalise_text(text).split("\n")
    headings = _markdown_headings(lines)
    markdown = any(getattr(_heading_header(content, level), "kind", None) == "article"
                   for level, content in headings.values())

    preamble: list[str] = []
    blocks: list[tuple[_Header, int, list[str]]] = []
    body = preamble
    prev_structural = False
    last_text = ""  # the last non-blank body line since the last header
    skip_underline = -1
    for index, line in enumerate(lines):
        if index == skip_underline:
            continue
        header = None
        if index in headings:
            level, content = headings[index]
            header = _heading_header(content, level)
        elif not markdown:
            previous = "" if index == 0 or prev_structural else lines[index - 1]
            header = _plain_header(line, previous, introduced=last_text.rstrip().endswith(":"))
        if header is None:
            body.append(line)
            prev_structural = False
            last_text = line if line.strip() else last_text
            continue
        body = []
        blocks.append((header, index + 1, body))
        prev_structural, last_text = True, ""
        if index + 1 < len(lines) and _SETEXT_UNDERLINE.match(lines[index + 1]):
            skip_underline = index + 1

    divisions: list[ParsedDivision] = []
    articles: list[ParsedArticle] = []
    open_divisions: list[tuple[ParsedDivision, _Header]] = []
    for header, line_number, body_lines in blocks:
        if header.kind == "article":
            text_lines = ([header.inline_text] if header.inline_text else []) + body_lines
            articles.append(ParsedArticle(
                number=header.number, heading=header.heading, text=_strip_blank_lines(text_lines),
                division=open_divisions[-1][0].key if open_divisions else None, line=line_number,
            ))
            continue
        while open_divisions and not _encloses(open_divisions[-1][1], header):
            open_divisions.pop()
        heading, intro = header.heading, body_lines
        if not heading:
            heading, intro = _heading_from_next_line(body_lines, markdown)
        division = ParsedDivision(
            key=len(divisions), parent=open_divisions[-1][0].key if open_divisions else None,
            kind=header.kind, label=header.label, heading=heading, depth=len(open_divisions),
            intro=_strip_blank_lines(intro),
        )
        divisions.append(division)
        open_divisions.append((division, header))

    if not articles:
        raise NoArticlesFound()
    return ParsedBill(
        title=_title(preamble), preamble=_strip_blank_lines(preamble), divisions=tuple(divisions),
        articles=tuple(articles), markdown=markdown,
    )


def bill_to_text(articles: Iterable[Sequence[str]], *, title: str = "") -> str:
    """Render (number, heading, text) triples as a Markdown bill that parses back to the same articles.

    Texts are normalised as the parser does (line endings, blank lines at either end). A text that
    cannot survive the round trip (it holds a Markdown heading naming an article or a division)
    raises ValueError rather than being silently split on import.
    """
    expected: list[tuple[str, str, str]] = []
    parts = [f"# {title.strip()}"] if title.strip() else []
    for number, heading, text in articles:
        number, heading = " ".join(number.split()), " ".join(heading.split())
        body = _strip_blank_lines(normalise_text(text).split("\n"))
        expected.append((number, heading, body))
        header = f"## Article {number}" + (f" – {heading}" if heading else "")
        parts.append(f"{header}\n\n{body}" if body else header)
    rendered = "\n\n".join(parts) + "\n"
    if expected:
        try:
            parsed = [(a.number, a.heading, a.text) for a in parse_bill_text(rendered).articles]
        except NoArticlesFound:
            parsed = []
        for position, article in enumerate(expected):
            if position >= len(parsed) or parsed[position] != article:
                raise ValueError(f"Article {article[0]} cannot be written as Markdown and read back unchanged: "
                                 "check its number, and that its text has no heading line naming an "
                                 "article or a division")
        if len(parsed) != len(expected):
            raise ValueError("a text holds a heading line that would start another article")
    return rendered


# --- Line classification --------------------------------------------------------------------------

def _markdown_headings(lines: list[str]) -> dict[int, tuple[int, str]]:
    """Index of each heading line → (level, content): ATX ("## …") and setext ("…\\n----")."""
    found: dict[int, tuple[int, str]] = {}
    for index, line in enumerate(lines):
        atx = _atx_content(line)
        if atx is not None:
            found[index] = atx
        elif (line.strip() and index + 1 < len(lines) and _SETEXT_UNDERLINE.match(lines[index + 1])
              and not _SETEXT_UNDERLINE.match(line)):
            level = 1 if lines[index + 1].strip().startswith("=") else 2
            found[index] = (level, line.replace("**", "").strip())
    return found


def _atx_content(line: str) -> tuple[int, str] | None:
    """(level, content) of an ATX heading line ("## Article 1 ##"), without emphasis or closing hashes."""
    match = _ATX.fullmatch(line)
    if match is None:
        return None
    content = (match["content"] or "").strip(" \t")
    unclosed = content.rstrip("#")
    if unclosed != content and (not unclosed or unclosed[-1] in " \t"):
        content = unclosed.rstrip(" \t")
    return len(match["level"]), content.replace("**", "").strip()


def _heading_header(content: str, level: int) -> _Header | None:
    """A Markdown heading naming an article or a division: whatever follows the number is its heading."""
    match = _ARTICLE.match(content) or _PARAGRAPH.match(content) or _DIVISION.match(content)
    if match is None:
        return None
    split = _split_rest(match["rest"])
    if split is None:
        return None
    return _make_header(match, split[1], md_level=level)


def _plain_header(line: str, previous: str, *, introduced: bool = False) -> _Header | None:
    """A plain line that starts an article or a division, by the rules below; None for a body line.

    - A line opening with a quotation mark is quoted law text ("« Art. L. 123-4. – …"), never a header.
    - "§" and "Art." are also written inside sentences and in the articles a text quotes. After a line
      that stops mid-sentence (ends with a letter, a digit or a comma) they continue that sentence
      ("…nach\\n§ 7 Abs. 1…"); after a line ending with a colon ("… est ainsi rédigé :") they open the
      text it introduces, even unquoted ("Art. R. 613-63. - La demande …"). The full word "Article"
      is not used that way, so it is not subject to these two checks when written in the strong form.
    - Strong form: the number alone, or followed by a separator (dash, period, colon) and a heading:
      "Article 1er", "Article 3 – Définitions", "Art. 2. Objet", "Section 1 - Ouverture…".
    - Weak form: number, space, heading ("§ 1 Anwendungsbereich", "Titre II Dispositions finales").
      It is a header only if the heading starts with a capital letter or "(", does not end like a
      sentence (. , ; :), is not a citation ("§ 9 Abs. 4 …", "§ 823 BGB …") and the previous line does
      not stop mid-sentence. So "Article 7 de la loi n° 78-753 … est ainsi modifié :", "§ 1 wirksam in
      Anspruch genommen werden kann." and "Section 2 du chapitre III est abrogée" stay in the body.
    - A division's heading never starts with a lower-case letter ("Chapitre II : voir l'annexe").
    - On an article line, text after the separator that reads like a sentence or an enumerated
      paragraph ("Article 1er – Le code civil est ainsi modifié :") is the article's first line of text.
    """
    stripped = line.strip()
    if not stripped or stripped.startswith(_QUOTES) or stripped.startswith("#"):
        return None
    match = _ARTICLE.match(stripped) or _PARAGRAPH.match(stripped) or _DIVISION.match(stripped)
    if match is None:
        return None
    split = _split_rest(match["rest"])
    if split is None:
        return None
    strong, rest = split
    mid_sentence = _stops_mid_sentence(previous)
    if match["marker"] in ("§", "Art", "ART") and (mid_sentence or introduced):
        return None
    if not strong and (mid_sentence or not _reads_like_heading(rest)):
        return None
    header = _make_header(match, rest)
    if header.kind != "article" and rest[:1].islower():
        return None  # "Section 2 : les mots … sont supprimés" is an instruction, not a heading
    if header.kind == "article" and _reads_like_body(rest):
        return _Header(kind="article", number=header.number, label=header.label, heading="", inline_text=rest)
    return header


def _split_rest(rest: str) -> tuple[bool, str] | None:
    """(strong, heading) for what follows a number; None when it continues a phrase ("Article 7, al. 2")."""
    separator = _SEPARATOR.match(rest)
    after = rest[separator.end():].rstrip()
    explicit = bool(separator["period"] or separator["dash"])
    if not explicit and after and not rest[:1].isspace():
        return None
    return explicit or not after, after


def _make_header(match: re.Match[str], heading: str, md_level: int | None = None) -> _Header:
    marker, number = match["marker"], " ".join(match["number"].split())
    if match.re is _DIVISION:
        return _Header(kind=marker.lower(), number=number, label=f"{marker} {number}", heading=heading,
                       md_level=md_level)
    return _Header(kind="article", number=number, label=f"Article {number}", heading=heading, md_level=md_level)


def _stops_mid_sentence(previous: str) -> bool:
    last = previous.rstrip()[-1:]
    return bool(last) and (last.isalnum() or last == ",")


def _reads_like_heading(rest: str) -> bool:
    first = rest[:1]
    if not (first.isupper() or first == "(") or rest.endswith((".", ",", ";", ":")):
        return False
    word = rest.split()[0].rstrip(".")
    return word.lower() not in _CITATION_WORDS and not _LAW_ABBREVIATION.match(word)


def _reads_like_body(rest: str) -> bool:
    return bool(rest) and (rest.endswith((":", ";")) or bool(_ENUMERATOR.match(rest))
                           or (rest.endswith(".") and len(rest.split()) >= 10))


# --- Assembly -------------------------------------------------------------------------------------

def _encloses(outer: _Header, inner: _Header) -> bool:
    """Markdown heading levels decide when both have different ones; otherwise the kinds' ranks do."""
    if outer.md_level is not None and inner.md_level is not None and outer.md_level != inner.md_level:
        return outer.md_level < inner.md_level
    return _DIVISION_RANKS[outer.kind] < _DIVISION_RANKS[inner.kind]


def _heading_from_next_line(body: list[str], markdown: bool) -> tuple[str, list[str]]:
    """ "TITRE Ier" on one line and "DISPOSITIONS GÉNÉRALES" on the next: the next line is the heading."""
    for index, line in enumerate(body):
        stripped = line.strip()
        if not stripped:
            continue
        atx = _atx_content(line)
        if atx and atx[1]:
            return atx[1], body[index + 1:]
        if (not markdown and not atx and not stripped.startswith(_QUOTES) and len(stripped) <= 200
                and not stripped.endswith((".", ",", ";", ":"))):
            return stripped, body[index + 1:]
        break
    return "", body


def _strip_blank_lines(lines: list[str]) -> str:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def _title(preamble: list[str]) -> str:
    for level, content in _markdown_headings(preamble).values():
        if level == 1 and content:
            return content
    return ""
