"""An organization changes its name or its declared interests (PATCH /api/v1/me): the argument maps,
kept as documents (amendments.services.argument_maps), name it as it is now, on every target where it
holds a position, in the same transaction as the change; through HTTP."""
from __future__ import annotations

import pytest

from tests.amendments.test_desk_api import post_form
from tests.argmap.test_argument_map_api import REASONS, argue, argument_map, position_of
from tests.conftest import sign_in

SYNDICAT = {"name": "Syndicat des éditeurs", "declared_interests": "Édition scientifique"}
RENAMED = {"name": "Fédération des éditeurs", "declared_interests": "Édition scientifique et revues"}


@pytest.fixture
def bill(api, admin):
    return api.bill(admin)


def change(client, who, body: dict, status: int = 200) -> dict:
    response = client.patch("/api/v1/me", json=body, headers=who.headers)
    assert response.status_code == status, response.text
    return response.json()


def test_the_maps_name_an_organization_as_it_is_after_it_changes(client, api, bill):
    first, second = bill["articles"][0]["id"], bill["articles"][1]["id"]
    organization = api.user("syndicat", kind="organization", organization=SYNDICAT)
    camille = api.user("camille")
    held = argue(client, organization, first, "against", REASONS[2][1])
    argue(client, camille, first, "against", REASONS[2][1], status=200)  # the same reason: one more supporter
    elsewhere = argue(client, organization, second, "for", REASONS[0][1])
    position = position_of(argument_map(client, first), held["id"])
    assert position["organizations"] == [SYNDICAT]

    me = change(client, organization, {"organization": RENAMED})
    assert me["organization"] == RENAMED and me["username"] == "syndicat"
    assert me["display_name"] == RENAMED["name"]  # it signed with its name: it signs with the new one
    for article_id, argument in ((first, held), (second, elsewhere)):
        position = position_of(argument_map(client, article_id), argument["id"])
        assert position["organizations"] == [RENAMED], article_id
        alone = client.get(f"/api/v1/positions/{position['id']}").json()
        assert alone["organizations"] == [RENAMED]
    page = client.get(f"/bills/{bill['slug']}/articles/{first}").text
    assert "Fédération des éditeurs" in page and "Syndicat des éditeurs" not in page
    assert client.get("/api/v1/users/syndicat").json()["organization"] == RENAMED

    # only the declared interests: the name stays
    change(client, organization, {"organization": {"name": RENAMED["name"], "declared_interests": ""}})
    position = position_of(argument_map(client, first), held["id"])
    assert position["organizations"] == [{"name": RENAMED["name"], "declared_interests": ""}]


def test_a_change_of_organization_is_checked_field_by_field(client, api):
    organization = api.user("syndicat", kind="organization", organization=SYNDICAT)
    citizen = api.user("camille")
    assert "organization.name" in change(client, organization, {"organization": {"name": "  "}}, 400)["detail"]
    too_long = {"name": "Syndicat", "declared_interests": "x" * 5001}
    assert "organization.declared_interests" in change(client, organization, {"organization": too_long}, 400)["detail"]
    assert "organization" in change(client, citizen, {"organization": SYNDICAT}, 400)["detail"]
    assert client.patch("/api/v1/me", json={"organization": SYNDICAT}).status_code == 401
    assert client.get("/api/v1/users/syndicat").json()["organization"] == SYNDICAT


def test_an_organization_changes_them_from_its_account_page(client, api, db, bill):
    first = bill["articles"][0]["id"]
    organization = api.user("syndicat", kind="organization", organization=SYNDICAT)
    api.user("camille")
    held = argue(client, organization, first, "against", REASONS[2][1])
    sign_in(client, db, "camille")
    assert 'class="my-organization"' not in client.get("/me").text  # a citizen has no such form
    client.cookies.clear()
    sign_in(client, db, "syndicat")
    page = client.get("/me").text
    assert 'value="Syndicat des éditeurs"' in page and ">Édition scientifique</textarea>" in page
    blank = post_form(client, "/me/organization", {"organization_name": " ", "declared_interests": "x"})
    assert blank.status_code == 400 and "organization.name" in blank.text
    assert position_of(argument_map(client, first), held["id"])["organizations"] == [SYNDICAT]
    done = post_form(client, "/me/organization", {"organization_name": RENAMED["name"],
                                                  "declared_interests": RENAMED["declared_interests"]})
    assert done.status_code == 303 and done.headers["location"] == "/me?done=organization"
    assert "Le nom et les intérêts déclarés de votre organisation sont enregistrés." in client.get(done.headers["location"]).text
    assert position_of(argument_map(client, first), held["id"])["organizations"] == [RENAMED]
