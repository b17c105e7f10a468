"""Role management: administrators grant and revoke the moderator and admin roles (page and API),
never their own admin role."""
from __future__ import annotations

import pytest
from litestar.testing import TestClient

from tests.conftest import sign_in
from tests.drafting.test_pages import page


def put_roles(client, username, account, **roles):
    return client.put(f"/api/v1/users/{username}/roles", json=roles, headers=account.headers)


def roles_of(client, username):
    return client.get(f"/api/v1/users/{username}").json()["roles"]


def test_an_admin_grants_and_revokes_moderator_and_admin(api, admin, client):
    api.user("camille")
    granted = put_roles(client, "camille", admin, moderator=True)
    assert granted.status_code == 200 and granted.json()["roles"] == ["moderator"]
    assert put_roles(client, "camille", admin, admin=True).json()["roles"] == ["admin", "moderator"]
    assert put_roles(client, "camille", admin, admin=False, moderator=False).json()["roles"] == []
    assert roles_of(client, "camille") == []


def test_a_new_moderator_can_moderate_and_a_new_admin_can_create_bills(api, admin, client):
    camille = api.user("camille")
    assert client.post("/api/v1/bills", json={"title": "T", "articles": [{"number": "1", "text": "x"}]},
                       headers=camille.headers).status_code == 403
    put_roles(client, "camille", admin, admin=True)
    assert client.post("/api/v1/bills", json={"title": "T", "articles": [{"number": "1", "text": "x"}]},
                       headers=camille.headers).status_code == 201


def test_an_admin_cannot_change_their_own_admin_role(api, admin, client):
    refused = put_roles(client, "admin", admin, admin=False)
    assert refused.status_code == 403 and "admin" in refused.json()["detail"]
    assert roles_of(client, "admin") == ["admin"]
    assert put_roles(client, "admin", admin, admin=True, moderator=True).json()["roles"] == ["admin", "moderator"]


@pytest.mark.parametrize("role", [None, "moderator"])
def test_only_admins_change_roles(api, admin, client, role):
    actor = api.user("dominique", role=role)
    api.user("camille")
    assert put_roles(client, "camille", actor, moderator=True).status_code == 403
    assert client.put("/api/v1/users/camille/roles", json={"moderator": True}).status_code == 401
    assert roles_of(client, "camille") == []


@pytest.mark.parametrize("body, named", [({"moderator": "yes"}, "moderator"), ({"owner": True}, "owner")])
def test_bad_role_bodies_are_400_naming_the_field(api, admin, client, body, named):
    api.user("camille")
    response = client.put("/api/v1/users/camille/roles", json=body, headers=admin.headers)
    assert response.status_code == 400 and named in response.json()["detail"]


def test_unknown_user_is_a_404(api, admin, client):
    assert put_roles(client, "personne", admin, moderator=True).status_code == 404


def test_roles_page_lists_people_and_changes_a_role_without_javascript(api, admin, client, app):
    api.user("camille", display_name="Camille Dupont")
    with TestClient(app=app) as citizen:
        sign_in(citizen, api.db, "camille")
        assert citizen.get("/admin/roles").status_code == 403
    sign_in(client, api.db, "admin")
    listed = page(client.get("/admin/roles")).find("table", "roles")
    rows = {row.attrs["id"]: row for row in listed.find_all("tr") if row.attrs.get("id")}
    assert set(rows) == {"person-admin", "person-camille"}
    own_admin = [i for i in rows["person-admin"].find_all("input") if i.attrs.get("name") == "admin"][0]
    assert "disabled" in own_admin.attrs and "checked" in own_admin.attrs

    changed = client.post("/admin/roles/camille", data={"change_admin": "1", "change_moderator": "1",
                                                        "moderator": "1",
                                                        "_csrf_token": client.cookies.get("navette_csrf")},
                          follow_redirects=False)
    assert changed.status_code == 303
    assert roles_of(client, "camille") == ["moderator"]
    # The own row's form sends no admin field: saving it keeps the admin role.
    client.post("/admin/roles/admin", data={"change_moderator": "1", "_csrf_token": client.cookies.get("navette_csrf")})
    assert roles_of(client, "admin") == ["admin"]
    forced = client.post("/admin/roles/admin", data={"change_admin": "1",
                                                     "_csrf_token": client.cookies.get("navette_csrf")})
    assert forced.status_code == 403 and roles_of(client, "admin") == ["admin"]
