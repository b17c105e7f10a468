"""The public history through the JSON API: diffs between versions, bill diffs and blame (CONTRACT §2),
on real article histories replayed as direct edits."""
from __future__ import annotations

import hashlib
import json

import pytest

from amendments import engine
from amendments.models import Amendment, MergedAmendment
from drafting.services import bills as services
from drafting.models import Article, ArticleVersion, User
from tests.conftest import corpus_path

REAL_HISTORIES = [
    ("fr_code_civil", "code_civil_Article_75.json"),
    ("fr_code_propriete_intellectuelle", "cpi_L122-5.json"),
    ("de_bundesrecht", "sgb_5__92.json"),
]


def replay(api, client, admin, editors, versions: list[str]) -> dict:
    """A one-article bill whose article goes through ``versions``, each published by the next editor in turn."""
    bill = api.bill(admin, articles=[{"number": "1", "text": versions[0]}])
    for editor in editors[1:] if editors[0] is admin else editors:
        added = client.post(f"/api/v1/bills/{bill['slug']}/authors", json={"username": editor.username},
                            headers=admin.headers)
        assert added.status_code == 201, added.text
    article_id = bill["articles"][0]["id"]
    for index, text in enumerate(versions[1:], start=1):
        editor = editors[index % len(editors)]
        response = client.post(f"/api/v1/articles/{article_id}/versions",
                               json={"expected_version": index, "message": f"étape {index + 1}", "text": text},
                               headers=editor.headers)
        assert response.status_code == 201, response.text
    return {"bill": bill, "article_id": article_id}


def credit(db, article_id: int, version: int, amendments: list[tuple[str, str, int]]) -> list[int]:
    """Record that article version ``version`` merged these (proposer, text, base version) amendments, in order.

    Stands in for the authors' desk: the rows are those a merge writes.
    """
    ids = []
    with db.session() as session:
        article = session.get(Article, article_id)
        target = services.article_version(session, article, version)
        for position, (username, text, base_version) in enumerate(amendments):
            proposer = services.get_user(session, username)
            amendment = Amendment(
                bill_id=article.bill_id, article_id=article.id, kind="modify", author_id=proposer.id,
                title=f"Proposition de {username}", explanation="", status="accepted", base_version=base_version,
                text=text, text_digest=hashlib.sha256(text.encode()).hexdigest(),
            )
            session.add(amendment)
            session.flush()
            session.add(MergedAmendment(article_version_id=target.id, amendment_id=amendment.id, position=position))
            ids.append(amendment.id)
    return ids


def proposer(db, username: str, display_name: str | None = None) -> None:
    """A citizen who proposes amendments and never signs in here (no password hashing: tests stay fast)."""
    with db.session() as session:
        session.add(User(username=username, display_name=display_name or username, kind="citizen"))


def real_versions(folder: str, name: str) -> list[str]:
    data = json.loads(corpus_path("article_histories", folder, name).read_text(encoding="utf-8"))
    return [v["text"] for v in data["versions"] if v["text"]]


@pytest.mark.parametrize("folder,name", REAL_HISTORIES)
def test_real_history_replayed_as_edits_gives_exact_diffs_and_a_blame_crediting_each_version(
        api, client, admin, folder, name):
    versions = real_versions(folder, name)
    editors = [admin, api.user("redactrice")]
    article_id = replay(api, client, admin, editors, versions)["article_id"]

    pairs = [(n, n + 1) for n in range(1, len(versions))] + [(1, len(versions)), (len(versions), 1)]
    for old, new in pairs:
        response = client.get(f"/api/v1/articles/{article_id}/diff", params={"from": old, "to": new})
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["from"], body["to"]) == (old, new)
        assert "".join(text for op, text in body["diff"] if op <= 0) == versions[old - 1]
        assert "".join(text for op, text in body["diff"] if op >= 0) == versions[new - 1]
        assert {op for op, _ in body["diff"]} <= {-1, 0, 1}

    response = client.get(f"/api/v1/articles/{article_id}/blame")
    assert response.status_code == 200, response.text
    blame = response.json()
    assert blame["version"] == len(versions)
    segments = blame["segments"]
    assert "".join(s["text"] for s in segments) == versions[-1]
    for segment in segments:
        assert 1 <= segment["version"] <= len(versions)
        assert segment["amendment"] is None
        assert segment["author"] == editors[(segment["version"] - 1) % len(editors)].username
    # What the last version wrote is exactly what its diff from the previous one inserted.
    written_last = "".join(s["text"] for s in segments if s["version"] == len(versions))
    inserted = "".join(text for op, text in engine.diff_words(versions[-2], versions[-1]) if op == 1)
    assert written_last == inserted
    assert len({s["version"] for s in segments}) > 2


def test_blame_credits_the_proposer_of_the_amendment_merged_in_a_version(api, client, admin, db):
    proposer(db, "alice")
    bill = api.bill(admin, articles=[{"number": "1", "text": "Le maire publie les actes de la commune."}])
    article_id = bill["articles"][0]["id"]
    merged = "Le maire publie en ligne les actes de la commune."
    client.post(f"/api/v1/articles/{article_id}/versions",
                json={"expected_version": 1, "message": "Amendement d'Alice", "text": merged}, headers=admin.headers)
    [amendment_id] = credit(db, article_id, 2, [("alice", merged, 1)])

    segments = client.get(f"/api/v1/articles/{article_id}/blame").json()["segments"]

    assert "".join(s["text"] for s in segments) == merged
    written = [s for s in segments if s["version"] == 2]
    assert [s["text"].strip() for s in written] == ["en ligne"]
    assert written[0]["amendment"] == amendment_id and written[0]["author"] == "alice"
    assert {s["author"] for s in segments if s["version"] == 1} == {"admin"}


def test_blame_tells_apart_two_amendments_merged_in_one_version(api, client, admin, db):
    proposer(db, "alice")
    proposer(db, "bruno")
    base = "Le chat dort dans la maison."
    alice, bruno = "Le chien dort dans la maison.", "Le chat dort dans la grande maison."
    both = "Le chien dort dans la grande maison."
    bill = api.bill(admin, articles=[{"number": "1", "text": base}])
    article_id = bill["articles"][0]["id"]
    client.post(f"/api/v1/articles/{article_id}/versions",
                json={"expected_version": 1, "message": "Deux amendements", "text": both}, headers=admin.headers)
    first, second = credit(db, article_id, 2, [("alice", alice, 1), ("bruno", bruno, 1)])

    segments = client.get(f"/api/v1/articles/{article_id}/blame").json()["segments"]

    assert "".join(s["text"] for s in segments) == both
    by_text = {s["text"].strip(): s for s in segments if s["version"] == 2}
    assert by_text["chien"]["amendment"] == first and by_text["chien"]["author"] == "alice"
    assert by_text["grande"]["amendment"] == second and by_text["grande"]["author"] == "bruno"


def test_blame_credits_the_first_amendment_with_what_the_authors_added_while_merging(api, client, admin, db):
    proposer(db, "alice")
    proposer(db, "bruno")
    base = "Le chat dort dans la maison."
    final = "Le chien dort dans la grande maison, toujours."
    bill = api.bill(admin, articles=[{"number": "1", "text": base}])
    article_id = bill["articles"][0]["id"]
    client.post(f"/api/v1/articles/{article_id}/versions",
                json={"expected_version": 1, "message": "Fusion retouchée", "text": final}, headers=admin.headers)
    first, second = credit(db, article_id, 2, [("alice", "Le chien dort dans la maison.", 1),
                                                ("bruno", "Le chat dort dans la grande maison.", 1)])

    segments = client.get(f"/api/v1/articles/{article_id}/blame").json()["segments"]

    assert "".join(s["text"] for s in segments) == final
    credited = {s["text"].strip(): s["amendment"] for s in segments if s["version"] == 2}
    assert credited["chien"] == first and credited["grande"] == second
    assert credited[", toujours"] == first


def test_bill_diff_after_version_2_marks_the_edited_article_modified_and_others_unchanged(api, client, admin):
    bill = api.bill(admin, articles=[
        {"number": "1", "text": "Les données publiques sont ouvertes."},
        {"number": "2", "text": "Les codes sources sont communicables."},
        {"number": "3", "text": "Le présent texte entre en vigueur le 1er janvier."},
    ])
    slug, second = bill["slug"], bill["articles"][1]
    client.post(f"/api/v1/articles/{second['id']}/versions", headers=admin.headers,
                json={"expected_version": 1, "message": "Précision",
                      "text": "Les codes sources sont publiés en ligne."})
    published = client.post(f"/api/v1/bills/{slug}/versions", headers=admin.headers,
                            json={"label": "Version 2", "message": "Après consultation"})
    assert published.status_code == 201, published.text

    response = client.get(f"/api/v1/bills/{slug}/diff", params={"from": 1, "to": 2})

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"]) == (1, 2)
    changes = {a["number"]: a for a in body["articles"]}
    assert [a["number"] for a in body["articles"]] == ["1", "2", "3"]
    assert {n: a["change"] for n, a in changes.items()} == {"1": "unchanged", "2": "modified", "3": "unchanged"}
    diff = changes["2"]["diff"]
    assert "".join(t for op, t in diff if op <= 0) == "Les codes sources sont communicables."
    assert "".join(t for op, t in diff if op >= 0) == "Les codes sources sont publiés en ligne."
    assert changes["2"]["id"] == second["id"]
    assert "".join(t for _, t in changes["1"]["diff"]) == "Les données publiques sont ouvertes."


def test_bill_diff_marks_articles_added_and_removed_between_versions(api, client, admin, db):
    bill = api.bill(admin, articles=[{"number": "1", "text": "Premier article."},
                                     {"number": "2", "text": "Article à supprimer."}])
    slug = bill["slug"]
    with db.session() as session:
        staff = session.get(User, session.scalar(services.select(User.id).where(User.username == "admin")))
        removed = session.get(Article, bill["articles"][1]["id"])
        services.append_article_version(session, staff, removed, 1,
                                        services.NewVersion(text="", message="Suppression", deletes_article=True))
        added = Article(bill_id=bill["id"], number="1 bis", heading="", position=15, current_version=1)
        session.add(added)
        session.flush()
        session.add(ArticleVersion(article_id=added.id, version=1, text="Article inséré.", author_id=staff.id,
                                   message="Insertion"))
    client.post(f"/api/v1/bills/{slug}/versions", json={"label": "Version 2"}, headers=admin.headers)

    body = client.get(f"/api/v1/bills/{slug}/diff?from=1&to=2").json()

    assert [(a["number"], a["change"]) for a in body["articles"]] == [
        ("1", "unchanged"), ("1 bis", "added"), ("2", "removed")]
    by_number = {a["number"]: a for a in body["articles"]}
    assert by_number["1 bis"]["diff"] == [[1, "Article inséré."]]
    assert by_number["2"]["diff"] == [[-1, "Article à supprimer."]]


def test_unknown_versions_are_404(api, client, admin):
    bill = api.bill(admin)
    article_id = bill["articles"][0]["id"]
    for url in (f"/api/v1/articles/{article_id}/diff?from=1&to=9",
                f"/api/v1/articles/{article_id}/diff?from=0&to=1",
                f"/api/v1/articles/{article_id}/diff?from=1&to={2**40}",
                f"/api/v1/bills/{bill['slug']}/diff?from=-1&to=1",
                f"/api/v1/articles/{article_id}/versions/9",
                f"/api/v1/bills/{bill['slug']}/diff?from=1&to=9",
                f"/api/v1/bills/{bill['slug']}/versions/9",
                "/api/v1/articles/999999/diff?from=1&to=1",
                "/api/v1/articles/999999/blame"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["status_code"] == 404


def test_missing_or_non_integer_versions_are_400(api, client, admin):
    bill = api.bill(admin)
    article_id = bill["articles"][0]["id"]
    for query in ("to=1", "from=1", "", "from=un&to=1", "from=1&to=1.5"):
        for path in (f"/api/v1/articles/{article_id}/diff", f"/api/v1/bills/{bill['slug']}/diff"):
            response = client.get(f"{path}?{query}")
            assert response.status_code == 400, (path, query, response.text)
            assert response.json()["status_code"] == 400


def test_a_non_integer_version_is_a_400_naming_the_parameter(api, client, admin):
    bill = api.bill(admin)
    response = client.get(f"/api/v1/articles/{bill['articles'][0]['id']}/diff?from=un&to=1")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("from:")


def test_json_of_versions_and_of_diffs_between_named_versions_is_cached_for_good(api, client, admin):
    bill = api.bill(admin)
    article_id = bill["articles"][0]["id"]
    for url in (f"/api/v1/articles/{article_id}/diff?from=1&to=1", f"/api/v1/articles/{article_id}/versions/1",
                f"/api/v1/bills/{bill['slug']}/versions/1", f"/api/v1/bills/{bill['slug']}/diff?from=1&to=1"):
        first = client.get(url)
        assert first.status_code == 200
        assert first.headers["cache-control"] == "public, max-age=31536000, immutable"
        etag = first.headers["etag"]
        assert etag.startswith('"') and not etag.startswith("W/")
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""


def test_blame_after_the_desk_merges_two_amendments_credits_each_proposer(api, client, admin):
    base = "Le chat dort dans la maison."
    bill = api.bill(admin, articles=[{"number": "1", "text": base}])
    article_id = bill["articles"][0]["id"]
    proposals = {}
    texts = {"alice": "Le chien dort dans la maison.", "bruno": "Le chat dort dans la grande maison."}
    for username, text in texts.items():
        citizen = api.user(username)
        response = client.post(f"/api/v1/articles/{article_id}/amendments", headers=citizen.headers,
                               json={"text": text, "explanation": "Plus juste."})
        assert response.status_code == 201, response.text
        proposals[username] = response.json()["id"]
    merged = client.post(f"/api/v1/articles/{article_id}/versions", headers=admin.headers,
                         json={"expected_version": 1, "message": "Deux amendements",
                               "merge": [proposals["alice"], proposals["bruno"]]})
    assert merged.status_code == 201, merged.text

    blame = client.get(f"/api/v1/articles/{article_id}/blame").json()

    assert merged.json()["text"] == "Le chien dort dans la grande maison."
    assert "".join(s["text"] for s in blame["segments"]) == merged.json()["text"]
    credited = {s["text"].strip(): (s["amendment"], s["author"]) for s in blame["segments"] if s["version"] == 2}
    assert credited == {"chien": (proposals["alice"], "alice"), "grande": (proposals["bruno"], "bruno")}
