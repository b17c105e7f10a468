"""The staff pages through HTTP, without JavaScript: /bills/new, /bills/{slug}/settings, the
confirmation of opening and closing, and role management (page and API)."""
from __future__ import annotations

from litestar.testing import TestClient

from tests.conftest import sign_in
from tests.drafting.test_pages import page

TEXT = """# Projet de loi pour une cité numérique

## Titre Ier — De la circulation des données

### Chapitre Ier — Ouverture des données publiques

## Article 1er

Les administrations publient leurs données.

## Article 2 — Gratuité

La réutilisation est gratuite.

## Titre II — De la protection des personnes

## Article 3

Chacun peut demander l'effacement de ses données.
"""


def named(doc, tag: str, name: str):
    """The form field ``name``."""
    found = [e for e in doc.find_all(tag) if e.attrs.get("name") == name]
    assert found, f"no <{tag} name={name}>"
    return found[0]


def csrf(client) -> str:
    return client.cookies.get("navette_csrf")


def test_new_bill_page_is_for_administrators(api, admin, client, app):
    assert client.get("/bills/new").status_code == 401
    api.user("camille")
    with TestClient(app=app) as citizen:
        sign_in(citizen, api.db, "camille")
        assert citizen.get("/bills/new").status_code == 403
        assert "/bills/new" not in citizen.get("/").text
    sign_in(client, api.db, "admin")
    assert client.get("/bills/new").status_code == 200
    links = page(client.get("/")).find("p", "staff-links")
    assert [a.attrs["href"] for a in links.find_all("a")] == ["/bills/new", "/admin/roles"]


def test_pasted_text_is_previewed_then_created_as_a_draft(api, admin, client):
    sign_in(client, api.db, "admin")
    form = {"title": "", "slug": "", "summary": "", "language": "fr", "text": TEXT, "_csrf_token": csrf(client)}
    preview = client.post("/bills/new", data={**form, "action": "preview"}, files={"file": ("", b"")})
    assert preview.status_code == 200, preview.text
    shown = page(preview).find("section", "bill-preview")
    assert [n.text for n in shown.find_all("strong", "number")] == ["Article 1er", "Article 2", "Article 3"]
    assert [h.text for h in shown.find_all("h3")] == [
        "Titre Ier — De la circulation des données", "Chapitre Ier — Ouverture des données publiques",
        "Titre II — De la protection des personnes"]
    assert "3 articles trouvés" in shown.text
    assert named(page(preview), "textarea", "text").text == " ".join(TEXT.split())
    assert client.get("/api/v1/bills").json() == []

    created = client.post("/bills/new", data={**form, "action": "create"}, files={"file": ("", b"")},
                          follow_redirects=False)
    assert created.status_code == 303, created.text
    bill = client.get("/api/v1/bills").json()[0]
    assert created.headers["location"] == f"/bills/{bill['slug']}/settings"
    detail = client.get(f"/api/v1/bills/{bill['slug']}").json()
    assert detail["title"] == "Projet de loi pour une cité numérique" and detail["status"] == "draft"
    assert [a["number"] for a in detail["articles"]] == ["1er", "2", "3"]
    assert detail["authors"] == ["admin"]


def test_an_uploaded_file_is_imported_with_its_language(api, admin, client):
    sign_in(client, api.db, "admin")
    text = "§ 1 Zweck\n\nDieses Gesetz regelt den Zugang.\n\n§ 2\n\nJeder hat Anspruch.\n"
    response = client.post("/bills/new", data={"title": "Informationsfreiheitsgesetz", "slug": "ifg",
                                               "language": "de", "text": "", "action": "create",
                                               "_csrf_token": csrf(client)},
                           files={"file": ("ifg.md", text.encode(), "text/markdown")}, follow_redirects=False)
    assert response.status_code == 303, response.text
    bill = client.get("/api/v1/bills/ifg").json()
    assert bill["language"] == "de" and [a["number"] for a in bill["articles"]] == ["1", "2"]


def test_a_text_without_articles_or_a_bad_file_is_shown_back_with_the_error(api, admin, client):
    sign_in(client, api.db, "admin")
    base = {"title": "T", "language": "fr", "action": "create", "_csrf_token": csrf(client)}
    empty = client.post("/bills/new", data={**base, "text": "Rien ici."}, files={"file": ("", b"")})
    assert empty.status_code == 400 and page(empty).find("p", "error")
    binary = client.post("/bills/new", data={**base, "text": ""}, files={"file": ("x.md", b"\xff\xfe\x00")})
    assert binary.status_code == 400 and "file" in page(binary).find("p", "error").text
    assert client.get("/api/v1/bills").json() == []


def test_htmx_preview_answers_the_fragment_alone(api, admin, client):
    headers = sign_in(client, api.db, "admin")
    response = client.post("/bills/new", data={"text": TEXT, "action": "preview", "language": "fr"},
                           files={"file": ("", b"")}, headers={**headers, "HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="preview"') and "<html" not in response.text


def test_settings_change_the_bill_and_read_dates_as_utc(api, admin, client):
    bill = api.bill(admin, open_=False)
    sign_in(client, api.db, "admin")
    settings = client.get(f"/bills/{bill['slug']}/settings")
    assert settings.status_code == 200 and "UTC" in page(settings).find("fieldset").text
    response = client.post(f"/bills/{bill['slug']}/settings", data={
        "title": "Titre réglé", "summary": "Résumé", "language": "en",
        "consultation_opens_at": "2031-03-01T09:30", "consultation_closes_at": "2031-03-31T18:00",
        "_csrf_token": csrf(client)}, follow_redirects=False)
    assert response.status_code == 303, response.text
    body = client.get(f"/api/v1/bills/{bill['slug']}").json()
    assert (body["title"], body["summary"], body["language"]) == ("Titre réglé", "Résumé", "en")
    assert (body["consultation_opens_at"], body["consultation_closes_at"]) == ("2031-03-01T09:30:00Z", "2031-03-31T18:00:00Z")
    shown = page(client.get(f"/bills/{bill['slug']}/settings"))
    assert named(shown, "input", "consultation_opens_at").attrs["value"] == "2031-03-01T09:30"
    assert "Ouvre le 01/03/2031 à 09:30 UTC" in page(client.get(f"/bills/{bill['slug']}")).find("p", "time-left").text


def test_settings_refuse_closing_before_opening_and_show_the_form_again(api, admin, client):
    bill = api.bill(admin, open_=False)
    sign_in(client, api.db, "admin")
    response = client.post(f"/bills/{bill['slug']}/settings", data={
        "title": "Titre", "summary": "", "language": "fr",
        "consultation_opens_at": "2031-03-02T00:00", "consultation_closes_at": "2031-03-01T00:00",
        "_csrf_token": csrf(client)})
    assert response.status_code == 400
    assert "consultation_closes_at" in page(response).find("p", "error").text
    assert named(page(response), "input", "consultation_opens_at").attrs["value"] == "2031-03-02T00:00"
    assert client.get(f"/api/v1/bills/{bill['slug']}").json()["consultation_opens_at"] is None


def test_settings_are_for_the_bills_authors_and_linked_from_its_page(api, admin, client, app):
    bill = api.bill(admin)
    api.user("camille")
    with TestClient(app=app) as citizen:
        sign_in(citizen, api.db, "camille")
        assert citizen.get(f"/bills/{bill['slug']}/settings").status_code == 403
        assert f"/bills/{bill['slug']}/settings" not in citizen.get(f"/bills/{bill['slug']}").text
        refused = citizen.post(f"/bills/{bill['slug']}/settings", data={"title": "Pris", "_csrf_token": csrf(citizen)})
        assert refused.status_code == 403
    sign_in(client, api.db, "admin")
    tools = page(client.get(f"/bills/{bill['slug']}")).find("section", "staff-tools")
    assert f"/bills/{bill['slug']}/settings" in [a.attrs["href"] for a in tools.find_all("a")]


def test_a_co_author_is_added_from_the_settings(api, admin, client):
    bill = api.bill(admin)
    api.user("camille", display_name="Camille Dupont")
    sign_in(client, api.db, "admin")
    added = client.post(f"/bills/{bill['slug']}/settings/authors", data={"username": "camille",
                                                                          "_csrf_token": csrf(client)},
                        follow_redirects=False)
    assert added.status_code == 303
    assert client.get(f"/api/v1/bills/{bill['slug']}").json()["authors"] == ["admin", "camille"]
    assert "Camille Dupont" in page(client.get(f"/bills/{bill['slug']}/settings")).find("section", "authors").text
    unknown = client.post(f"/bills/{bill['slug']}/settings/authors", data={"username": "personne",
                                                                            "_csrf_token": csrf(client)})
    assert unknown.status_code == 404 and "username" in page(unknown).find("p", "error").text


def test_closing_a_consultation_from_a_page_asks_for_confirmation(api, admin, client):
    bill = api.bill(admin)
    sign_in(client, api.db, "admin")
    asked = client.post(f"/bills/{bill['slug']}/status", data={"status": "closed", "_csrf_token": csrf(client)})
    assert asked.status_code == 200
    confirm = page(asked).find("form", "confirm")
    assert named(confirm, "input", "confirm").attrs["value"] == "yes"
    assert client.get(f"/api/v1/bills/{bill['slug']}").json()["status"] == "open"

    done = client.post(f"/bills/{bill['slug']}/status", data={"status": "closed", "confirm": "yes",
                                                               "_csrf_token": csrf(client)}, follow_redirects=False)
    assert done.status_code == 303
    assert client.get(f"/api/v1/bills/{bill['slug']}").json()["status"] == "closed"
    again = client.post(f"/bills/{bill['slug']}/status", data={"status": "closed", "_csrf_token": csrf(client)})
    assert again.status_code == 409


def test_bill_page_shows_the_time_left(api, admin, client):
    from datetime import datetime, timedelta, timezone

    bill = api.bill(admin)
    closes = datetime.now(timezone.utc) + timedelta(days=3, hours=2)
    client.patch(f"/api/v1/bills/{bill['slug']}", json={"consultation_closes_at": closes.isoformat()},
                 headers=admin.headers)
    assert page(client.get(f"/bills/{bill['slug']}")).find("p", "time-left").text.split()[:4] == \
        ["Clôture", "dans", "3", "jours"]
    client.patch(f"/api/v1/bills/{bill['slug']}",
                 json={"consultation_closes_at": (datetime.now(timezone.utc) + timedelta(minutes=90)).isoformat()},
                 headers=admin.headers)
    assert page(client.get(f"/bills/{bill['slug']}")).find("p", "time-left").text.split()[:4] == \
        ["Clôture", "dans", "1", "heure"]
