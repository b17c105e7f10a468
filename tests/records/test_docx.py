"""GET /bills/{slug}/diff.docx (CONTRACT §9): version B as a Word document whose changes since version A are
tracked revisions, read back with python-docx: accepting every revision gives version B's articles exactly,
rejecting every revision gives version A's."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from tests.conftest import missing
from docx.oxml.ns import qn

MARKDOWN = """\
# Titre Ier – Dispositions générales

### Article 1er – Objet

La présente loi a pour objet d'ouvrir les données.
Les « données » & <balises> sont publiques.

### Article 2

Cet article sera supprimé.

### Article 3

Premier alinéa, qui sera coupé ici même en deux.

Deuxième alinéa
sur deux lignes.
"""


def _mark(paragraph) -> int:
    """The revision on the paragraph mark: 1 inserted, -1 deleted, 0 none."""
    properties = paragraph.find(qn("w:pPr"))
    marks = properties.find(qn("w:rPr")) if properties is not None else None
    if marks is None:
        return 0
    return 1 if marks.find(qn("w:ins")) is not None else -1 if marks.find(qn("w:del")) is not None else 0


def read_back(content: bytes, *, accept: bool) -> list[tuple[str, str]]:
    """(heading, text) of each article once every revision is accepted (drop w:del, unwrap w:ins) or
    rejected (drop w:ins, unwrap w:del); a paragraph whose mark goes away joins the next one."""
    document = docx.Document(io.BytesIO(content))
    styles = {s.style_id: s.name for s in document.styles}
    paragraphs, text = [], ""
    for paragraph in document.element.body.iter(qn("w:p")):
        for piece in paragraph.iter(qn("w:t"), qn("w:delText")):
            inserted = piece.getparent().getparent().tag == qn("w:ins")
            deleted = piece.tag == qn("w:delText")
            assert deleted == (piece.getparent().getparent().tag == qn("w:del"))
            if (accept and not deleted) or (not accept and not inserted):
                text += piece.text or ""
        mark = _mark(paragraph)
        if mark == (-1 if accept else 1):
            continue  # this paragraph mark is gone: its text joins the next paragraph
        style = paragraph.find(qn("w:pPr"))
        style_id = style.find(qn("w:pStyle")).get(qn("w:val")) if style is not None and \
            style.find(qn("w:pStyle")) is not None else "Normal"
        paragraphs.append((styles.get(style_id, style_id), text))
        text = ""
    articles: list[tuple[str, list[str]]] = []
    for style, line in paragraphs:
        if style == "Heading 2":
            articles.append((line, []))
        elif style == "Normal" and articles:
            articles[-1][1].append(line)
    return [(heading, "\n".join(lines)) for heading, lines in articles]


def expected(version: dict) -> list[tuple[str, str]]:
    return [(f"Article {a['number']}" + (f" – {a['heading']}" if a["heading"] else ""), a["text"])
            for a in version["articles"]]


@pytest.fixture
def two_versions(api, admin):
    """Version 1 as imported; version 2 after edits of words, alinéas, headings, a deletion and an insertion."""
    bill = api.bill(admin, markdown=MARKDOWN)
    first, second, third = bill["articles"]
    client, headers = api.client, admin.headers

    def edit(article, text):
        response = client.post(f"/api/v1/articles/{article['id']}/versions", headers=headers,
                               json={"expected_version": article["version"], "message": "Révision", "text": text})
        assert response.status_code == 201, response.text

    edit(first, "La présente loi a pour objet de libérer les données publiques.\n"
                "Les « données » & <balises> sont publiques.\nUn alinéa nouveau « ajouté » & <inséré>.")
    edit(third, "Premier alinéa, qui sera coupé ici même\nen deux.\n\nDeuxième alinéa sur deux lignes.")
    deletion = client.post(f"/api/v1/articles/{second['id']}/amendments", headers=headers,
                           json={"kind": "delete", "explanation": "Inutile."}).json()
    merged = client.post(f"/api/v1/articles/{second['id']}/versions", headers=headers,
                         json={"expected_version": 1, "message": "Suppression", "merge": [deletion["id"]]})
    assert merged.status_code == 201, merged.text
    insertion = client.post(f"/api/v1/bills/{bill['slug']}/amendments", headers=headers, json={
        "kind": "insert", "after_article": third["id"], "heading": "Entrée en vigueur",
        "text": "La loi entre en vigueur « demain » & <après>.", "explanation": "Utile."}).json()
    placed = client.post(f"/api/v1/amendments/{insertion['id']}/merge-insert", headers=headers,
                         json={"number": "4", "heading": "Entrée en vigueur"})
    assert placed.status_code == 200, placed.text
    published = client.post(f"/api/v1/bills/{bill['slug']}/versions", headers=headers, json={"label": "Commission"})
    assert published.status_code == 201, published.text
    versions = [client.get(f"/api/v1/bills/{bill['slug']}/versions/{n}").json() for n in (1, 2)]
    return bill, versions


def test_accepting_every_revision_gives_version_b_and_rejecting_gives_version_a(api, two_versions):
    bill, (old, new) = two_versions
    assert [a["number"] for a in old["articles"]] == ["1er", "2", "3"]
    assert [a["number"] for a in new["articles"]] == ["1er", "3", "4"]

    response = api.client.get(f"/bills/{bill['slug']}/diff.docx?from=1&to=2")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert read_back(response.content, accept=True) == expected(new)
    assert read_back(response.content, accept=False) == expected(old)


def test_revisions_carry_author_and_date_and_division_headings_are_shown(api, two_versions):
    bill, (old, new) = two_versions

    content = api.client.get(f"/bills/{bill['slug']}/diff.docx?from=1&to=2").content

    document = docx.Document(io.BytesIO(content))
    body = document.element.body
    revisions = [*body.iter(qn("w:ins")), *body.iter(qn("w:del"))]
    assert revisions and len({r.get(qn("w:id")) for r in revisions}) == len(revisions)
    assert {r.get(qn("w:author")) for r in revisions} == {"Cabinet du ministre"}
    assert {r.get(qn("w:date"))[:19] for r in revisions} == {new["published_at"][:19]}
    inserted = "".join(t.text for r in body.iter(qn("w:ins")) for t in r.iter(qn("w:t")))
    assert "libérer" in inserted and "Un alinéa nouveau « ajouté » & <inséré>" in inserted
    deleted = "".join(t.text for r in body.iter(qn("w:del")) for t in r.iter(qn("w:delText")))
    assert "Cet article sera supprimé." in deleted and "ouvrir" in deleted
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Titre Ier – Dispositions générales"]
    assert document.paragraphs[0].text == "Projet de loi d'essai"


def test_the_same_version_on_both_sides_has_no_revision(api, two_versions):
    bill, (old, new) = two_versions

    content = api.client.get(f"/bills/{bill['slug']}/diff.docx?from=2&to=2").content

    body = docx.Document(io.BytesIO(content)).element.body
    assert next(body.iter(qn("w:ins")), None) is None and next(body.iter(qn("w:del")), None) is None
    assert read_back(content, accept=True) == read_back(content, accept=False) == expected(new)


@pytest.mark.parametrize("query, field", [("from=x&to=2", "from"), ("from=1&to=", "to"), ("to=2", "from"),
                                          ("from=1", "to")])
def test_a_bad_version_parameter_is_400_naming_it(api, two_versions, query, field):
    bill, _ = two_versions

    response = api.client.get(f"/bills/{bill['slug']}/diff.docx?{query}")

    assert response.status_code == 400
    assert f"{field}:" in response.text


def test_an_unknown_bill_or_version_is_404(api, two_versions):
    bill, _ = two_versions
    assert api.client.get(f"/bills/{bill['slug']}/diff.docx?from=1&to=7").status_code == 404
    assert api.client.get(f"/bills/{bill['slug']}/diff.docx?from=0&to=2").status_code == 404
    assert api.client.get("/bills/absent/diff.docx?from=1&to=2").status_code == 404


def _libreoffice_python() -> str | None:
    """Debian's python3 when it has LibreOffice's uno bridge and soffice is installed, else None."""
    if not shutil.which("soffice") or not Path("/usr/bin/python3").exists():
        return None
    probe = subprocess.run(["/usr/bin/python3", "-c", "import uno"], capture_output=True)
    return "/usr/bin/python3" if probe.returncode == 0 else None


@pytest.mark.parametrize("mode", ["accept", "reject"])
def test_libreoffice_accepting_or_rejecting_all_changes_gives_each_version(api, two_versions, tmp_path, mode):
    if _libreoffice_python() is None:
        missing("needs LibreOffice and its Python bridge (apt-get install libreoffice-writer-nogui python3-uno)")
    bill, (old, new) = two_versions
    path = tmp_path / "diff.docx"
    path.write_bytes(api.client.get(f"/bills/{bill['slug']}/diff.docx?from=1&to=2").content)

    done = subprocess.run([_libreoffice_python(), str(Path(__file__).with_name("libreoffice_revisions.py")), mode,
                           str(path), str(tmp_path / "profile")], capture_output=True, text=True, timeout=240)

    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["revisions"] > 0
    articles: list[tuple[str, list[str]]] = []
    for style, text in seen["paragraphs"]:
        if style == "Heading 2" and text:  # a document keeps its last paragraph, emptied, when rejected
            articles.append((text, []))
        elif style == "Standard" and articles:
            articles[-1][1].append(text)
    assert [(heading, "\n".join(lines)) for heading, lines in articles] == expected(new if mode == "accept" else old)
