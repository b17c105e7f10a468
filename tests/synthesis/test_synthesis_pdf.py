"""The synthesis as a PDF to download (issue 14): the synthesis page's template and print stylesheet laid
out by WeasyPrint, linked from the page, in the reader's language, fresh after a write, and rendered
without the network (only the site's own static files are read)."""
from __future__ import annotations

import io

import pytest

from drafting.settings import STATIC_DIR
from tests.conftest import sign_in
from tests.synthesis.consultation import build

pypdf = pytest.importorskip("pypdf")


@pytest.fixture
def consultation(api, admin):
    return build(api, admin)


def _text(document: bytes) -> str:
    """The text of every page, its lines joined by spaces (a title may wrap)."""
    reader = pypdf.PdfReader(io.BytesIO(document))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _pdf(client, slug: str, **headers) -> bytes:
    answer = client.get(f"/bills/{slug}/synthesis.pdf", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == f'attachment; filename="{slug}-synthese.pdf"'
    assert answer.content.startswith(b"%PDF-")
    return answer.content


def test_the_synthesis_downloads_as_a_pdf_of_the_page(client, consultation):
    page = client.get(f"/bills/{consultation['slug']}/synthesis")
    assert f'href="/bills/{consultation["slug"]}/synthesis.pdf"' in page.text
    assert "Télécharger en PDF" in page.text
    text = _text(_pdf(client, consultation["slug"]))
    assert "Loi pour une République numérique" in text
    assert "Synthèse de la consultation" in text and "Les votes par article" in text
    assert "Regards Citoyens" in text  # the organization that took part, as the page lists it
    assert "Télécharger en PDF" not in text  # the print stylesheet leaves the link out
    for hidden in ("Achetez nos montres", "Insulte grossière"):
        assert hidden not in text


def test_the_pdf_is_in_the_readers_language(client, consultation):
    text = _text(_pdf(client, consultation["slug"], **{"Accept-Language": "en"}))
    assert "Consultation summary" in text and "Synthèse de la consultation" not in text
    for language, link in (("en", "Download as PDF"), ("de", "Als PDF herunterladen")):
        page = client.get(f"/bills/{consultation['slug']}/synthesis", headers={"Accept-Language": language})
        assert link in page.text


def test_the_pdf_follows_a_write_and_is_the_same_for_everyone(client, api, admin, db, consultation):
    before = _pdf(client, consultation["slug"])
    sign_in(client, db, "admin")
    assert "Cabinet du ministre" in client.get(f"/bills/{consultation['slug']}/synthesis").text
    assert _pdf(client, consultation["slug"]) == before  # nobody's name in it
    client.cookies.clear()
    assert _pdf(client, consultation["slug"]) == before
    newcomer = api.user("denis")
    voted = client.put(f"/api/v1/articles/{consultation['articles'][2]}/vote", json={"value": "disagree"},
                       headers=newcomer.headers)
    assert voted.status_code == 200, voted.text
    after = _pdf(client, consultation["slug"])
    assert after != before


def test_an_unknown_bill_has_no_pdf(client):
    assert client.get("/bills/nothing-here/synthesis.pdf").status_code == 404


def test_the_renderer_reads_only_the_sites_static_files():
    from drafting.web import pdf

    fetcher = pdf._static_fetcher("http://testserver.local")
    css = fetcher.fetch("http://testserver.local/static/synthesis.css")
    assert css.read() == (STATIC_DIR / "synthesis.css").read_bytes() and css.content_type == "text/css"
    for refused in ("http://elsewhere.example/static/synthesis.css", "file:///etc/passwd",
                    "http://testserver.local/static/%2e%2e/pyproject.toml", "http://testserver.local/bills/x",
                    "http://testserver.local/static/missing.css", "data:text/css,p%7Bcolor:red%7D"):
        with pytest.raises(ValueError):
            fetcher.fetch(refused)
    # A page naming another host's image still renders: the image is refused, not fetched.
    document = pdf.html_pdf('<p>Texte</p><img src="http://elsewhere.example/x.png">',
                            "http://testserver.local/page", "http://testserver.local")
    assert document.startswith(b"%PDF-") and "Texte" in _text(document)
