"""`navette mirror` (CONTRACT §9): a static copy of the public site that works from disk, with every kind
of page, relative links that all resolve, no form and no script, SHA256SUMS, and incremental runs."""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

from tests.drafting.test_cli import navette
from tests.records.consultation import build_consultation


@pytest.fixture
def consultation(api, admin):
    return build_consultation(api, admin)


def _mirror(database_url: str, directory: Path, *extra: str):
    result = navette("mirror", str(directory), "--database-url", database_url, *extra, cwd=directory.parent,
                     timeout=180)
    assert result.returncode == 0, result.stderr
    return result


def _state(directory: Path) -> dict[str, tuple[int, int, bytes]]:
    """Each file's inode, modification time and bytes."""
    found = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found[str(path.relative_to(directory))] = (stat.st_ino, stat.st_mtime_ns, path.read_bytes())
    return found


def test_mirror_holds_every_kind_of_page_with_links_that_resolve_on_disk(consultation, database_url, tmp_path):
    directory = tmp_path / "copy"
    result = _mirror(database_url, directory)
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    slug = consultation["slug"]
    first, second, third = consultation["articles"]
    expected = ["index.html", f"bills/{slug}/index.html", f"bills/{slug}/history/index.html",
                f"bills/{slug}/trash/index.html", f"bills/{slug}/feed.atom", f"bills/{slug}/versions/1/index.html",
                f"bills/{slug}/versions/2/index.html", f"bills/{slug}/diff/from-1_to-2.html",
                f"api/v1/bills/{slug}/export.zip", "data/navette.json", "data/datapackage.json",
                "static/navette.css", "mirror.json", "SHA256SUMS"]
    for article in consultation["articles"]:
        expected += [f"bills/{slug}/articles/{article}/index.html", f"articles/{article}/history/index.html",
                     f"articles/{article}/blame/index.html", f"articles/{article}/versions/1/index.html",
                     f"articles/{article}/arguments/index.html"]
    inserted = consultation["inserted_article"]
    expected += [f"bills/{slug}/articles/{inserted}/index.html", f"articles/{inserted}/versions/1/index.html"]
    expected += [f"articles/{a}/versions/2/index.html" for a in (first, second)]
    expected += [f"articles/{a}/compare/from-1_to-2.html" for a in (first, second)]
    for amendment in consultation["amendments"].values():  # the insertion too, which no article lists
        expected += [f"amendments/{amendment}/index.html", f"amendments/{amendment}/arguments/index.html"]
    missing = [name for name in expected if not (directory / name).is_file()]
    assert not missing

    pages = sorted(directory.rglob("*.html"))
    assert len(pages) > 40
    for page in pages:
        name = str(page.relative_to(directory))
        tree = lxml.html.document_fromstring(page.read_bytes())
        assert not tree.xpath("//form | //script | //input | //button"), name
        assert not [a for e in tree.iter() if isinstance(e.tag, str) for a in e.attrib if a.startswith("hx-")], name
        assert tree.xpath("//*[@class='mirror-banner']"), name
        for element, attribute, link, _ in tree.iterlinks():
            if attribute not in ("href", "src") or link.startswith("#"):
                continue
            parts = urlsplit(link)
            if parts.scheme in ("http", "https") and parts.netloc == "example.org":
                continue  # a source cited in the debate: another site
            assert not parts.scheme and not parts.netloc and not link.startswith("/"), f"{name}: {link}"
            assert not parts.query, f"{name}: {link}"
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file() and directory.resolve() in target.parents, f"{name}: {link} does not resolve"
    # What a reader sees: the redline, the answers, the arguments, the trash entry.
    merged = (directory / f"amendments/{consultation['amendments']['merged']}/index.html").read_text(encoding="utf-8")
    assert "<ins> et leurs algorithmes</ins>" in merged
    rejected = (directory / f"amendments/{consultation['amendments']['rejected']}/index.html").read_text(encoding="utf-8")
    assert "Contraire à l'objet du texte." in rejected
    article = (directory / f"bills/{slug}/articles/{first}/index.html").read_text(encoding="utf-8")
    assert "La transparence renforce la confiance." in article
    trash = (directory / f"bills/{slug}/trash/index.html").read_text(encoding="utf-8")
    assert "Propos injurieux." in trash and "Insulte grossière" not in trash and "Publicité." in trash
    assert not [p for p in pages if "montres" in p.read_text(encoding="utf-8")]  # the hidden amendment's text
    # The feed's links point into the copy too.
    feed = (directory / f"bills/{slug}/feed.atom").read_text(encoding="utf-8")
    for link in re.findall(r'<link [^>]*href="([^"]+)"', feed):
        assert (directory / f"bills/{slug}" / link).resolve().is_file(), link
    # The time of the copy is said on the home page and in mirror.json only.
    made_at = json.loads((directory / "mirror.json").read_text(encoding="utf-8"))["made_at"]
    assert made_at in (directory / "index.html").read_text(encoding="utf-8")
    assert not [p for p in pages if p.name != "index.html" or p.parent != directory if made_at in p.read_text()]


def test_the_pdf_of_the_synthesis_links_into_the_copy(consultation, database_url, tmp_path):
    """A PDF's links are relative too (CONTRACT §9): each one opens a file of the copy, from disk or
    from wherever the copy is served; none names the address the pages were requested at."""
    pypdf = pytest.importorskip("pypdf")
    directory = tmp_path / "copy"
    _mirror(database_url, directory)
    name = f"bills/{consultation['slug']}/synthesis.pdf"
    links = [annotation.get_object()["/A"]["/URI"] for page in pypdf.PdfReader(directory / name).pages
             for annotation in page.get("/Annots", []) if "/A" in annotation.get_object()]
    assert links
    for link in links:
        parts = urlsplit(link)
        if parts.scheme in ("http", "https") and parts.netloc == "example.org":
            continue  # a source cited in the debate: another site
        assert not parts.scheme and not parts.netloc and not link.startswith("/") and not parts.query, link
        target = ((directory / name).parent / unquote(parts.path)).resolve()
        assert target.is_file() and directory.resolve() in target.parents, f"{link} does not resolve"


def test_sha256sums_lists_every_other_file_and_verifies(consultation, database_url, tmp_path):
    directory = tmp_path / "copy"
    _mirror(database_url, directory)
    listed = [line.split("  ", 1)[1] for line in (directory / "SHA256SUMS").read_text().splitlines()]
    files = sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())
    assert listed == sorted(listed) and set(listed) == set(files) - {"SHA256SUMS"}
    check = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=directory, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    (directory / "mirror.json").write_text("{}")
    tampered = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=directory, capture_output=True, text=True)
    assert tampered.returncode == 1 and "mirror.json: FAILED" in tampered.stdout


def test_mirror_run_again_rewrites_nothing_when_nothing_changed(consultation, database_url, tmp_path):
    directory = tmp_path / "copy"
    _mirror(database_url, directory)
    before = _state(directory)
    result = _mirror(database_url, directory)
    assert _state(directory) == before
    assert "(0 written, 0 removed)" in result.stdout


def test_mirror_rewrites_only_the_files_a_new_vote_or_amendment_changes(consultation, api, database_url, tmp_path):
    directory = tmp_path / "copy"
    _mirror(database_url, directory)
    before = _state(directory)
    first, second, third = consultation["articles"]
    alice = consultation["users"][1]
    assert api.client.put(f"/api/v1/articles/{third}/vote", json={"value": "agree"},
                          headers=alice.headers).status_code == 200
    proposed = api.client.post(f"/api/v1/articles/{second}/amendments", headers=alice.headers, json={
        "text": "Le code source des logiciels publics est un document administratif communicable et réutilisable.",
        "explanation": "Réutilisation."})
    assert proposed.status_code == 201, proposed.text
    _mirror(database_url, directory)
    after = _state(directory)
    assert f"amendments/{proposed.json()['id']}/index.html" in after
    rewritten = {name for name in before if name in after and before[name][:2] != after[name][:2]}
    changed = {name for name in before if name in after and before[name][2] != after[name][2]}
    assert rewritten == changed  # a file is rewritten exactly when its bytes change
    slug = consultation["slug"]
    assert {f"bills/{slug}/articles/{third}/index.html", f"bills/{slug}/articles/{second}/index.html",
            "data/navette.json", "index.html", "mirror.json", "SHA256SUMS"} <= changed
    untouched = {f"articles/{first}/versions/1/index.html", f"bills/{slug}/versions/1/index.html",
                 f"amendments/{consultation['amendments']['merged']}/index.html", "static/navette.css"}
    assert not untouched & changed
    assert len(changed) < len(before) / 2
    check = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=directory, capture_output=True)
    assert check.returncode == 0


def test_mirror_of_one_bill_holds_only_that_bill(consultation, api, admin, database_url, tmp_path):
    other = api.bill(admin, title="Autre projet", slug="autre")
    directory = tmp_path / "copy"
    _mirror(database_url, directory)
    assert (directory / f"bills/autre/articles/{other['articles'][0]['id']}/index.html").is_file()
    (directory / "notes.txt").write_text("kept by the archive, not listed in SHA256SUMS")
    # Narrowed to one bill, the copy drops what its previous run listed for the other, and nothing else.
    _mirror(database_url, directory, "--bill", consultation["slug"])
    assert (directory / f"bills/{consultation['slug']}/index.html").is_file()
    assert not (directory / "bills/autre").exists()
    assert not (directory / "api/v1/bills/autre").exists()
    assert (directory / "notes.txt").is_file()
    home = lxml.html.document_fromstring((directory / "index.html").read_bytes())
    assert not [a for a in home.xpath("//a/@href") if "autre" in a]
    assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=directory).returncode == 0


@pytest.mark.parametrize(("url", "name"), [
    ("/", "index.html"),
    ("/bills/loi", "bills/loi/index.html"),
    ("/bills/loi/diff?from=1&to=2", "bills/loi/diff/from-1_to-2.html"),
    ("/bills/loi/diff?to=2&from=1", "bills/loi/diff/from-1_to-2.html"),
    ("/amendments/7?view=side", "amendments/7/view-side.html"),
    ("/articles/3/arguments?amendment_page=2", "articles/3/arguments/amendment~5Fpage-2.html"),
    ("/bills/loi/feed.atom", "bills/loi/feed.atom"),
    ("/api/v1/bills/loi/export.zip", "api/v1/bills/loi/export.zip"),
    ("/static/navette.css", "static/navette.css"),
])
def test_each_url_has_a_file_name_a_static_server_resolves(url, name):
    from drafting.mirror import file_name, relative

    assert file_name(url) == name
    assert relative("bills/loi/diff/from-1_to-2.html", "static/navette.css") == "../../../static/navette.css"
