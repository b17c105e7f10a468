"""Accounts through the JSON API (CONTRACT §2 Accounts): sign-up rules, tokens, what a user object shows,
and accounts a bill's author opens for people without e-mail."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from drafting.services import accounts

PASSWORD = "correct horse battery"
USER_KEYS = {"id", "username", "display_name", "kind", "organization", "roles"}


def sign_up(client, **fields):
    return client.post("/api/v1/users", json={"password": PASSWORD, **fields})


def assert_error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status_code"] == status and isinstance(body["detail"], str) and body["detail"]
    if field is not None:
        assert body["detail"].startswith(f"{field}:"), body["detail"]
        assert body["extra"]["field"] == field
    return body


@pytest.fixture(autouse=True, scope="module")
def _cheap_password_hashing():
    """argon2 with its production cost takes ~0.4 s a hash; these tests check rules, not its strength."""
    previous = accounts.configure_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    accounts.configure_hasher(previous)


# --- sign-up -------------------------------------------------------------------------------------

def test_sign_up_answers_the_user_without_password_or_email(client):
    response = sign_up(client, username="camille", display_name="Camille Martin", email="camille@example.org")

    assert response.status_code == 201, response.text
    user = response.json()
    assert USER_KEYS <= set(user)
    assert {k: user[k] for k in USER_KEYS - {"id"}} == {
        "username": "camille", "display_name": "Camille Martin", "kind": "citizen", "organization": None,
        "roles": [],
    }
    assert "email" not in user and not any("password" in key for key in user)
    assert PASSWORD not in response.text and "argon2" not in response.text


def test_display_name_defaults_to_the_username(client):
    assert sign_up(client, username="dominique").json()["display_name"] == "dominique"


def test_username_outside_the_pattern_is_400_naming_the_field(client):
    for username in ("ab", "Alice", "a" * 41, "élodie", "with space", "", "semi;colon", "tab\tname"):
        assert_error(sign_up(client, username=username), 400, "username")


def test_username_within_the_pattern_is_accepted(client):
    for username in ("abc", "a.b-c_d", "a" * 40, "007"):
        response = sign_up(client, username=username)
        assert response.status_code == 201, response.text
        assert response.json()["username"] == username


def test_password_shorter_than_eight_characters_is_400(client):
    assert_error(client.post("/api/v1/users", json={"username": "short", "password": "1234567"}), 400, "password")
    assert client.post("/api/v1/users", json={"username": "exact", "password": "12345678"}).status_code == 201


def test_password_is_required_to_sign_up(client):
    assert_error(client.post("/api/v1/users", json={"username": "nopass"}), 400, "password")
    assert_error(client.post("/api/v1/users", json={"username": "nopass", "password": ""}), 400, "password")


def test_taken_username_is_409(client):
    assert sign_up(client, username="camille").status_code == 201
    body = assert_error(sign_up(client, username="camille", display_name="Another"), 409)
    assert "camille" in body["detail"] and "taken" in body["detail"]


def test_invalid_email_and_kind_are_400_naming_the_field(client):
    assert_error(sign_up(client, username="mailer", email="not-an-address"), 400, "email")
    assert_error(sign_up(client, username="kinder", kind="robot"), 400, "kind")


def test_wrong_types_are_400_naming_the_field(client):
    assert_error(sign_up(client, username=42), 400, "username")
    assert_error(sign_up(client, username="typed", display_name=["x"]), 400, "display_name")
    assert_error(sign_up(client, username="typed", kind="organization", organization={"name": 3}), 400,
                 "organization.name")


def test_malformed_or_non_object_bodies_are_400_with_the_error_shape(client):
    for raw in (b'{"username": "x", ', b"", b"[]", b'"text"'):
        assert_error(client.post("/api/v1/users", content=raw, headers={"content-type": "application/json"}),
                     400, "body")


def test_nul_characters_are_refused_not_stored(client):
    """PostgreSQL cannot store NUL: it must be a 400 on every database, never a 500."""
    assert_error(sign_up(client, username="nul", display_name="a\u0000b"), 400, "display_name")
    assert_error(sign_up(client, username="nul", email="a\u0000b@example.org"), 400, "email")
    assert client.get("/api/v1/users/nul").status_code == 404


# --- organizations -------------------------------------------------------------------------------

def test_organization_account_requires_a_name(client):
    assert_error(sign_up(client, username="assoc", kind="organization"), 400, "organization.name")
    assert_error(sign_up(client, username="assoc", kind="organization", organization={"name": "   "}), 400,
                 "organization.name")


def test_organization_account_carries_its_name_and_declared_interests(client):
    response = sign_up(client, username="quadrature", kind="organization",
                       organization={"name": "La Quadrature du Net",
                                     "declared_interests": "Défense des libertés numériques"})

    assert response.status_code == 201, response.text
    user = response.json()
    assert user["kind"] == "organization"
    assert user["organization"] == {"name": "La Quadrature du Net",
                                    "declared_interests": "Défense des libertés numériques"}
    assert user["display_name"] == "La Quadrature du Net"


def test_citizen_account_ignores_an_organization_block(client):
    user = sign_up(client, username="citizen", organization={"name": "Ghost"}).json()
    assert user["kind"] == "citizen" and user["organization"] is None


# --- tokens and /me -------------------------------------------------------------------------------

def test_token_with_good_credentials_authenticates_me(client):
    sign_up(client, username="camille", email="camille@example.org")
    token = client.post("/api/v1/auth/token", json={"username": "camille", "password": PASSWORD})

    assert token.status_code == 200 and set(token.json()) == {"token"}
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.json()['token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "camille"
    assert me.json()["email"] == "camille@example.org"  # one's own address only
    assert not any("password" in key for key in me.json())


def test_token_with_bad_credentials_is_401(client):
    sign_up(client, username="camille")
    for username, password in (("camille", "wrong password"), ("nobody", PASSWORD), ("Camille", PASSWORD),
                               ("cam\u0000ille", PASSWORD), ("camille", "")):
        body = assert_error(client.post("/api/v1/auth/token", json={"username": username, "password": password}),
                            401)
        assert body["detail"] == "bad username or password"


def test_token_request_missing_a_field_is_400(client):
    assert_error(client.post("/api/v1/auth/token", json={"username": "camille"}), 400, "password")


def test_me_without_or_with_a_bad_token_is_401(client):
    assert_error(client.get("/api/v1/me"), 401)
    assert_error(client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"}), 401)
    assert_error(client.get("/api/v1/me", headers={"Authorization": "Basic Y2FtaWxsZTp4"}), 401)


def test_roles_show_in_the_user_object(api, client):
    admin = api.user("boss", role="admin")
    moderator = api.user("modo", role="moderator")
    assert client.get("/api/v1/me", headers=admin.headers).json()["roles"] == ["admin"]
    assert client.get("/api/v1/me", headers=moderator.headers).json()["roles"] == ["moderator"]


def test_another_users_object_never_shows_their_email(api, client):
    api.user("camille", email="camille@example.org")
    bob = api.user("bob")
    for headers in ({}, bob.headers):
        response = client.get("/api/v1/users/camille", headers=headers)
        assert response.status_code == 200
        assert "email" not in response.json() and "camille@example.org" not in response.text
    assert_error(client.get("/api/v1/users/nobody"), 404)


# --- accounts opened by a bill's author ------------------------------------------------------------

def test_bill_author_opens_an_account_without_email_or_password(api, admin, client):
    api.bill(admin)
    response = client.post("/api/v1/users", json={"username": "mme-dupont", "display_name": "Mme Dupont"},
                           headers=admin.headers)

    assert response.status_code == 201, response.text
    user = response.json()
    assert user["username"] == "mme-dupont" and user["display_name"] == "Mme Dupont"
    assert user["created_by_staff"] is True
    assert client.get("/api/v1/users/mme-dupont").json()["created_by_staff"] is True
    # Nobody can sign in to it with a password until one is set.
    for password in ("", PASSWORD):
        assert client.post("/api/v1/auth/token", json={"username": "mme-dupont", "password": password}
                           ).status_code == 401


def test_co_author_of_a_bill_can_open_accounts(api, admin, client):
    bill = api.bill(admin)
    author = api.user("redactrice")
    assert client.post(f"/api/v1/bills/{bill['slug']}/authors", json={"username": "redactrice"},
                       headers=admin.headers).status_code == 201

    response = client.post("/api/v1/users", json={"username": "m-leroy"}, headers=author.headers)
    assert response.status_code == 201, response.text
    assert response.json()["created_by_staff"] is True


def test_citizen_cannot_open_accounts_for_others(api, admin, client):
    api.bill(admin)
    citizen = api.user("camille")
    assert_error(client.post("/api/v1/users", json={"username": "m-leroy"}, headers=citizen.headers), 403)
    assert client.get("/api/v1/users/m-leroy").status_code == 404


def test_accounts_signed_up_by_people_are_not_marked_as_staff_made(api, admin, client):
    with_password = client.post("/api/v1/users", json={"username": "self-made", "password": PASSWORD},
                                headers=admin.headers)
    assert with_password.status_code == 201 and with_password.json()["created_by_staff"] is False


def test_assisted_account_with_a_taken_name_is_409(api, admin, client):
    api.bill(admin)
    api.user("camille")
    assert_error(client.post("/api/v1/users", json={"username": "camille"}, headers=admin.headers), 409)
