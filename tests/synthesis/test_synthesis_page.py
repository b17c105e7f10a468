"""The synthesis page: its charts are SVG drawn by the server, each readable by screen readers (role="img",
a title) and followed by its data table; no inline style; linked from the bill; printable."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.synthesis.consultation import build


class Tables(HTMLParser):
    """The rows of every <table id=…> of a page, as lists of cell texts; and every tag with its attributes."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.tags: list[tuple[str, dict[str, str]]] = []
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "table":
            self._table = attributes.get("id") or f"table-{len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture
def consultation(api, admin):
    return build(api, admin)


def page(client, slug: str, lang: str = "fr") -> tuple[str, Tables]:
    response = client.get(f"/bills/{slug}/synthesis?lang={lang}")
    assert response.status_code == 200, response.text[:500]
    parsed = Tables()
    parsed.feed(response.text)
    return response.text, parsed


def test_each_chart_is_an_svg_image_with_a_title_and_its_data_table(client, consultation):
    html, parsed = page(client, consultation["slug"])
    charts = [attrs for tag, attrs in parsed.tags if tag == "svg"]
    assert len(charts) == 2
    for chart in charts:
        assert chart["role"] == "img"
        for labelled_by in chart["aria-labelledby"].split():
            assert f'id="{labelled_by}"' in html
    assert len(re.findall(r"<rect [^>]*class=\"bar bar-", html)) >= 6
    assert "Participation par jour" in html and "Votes par article" in html
    days = parsed.tables["table-days"]
    assert days[0] == ["Jour", "Votes", "Amendements", "Arguments"]
    assert [row[1:] for row in days[1:]] == [["9", "3", "4"]]
    votes = parsed.tables["table-votes"]
    assert votes[1:] == [["Art. 1", "2", "0", "1", "1", "2"], ["Art. 2", "0", "1", "1", "1", "1"],
                         ["Art. 3", "0", "0", "0", "1", "0"]]


def test_the_page_shows_figures_rankings_positions_forces_and_answers(client, consultation):
    html, parsed = page(client, consultation["slug"])
    for name, value in (("participants", "4"), ("citizens", "3"), ("organizations", "1"), ("votes", "9"),
                        ("amendments", "3"), ("arguments", "4")):
        assert re.search(rf'id="figure-{name}">{value}<', html), name
    assert parsed.tables["ranked-articles-supported"][1][0] == "Art. 1"
    assert [row[0] for row in parsed.tables["ranked-articles-disputed"][1:]] == ["Art. 1", "Art. 2"]
    supported = parsed.tables["ranked-amendments-supported"][1:]
    assert [row[1:] for row in supported] == [["2", "0", "0"], ["1", "0", "1"]]
    forces = {row[0]: row[1:] for row in parsed.tables["table-forces"][1:]}
    assert forces["Participants"] == ["3", "1"]
    assert forces["Votes : D'accord"] == ["5", "0"]
    assert forces["Votes : Pas d'accord"] == ["2", "1"]
    assert forces["Amendements"] == ["2", "1"]
    assert forces["Arguments : Pour"] == ["2", "0"] and forces["Arguments : Contre"] == ["1", "1"]
    assert "Regards Citoyens" in html and "Transparence de la vie publique" in html
    assert "La transparence renforce la confiance des citoyens." in html  # a position's label
    assert re.search(r'id="answers-summary">\s*1 des 2 amendements les plus soutenus', html)


def test_every_header_cell_of_the_page_has_a_visible_name(client, consultation):
    """axe's empty-table-header (a minor rule, so the accessibility run does not block on it): the
    forces table's corner cell names the column of its row headers."""
    html, parsed = page(client, consultation["slug"])
    assert not re.findall(r"<th\b[^>]*>\s*</th>", html)
    assert parsed.tables["table-forces"][0] == ["Participation", "Citoyens", "Organisations"]


def test_the_page_has_no_inline_style_and_a_print_stylesheet(client, consultation):
    html, parsed = page(client, consultation["slug"])
    assert not [attrs for _, attrs in parsed.tags if "style" in attrs]
    assert "<style" not in html and "<script>" not in html
    stylesheet = next(attrs["href"] for tag, attrs in parsed.tags if tag == "link" and "synthesis" in attrs.get("href", ""))
    css = client.get(stylesheet)
    assert css.status_code == 200 and "@media print" in css.text


def test_the_bill_page_links_to_its_synthesis(client, consultation):
    response = client.get(f"/bills/{consultation['slug']}")
    assert f'href="/bills/{consultation["slug"]}/synthesis"' in response.text


@pytest.mark.parametrize("lang, title", [("en", "Consultation summary"), ("de", "Zusammenfassung der Konsultation")])
def test_the_page_speaks_english_and_german(client, consultation, lang, title):
    html, _ = page(client, consultation["slug"], lang)
    assert title in html
