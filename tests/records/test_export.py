"""`navette export` and GET /api/v1/bills/{slug}/export.zip (CONTRACT §9): a Frictionless Data Package of
exactly what the public pages show, byte-identical for the same database."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import frictionless
import pytest
from sqlalchemy import select

from drafting.models import AuthToken, User
from tests.drafting.test_cli import navette
from tests.records.consultation import build_consultation

TABLES = ("bills", "articles", "article_versions", "bill_versions", "amendments", "arguments", "positions",
          "answers", "moderation")


@pytest.fixture
def consultation(api, admin):
    return build_consultation(api, admin)


def _export(database_url: str, directory: Path, *extra: str) -> Path:
    result = navette("export", str(directory), "--database-url", database_url, *extra, cwd=directory.parent)
    assert result.returncode == 0, result.stderr
    return directory


def _files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def _rows(directory: Path, table: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((directory / f"{table}.csv").read_text(encoding="utf-8"))))


def test_export_is_a_valid_data_package_describing_every_file_and_field(consultation, database_url, tmp_path):
    directory = _export(database_url, tmp_path / "open-data")
    report = frictionless.validate(str(directory / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
    described = {resource["path"] for resource in descriptor["resources"]}
    assert described == set(_files(directory)) - {"datapackage.json"}
    assert {f"{t}.csv" for t in TABLES} | {"navette.json"} <= described
    for resource in descriptor["resources"]:
        if resource["path"].endswith(".csv"):
            header = next(csv.reader(io.StringIO((directory / resource["path"]).read_text(encoding="utf-8"))))
            assert header == [f["name"] for f in resource["schema"]["fields"]]
            assert all(f["type"] in ("integer", "string", "boolean", "datetime") for f in resource["schema"]["fields"])
            assert resource["schema"]["primaryKey"]


def test_export_holds_the_public_record(consultation, database_url, tmp_path):
    directory = _export(database_url, tmp_path / "open-data")
    record = json.loads((directory / "navette.json").read_text(encoding="utf-8"))
    (bill,) = record["bills"]
    assert bill["slug"] == consultation["slug"] and bill["authors"] == ["admin"]
    first, second, third = consultation["articles"]
    articles = {a["id"]: a for a in bill["articles"]}
    assert [v["version"] for v in articles[first]["versions"]] == [1, 2]
    assert articles[first]["versions"][1]["merged_amendments"] == [consultation["amendments"]["merged"]]
    assert articles[first]["votes"] == {"agree": 2, "mixed": 0, "disagree": 1}
    assert [v["seq"] for v in bill["versions"]] == [1, 2]
    amendments = {a["id"]: a for a in bill["amendments"]}
    ids = consultation["amendments"]
    assert {name: amendments[i]["status"] for name, i in ids.items()} == {
        "merged": "accepted", "rejected": "rejected", "withdrawn": "withdrawn", "open": "open",
        "deletion": "open", "insertion": "accepted", "hidden": "open"}
    assert amendments[ids["insertion"]]["created_article"] == consultation["inserted_article"]
    assert articles[consultation["inserted_article"]]["number"] == "2 bis"
    assert amendments[ids["hidden"]]["text"] is None and amendments[ids["hidden"]]["hidden"]["reason"] == "Publicité."
    assert amendments[ids["merged"]]["cosigners"] == ["bruno"]
    assert amendments[ids["merged"]]["votes"] == {"agree": 0, "mixed": 1, "disagree": 0}
    assert amendments[ids["rejected"]]["response"] == "Contraire à l'objet du texte."
    assert [a["kind"] for a in amendments[ids["rejected"]]["answers"]] == ["reject"]
    assert amendments[ids["insertion"]]["kind"] == "insert" and amendments[ids["insertion"]]["after_article"] == second
    arguments = {a["id"]: a for a in bill["arguments"]}
    assert arguments[consultation["arguments"]["supported"]]["supporters"] == ["bruno"]
    assert arguments[consultation["arguments"]["supported"]]["useful"] == 1
    hidden = arguments[consultation["arguments"]["hidden"]]
    assert hidden["body"] is None and hidden["hidden"]["reason"] == "Propos injurieux."
    assert [(t["target"], t["id"], t["reason"]) for t in bill["trash"]] == [
        ("amendment", ids["hidden"], "Publicité."), ("argument", consultation["arguments"]["hidden"], "Propos injurieux.")]
    assert [s["title"] for s in bill["sources"]] == ["Rapport Lemaire"]
    # The CSV tables say the same.
    votes = {row["id"]: (row["agree"], row["mixed"], row["disagree"]) for row in _rows(directory, "articles")}
    assert votes[str(first)] == ("2", "0", "1")
    moderation = _rows(directory, "moderation")
    assert [(row["target"], row["reason"]) for row in moderation] == [("amendment", "Publicité."),
                                                                      ("argument", "Propos injurieux.")]
    positions = {row["id"]: row for row in _rows(directory, "positions")}
    supported = positions[str(consultation["arguments"]["supported"])]
    assert supported["supporters"] == "2" and supported["arguments"] == str(consultation["arguments"]["supported"])
    hidden_row = next(r for r in _rows(directory, "arguments") if r["id"] == str(consultation["arguments"]["hidden"]))
    assert hidden_row["body"] == "" and hidden_row["hidden"] == "true" and hidden_row["position"] == ""
    in_text_order = sorted(_rows(directory, "bill_versions"), key=lambda r: int(r["position"]))
    assert [(r["article"], r["article_version"]) for r in in_text_order if r["seq"] == "2"] == [
        (str(first), "2"), (str(second), "2"), (str(consultation["inserted_article"]), "1"), (str(third), "1")]


def test_export_holds_no_secret(consultation, database_url, db, tmp_path):
    directory = _export(database_url, tmp_path / "open-data")
    with db.session(write=False) as session:
        hashes = [h for h in session.scalars(select(User.password_hash)) if h]
        stored_tokens = list(session.scalars(select(AuthToken.token_hash)))
    secrets = ["alice@example.org", "bruno@example.org", "correct horse battery", "Insulte grossière", "montres",
               *hashes, *stored_tokens, *(account.token for account in consultation["users"])]
    assert len(hashes) == 5 and stored_tokens
    for name, content in _files(directory).items():
        text = content.decode("utf-8")
        for secret in secrets:
            assert secret not in text, f"{name} holds a secret"
        assert "password" not in text and "email" not in text and "token" not in text, name
    record = json.loads((directory / "navette.json").read_text(encoding="utf-8"))
    # Votes only as counts per target: nobody's individual vote.
    assert set(record["bills"][0]["articles"][0]["votes"]) == {"agree", "mixed", "disagree"}
    shown = {"id", "username", "display_name", "kind", "organization", "created_by_staff"}
    assert all(set(person) == shown | ({"declarations"} if person["kind"] == "organization" else set())
               for person in record["people"])
    assert any(person["kind"] == "organization" for person in record["people"])
    for person in record["people"]:
        for declaration in person.get("declarations", []):
            assert set(declaration) == {"name", "declared_interests", "declared_at"}


def test_export_is_byte_identical_when_run_twice(consultation, database_url, tmp_path, client):
    first = _files(_export(database_url, tmp_path / "first"))
    second = _files(_export(database_url, tmp_path / "second"))
    assert first == second
    slug = consultation["slug"]
    assert client.get(f"/api/v1/bills/{slug}/export.zip").content == client.get(f"/api/v1/bills/{slug}/export.zip").content


def test_one_bill_package_is_on_the_bill_page_and_the_api(consultation, api, admin, database_url, tmp_path, client):
    api.bill(admin, title="Autre projet", slug="autre")
    slug = consultation["slug"]
    page = client.get(f"/bills/{slug}")
    assert f'href="/api/v1/bills/{slug}/export.zip"' in page.text
    response = client.get(f"/api/v1/bills/{slug}/export.zip")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    members = {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()}
    # The same package as `navette export --bill`: this bill only.
    assert members == _files(_export(database_url, tmp_path / "one", "--bill", slug))
    assert [b["slug"] for b in json.loads(members["navette.json"])["bills"]] == [slug]
    assert {b["slug"] for b in json.loads(_files(_export(database_url, tmp_path / "all"))["navette.json"])["bills"]} == {
        slug, "autre"}


def test_export_of_an_unknown_bill_is_refused(consultation, database_url, tmp_path, client):
    result = navette("export", str(tmp_path / "x"), "--bill", "nope", "--database-url", database_url, cwd=tmp_path)
    assert result.returncode == 1 and "nope" in result.stderr
    response = client.get("/api/v1/bills/nope/export.zip")
    assert response.status_code == 404 and response.json()["status_code"] == 404
