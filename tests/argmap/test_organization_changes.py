"""An organization changes its name or its declared interests (PATCH /api/v1/me): the argument maps,
kept as documents (amendments.services.argument_maps), name it as it is now, on every target where it
holds a position, in the same transaction as the change; through HTTP."""
from __future__ import annotations

import pytest

from tests.argmap.test_argument_map_api import REASONS, argue, argument_map, position_of

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
