"""Bills, articles and their versions through the JSON API (CONTRACT §2 Bills and articles, Bill versions),
with the error statuses the contract promises for bad input."""
from __future__ import annotations

import json

import pytest
from argon2 import PasswordHasher

from drafting.services import accounts


@pytest.fixture(autouse=True, scope="module")
def _cheap_password_hashing():
    """argon2 with its production cost takes ~0.4 s a hash; these tests check rules, not its strength."""
    previous = accounts.configure_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    accounts.configure_hasher(previous)


def assert_error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status_code"] == status and isinstance(body["detail"], str) and body["detail"]
    if field is not None:
        assert body["detail"].startswith(f"{field}:"), body["detail"]
    return body


def post_bill(client, headers, **body):
    body.setdefault("title", "Projet de loi relatif à la transparence")
    if "markdown" not in body:
        body.setdefault("articles", [{"number": "1", "text": "Texte."}])
    return client.post("/api/v1/bills", json=body, headers=headers)


def new_version(client, article_id, headers, expected, text, message="Rédaction plus claire"):
    return client.post(f"/api/v1/articles/{article_id}/versions",
                       json={"expected_version": expected, "message": message, "text": text}, headers=headers)


# --- who may create bills -----------------------------------------------------------------------

def test_anonymous_caller_gets_401_on_bill_creation(client):
    assert_error(post_bill(client, {}), 401)
    assert_error(post_bill(client, {"Authorization": "Bearer forged"}), 401)
    assert client.get("/api/v1/bills").json() == []


def test_citizen_and_moderator_get_403_on_bill_creation(api, client):
    for account in (api.user("camille"), api.user("modo", role="moderator")):
        assert_error(post_bill(client, account.headers), 403)
    assert client.get("/api/v1/bills").json() == []


# --- creating bills -----------------------------------------------------------------------------

def test_created_bill_gives_article_texts_back_verbatim_with_only_line_endings_normalised(admin, client):
    texts = [
        "I. – Le code est ainsi modifié :\r\n\r\n1° À l’article L. 300-1, les mots : « public » sont supprimés ;\r\n",
        "  Alinéa indenté\tavec tabulation  \rligne après un CR seul\n\n\n",
        "**Pas** de _rendu_ ici : <b>le texte</b> & les \"guillemets\" restent tels quels.",
    ]
    response = post_bill(client, admin.headers, title="Projet de loi verbatim", summary="Résumé **court**.",
                         articles=[{"number": "1er", "heading": "Objet", "text": texts[0]},
                                   {"number": "2 bis", "text": texts[1]},
                                   {"number": "L. 123-4", "heading": "", "text": texts[2]}])

    assert response.status_code == 201, response.text
    bill = response.json()
    expected = [t.replace("\r\n", "\n").replace("\r", "\n") for t in texts]
    assert [a["text"] for a in bill["articles"]] == expected
    assert [(a["number"], a["heading"], a["version"]) for a in bill["articles"]] == [
        ("1er", "Objet", 1), ("2 bis", "", 1), ("L. 123-4", "", 1)]
    assert (bill["title"], bill["summary"], bill["status"], bill["authors"], bill["versions"]) == (
        "Projet de loi verbatim", "Résumé **court**.", "draft", ["admin"], [])
    fetched = client.get(f"/api/v1/bills/{bill['slug']}").json()
    assert [a["text"] for a in fetched["articles"]] == expected
    for article, text in zip(bill["articles"], expected):
        assert client.get(f"/api/v1/articles/{article['id']}").json()["text"] == text
        assert client.get(f"/api/v1/articles/{article['id']}/versions/1").json()["text"] == text


def test_article_object_has_the_contract_fields(api, admin, client):
    bill = api.bill(admin, open_=False)
    article = client.get(f"/api/v1/articles/{bill['articles'][0]['id']}").json()
    assert {"id", "bill", "number", "heading", "position", "version", "text", "votes"} <= set(article)
    assert article["bill"] == bill["slug"]
    assert article["votes"] == {"agree": 0, "mixed": 0, "disagree": 0}
    positions = [a["position"] for a in bill["articles"]]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)


def test_bill_is_created_from_markdown(admin, client):
    markdown = ("# Projet de loi pour une République numérique\r\n\r\n"
                "## TITRE IER – LA CIRCULATION DES DONNÉES\r\n\r\n"
                "### Chapitre Ier – Économie de la donnée\r\n\r\n"
                "#### Article 1er – Open data par défaut\r\n\r\n"
                "Les administrations diffusent en ligne les documents suivants :\r\n\r\n"
                "« Art. L. 312-1. – Les documents administratifs sont publiés. »\r\n\r\n"
                "#### Article 2\r\n\r\nLe code source est un document administratif.\r\n")
    response = post_bill(client, admin.headers, title="République numérique", markdown=markdown)

    assert response.status_code == 201, response.text
    articles = response.json()["articles"]
    assert [(a["number"], a["heading"]) for a in articles] == [("1er", "Open data par défaut"), ("2", "")]
    assert articles[0]["text"] == ("Les administrations diffusent en ligne les documents suivants :\n\n"
                                   "« Art. L. 312-1. – Les documents administratifs sont publiés. »")
    assert articles[1]["text"] == "Le code source est un document administratif."


def test_text_with_no_article_is_400_saying_so(admin, client):
    body = assert_error(post_bill(client, admin.headers, markdown="Exposé des motifs\n\nUn texte sans article.\n"),
                        400, "markdown")
    assert "no article found" in body["detail"]  # English by default; in French for Accept-Language: fr
    french = client.post("/api/v1/bills", headers={**admin.headers, "Accept-Language": "fr"},
                         json={"slug": "sans-article", "title": "Sans article", "markdown": "Un texte sans article.\n"})
    assert french.status_code == 400 and "aucun article reconnu" in french.json()["detail"]
    assert client.get("/api/v1/bills").json() == []


def test_bill_needs_articles_or_markdown_but_not_both(admin, client):
    assert_error(client.post("/api/v1/bills", json={"title": "Sans texte"}, headers=admin.headers), 400, "articles")
    assert_error(post_bill(client, admin.headers, markdown="Article 1\n\nTexte.",
                           articles=[{"number": "1", "text": "Texte."}]), 400, "articles")
    assert_error(post_bill(client, admin.headers, articles=[]), 400, "articles")


INVALID_FIELDS = [
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 301}, "title"),
    ({"slug": "Pas Un Slug"}, "slug"),
    ({"slug": "double--dash"}, "slug"),
    ({"articles": [{"number": "", "text": "Texte."}]}, "articles[0].number"),
    ({"articles": [{"number": "1", "text": "Texte."}, {"number": "2", "text": "x" * 100_001}]}, "articles[1].text"),
    ({"articles": [{"number": "1", "text": "Texte \u0000 nul."}]}, "articles[0].text"),
    ({"markdown": "Article 1\n\nTexte \u0000 nul."}, "markdown"),
]


def test_invalid_fields_are_400_naming_the_field_and_nothing_is_written(admin, client):
    for body, field in INVALID_FIELDS:
        assert_error(post_bill(client, admin.headers, **body), 400, field)
    assert client.get("/api/v1/bills").json() == []


WRONG_TYPES = [
    ({"title": 5}, "title"),
    ({"articles": "Article 1"}, "articles"),
    ({"articles": [{"number": 1, "text": "Texte."}]}, "articles[0].number"),
    ({"articles": [{"number": "1", "text": None}]}, "articles[0].text"),
    ({"articles": [{"number": "1"}]}, "text"),
    ({"markdown": ["Article 1"]}, "markdown"),
]


def test_wrong_types_are_400_naming_the_field(admin, client):
    for body, field in WRONG_TYPES:
        error = assert_error(post_bill(client, admin.headers, **body), 400)
        assert field in error["detail"], (body, error)


def test_malformed_json_is_400_with_the_error_shape(admin, client):
    for raw in (b'{"title": "Projet", "articles": [', b"not json", b"", b"[1, 2]", b"null"):
        response = client.post("/api/v1/bills", content=raw,
                               headers={**admin.headers, "content-type": "application/json"})
        body = assert_error(response, 400, "body")
        assert set(body) <= {"status_code", "detail", "extra"}


def test_body_over_one_mebibyte_is_413(admin, client):
    huge = json.dumps({"title": "Trop long", "markdown": "Article 1\n\n" + "x" * (2 * 1024 * 1024)})
    response = client.post("/api/v1/bills", content=huge.encode(),
                           headers={**admin.headers, "content-type": "application/json"})
    body = assert_error(response, 413)
    assert "1 MiB" in body["detail"]
    assert client.get("/api/v1/bills").json() == []


def test_duplicate_slug_is_409_and_a_title_slug_is_made_unique(admin, client):
    assert post_bill(client, admin.headers, slug="transparence").status_code == 201
    assert_error(post_bill(client, admin.headers, slug="transparence"), 409, "slug")
    slugs = [post_bill(client, admin.headers, title="Loi Égalité & Citoyenneté").json()["slug"] for _ in range(2)]
    assert slugs == ["loi-egalite-citoyennete", "loi-egalite-citoyennete-2"]


# --- unknown things ------------------------------------------------------------------------------

UNKNOWN = [
    "/api/v1/bills/inconnu",
    "/api/v1/bills/inconnu/versions",
    "/api/v1/bills/inconnu/versions/1",
    "/api/v1/bills/Not%20A%20Slug",
    "/api/v1/bills/nul%00byte",
    "/api/v1/articles/999999",
    "/api/v1/articles/99999999999999999999",
    "/api/v1/articles/0/versions",
    "/api/v1/articles/999999/versions/1",
    "/api/v1/users/inconnu",
    "/api/v1/users/nul%00byte",
    "/api/v1/no-such-route",
]


def test_unknown_ids_are_404_json(client):
    for path in UNKNOWN:
        assert_error(client.get(path), 404)


def test_unknown_versions_of_a_known_bill_are_404_json(api, admin, client):
    bill = api.bill(admin)
    article_id = bill["articles"][0]["id"]
    for path in (f"/api/v1/articles/{article_id}/versions/2", f"/api/v1/articles/{article_id}/versions/0",
                 f"/api/v1/articles/{article_id}/versions/99999999999999999999",
                 f"/api/v1/bills/{bill['slug']}/versions/2",
                 f"/api/v1/bills/{bill['slug']}/versions/99999999999999999999"):
        assert_error(client.get(path), 404)
    for path in ("/api/v1/bills/inconnu/status", "/api/v1/bills/inconnu/versions", "/api/v1/articles/999999/versions"):
        assert_error(client.post(path, json={"status": "closed", "expected_version": 1, "text": "x"},
                                 headers=admin.headers), 404)


# --- opening and closing -------------------------------------------------------------------------

def test_opening_a_bill_publishes_bill_version_1(api, admin, client):
    bill = api.bill(admin, open_=False, articles=[
        {"number": "1", "text": "Premier."}, {"number": "2", "text": "Deuxième."}, {"number": "3", "text": "Troisième."}])
    assert client.get(f"/api/v1/bills/{bill['slug']}/versions").json() == []

    opened = client.post(f"/api/v1/bills/{bill['slug']}/status", json={"status": "open"}, headers=admin.headers)

    assert opened.status_code == 200, opened.text
    assert opened.json()["status"] == "open" and opened.json()["consultation_opens_at"]
    versions = client.get(f"/api/v1/bills/{bill['slug']}/versions").json()
    assert [v["seq"] for v in versions] == [1]
    assert [v["seq"] for v in opened.json()["versions"]] == [1]
    snapshot = client.get(f"/api/v1/bills/{bill['slug']}/versions/1").json()
    assert snapshot["seq"] == 1 and snapshot["published_at"]
    assert [(a["id"], a["number"], a["version"], a["text"]) for a in snapshot["articles"]] == [
        (a["id"], a["number"], 1, a["text"]) for a in bill["articles"]]


def test_reopening_a_closed_bill_publishes_no_new_version(api, admin, client):
    bill = api.bill(admin)
    status = f"/api/v1/bills/{bill['slug']}/status"
    closed = client.post(status, json={"status": "closed"}, headers=admin.headers)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["consultation_closes_at"]
    reopened = client.post(status, json={"status": "open"}, headers=admin.headers)
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
    assert reopened.json()["consultation_closes_at"] is None
    assert [v["seq"] for v in client.get(f"/api/v1/bills/{bill['slug']}/versions").json()] == [1]


def test_invalid_status_transitions_are_409(api, admin, client):
    draft = api.bill(admin, open_=False)
    assert_error(client.post(f"/api/v1/bills/{draft['slug']}/status", json={"status": "closed"},
                             headers=admin.headers), 409, "status")
    opened = api.bill(admin)
    assert_error(client.post(f"/api/v1/bills/{opened['slug']}/status", json={"status": "open"},
                             headers=admin.headers), 409, "status")
    assert client.get(f"/api/v1/bills/{draft['slug']}").json()["status"] == "draft"


def test_unknown_status_is_400_and_only_authors_change_it(api, admin, client):
    bill = api.bill(admin, open_=False)
    status = f"/api/v1/bills/{bill['slug']}/status"
    assert_error(client.post(status, json={"status": "draft"}, headers=admin.headers), 400, "status")
    assert_error(client.post(status, json={"status": 1}, headers=admin.headers), 400, "status")
    assert_error(client.post(status, json={"status": "open"}, headers=api.user("camille").headers), 403)
    assert_error(client.post(status, json={"status": "open"}), 401)
    assert client.get(f"/api/v1/bills/{bill['slug']}").json()["status"] == "draft"


# --- authors -------------------------------------------------------------------------------------

def test_author_adds_a_co_author_who_can_then_edit(api, admin, client):
    bill = api.bill(admin)
    camille = api.user("camille")
    authors = f"/api/v1/bills/{bill['slug']}/authors"

    response = client.post(authors, json={"username": "camille"}, headers=admin.headers)

    assert response.status_code == 201, response.text
    assert client.get(f"/api/v1/bills/{bill['slug']}").json()["authors"] == ["admin", "camille"]
    assert new_version(client, bill["articles"][0]["id"], camille.headers, 1, "Texte révisé.").status_code == 201
    assert client.post(authors, json={"username": "dominique"}, headers=camille.headers).status_code == 404


def test_another_admin_may_add_authors(api, admin, client):
    bill = api.bill(admin)
    other_admin = api.user("cabinet", role="admin")
    api.user("camille")
    response = client.post(f"/api/v1/bills/{bill['slug']}/authors", json={"username": "camille"},
                           headers=other_admin.headers)
    assert response.status_code == 201, response.text


def test_adding_authors_errors(api, admin, client):
    bill = api.bill(admin)
    citizen = api.user("camille")
    authors = f"/api/v1/bills/{bill['slug']}/authors"
    assert_error(client.post(authors, json={"username": "camille"}), 401)
    assert_error(client.post(authors, json={"username": "camille"}, headers=citizen.headers), 403)
    assert_error(client.post(authors, json={"username": "inconnu"}, headers=admin.headers), 404, "username")
    assert_error(client.post(authors, json={"username": "admin"}, headers=admin.headers), 409, "username")
    assert_error(client.post(authors, json={"user": "camille"}, headers=admin.headers), 400, "username")
    assert_error(client.post("/api/v1/bills/inconnu/authors", json={"username": "camille"},
                             headers=admin.headers), 404)
    assert client.get(f"/api/v1/bills/{bill['slug']}").json()["authors"] == ["admin"]


# --- article versions ----------------------------------------------------------------------------

def test_author_direct_edit_makes_version_2(api, admin, client):
    bill = api.bill(admin)
    article = bill["articles"][0]

    response = new_version(client, article["id"], admin.headers, 1, "La loi a pour objet\r\nde tester Navette.",
                           message="Précision")

    assert response.status_code == 201, response.text
    version = response.json()
    assert (version["version"], version["text"], version["author"], version["message"]) == (
        2, "La loi a pour objet\nde tester Navette.", "admin", "Précision")
    assert version["merged_amendments"] == [] and version["created_at"]
    head = client.get(f"/api/v1/articles/{article['id']}").json()
    assert (head["version"], head["text"]) == (2, "La loi a pour objet\nde tester Navette.")


def test_stale_expected_version_is_409_and_changes_nothing(api, admin, client):
    bill = api.bill(admin)
    article_id = bill["articles"][0]["id"]
    assert new_version(client, article_id, admin.headers, 1, "Deuxième rédaction.").status_code == 201

    body = assert_error(new_version(client, article_id, admin.headers, 1, "Rédaction concurrente."), 409,
                        "expected_version")

    assert "2" in body["detail"]
    versions = client.get(f"/api/v1/articles/{article_id}/versions").json()
    assert [v["text"] for v in versions] == [bill["articles"][0]["text"], "Deuxième rédaction."]


def test_citizen_cannot_edit_an_article_and_anonymous_must_sign_in(api, admin, client):
    bill = api.bill(admin)
    article_id = bill["articles"][0]["id"]
    assert_error(new_version(client, article_id, api.user("camille").headers, 1, "Ma rédaction."), 403)
    assert_error(new_version(client, article_id, {}, 1, "Ma rédaction."), 401)
    assert client.get(f"/api/v1/articles/{article_id}").json()["version"] == 1


def test_article_version_input_errors(api, admin, client):
    bill = api.bill(admin)
    path = f"/api/v1/articles/{bill['articles'][0]['id']}/versions"
    assert_error(client.post(path, json={"message": "m", "text": "x"}, headers=admin.headers), 400,
                 "expected_version")
    assert_error(client.post(path, json={"expected_version": "1", "text": "x"}, headers=admin.headers), 400,
                 "expected_version")
    assert_error(client.post(path, json={"expected_version": 1, "text": "   "}, headers=admin.headers), 400, "text")
    assert_error(client.post(path, json={"expected_version": 1, "text": "a\u0000b"}, headers=admin.headers),
                 400, "text")
    assert_error(client.post(path, content=b"{", headers={**admin.headers, "content-type": "application/json"}),
                 400, "body")
    assert client.get(f"/api/v1/articles/{bill['articles'][0]['id']}/versions").json()[-1]["version"] == 1


def test_article_versions_are_listed_oldest_first_and_shown_one_by_one(api, admin, client):
    bill = api.bill(admin)
    article = bill["articles"][1]
    texts = [article["text"], "Deuxième rédaction.", "Troisième rédaction."]
    for expected, text in enumerate(texts[1:], start=1):
        assert new_version(client, article["id"], admin.headers, expected, text, message=f"v{expected + 1}"
                           ).status_code == 201

    versions = client.get(f"/api/v1/articles/{article['id']}/versions").json()

    assert [(v["version"], v["text"], v["author"]) for v in versions] == [
        (1, texts[0], "admin"), (2, texts[1], "admin"), (3, texts[2], "admin")]
    assert [v["message"] for v in versions[1:]] == ["v2", "v3"]
    for v in versions:
        assert {"version", "text", "created_at", "author", "message", "merged_amendments"} <= set(v)
        assert client.get(f"/api/v1/articles/{article['id']}/versions/{v['version']}").json() == v


# --- bill versions -------------------------------------------------------------------------------

def test_bill_versions_snapshot_every_articles_head(api, admin, client):
    bill = api.bill(admin)
    first, second = bill["articles"]
    assert new_version(client, second["id"], admin.headers, 1, "Texte révisé.").status_code == 201

    response = client.post(f"/api/v1/bills/{bill['slug']}/versions",
                           json={"label": "Version 2", "message": "Après la consultation"}, headers=admin.headers)

    assert response.status_code == 201, response.text
    published = response.json()
    assert (published["seq"], published["label"], published["message"]) == (2, "Version 2", "Après la consultation")
    assert published["published_at"]
    assert published["articles"] == [{"id": first["id"], "number": "1", "heading": "Objet", "version": 1},
                                     {"id": second["id"], "number": "2", "heading": "", "version": 2}]
    listed = client.get(f"/api/v1/bills/{bill['slug']}/versions").json()
    assert [(v["seq"], v["label"]) for v in listed] == [(1, "Version 1"), (2, "Version 2")]
    snapshot = client.get(f"/api/v1/bills/{bill['slug']}/versions/2").json()
    assert [(a["version"], a["text"]) for a in snapshot["articles"]] == [(1, first["text"]), (2, "Texte révisé.")]
    # Version 1 still shows the text as it was.
    old = client.get(f"/api/v1/bills/{bill['slug']}/versions/1").json()
    assert [(a["version"], a["text"]) for a in old["articles"]] == [(1, first["text"]), (1, second["text"])]
    assert [v["seq"] for v in client.get(f"/api/v1/bills/{bill['slug']}").json()["versions"]] == [1, 2]


def test_bill_version_errors(api, admin, client):
    bill = api.bill(admin)
    path = f"/api/v1/bills/{bill['slug']}/versions"
    assert_error(client.post(path, json={"label": "", "message": "m"}, headers=admin.headers), 400, "label")
    assert_error(client.post(path, json={"message": "m"}, headers=admin.headers), 400, "label")
    assert_error(client.post(path, json={"label": "V2"}, headers=api.user("camille").headers), 403)
    assert_error(client.post(path, json={"label": "V2"}), 401)
    assert [v["seq"] for v in client.get(path).json()] == [1]
