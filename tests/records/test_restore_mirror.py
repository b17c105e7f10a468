"""`navette restore-mirror` (CONTRACT §9): a copy's navette.json brought back into an empty database gives
the same public API answers, ids included; people come back without a way to sign in."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from amendments.models import MergedHunk
from drafting.app import create_app
from drafting.db import Database
from drafting.models import User
from drafting.settings import Settings
from tests.amendments.test_desk_api import citizens, merge, propose
from tests.conftest import TEST_SECRET
from tests.drafting.test_cli import navette
from tests.records.consultation import build_consultation
from tests.records.test_backup import empty_target  # noqa: F401  (fixture)


def _answered(client, urls: list[str]) -> dict[str, object]:
    """Each URL's JSON answer, which must be a 200."""
    answers = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.text}"
        answers[url] = response.json()
    return answers


def _public_answers(client, consultation) -> dict[str, object]:
    """Every public JSON answer about the consultation, by URL."""
    slug = consultation["slug"]
    urls = ["/api/v1/bills", f"/api/v1/bills/{slug}", f"/api/v1/bills/{slug}/versions",
            f"/api/v1/bills/{slug}/versions/1", f"/api/v1/bills/{slug}/versions/2",
            f"/api/v1/bills/{slug}/diff?from=1&to=2", f"/api/v1/bills/{slug}/trash"]
    bill = client.get(f"/api/v1/bills/{slug}").json()
    for article in bill["articles"]:
        base = f"/api/v1/articles/{article['id']}"
        urls += [base, f"{base}/versions", f"{base}/versions/1", f"{base}/blame", f"{base}/amendments",
                 f"{base}/arguments", f"{base}/sources", f"{base}/diff?from=1&to={article['version']}"]
    for amendment in consultation["amendments"].values():
        urls += [f"/api/v1/amendments/{amendment}", f"/api/v1/amendments/{amendment}/arguments"]
    urls += [f"/api/v1/arguments/{argument}" for argument in consultation["arguments"].values()]
    urls.append(f"/api/v1/sources/{consultation['source']}")
    urls += [f"/api/v1/users/{account.username}" for account in consultation["users"][1:4]]
    return _answered(client, urls)


@pytest.mark.parametrize("source", ["mirror", "export"])
def test_restored_record_serves_the_same_public_answers(source, api, admin, client, database_url, empty_target,
                                                        tmp_path):
    consultation = build_consultation(api, admin)
    original = _public_answers(client, consultation)
    directory = tmp_path / "copy"
    made = navette(source, str(directory), "--database-url", database_url, cwd=tmp_path, timeout=180)
    assert made.returncode == 0, made.stderr
    restored = navette("restore-mirror", str(directory), "--database-url", empty_target, cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr

    settings = Settings.load(database_url=empty_target, secret_key=TEST_SECRET, rate_limit_writes=0,
                             page_cache_seconds=0)
    with TestClient(app=create_app(settings)) as other_host:
        again = _public_answers(other_host, consultation)
        for url, answer in original.items():
            assert again[url] == answer, url
        # Read-only people: no password signs them in, and no e-mail came along.
        for account in consultation["users"]:
            refused = other_host.post("/api/v1/auth/token", json={"username": account.username,
                                                                  "password": account.password})
            assert refused.status_code == 401
        # The restored host takes new rows without colliding with the restored ids.
        other_host.app.state.db.dispose()
    database = Database(empty_target)
    try:
        with database.session(write=False) as session:
            assert not [u for u in session.scalars(select(User)) if u.password_hash or u.email]
    finally:
        database.dispose()
    navette("user", "create", "newadmin", "--password", "another long one", "--role", "admin",
            "--database-url", empty_target, cwd=tmp_path)
    with TestClient(app=create_app(settings)) as other_host:
        token = other_host.post("/api/v1/auth/token", json={"username": "newadmin", "password": "another long one"})
        headers = {"Authorization": f"Bearer {token.json()['token']}"}
        created = other_host.post("/api/v1/bills", headers=headers, json={
            "title": "Nouveau", "articles": [{"number": "1", "text": "Un texte neuf."}]})
        assert created.status_code == 201, created.text
        assert created.json()["articles"][0]["id"] > max(consultation["articles"])


def test_restore_mirror_refuses_a_database_that_holds_a_record(api, admin, database_url, tmp_path):
    build_consultation(api, admin)
    directory = tmp_path / "copy"
    assert navette("export", str(directory), "--database-url", database_url, cwd=tmp_path).returncode == 0
    refused = navette("restore-mirror", str(directory), "--database-url", database_url, cwd=tmp_path)
    assert refused.returncode == 1 and "not empty" in refused.stderr


def test_restore_mirror_refuses_a_directory_without_a_record(tmp_path, empty_target):
    (tmp_path / "nothing").mkdir()
    refused = navette("restore-mirror", str(tmp_path / "nothing"), "--database-url", empty_target, cwd=tmp_path)
    assert refused.returncode == 1 and "navette.json" in refused.stderr
    (tmp_path / "nothing" / "navette.json").write_text(json.dumps({"format": "something else"}))
    refused = navette("restore-mirror", str(tmp_path / "nothing"), "--database-url", empty_target, cwd=tmp_path)
    assert refused.returncode == 1 and "not a Navette public record" in refused.stderr


# --- partial merges (CONTRACT §8): the hunks a version took come back, so blame credits the same -----------

CONSEIL = "Le maire convoque le conseil.\nLe conseil délibère.\nLe préfet est informé."


def _partial_merge(api, admin, db) -> dict[str, Any]:
    """One article whose version 2 merged two amendments, the first for one of its two changes only."""
    client = api.client
    bill = api.bill(admin, slug="conseil", articles=[{"number": "1", "text": CONSEIL}])
    article = bill["articles"][0]["id"]
    alice, bruno = citizens(db, "alice", "bruno")
    two_changes = propose(client, alice, article, CONSEIL.replace("convoque", "réunit").replace("informé", "averti"))
    other = propose(client, bruno, article, CONSEIL.replace("délibère", "vote"))
    done = merge(client, admin, article, 1, [two_changes["id"], other["id"]], hunks={str(two_changes["id"]): [0]})
    assert done.status_code == 201, done.text
    return {"article": article, "partial": two_changes["id"], "whole": other["id"]}


def _answers(client, merged) -> dict[str, object]:
    base = f"/api/v1/articles/{merged['article']}"
    urls = [f"{base}/blame", f"{base}/versions", f"/api/v1/amendments/{merged['partial']}",
            f"/api/v1/amendments/{merged['whole']}"]
    return _answered(client, urls)


def _restored_answers(empty_target, merged) -> dict[str, object]:
    settings = Settings.load(database_url=empty_target, secret_key=TEST_SECRET, rate_limit_writes=0,
                             page_cache_seconds=0)
    with TestClient(app=create_app(settings)) as other_host:
        answers = _answers(other_host, merged)
        other_host.app.state.db.dispose()
    return answers


def _credited(blame: dict[str, Any]) -> dict[int | None, str]:
    credited: dict[int | None, str] = {}
    for segment in blame["segments"]:
        credited[segment["amendment"]] = credited.get(segment["amendment"], "") + segment["text"]
    return credited


def test_a_restored_mirror_blames_a_partial_merge_as_the_original_does(api, admin, db, client, database_url,
                                                                       empty_target, tmp_path):
    merged = _partial_merge(api, admin, db)
    original = _answers(client, merged)
    blame = original[f"/api/v1/articles/{merged['article']}/blame"]
    assert _credited(blame)[merged["partial"]].strip() == "réunit"  # not "informé", which it left out
    assert original[f"/api/v1/amendments/{merged['partial']}"]["partial"] is True
    directory = tmp_path / "copy"
    made = navette("mirror", str(directory), "--database-url", database_url, "--quiet", cwd=tmp_path, timeout=180)
    assert made.returncode == 0, made.stderr
    record = json.loads((directory / "data" / "navette.json").read_text(encoding="utf-8"))
    versions = record["bills"][0]["articles"][0]["versions"]
    assert [v["merged_hunks"] for v in versions] == [[], [{
        "amendment": merged["partial"], "index": 0,
        "wording": "À l'alinéa 1, substituer aux mots : « convoque » les mots : « réunit ».",
        "diff": [[0, "Le maire "], [-1, "convoque"], [1, "réunit"],
                 [0, " le conseil.\nLe conseil délibère.\nLe préfet est informé."]]}]]
    rows = list(csv.DictReader(io.StringIO((directory / "data" / "article_versions.csv").read_text(encoding="utf-8"))))
    assert [(r["merged_amendments"], r["merged_hunks"]) for r in rows] == [
        ("", ""), (f"{merged['partial']} {merged['whole']}", f"{merged['partial']}:0")]
    restored = navette("restore-mirror", str(directory), "--database-url", empty_target, cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert _restored_answers(empty_target, merged) == original
    database = Database(empty_target)
    try:
        with database.session(write=False) as session:
            rows = [(h.amendment_id, h.hunk_index, h.wording, h.diff) for h in session.scalars(select(MergedHunk))]
    finally:
        database.dispose()
    with db.session(write=False) as session:
        assert rows == [(h.amendment_id, h.hunk_index, h.wording, h.diff) for h in session.scalars(select(MergedHunk))]


def older_record(database_url: str, tmp_path, edit) -> Path:
    """An export of the database whose navette.json ``edit`` changed in place: a record as an older
    Navette wrote it. Answers the export's directory."""
    directory = tmp_path / "copy"
    assert navette("export", str(directory), "--database-url", database_url, cwd=tmp_path).returncode == 0
    path = directory / "navette.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    edit(record)
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return directory


def _without_partial_merges(record: dict[str, Any]) -> None:
    for bill in record["bills"]:
        for article in bill["articles"]:
            for version in article["versions"]:
                del version["merged_hunks"]
        for amendment in bill["amendments"]:
            del amendment["partial"]


def test_a_record_written_before_partial_merges_were_exported_still_restores(api, admin, db, database_url,
                                                                             empty_target, tmp_path):
    merged = _partial_merge(api, admin, db)
    directory = older_record(database_url, tmp_path, _without_partial_merges)
    restored = navette("restore-mirror", str(directory), "--database-url", empty_target, cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    again = _restored_answers(empty_target, merged)
    versions = again[f"/api/v1/articles/{merged['article']}/versions"]
    assert [v["merged_amendments"] for v in versions] == [[], [merged["partial"], merged["whole"]]]
    # What such a record cannot say: the amendment counts as merged whole.
    assert again[f"/api/v1/amendments/{merged['partial']}"]["partial"] is False
