"""The pages of accounts people control: /me, /login/code, the participant sheet, entering on behalf."""
from __future__ import annotations

from sqlalchemy import select

from drafting.models import AuthToken
from drafting.settings import STATIC_DIR
from tests.conftest import sign_in
from tests.drafting.test_pages import csrf_token, page


def _participant(client, admin, bill, username="marie.d"):
    answer = client.post(f"/api/v1/bills/{bill['slug']}/participants",
                         json={"display_name": "Marie Dupont", "username": username}, headers=admin.headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_staff_print_a_sign_in_sheet_in_the_persons_language(client, api, admin):
    bill = api.bill(admin)
    sign_in(client, api.db, "admin")
    assert "Inscrire une personne" in page(client.get(f"/bills/{bill['slug']}")).find("section", "staff-tools").text

    answer = client.post(f"/bills/{bill['slug']}/participants",
                         data={"display_name": "Jean Martin", "language": "en", "_csrf_token": csrf_token(client)})
    assert answer.status_code == 201, answer.text
    sheet = page(answer).find("section", "sign-in-sheet")
    assert sheet.attrs["lang"] == "en"
    code = sheet.find("strong", "sign-in-code").text
    assert len(code.replace("-", "")) >= 8
    assert sheet.find("strong", "sheet-address").text == "http://testserver.local/login/code"
    assert "Hello Jean Martin," in sheet.text and "Type this code" in sheet.text
    username = sheet.find("strong", "sheet-username").text
    assert username.startswith("jean.martin-")
    assert "@media print" in (STATIC_DIR / "navette.css").read_text()

    # the person's account works with that code, once
    assert client.post("/api/v1/auth/code", json={"code": code}).status_code == 200
    listed = page(client.get(f"/bills/{bill['slug']}/participants/new")).find("section", "assisted-participants")
    assert "Jean Martin" in listed.text and username in listed.text


def test_the_person_signs_in_with_the_code_on_the_page_then_sets_a_password(client, api, admin):
    bill = api.bill(admin)
    code = _participant(client, admin, bill)["sign_in_code"]

    signed_in = client.post("/login/code", data={"code": code, "_csrf_token": csrf_token(client, "/login/code")},
                            follow_redirects=False)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/me?done=code"
    me = page(client.get("/me"))
    assert "Marie Dupont" in me.find("header").text
    form = me.find("section", "my-password").find("form")
    assert [i.attrs["name"] for i in form.find_all("input") if i.attrs.get("type") == "password"] == ["new"]

    changed = client.post("/me/password", data={"new": "ma phrase secrète", "_csrf_token": csrf_token(client, "/me")},
                          follow_redirects=False)
    assert changed.status_code == 303
    assert "mot de passe est enregistré" in page(client.get(changed.headers["location"])).find("p", "notice").text
    assert client.post("/api/v1/auth/token", json={"username": "marie.d", "password": "ma phrase secrète"}).status_code == 200

    client.cookies.clear()
    again = client.post("/login/code", data={"code": code, "_csrf_token": csrf_token(client, "/login/code")},
                        follow_redirects=False)
    assert again.status_code == 401
    assert "déjà servi" in page(again).find("p", "error").text


def test_me_lists_contributions_tokens_and_revokes_them(client, api, admin, db):
    alice = api.user("alice")
    bill = api.bill(admin)
    article = bill["articles"][0]
    amendment = client.post(f"/api/v1/articles/{article['id']}/amendments",
                            json={"text": "Un autre texte.", "title": "Plus clair"}, headers=alice.headers).json()
    argument = client.post(f"/api/v1/articles/{article['id']}/arguments",
                           json={"stance": "for", "body": "Un bon article."}, headers=alice.headers).json()
    sign_in(client, db, "alice")

    me = page(client.get("/me"))
    links = [a.attrs["href"] for a in me.find("section", "my-contributions").find_all("a")]
    assert f"/amendments/{amendment['id']}" in links
    assert f"/bills/{bill['slug']}/articles/{article['id']}#argument-{argument['id']}" in links
    rows = me.find("table", "tokens").find("tbody").find_all("tr")
    assert len(rows) == 1  # alice's API token (browser sessions are not listed)
    assert "UTC" in rows[0].find_all("td")[2].text

    action = rows[0].find("form").attrs["action"]
    assert client.post(action, data={"_csrf_token": csrf_token(client, "/me")}, follow_redirects=False).status_code == 303
    assert client.get("/api/v1/me", headers=alice.headers).status_code == 401
    assert client.get("/me").status_code == 200  # the browser session is still there


def test_a_token_id_of_someone_else_revokes_nothing(client, api, db):
    alice, bob = api.user("alice"), api.user("bob")
    with db.session() as session:
        bobs = session.scalar(select(AuthToken.id).join(AuthToken.user).where(AuthToken.kind == "api")
                              .where(AuthToken.user_id != session.scalar(select(AuthToken.user_id).limit(1))))
    sign_in(client, db, "alice")
    client.post(f"/me/tokens/{bobs}/revoke", data={"_csrf_token": csrf_token(client, "/me")})
    assert client.get("/api/v1/me", headers=bob.headers).status_code == 200
    assert client.get("/api/v1/me", headers=alice.headers).status_code == 200


def test_wrong_current_password_on_the_page_is_shown_under_the_field(client, api, db):
    api.user("alice")
    sign_in(client, db, "alice")
    answer = client.post("/me/password", data={"current": "pas le bon", "new": "une nouvelle phrase",
                                               "_csrf_token": csrf_token(client, "/me")})
    assert answer.status_code == 400
    assert "current" in page(answer).find("section", "my-password").find("p", "error").text


def test_sign_out_everywhere_ends_every_session_and_token(client, api, db):
    alice = api.user("alice")
    sign_in(client, db, "alice")
    with db.session() as session:
        from drafting.models import User
        from drafting.services import accounts

        other_session = accounts.issue_token(session, session.scalar(select(User).where(User.username == "alice")), "web")
    answer = client.post("/me/sign-out-everywhere", data={"_csrf_token": csrf_token(client, "/me")},
                         follow_redirects=False)
    assert answer.status_code == 303
    assert client.get("/api/v1/me", headers=alice.headers).status_code == 401
    client.cookies.set("navette_session", other_session)
    assert client.get("/me").status_code == 401


def test_me_needs_a_signed_in_person(client):
    assert client.get("/me").status_code == 401


def test_staff_enter_an_argument_on_behalf_from_the_article_page(client, api, admin, db):
    bill = api.bill(admin)
    article = bill["articles"][0]
    _participant(client, admin, bill)
    sign_in(client, db, "admin")
    path = f"/bills/{bill['slug']}/articles/{article['id']}"

    form = page(client.get(path)).find("form", "argument-form")
    options = [o.attrs["value"] for o in form.find("select").find_all("option")]
    assert options == ["", "marie.d"]
    answer = client.post(form.attrs["action"], data={"stance": "for", "body": "Dit en réunion publique.",
                                                     "on_behalf_of": "marie.d",
                                                     "_csrf_token": csrf_token(client, path)})
    assert answer.status_code in (200, 303)
    shown = page(client.get(path)).find("span", "entered-by").text
    assert shown == "saisi par Cabinet du ministre pour Marie Dupont Compte créé par l'équipe"
    assert client.get(f"/api/v1/articles/{article['id']}/arguments").json()[0]["author"] == "marie.d"


def test_citizens_see_no_on_behalf_choice(client, api, admin, db):
    bill = api.bill(admin)
    _participant(client, admin, bill)
    api.user("alice")
    sign_in(client, db, "alice")
    form = page(client.get(f"/bills/{bill['slug']}/articles/{bill['articles'][0]['id']}")).find("form", "argument-form")
    assert form.find_all("select") == []


def test_an_amendment_entered_on_behalf_says_so_on_its_page(client, api, admin):
    bill = api.bill(admin)
    _participant(client, admin, bill)
    amendment = client.post(f"/api/v1/articles/{bill['articles'][0]['id']}/amendments",
                            json={"text": "Texte dit en réunion.", "on_behalf_of": "marie.d"},
                            headers=admin.headers).json()
    shown = page(client.get(f"/amendments/{amendment['id']}")).find("span", "entered-by").text
    assert shown.startswith("saisi par Cabinet du ministre pour Marie Dupont")


def test_staff_propose_an_amendment_on_behalf_from_the_propose_page(client, api, admin, db):
    bill = api.bill(admin)
    article = bill["articles"][0]
    _participant(client, admin, bill)
    sign_in(client, db, "admin")
    path = f"/bills/{bill['slug']}/articles/{article['id']}/propose"
    form = page(client.get(path)).find("form", "propose-form")
    assert [o.attrs["value"] for o in form.find("select").find_all("option")] == ["", "marie.d"]

    answer = client.post(f"/bills/{bill['slug']}/articles/{article['id']}/amendments",
                         data={"kind": "modify", "base_version": "1", "text": "Texte dit en réunion publique.",
                               "explanation": "", "on_behalf_of": "marie.d", "_csrf_token": csrf_token(client, path)},
                         follow_redirects=False)
    assert answer.status_code == 303
    amendment = client.get("/api/v1" + answer.headers["location"]).json()
    assert amendment["author"] == "marie.d" and amendment["entered_by"] == "admin"
