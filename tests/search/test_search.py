"""Search through HTTP (CONTRACT §6, §10), on SQLite and, with NAVETTE_TEST_DATABASE_URL, PostgreSQL:
words found whatever their case, accents and inflection; hidden items never found; every kind found."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from drafting.models import Bill
from drafting.services import search


@pytest.fixture
def debate(api, client, admin):
    """An open bill with an amendment and arguments on an article and on the amendment."""
    bill = api.bill(admin, title="Projet de loi pour une République numérique",
                    summary="Ouvrir les données publiques et protéger les personnes.", articles=[
                        {"number": "1", "heading": "Objet", "text": "La présente loi a pour objet de tester Navette."},
                        {"number": "2", "heading": "Ouverture des données",
                         "text": "Les administrations publient leurs données en ligne."},
                        {"number": "3", "text": "Le droit à la portabilité est garanti à chaque personne."},
                    ])
    citizen = api.user("camille")
    articles = client.get(f"/api/v1/bills/{bill['slug']}").json()["articles"]
    by_number = {a["number"]: a for a in articles}
    amendment = client.post(f"/api/v1/articles/{by_number['3']['id']}/amendments", json={
        "kind": "modify", "title": "Portabilité des amendements",
        "explanation": "Les citoyens déposent des amendements lisibles.",
        "text": "Le droit à la portabilité est garanti à chaque personne, sans frais.",
    }, headers=citizen.headers)
    assert amendment.status_code == 201, amendment.text
    argument = client.post(f"/api/v1/articles/{by_number['1']['id']}/arguments", json={
        "stance": "against", "body": "Une navette législative <script>alert(1)</script> sans garde-fou."},
        headers=citizen.headers)
    assert argument.status_code == 201, argument.text
    on_amendment = client.post(f"/api/v1/amendments/{amendment.json()['id']}/arguments", json={
        "stance": "for", "body": "La gratuité de la portabilité protège les usagers."}, headers=citizen.headers)
    assert on_amendment.status_code == 201, on_amendment.text
    return {"bill": bill, "articles": by_number, "amendment": amendment.json(), "argument": argument.json(),
            "on_amendment": on_amendment.json(), "citizen": citizen}


def found(client, q, **params):
    response = client.get("/api/v1/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def kinds_and_ids(items):
    return {(item["type"], item["id"]) for item in items}


def test_accents_and_case_are_folded(client, debate):
    article = debate["articles"]["2"]["id"]
    for q in ("donnees", "DONNÉES", "Données", "dOnNeEs"):
        assert ("article", article) in kinds_and_ids(found(client, q)), q


def test_plural_and_singular_find_each_other(client, debate):
    amendment = debate["amendment"]["id"]
    assert ("amendment", amendment) in kinds_and_ids(found(client, "amendement"))
    assert ("amendment", amendment) in kinds_and_ids(found(client, "Amendements"))
    # "administrations" (plural in the text) found by its singular
    assert ("article", debate["articles"]["2"]["id"]) in kinds_and_ids(found(client, "administration"))


def test_each_kind_is_found(client, debate):
    slug = debate["bill"]["slug"]
    assert ("bill", debate["bill"]["id"]) in kinds_and_ids(found(client, "république numérique"))
    assert ("bill", debate["bill"]["id"]) in kinds_and_ids(found(client, "publique"))  # in the summary
    assert ("article", debate["articles"]["1"]["id"]) in kinds_and_ids(found(client, "objet"))  # its heading
    assert ("amendment", debate["amendment"]["id"]) in kinds_and_ids(found(client, "frais"))  # its text
    assert ("argument", debate["argument"]["id"]) in kinds_and_ids(found(client, "garde-fou"))
    assert ("argument", debate["on_amendment"]["id"]) in kinds_and_ids(found(client, "gratuité"))
    item = next(i for i in found(client, "gratuité") if i["type"] == "argument")
    assert item["bill"] == slug
    assert item["url"] == f"/amendments/{debate['amendment']['id']}#argument-{debate['on_amendment']['id']}"


def test_every_word_must_match(client, debate):
    assert ("article", debate["articles"]["2"]["id"]) in kinds_and_ids(found(client, "données ligne"))
    assert ("article", debate["articles"]["2"]["id"]) not in kinds_and_ids(found(client, "données portabilité"))
    assert found(client, "zythum") == []


def test_kind_and_bill_filters(api, client, admin, debate):
    other = api.bill(admin, title="Projet sur les données de santé", open_=False, articles=[
        {"number": "1", "text": "Les données de santé restent chez le patient."}])
    everywhere = {item["bill"] for item in found(client, "données")}
    assert everywhere == {debate["bill"]["slug"], other["slug"]}
    assert {item["bill"] for item in found(client, "données", bill=other["slug"])} == {other["slug"]}
    only_articles = found(client, "données", kind="article")
    assert only_articles and {item["type"] for item in only_articles} == {"article"}
    bad = client.get("/api/v1/search", params={"q": "données", "kind": "vote"})
    assert bad.status_code == 400 and "kind" in bad.json()["detail"]
    unknown = client.get("/api/v1/search", params={"q": "données", "bill": "nope"})
    assert unknown.status_code == 400 and "bill" in unknown.json()["detail"]


def test_best_matches_come_first(api, client, admin):
    api.bill(admin, title="Essai", articles=[
        {"number": "1", "text": "Un mot de passe, puis rien."},
        {"number": "2", "heading": "Passe", "text": "Passe, passe, passe : le passe sanitaire passe."},
    ])
    items = found(client, "passe", kind="article")
    assert [item["title"] for item in items] == ["Article 2 — Passe", "Article 1"]


def test_hidden_items_leave_the_search(api, client, debate):
    moderator = api.user("modo", role="moderator")
    amendment, argument = debate["amendment"]["id"], debate["argument"]["id"]
    for target, target_id in (("amendment", amendment), ("argument", argument)):
        hidden = client.post(f"/api/v1/moderation/{target}/{target_id}/hide", json={"reason": "Hors sujet"},
                             headers=moderator.headers)
        assert hidden.status_code == 200, hidden.text
    assert ("amendment", amendment) not in kinds_and_ids(found(client, "frais"))
    assert ("argument", argument) not in kinds_and_ids(found(client, "garde-fou"))
    # the argument written on the hidden amendment went with it
    assert ("argument", debate["on_amendment"]["id"]) not in kinds_and_ids(found(client, "gratuité"))
    page = client.get("/search", params={"q": "garde-fou"})
    assert page.status_code == 200 and 'class="search-result' not in page.text


def test_withdrawn_amendment_is_found_with_its_status(client, debate):
    amendment = debate["amendment"]["id"]
    withdrawn = client.post(f"/api/v1/amendments/{amendment}/withdraw", headers=debate["citizen"].headers)
    assert withdrawn.status_code == 200, withdrawn.text
    item = next(i for i in found(client, "frais") if i["type"] == "amendment")
    assert (item["id"], item["status"]) == (amendment, "withdrawn")


def test_index_follows_new_versions_and_rebases(client, admin, debate):
    article = debate["articles"]["3"]
    published = client.post(f"/api/v1/articles/{article['id']}/versions", json={
        "expected_version": 1,
        "text": "Les citoyens sont informés de leurs droits.\n\nLe droit à la portabilité est garanti à chaque personne.",
        "message": "Précision"}, headers=admin.headers)
    assert published.status_code == 201, published.text
    assert ("article", article["id"]) in kinds_and_ids(found(client, "citoyens informés"))
    assert ("article", article["id"]) in kinds_and_ids(found(client, "portabilité"))  # indexed once, not twice
    assert len([i for i in found(client, "portabilité") if i["type"] == "article"]) == 1
    # the open amendment was rebased onto the new head: its merged text is what is searched now
    rebased = client.get(f"/api/v1/amendments/{debate['amendment']['id']}").json()
    assert (rebased["status"], rebased["base_version"]) == ("open", 2), rebased
    assert ("amendment", debate["amendment"]["id"]) in kinds_and_ids(found(client, "frais informés"))


def test_snippet_marks_the_words_found_and_escapes_user_text(client, debate):
    item = next(i for i in found(client, "navette législative") if i["type"] == "argument")
    assert "<script>alert(1)</script>" in item["snippet"]  # JSON carries the text as written
    marked = [item["snippet"][start:end] for start, end in item["highlights"]]
    assert marked == ["navette", "législative"]
    page = client.get("/search", params={"q": "législative"})
    assert page.status_code == 200
    html = page.text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>législative</mark>" in html


def test_query_is_required_and_bounded(client):
    for q in ("", "   "):
        response = client.get("/api/v1/search", params={"q": q})
        assert response.status_code == 400 and response.json()["detail"].startswith("q:")
    assert client.get("/api/v1/search").status_code == 400
    too_long = client.get("/api/v1/search", params={"q": "a" * 201})
    assert too_long.status_code == 400 and too_long.json()["detail"].startswith("q:")
    assert client.get("/api/v1/search", params={"q": "a" * 200}).status_code == 200
    page = client.get("/search", params={"q": "a" * 201})
    assert page.status_code == 400 and "200" in page.text


def test_results_are_paged_with_a_next_link(api, client, admin):
    api.bill(admin, title="Pages", articles=[{"number": str(n), "text": f"Mesure numéro {n} de transparence."}
                                             for n in range(1, 8)])
    first = client.get("/api/v1/search", params={"q": "transparence", "limit": 3})
    assert len(first.json()["items"]) == 3
    assert 'rel="next"' in first.headers["link"] and "offset=3" in first.headers["link"]
    rest = client.get("/api/v1/search", params={"q": "transparence", "limit": 10, "offset": 3})
    assert len(rest.json()["items"]) == 4 and "link" not in rest.headers
    assert not kinds_and_ids(first.json()["items"]) & kinds_and_ids(rest.json()["items"])
    assert client.get("/api/v1/search", params={"q": "x", "limit": 501}).json()["detail"].startswith("limit:")


def test_search_page_works_without_javascript(api, client, admin, debate):
    home = client.get("/")
    assert 'action="/search"' in home.text and 'name="q"' in home.text  # the header's search box
    api.bill(admin, title="Autre", articles=[{"number": str(n), "text": f"Données {n}."} for n in range(1, 26)])
    page = client.get("/search", params={"q": "données", "kind": "article"})
    assert page.status_code == 200
    assert page.text.count('class="search-result article"') == 20
    assert 'rel="next"' in page.text and "page=2" in page.text
    second = client.get("/search", params={"q": "données", "kind": "article", "page": 2})
    assert second.text.count('class="search-result article"') == 6  # 25, and article 2 of the debate
    assert 'rel="prev"' in second.text
    assert 'value="article" selected' in second.text
    assert client.get("/search").status_code == 200  # the empty form


def test_german_words_are_stemmed_as_german(db, api, client, admin):
    """A bill in German (CONTRACT §6): "Änderung" finds "Änderungen", "gesetze" finds "Gesetz"."""
    bill = api.bill(admin, title="Gesetz über Änderungen", articles=[
        {"number": "1", "text": "Die Gesetze gelten für alle Bürger."}])
    article = client.get(f"/api/v1/bills/{bill['slug']}").json()["articles"][0]["id"]
    assert ("bill", bill["id"]) not in kinds_and_ids(found(client, "Änderung"))  # stemmed as French so far
    with db.session() as session:  # the bill's language field comes from CONTRACT §6's PATCH
        row = session.scalar(select(Bill).where(Bill.slug == bill["slug"]))
        row.language = "de"
        search.reindex_bill(session, row)
    assert ("bill", bill["id"]) in kinds_and_ids(found(client, "Änderung"))
    assert ("bill", bill["id"]) in kinds_and_ids(found(client, "anderung"))
    assert ("article", article) in kinds_and_ids(found(client, "Gesetz"))
    assert kinds_and_ids(found(client, "gesetze")) == {("bill", bill["id"]), ("article", article)}  # once each


def test_reindex_command_rebuilds_the_index_from_the_rows(database_url, db, api, client, debate, capsys):
    """Rows loaded in bulk (the bench seeder) are found once ``navette search reindex`` ran; hidden
    ones stay out."""
    from amendments.models import Argument
    from amendments.services.arguments import fold
    from drafting.cli import main

    with db.session() as session:
        argument = session.get(Argument, debate["argument"]["id"])
        loaded = Argument(article_id=argument.article_id, stance="for", body="Un argument chargé en masse.",
                          folded=fold("Un argument chargé en masse."), author_id=argument.author_id)
        session.add(loaded)
        session.flush()
        loaded_id = loaded.id
    assert found(client, "masse") == []
    moderator = api.user("modo", role="moderator")
    hidden = client.post(f"/api/v1/moderation/argument/{debate['argument']['id']}/hide",
                         json={"reason": "Hors sujet"}, headers=moderator.headers)
    assert hidden.status_code == 200, hidden.text
    assert main(["search", "reindex", "--database-url", database_url]) == 0
    assert "items indexed" in capsys.readouterr().err
    assert kinds_and_ids(found(client, "masse")) == {("argument", loaded_id)}
    assert found(client, "garde-fou") == []
    assert ("amendment", debate["amendment"]["id"]) in kinds_and_ids(found(client, "frais"))



def _index_content(db) -> set[tuple]:
    """Every entry and its index row (the stems on SQLite, the weighted tsvector on PostgreSQL), by item."""
    from sqlalchemy import text

    with db.session(write=False) as session:
        if session.get_bind().dialect.name == "postgresql":
            words = "SELECT i.entry_id, i.language, i.vector::text FROM search_index i"
        else:
            words = "SELECT rowid, language, title || ' | ' || body FROM search_index"
        indexed = {entry: (language, value) for entry, language, value in session.execute(text(words))}
        entries = session.execute(text("SELECT id, kind, target_id, bill_id, language, title, body "
                                       "FROM search_entries")).all()
        assert len(indexed) == len(entries)
        return {(kind, target, bill, language, title, body, indexed[entry])
                for entry, kind, target, bill, language, title, body in entries}


def test_reindex_finds_what_the_changes_indexed(database_url, db, api, client, admin, debate):
    """``navette search reindex`` (set-based, in SQL) builds the very index the changes built one by one:
    the same entries and index rows, the same answers; an edited article, a German bill, a hidden
    amendment with an argument on it and a hidden argument included."""
    from drafting.cli import main

    article = debate["articles"]["3"]
    published = client.post(f"/api/v1/articles/{article['id']}/versions", json={
        "expected_version": 1, "text": "Les citoyens sont informés.\n\nLe droit à la portabilité est garanti.",
        "message": "Précision"}, headers=admin.headers)
    assert published.status_code == 201, published.text
    german = api.bill(admin, title="Gesetz über Änderungen", summary="", articles=[
        {"number": "1", "heading": "Zweck", "text": "Die Gesetze gelten für alle Bürger."}])
    patched = client.patch(f"/api/v1/bills/{german['slug']}", json={"language": "de"}, headers=admin.headers)
    assert patched.status_code == 200, patched.text
    citizen = debate["citizen"]
    doomed = client.post(f"/api/v1/articles/{debate['articles']['2']['id']}/amendments", json={
        "kind": "modify", "title": "Données hors sujet", "explanation": "",
        "text": "Les administrations publient leurs données en ligne, vite."}, headers=citizen.headers)
    assert doomed.status_code == 201, doomed.text
    on_doomed = client.post(f"/api/v1/amendments/{doomed.json()['id']}/arguments", json={
        "stance": "for", "body": "Des données publiées vite."}, headers=citizen.headers)
    assert on_doomed.status_code == 201, on_doomed.text
    moderator = api.user("modo", role="moderator")
    for target, target_id in (("amendment", doomed.json()["id"]), ("argument", debate["argument"]["id"])):
        hidden = client.post(f"/api/v1/moderation/{target}/{target_id}/hide", json={"reason": "Hors sujet"},
                             headers=moderator.headers)
        assert hidden.status_code == 200, hidden.text

    queries = ("données", "portabilité", "citoyens informés", "frais", "garde-fou", "vite", "Änderung", "gesetze",
               "article", "objet zweck", "république numérique")

    def answers() -> dict[str, list[dict]]:
        return {q: sorted(found(client, q), key=lambda item: (item["type"], item["id"])) for q in queries}

    before, content = answers(), _index_content(db)
    assert ("article", article["id"]) in kinds_and_ids(before["citoyens informés"])
    assert kinds_and_ids(before["vite"]) == set()  # the hidden amendment and the argument on it
    assert {item["type"] for item in before["gesetze"]} == {"bill", "article"}
    assert main(["search", "reindex", "--database-url", database_url]) == 0
    assert _index_content(db) == content
    assert answers() == before
