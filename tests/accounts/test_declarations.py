"""What an organization declared of itself stays public (GET /api/v1/users/{username}/declarations):
a row at the account's creation and one at each change of its name or interests, never replaced, on
/me, in the export and in a restored copy; through HTTP."""
from __future__ import annotations

from datetime import datetime

from litestar.testing import TestClient

from drafting.app import create_app
from drafting.settings import Settings
from tests.amendments.test_desk_api import post_form, propose
from tests.conftest import TEST_SECRET, sign_in
from tests.drafting.test_cli import navette
from tests.records.test_backup import empty_target  # noqa: F401  (fixture)
from tests.records.test_restore_mirror import older_record

SYNDICAT = {"name": "Syndicat des éditeurs", "declared_interests": "Édition scientifique"}
RENAMED = {"name": "Fédération des éditeurs", "declared_interests": "Édition scientifique et revues"}


def declarations(client, username: str, status: int = 200):
    response = client.get(f"/api/v1/users/{username}/declarations")
    assert response.status_code == status, response.text
    return response.json()


def declared(client, username: str) -> list[tuple[str, str]]:
    return [(d["name"], d["declared_interests"]) for d in declarations(client, username)]


def change(client, who, organization: dict) -> None:
    response = client.patch("/api/v1/me", json={"organization": organization}, headers=who.headers)
    assert response.status_code == 200, response.text


def test_each_declaration_stays_with_its_date_oldest_first(client, api):
    organization = api.user("syndicat", kind="organization", organization=SYNDICAT)
    api.user("camille")
    first = declarations(client, "syndicat")
    assert [(d["name"], d["declared_interests"]) for d in first] == [(SYNDICAT["name"], SYNDICAT["declared_interests"])]
    assert datetime.fromisoformat(first[0]["declared_at"].replace("Z", "+00:00")).tzinfo is not None

    change(client, organization, RENAMED)
    change(client, organization, RENAMED)  # the same again: nothing new is declared
    change(client, organization, {"name": RENAMED["name"], "declared_interests": ""})
    assert declared(client, "syndicat") == [(SYNDICAT["name"], SYNDICAT["declared_interests"]),
                                            (RENAMED["name"], RENAMED["declared_interests"]),
                                            (RENAMED["name"], "")]
    stamps = [d["declared_at"] for d in declarations(client, "syndicat")]
    assert stamps == sorted(stamps) and stamps[0] == first[0]["declared_at"]  # the first one is untouched
    assert client.get("/api/v1/users/syndicat").json()["organization"] == {"name": RENAMED["name"],
                                                                           "declared_interests": ""}
    assert declarations(client, "camille") == []  # a citizen declares nothing
    assert "personne" in declarations(client, "personne", status=404)["detail"]


def test_a_refused_change_declares_nothing(client, api):
    organization = api.user("syndicat", kind="organization", organization=SYNDICAT)
    refused = client.patch("/api/v1/me", json={"organization": {"name": " "}}, headers=organization.headers)
    assert refused.status_code == 400 and "organization.name" in refused.json()["detail"]
    assert declared(client, "syndicat") == [(SYNDICAT["name"], SYNDICAT["declared_interests"])]


def test_the_account_page_lists_what_it_declared(client, api, db):
    api.user("syndicat", kind="organization", organization=SYNDICAT)
    sign_in(client, db, "syndicat")
    done = post_form(client, "/me/organization", {"organization_name": RENAMED["name"],
                                                  "declared_interests": RENAMED["declared_interests"]})
    assert done.status_code in (200, 303), done.text
    page = client.get("/me").text
    listed = page[page.index('class="declarations"'):]
    assert listed.index(RENAMED["declared_interests"]) < listed.index(">Édition scientifique<")  # newest first
    assert declared(client, "syndicat")[-1] == (RENAMED["name"], RENAMED["declared_interests"])


def _restored_declarations(empty_target: str) -> list[dict]:
    settings = Settings.load(database_url=empty_target, secret_key=TEST_SECRET, rate_limit_writes=0,
                             page_cache_seconds=0)
    with TestClient(app=create_app(settings)) as other_host:
        answer = declarations(other_host, "syndicat")
        other_host.app.state.db.dispose()
    return answer


def test_the_record_and_its_restored_copy_keep_every_declaration(client, api, admin, database_url, empty_target,
                                                                   tmp_path):
    bill = api.bill(admin)
    organization = api.user("syndicat", kind="organization", organization=SYNDICAT)
    propose(client, organization, bill["articles"][0]["id"], "Un texte que le syndicat préfère.")
    change(client, organization, RENAMED)
    original = declarations(client, "syndicat")
    directory = tmp_path / "copy"
    made = navette("export", str(directory), "--database-url", database_url, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    restored = navette("restore-mirror", str(directory), "--database-url", empty_target, cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert _restored_declarations(empty_target) == original and len(original) == 2


def test_a_record_written_before_declarations_were_kept_restores_the_latest(client, api, admin, database_url,
                                                                            empty_target, tmp_path):
    bill = api.bill(admin)
    organization = api.user("syndicat", kind="organization", organization=SYNDICAT)
    propose(client, organization, bill["articles"][0]["id"], "Un texte que le syndicat préfère.")
    change(client, organization, RENAMED)

    def without_declarations(record: dict) -> None:
        for person in record["people"]:
            person.pop("declarations", None)

    directory = older_record(database_url, tmp_path, without_declarations)
    restored = navette("restore-mirror", str(directory), "--database-url", empty_target, cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    again = _restored_declarations(empty_target)
    assert [(d["name"], d["declared_interests"]) for d in again] == [(RENAMED["name"], RENAMED["declared_interests"])]


def test_the_migration_gives_each_organization_what_it_declares_now(client, api, db, database_url):
    """0014_declarations on a database of organizations made before it: down to 0013_search (the rows are
    gone) and up again gives each organization one row, of what its account holds."""
    from alembic import command

    from drafting.migrate import alembic_config

    organization = api.user("syndicat", kind="organization", organization=SYNDICAT)
    api.user("camille")
    change(client, organization, RENAMED)
    db.dispose()
    config = alembic_config(database_url)
    command.downgrade(config, "0013_search")
    command.upgrade(config, "head")
    assert declared(client, "syndicat") == [(RENAMED["name"], RENAMED["declared_interests"])]
    assert declarations(client, "camille") == []


def test_an_organization_refused_at_sign_up_declares_nothing(client):
    for organization, field in (({"name": "Syndicat\x00", "declared_interests": ""}, "organization.name"),
                                ({"name": "Syndicat", "declared_interests": "\x00"}, "organization.declared_interests"),
                                ({"name": " ", "declared_interests": "Édition"}, "organization.name")):
        refused = client.post("/api/v1/users", json={"username": "syndicat", "password": "correct horse battery",
                                                     "kind": "organization", "organization": organization})
        assert refused.status_code == 400 and field in refused.json()["detail"], refused.text
    declarations(client, "syndicat", status=404)
