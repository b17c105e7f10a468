"""The reading and account pages (CONTRACT §5) over HTTP: what a person sees, the CSRF protection of
every form, htmx served by the site itself, labels on organizations and staff-made accounts."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from argon2 import PasswordHasher
from litestar.testing import TestClient

from drafting.services import accounts
from drafting.settings import STATIC_DIR
from tests.conftest import sign_in
from tests.conftest import corpus_path

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True, scope="module")
def _cheap_password_hashing():
    """argon2 with its production cost takes ~0.4 s a hash; these tests check pages, not its strength."""
    previous = accounts.configure_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    accounts.configure_hasher(previous)


# --- reading HTML like a person ------------------------------------------------------------------

class Element:
    def __init__(self, tag: str, attrs: dict[str, str], parent: "Element | None"):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element | str] = []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    @property
    def text(self) -> str:
        """The visible text, spaces collapsed."""
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join(" ".join(parts).split())

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list["Element"]:
        found = []
        for child in self.children:
            if isinstance(child, Element):
                if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                    found.append(child)
                found += child.find_all(tag, cls)
        return found

    def find(self, tag: str | None = None, cls: str | None = None) -> "Element":
        found = self.find_all(tag, cls)
        assert found, f"no <{tag} class={cls}> in the page"
        return found[0]


class _Builder(HTMLParser):
    VOID = {"meta", "link", "input", "br", "img", "hr", "source", "area", "base", "col", "embed", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#document", {}, None)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in self.VOID:
            self.current = element

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def page(response) -> Element:
    assert response.headers["content-type"].startswith("text/html"), response.headers["content-type"]
    builder = _Builder()
    builder.feed(response.text)
    return builder.root


def csrf_token(client, path: str = "/login") -> str:
    """The token every page hands to htmx (and to its forms) for this client's CSRF cookie."""
    return json.loads(page(client.get(path)).find("main").attrs["hx-headers"])["X-CSRFToken"]


def log_in_with_form(client, username: str, password: str = PASSWORD):
    """The login form, as a browser posts it (other tests open a session with tests.conftest.sign_in)."""
    response = client.post("/login", data={"username": username, "password": password,
                                           "_csrf_token": csrf_token(client)}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response


# --- home ----------------------------------------------------------------------------------------

def test_home_lists_bills_by_status(api, admin, client):
    bills = {
        "open": api.bill(admin, title="Projet ouvert à la consultation"),
        "draft": api.bill(admin, title="Projet encore en brouillon", open_=False),
        "closed": api.bill(admin, title="Projet dont la consultation est close"),
    }
    client.post(f"/api/v1/bills/{bills['closed']['slug']}/status", json={"status": "closed"}, headers=admin.headers)

    home = page(client.get("/"))

    sections = {s.find("h2").text: s for s in home.find_all("section", "bills")}
    assert list(sections) == ["En consultation", "Brouillons", "Consultations closes"]
    for heading, status in (("En consultation", "open"), ("Brouillons", "draft"), ("Consultations closes", "closed")):
        links = sections[heading].find_all("a")
        assert [a.text for a in links] == [bills[status]["title"]]
        assert links[0].attrs["href"] == f"/bills/{bills[status]['slug']}"
        assert "2 articles" in sections[heading].text


def test_home_without_bills_says_so(client):
    assert "Aucun projet de loi pour l'instant." in page(client.get("/")).find("main").text


# --- bill page -----------------------------------------------------------------------------------

def _republique_numerique_markdown() -> tuple[str, list[dict]]:
    """The 2015 consultation bill as a person would paste it: one heading per section, then its articles."""
    articles = json.loads(corpus_path("bills", "fr_republique_numerique_consultation_2015.json")
                          .read_text(encoding="utf-8"))["articles"]
    parts, section = ["# Projet de loi pour une République numérique"], None
    for article in articles:
        if article["section"] != section:
            section = article["section"]
            parts.append(f"## {section}")
        parts.append(f"### Article {article['number']} – {article['heading']}")
        parts.append(article["text"])
    return "\n\n".join(parts) + "\n", articles


def test_bill_page_shows_the_table_of_contents_by_division(api, admin, client):
    markdown, articles = _republique_numerique_markdown()
    bill = api.bill(admin, title="Projet de loi pour une République numérique", markdown=markdown)
    assert len(bill["articles"]) == 30

    toc = page(client.get(f"/bills/{bill['slug']}")).find("nav", "toc")

    divisions = toc.find_all("section", "division")
    runs: list[tuple[str, list[str]]] = []
    for article in articles:
        if not runs or runs[-1][0] != article["section"]:
            runs.append((article["section"], []))
        runs[-1][1].append(article["number"])
    assert len(divisions) == len(runs) == 18
    for division, (section, numbers) in zip(divisions, runs):
        label, _, heading = section.partition(" - ")
        assert division.find("h3").text == f"{label} — {heading}"
        links = division.find_all("a")
        assert [a.text for a in links] == [f"Article {n}" for n in numbers]
    ids = [a["id"] for a in bill["articles"]]
    hrefs = [a.attrs["href"] for a in toc.find_all("a")]
    assert hrefs == [f"/bills/{bill['slug']}/articles/{i}" for i in ids]
    assert "Open data par défaut" in toc.text


def test_bill_page_shows_the_whole_text_article_by_article_under_its_divisions(api, admin, client):
    markdown, articles = _republique_numerique_markdown()
    bill = api.bill(admin, title="Projet de loi pour une République numérique", markdown=markdown)
    text = page(client.get(f"/bills/{bill['slug']}")).find("section", "bill-text")

    shown = text.find_all("section", "bill-article")
    assert [s.find("h4").text for s in shown] == [f"Article {a['number']} — {a['heading']}" for a in articles]
    for section, article, created in zip(shown, articles, bill["articles"]):
        assert section.attrs["id"] == f"article-{created['id']}"
        words = " ".join(article["text"].split())[:80].replace("*", "")
        assert words[:40] in " ".join(section.find("div", "law-text").text.split())
        assert section.find("a").attrs["href"] == f"/bills/{bill['slug']}/articles/{created['id']}"
    assert [d.find("h3").text.split(" — ")[0] for d in text.find_all("section", "division")][:2] == \
        [articles[0]["section"].partition(" - ")[0], next(a["section"] for a in articles
                                                          if a["section"] != articles[0]["section"]).partition(" - ")[0]]


def test_bill_page_text_renders_markdown_with_raw_html_off(api, admin, client):
    bill = api.bill(admin, articles=[{"number": "1er", "heading": "Open data",
                                      "text": "Publier **en ligne**.\n\n<script>alert('pirate')</script>"}])
    response = client.get(f"/bills/{bill['slug']}")
    law = page(response).find("section", "bill-text").find("div", "law-text")
    assert law.find("strong").text == "en ligne"
    assert law.find_all("script") == [] and "<script>alert('pirate')</script>" in law.text
    assert "<script>alert" not in response.text


def test_bill_page_shows_status_dates_counts_and_authors(api, admin, client):
    bill = api.bill(admin, title="Projet de loi relatif à la transparence", summary="Un résumé **important**.")
    opened = client.get(f"/api/v1/bills/{bill['slug']}").json()["consultation_opens_at"]
    day = f"{opened[8:10]}/{opened[5:7]}/{opened[:4]}"

    main = page(client.get(f"/bills/{bill['slug']}")).find("main")

    assert main.find("h1").text == "Projet de loi relatif à la transparence"
    status = main.find("p", "status")
    assert "status-open" in status.classes
    assert status.text == f"ouvert · Ouverture {day} · 2 articles"
    assert main.find("p", "authors").text == "Auteurs : Cabinet du ministre"
    assert main.find("div", "summary").find("strong").text == "important"
    assert "v1 · 0 modification · 0 vote" in main.find("nav", "toc").text
    versions = main.find("section", "bill-versions")
    assert "Version 1" in versions.text and "Texte soumis à la consultation" in versions.text


def test_closed_bill_page_shows_the_closing_date(api, admin, client):
    bill = api.bill(admin)
    closed = client.post(f"/api/v1/bills/{bill['slug']}/status", json={"status": "closed"},
                         headers=admin.headers).json()["consultation_closes_at"]
    status = page(client.get(f"/bills/{bill['slug']}")).find("p", "status").text
    assert status.startswith("clos · Ouverture ")
    assert f"Clôture {closed[8:10]}/{closed[5:7]}/{closed[:4]}" in status


def test_authors_see_their_tools_and_citizens_do_not(api, admin, client, app):
    bill = api.bill(admin, open_=False)
    api.user("camille")
    assert "staff-tools" not in client.get(f"/bills/{bill['slug']}").text
    with TestClient(app=app) as citizen:
        sign_in(citizen, api.db, "camille")
        assert page(citizen.get(f"/bills/{bill['slug']}")).find_all("section", "staff-tools") == []
    sign_in(client, api.db, "admin")
    tools = page(client.get(f"/bills/{bill['slug']}")).find("section", "staff-tools")
    assert "Ouvrir la consultation" in tools.text


def test_author_opens_the_consultation_from_the_bill_page(api, admin, client):
    bill = api.bill(admin, open_=False)
    sign_in(client, api.db, "admin")
    token = csrf_token(client, f"/bills/{bill['slug']}")
    asked = client.post(f"/bills/{bill['slug']}/status", data={"status": "open", "_csrf_token": token})
    assert asked.status_code == 200 and "Oui, ouvrir la consultation" in asked.text  # a confirmation first
    assert client.get(f"/api/v1/bills/{bill['slug']}").json()["status"] == "draft"
    response = client.post(f"/bills/{bill['slug']}/status",
                           data={"status": "open", "confirm": "yes", "_csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/bills/{bill['slug']}"
    assert client.get(f"/api/v1/bills/{bill['slug']}").json()["status"] == "open"
    assert [v["seq"] for v in client.get(f"/api/v1/bills/{bill['slug']}/versions").json()] == [1]


def test_unknown_bill_or_article_is_an_html_404(api, admin, client):
    other = api.bill(admin, title="Autre projet")
    bill = api.bill(admin)
    for path in ("/bills/inconnu", f"/bills/{bill['slug']}/articles/999999",
                 f"/bills/{bill['slug']}/articles/{other['articles'][0]['id']}",
                 f"/bills/{bill['slug']}/articles/99999999999999999999"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert page(response).find("h1").text == "Page introuvable"


# --- article page --------------------------------------------------------------------------------

def test_article_page_renders_markdown_with_raw_html_off(api, admin, client):
    text = ("Les administrations publient **en ligne** :\n\n1. leurs données ;\n2. leurs codes sources.\n\n"
            "<script>alert('pirate')</script> <img src=x onerror=alert(1)> [lien](javascript:alert(1))")
    bill = api.bill(admin, articles=[{"number": "1er", "heading": "Open data", "text": text}])

    response = client.get(f"/bills/{bill['slug']}/articles/{bill['articles'][0]['id']}")

    law = page(response).find("div", "law-text")
    assert law.find("strong").text == "en ligne"
    assert [li.text for li in law.find_all("li")] == ["leurs données ;", "leurs codes sources."]
    assert law.find_all("script") == [] and law.find_all("img") == []
    assert "<script>alert('pirate')</script>" in law.text  # shown as text, as written
    assert "javascript:" not in " ".join(a.attrs.get("href", "") for a in law.find_all("a"))
    assert "<script>alert" not in response.text


def test_article_page_shows_the_head_and_its_versions(api, admin, client):
    bill = api.bill(admin)
    article = bill["articles"][0]
    assert client.post(f"/api/v1/articles/{article['id']}/versions",
                       json={"expected_version": 1, "message": "Précision du champ", "text": "Nouvelle rédaction."},
                       headers=admin.headers).status_code == 201

    main = page(client.get(f"/bills/{bill['slug']}/articles/{article['id']}")).find("main")

    assert main.find("h1").text == "Article 1 Objet"
    assert main.find("div", "law-text").text == "Nouvelle rédaction."
    assert main.find("p", "meta").text.startswith("version 2 · ")
    items = main.find("section", "versions").find_all("li")
    assert [li.text.split(" — ")[0] for li in items] == ["version 2", "version 1"]
    assert "Précision du champ" in items[0].text and "Texte initial" in items[1].text
    assert main.find("p", "crumbs").find("a").attrs["href"] == f"/bills/{bill['slug']}"


# --- organizations and staff-made accounts ---------------------------------------------------------

def test_organization_is_labelled_where_it_authored(api, admin, client):
    org = api.user("quadrature", kind="organization", display_name="La Quadrature",
                   organization={"name": "La Quadrature du Net", "declared_interests": "Libertés numériques"})
    bill = api.bill(admin)
    article = bill["articles"][0]
    client.post(f"/api/v1/bills/{bill['slug']}/authors", json={"username": "quadrature"}, headers=admin.headers)
    assert client.post(f"/api/v1/articles/{article['id']}/versions",
                       json={"expected_version": 1, "message": "Notre rédaction", "text": "Texte de l'organisation."},
                       headers=org.headers).status_code == 201

    authors = page(client.get(f"/bills/{bill['slug']}")).find("p", "authors")
    badge = authors.find("span", "org-badge")
    assert badge.text == "Organisation : La Quadrature du Net"
    assert badge.attrs["title"] == "Libertés numériques"
    versions = page(client.get(f"/bills/{bill['slug']}/articles/{article['id']}")).find("section", "versions")
    newest, oldest = versions.find_all("li")
    assert "La Quadrature" in newest.text and newest.find("span", "org-badge").text == \
        "Organisation : La Quadrature du Net"
    assert oldest.find_all("span", "org-badge") == []


def test_bill_author_opens_an_account_on_the_participant_page(api, admin, client):
    bill = api.bill(admin)
    sign_in(client, api.db, "admin")
    form = page(client.get(f"/bills/{bill['slug']}/participants/new")).find("main").find("form")
    assert form.attrs["action"] == f"/bills/{bill['slug']}/participants"
    token = form.find("input").attrs["value"]

    response = client.post(f"/bills/{bill['slug']}/participants",
                           data={"username": "mme-dupont", "display_name": "Mme Dupont", "kind": "citizen",
                                 "_csrf_token": token})

    assert response.status_code == 201, response.text
    notice = page(response).find("p", "notice")
    assert "mme-dupont" in notice.text and "Mme Dupont" in notice.text
    assert notice.find("span", "staff-made").text == "Compte créé par l'équipe"
    assert client.get("/api/v1/users/mme-dupont").json()["created_by_staff"] is True

    again = client.post(f"/bills/{bill['slug']}/participants",
                        data={"username": "mme-dupont", "display_name": "Mme D.", "_csrf_token": token})
    assert again.status_code == 409
    assert "déjà pris" in page(again).find("p", "error").text  # the domain error, in French
    assert [i.attrs.get("value") for i in page(again).find("main").find("form").find_all("input")
            if i.attrs.get("name") == "username"] == ["mme-dupont"]  # the form again, as it was filled


def test_staff_made_account_is_labelled_where_it_authored(api, admin, client):
    bill = api.bill(admin)
    client.post("/api/v1/users", json={"username": "m-leroy", "display_name": "M. Leroy"}, headers=admin.headers)
    client.post(f"/api/v1/bills/{bill['slug']}/authors", json={"username": "m-leroy"}, headers=admin.headers)
    authors = page(client.get(f"/bills/{bill['slug']}")).find("p", "authors")
    assert "M. Leroy" in authors.text
    assert authors.find("span", "staff-made").text == "Compte créé par l'équipe"


def test_citizen_and_anonymous_cannot_open_accounts_on_the_page(api, admin, client, app):
    bill = api.bill(admin)
    api.user("camille")
    anonymous = client.get(f"/bills/{bill['slug']}/participants/new")
    assert anonymous.status_code == 401
    assert page(anonymous).find("main").find_all("a")[0].attrs["href"] == \
        f"/login?next=/bills/{bill['slug']}/participants/new"
    sign_in(client, api.db, "camille")
    assert client.get(f"/bills/{bill['slug']}/participants/new").status_code == 403
    response = client.post(f"/bills/{bill['slug']}/participants",
                           data={"username": "intrus", "kind": "citizen", "_csrf_token": csrf_token(client)})
    assert response.status_code == 403
    assert client.get("/api/v1/users/intrus").status_code == 404


# --- htmx from the site itself ------------------------------------------------------------------

def test_pages_load_htmx_from_the_site_itself(api, admin, client):
    bill = api.bill(admin)
    for path in ("/", f"/bills/{bill['slug']}", f"/bills/{bill['slug']}/articles/{bill['articles'][0]['id']}",
                 "/login", "/register"):
        scripts = [s.attrs.get("src") for s in page(client.get(path)).find_all("script")]
        assert scripts == ["/static/htmx.min.js"], (path, scripts)

    served = client.get("/static/htmx.min.js")

    assert served.status_code == 200
    assert "javascript" in served.headers["content-type"]
    assert served.content == (STATIC_DIR / "htmx.min.js").read_bytes()
    assert re.search(rb'version:"2\.', served.content)


def test_pages_send_the_csrf_token_to_htmx_as_a_header(client):
    main = page(client.get("/login")).find("main")
    form_token = main.find("form").find("input").attrs["value"]
    assert json.loads(main.attrs["hx-headers"]) == {"X-CSRFToken": form_token}


# --- sign-in, sign-up, CSRF ----------------------------------------------------------------------

def test_login_and_register_forms_carry_the_csrf_token(client):
    for path in ("/login", "/register"):
        form = page(client.get(path)).find("main").find("form")
        hidden = form.find_all("input")[0]
        assert (hidden.attrs["type"], hidden.attrs["name"]) == ("hidden", "_csrf_token")
        assert len(hidden.attrs["value"]) > 32
        assert form.attrs["method"] == "post"


def test_post_without_the_csrf_token_is_refused(api, client):
    api.user("camille")
    client.get("/login")  # the CSRF cookie alone is not enough

    refused = client.post("/login", data={"username": "camille", "password": PASSWORD}, follow_redirects=False)
    assert refused.status_code == 403
    assert "navette_session" not in refused.cookies
    forged = client.post("/login", data={"username": "camille", "password": PASSWORD, "_csrf_token": "forged"},
                         follow_redirects=False)
    assert forged.status_code == 403

    refused = client.post("/register", data={"username": "intrus", "password": PASSWORD, "kind": "citizen"})
    assert refused.status_code == 403
    assert client.get("/api/v1/users/intrus").status_code == 404


def test_login_with_the_csrf_token_sets_the_session_cookie(api, client):
    api.user("camille", display_name="Camille Martin")

    response = log_in_with_form(client, "camille")

    assert response.headers["location"] == "/"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("navette_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    header = page(client.get("/")).find("header")
    assert "Connecté en tant que Camille Martin" in header.text


def test_login_returns_to_the_page_it_came_from_but_never_off_site(api, admin, client):
    bill = api.bill(admin)
    api.user("camille")
    login_link = next(a for a in page(client.get(f"/bills/{bill['slug']}")).find("header").find_all("a")
                      if a.text == "Se connecter")
    assert login_link.attrs["href"] == f"/login?next=/bills/{bill['slug']}"
    assert page(client.get(login_link.attrs["href"])).find("main").find_all("input")[1].attrs["value"] == \
        f"/bills/{bill['slug']}"
    for target, landing in ((f"/bills/{bill['slug']}", f"/bills/{bill['slug']}"),
                            ("https://evil.example/", "/"), ("//evil.example/", "/"),
                            ("/\\evil.example/", "/"), ("/\t/evil.example/", "/")):
        response = client.post("/login", data={"username": "camille", "password": PASSWORD, "next": target,
                                               "_csrf_token": csrf_token(client)}, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, landing), target


def test_login_with_a_bad_password_shows_the_form_again(api, client):
    api.user("camille")
    response = client.post("/login", data={"username": "camille", "password": "wrong password",
                                           "_csrf_token": csrf_token(client)}, follow_redirects=False)
    assert response.status_code == 400
    main = page(response).find("main")
    assert main.find("p", "error").text == "Identifiant ou mot de passe incorrect."
    assert [i.attrs.get("value") for i in main.find_all("input") if i.attrs.get("name") == "username"] == ["camille"]
    assert "navette_session" not in response.cookies


def test_register_creates_the_account_and_signs_in(client):
    response = client.post("/register", data={
        "username": "quadrature", "password": PASSWORD, "display_name": "La Quadrature", "kind": "organization",
        "organization_name": "La Quadrature du Net", "declared_interests": "Libertés", "email": "",
        "_csrf_token": csrf_token(client, "/register")}, follow_redirects=False)

    assert response.status_code == 303, response.text
    who = page(client.get("/")).find("span", "who")
    assert "La Quadrature" in who.text
    assert who.find("span", "org-badge").text == "Organisation : La Quadrature du Net"
    user = client.get("/api/v1/users/quadrature").json()
    assert user["organization"] == {"name": "La Quadrature du Net", "declared_interests": "Libertés"}


def test_register_errors_show_the_form_again_with_the_values(client):
    response = client.post("/register", data={
        "username": "Pas Valide", "password": PASSWORD, "display_name": "Camille", "kind": "citizen",
        "_csrf_token": csrf_token(client, "/register")})
    assert response.status_code == 400
    main = page(response).find("main")
    assert main.find("p", "error").text.startswith("username:")
    values = {i.attrs.get("name"): i.attrs.get("value") for i in main.find_all("input")}
    assert values["username"] == "Pas Valide" and values["display_name"] == "Camille"


def test_logout_ends_the_session(api, client):
    api.user("camille", display_name="Camille Martin")
    sign_in(client, api.db, "camille")
    session = client.cookies.get("navette_session")

    response = client.post("/logout", headers={"X-CSRFToken": csrf_token(client, "/")}, follow_redirects=False)

    assert response.status_code == 303
    assert "Camille Martin" not in page(client.get("/")).find("header").text
    client.cookies.set("navette_session", session)  # the old cookie no longer signs anyone in
    assert "Camille Martin" not in page(client.get("/")).find("header").text


# --- languages -----------------------------------------------------------------------------------

def test_english_is_available_through_lang_en(client):
    response = client.get("/lang/en?next=/login", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login")
    assert "lang=en" in response.headers["set-cookie"]

    login = client.get("/login")
    document = page(login)
    assert document.find("html").attrs["lang"] == "en"
    assert document.find("h1").text == "Sign in"
    assert "Username" in document.find("main").find("form").text
    assert "Français" in document.find("header").text

    assert client.get("/lang/fr?next=/").status_code == 200
    assert page(client.get("/login")).find("h1").text == "Se connecter"


def test_french_is_the_default_and_unknown_languages_are_refused(client):
    assert page(client.get("/")).find("html").attrs["lang"] == "fr"
    assert client.get("/lang/xx", follow_redirects=False).status_code == 400
    assert client.get("/lang/en?next=https://evil.example/", follow_redirects=False).headers["location"] == "/"
