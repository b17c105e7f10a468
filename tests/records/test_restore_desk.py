"""`navette restore-mirror` keeps the authors' desk (CONTRACT §8, §9): a restored copy of a mirror shows
the same sub-amendments under the same parents, the same opinions, withdrawals, fallen amendments,
co-signers and contributions entered for someone, so the liasse comes in the same order."""
from __future__ import annotations

import csv
import io
import re
from typing import Any

from litestar.testing import TestClient

from drafting.app import create_app
from drafting.db import Database
from drafting.settings import Settings
from tests.amendments.test_desk_api import BASE, citizens, propose
from tests.conftest import TEST_SECRET, sign_in
from tests.drafting.test_cli import navette
from tests.records.test_backup import empty_target  # noqa: F401  (fixture)
from tests.records.test_restore_mirror import older_record

SECOND = "Les données sont publiées dans un format ouvert.\n\nElles sont gratuites."


def _sub(client, account, parent: int, text: str) -> dict[str, Any]:
    answer = client.post(f"/api/v1/amendments/{parent}/subamendments", json={"text": text, "explanation": "Mieux."},
                         headers=account.headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def _ok(answer) -> Any:
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def _desk_scene(api, admin, db) -> dict[str, Any]:
    """A bill whose desk has every kind of record: a co-signed amendment with three sub-amendments (two
    identical, one incorporated, one rebased onto the parent's new text), opinions given twice, a
    withdrawal, a sub-amendment fallen with its withdrawn parent, a conflict and an amendment entered by
    staff for a participant."""
    client = api.client
    bill = api.bill(admin, slug="desk-record", articles=[{"number": "1", "text": BASE}, {"number": "2", "text": SECOND}])
    one, two = (a["id"] for a in bill["articles"])
    alice, bruno, chloe = citizens(db, "alice", "bruno", "chloe")
    parent = propose(client, alice, one, BASE.replace("deux mois", "trois mois"))
    assert propose(client, bruno, one, parent["text"])["id"] == parent["id"]  # co-signs it
    incorporated = _sub(client, chloe, parent["id"], parent["text"].replace("administrations", "communes"))
    twin_a = _sub(client, bruno, parent["id"], parent["text"].replace("en ligne", "sur internet"))
    twin_b = _sub(client, chloe, parent["id"], parent["text"].replace("en ligne", "sur internet"))
    rebased = _sub(client, alice, parent["id"], parent["text"].replace("trois mois", "six mois"))
    _ok(client.post(f"/api/v1/amendments/{incorporated['id']}/incorporate", headers=alice.headers))
    opinions = {"amendments": [parent["id"], twin_a["id"]], "opinion": "favorable", "response": "Bienvenu."}
    _ok(client.post("/api/v1/amendments/opinions", json=opinions, headers=admin.headers))
    _ok(client.post("/api/v1/amendments/opinions", json={"amendments": [parent["id"]], "opinion": "sagesse"},
                    headers=admin.headers))
    withdrawn = propose(client, bruno, two, SECOND.replace("ouvert", "libre"))
    orphan = _sub(client, chloe, withdrawn["id"], withdrawn["text"].replace("gratuites", "libres"))
    _ok(client.post(f"/api/v1/amendments/{withdrawn['id']}/withdraw", headers=bruno.headers))
    clashing = propose(client, chloe, two, SECOND.replace("publiées", "diffusées"))
    person = _ok(client.post(f"/api/v1/bills/{bill['slug']}/participants",
                             json={"display_name": "Marie Dupont", "username": "marie.d"}, headers=admin.headers))
    entered = _ok(client.post(f"/api/v1/articles/{two}/amendments",
                              json={"text": SECOND.replace("Elles sont", "Elles restent"), "explanation": "Dit.",
                                    "on_behalf_of": person["user"]["username"]}, headers=admin.headers))
    edit = SECOND.replace("publiées", "mises en ligne")
    assert _ok(client.post(f"/api/v1/articles/{two}/versions", headers=admin.headers,
                           json={"expected_version": 1, "message": "Correction", "text": edit}))
    scene = {"slug": bill["slug"], "articles": [one, two], "parent": parent["id"], "incorporated": incorporated["id"],
             "twins": [twin_a["id"], twin_b["id"]], "rebased": rebased["id"], "withdrawn": withdrawn["id"],
             "orphan": orphan["id"], "clashing": clashing["id"], "entered": entered["id"]}
    scene["ids"] = [scene[k] for k in ("parent", "incorporated", "rebased", "withdrawn", "orphan", "clashing",
                                       "entered")] + scene["twins"]
    return scene


CSRF = re.compile(r"[0-9a-f]{64,}")  # the session's CSRF token, in the forms and htmx's headers


def _page(client, url: str) -> str:
    """The page's main content, without its CSRF token (the header's menu depends on the account's role,
    which people restored as read-only accounts do not keep)."""
    answer = client.get(url)
    assert answer.status_code == 200, f"{url}: {answer.status_code}"
    main = answer.text[answer.text.index("<main"):answer.text.index("</main>")]
    return CSRF.sub("csrf", main)


def _desk_answers(client, db, scene) -> dict[str, Any]:
    """The public JSON and pages of every amendment of the scene, the discussion order, and the authors'
    liasse at each of its places (signed in as the bill's author)."""
    slug = scene["slug"]
    answers: dict[str, Any] = {}
    for url in [f"/api/v1/bills/{slug}/amendments", *(f"/api/v1/amendments/{i}" for i in scene["ids"]),
                *(f"/api/v1/amendments/{i}/hunks" for i in scene["ids"]),
                *(f"/api/v1/articles/{a}/amendments" for a in scene["articles"])]:
        answer = client.get(url)
        assert answer.status_code == 200, f"{url}: {answer.text}"
        answers[url] = answer.json()
    for i in scene["ids"]:
        answers[f"/amendments/{i}"] = _page(client, f"/amendments/{i}")
    sign_in(client, db, "admin")
    for at in range(1, len(answers[f"/api/v1/bills/{slug}/amendments"]) + 1):
        answers[f"/bills/{slug}/desk?at={at}"] = _page(client, f"/bills/{slug}/desk?at={at}")
    client.cookies.clear()
    return answers


def _restore(directory, empty_target, tmp_path) -> None:
    restored = navette("restore-mirror", str(directory), "--database-url", empty_target, cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr


def _restored_desk(empty_target, scene) -> dict[str, Any]:
    settings = Settings.load(database_url=empty_target, secret_key=TEST_SECRET, rate_limit_writes=0,
                             page_cache_seconds=0)
    database = Database(empty_target)
    try:
        with TestClient(app=create_app(settings)) as other_host:
            answers = _desk_answers(other_host, database, scene)
            other_host.app.state.db.dispose()
    finally:
        database.dispose()
    return answers


def test_a_restored_mirror_keeps_the_desk(api, admin, db, client, database_url, empty_target, tmp_path):
    scene = _desk_scene(api, admin, db)
    original = _desk_answers(client, db, scene)
    # What the scene is made of, as the original host shows it.
    shown = {i: original[f"/api/v1/amendments/{i}"] for i in scene["ids"]}
    subs = [scene["incorporated"], *scene["twins"], scene["rebased"]]
    assert [shown[i]["parent"] for i in subs] == [scene["parent"]] * 4
    assert shown[scene["orphan"]]["parent"] == scene["withdrawn"]
    assert [shown[i]["status"] for i in (scene["incorporated"], scene["rebased"], scene["withdrawn"],
                                         scene["orphan"], scene["clashing"])] == [
        "accepted", "open", "withdrawn", "rejected", "conflict"]
    assert shown[scene["twins"][0]]["identical_to"] == [scene["twins"][1]]
    assert (shown[scene["parent"]]["opinion"], shown[scene["twins"][0]]["opinion"]) == ("sagesse", "favorable")
    assert shown[scene["parent"]]["cosigners"] == ["bruno"]
    assert shown[scene["orphan"]]["fallen"] and shown[scene["entered"]]["entered_by"] == "admin"
    assert "sous-amendement à l" in original[f"/bills/{scene['slug']}/desk?at=2"]

    directory = tmp_path / "copy"
    made = navette("mirror", str(directory), "--database-url", database_url, "--quiet", cwd=tmp_path, timeout=180)
    assert made.returncode == 0, made.stderr
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(
        (directory / "data" / "amendments.csv").read_text(encoding="utf-8")))}
    assert [rows[i]["parent"] for i in subs] == [str(scene["parent"])] * 4
    assert (rows[scene["parent"]]["opinion"], rows[scene["entered"]]["entered_by"]) == ("sagesse", "admin")
    assert rows[scene["twins"][0]]["identical_to"] == str(scene["twins"][1])
    _restore(directory, empty_target, tmp_path)
    again = _restored_desk(empty_target, scene)
    assert again.keys() == original.keys()
    for url, answer in original.items():
        assert again[url] == answer, url


def _without_desk_fields(record: dict[str, Any]) -> None:
    for bill in record["bills"]:
        for amendment in bill["amendments"]:
            for key in ("parent", "opinions", "entered_by"):
                amendment.pop(key, None)
            for event in amendment["events"]:
                for key in ("detail", "from_version", "to_version", "previous_text"):
                    event.pop(key, None)


def test_a_record_without_the_desk_fields_still_restores(api, admin, db, database_url, empty_target, tmp_path):
    """A record written before parents, every opinion and the steps' details were exported: what it
    cannot say is left out (no parent, no reason a step gives), and the latest opinion it names comes back."""
    scene = _desk_scene(api, admin, db)
    directory = older_record(database_url, tmp_path, _without_desk_fields)
    _restore(directory, empty_target, tmp_path)
    settings = Settings.load(database_url=empty_target, secret_key=TEST_SECRET, rate_limit_writes=0,
                             page_cache_seconds=0)
    with TestClient(app=create_app(settings)) as other_host:
        listed = other_host.get(f"/api/v1/bills/{scene['slug']}/amendments").json()
        assert sorted(a["id"] for a in listed) == sorted(scene["ids"])
        assert {a["parent"] for a in listed} == {None} and {a["entered_by"] for a in listed} == {None}
        opinions = {a["id"]: a["opinion"] for a in listed if a["opinion"]}
        assert opinions == {scene["parent"]: "sagesse", scene["twins"][0]: "favorable"}
        assert other_host.get(f"/amendments/{scene['orphan']}").status_code == 200
        other_host.app.state.db.dispose()
