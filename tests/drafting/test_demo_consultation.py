"""The living demo (issue 13): ``navette demo`` loads the bill and a short consultation on it, through
the services, so that the pages a newcomer opens show a debate. Read back through HTTP."""
from __future__ import annotations

import re

import lxml.html
from sqlalchemy import func, select

from amendments.services import tallies
from drafting.db import Base
from drafting.seeding import demo

SLUG = demo.DEMO_SLUG


def load(db) -> bool:
    with db.session() as session:
        return demo.load_demo(session)[1]


def row_counts(db) -> dict[str, int]:
    with db.session() as session:
        return {table.name: session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables}


def article_ids(client) -> dict[str, int]:
    bill = client.get(f"/api/v1/bills/{SLUG}").json()
    return {a["number"]: a["id"] for a in bill["articles"]}


def toc_counts(client) -> list[tuple[int, int, int]]:
    """(modifications, votes, arguments) of each article, as the bill page's table of contents shows them."""
    page = client.get(f"/bills/{SLUG}")
    assert page.status_code == 200
    toc = lxml.html.fromstring(page.text).xpath("//nav[contains(@class, 'toc')]")[0]
    found = re.findall(r"(\d+) modifications? · (\d+) votes? · (\d+) arguments?", " ".join(toc.text_content().split()))
    return [tuple(int(n) for n in row) for row in found]


def test_the_bill_page_shows_votes_amendments_and_arguments(client, db):
    assert load(db) is True

    counts = toc_counts(client)
    assert len(counts) == 30
    assert sum(c[0] for c in counts) > 0 and sum(c[1] for c in counts) > 0 and sum(c[2] for c in counts) > 0
    # The article of the open-data debate, read on its own page.
    article = client.get(f"/bills/{SLUG}/articles/{article_ids(client)['8']}")
    assert "domaine public contre les appropriations abusives" in article.text


def test_it_holds_the_three_kinds_of_amendment_and_the_authors_decisions(client, db):
    load(db)

    amendments = client.get(f"/api/v1/bills/{SLUG}/amendments", params={"limit": 500}).json()
    assert {a["kind"] for a in amendments} == {"modify", "delete", "insert"}
    by_title = {a["title"]: a for a in amendments}
    merged = by_title["Fixer le seuil dans la loi"]
    assert merged["status"] == "accepted"
    assert by_title["Supprimer l'article 8"]["status"] == "rejected"
    assert by_title["Un seuil plus bas"]["status"] == "conflict"  # it changed the words the merge changed
    answered = by_title["Préciser ce que « non discriminatoire » veut dire"]
    detail = client.get(f"/amendments/{answered['id']}")
    assert "sagesse de la consultation" in detail.text
    # The merge is a new version of article 1, published in a third bill version.
    versions = client.get(f"/api/v1/articles/{merged['article']}/versions").json()
    assert versions[-1]["merged_amendments"] == [merged["id"]]
    assert "inférieur à cinquante" in versions[-1]["text"]
    bill = client.get(f"/api/v1/bills/{SLUG}").json()
    assert [v["seq"] for v in bill["versions"]] == [1, 2, 3]
    assert client.get(f"/api/v1/bills/{SLUG}/versions/3").status_code == 200


def test_the_trash_holds_one_argument(client, db):
    load(db)

    trash = client.get(f"/api/v1/bills/{SLUG}/trash").json()
    assert len(trash) == 1
    page = client.get(f"/bills/{SLUG}/trash")
    assert "Publicité sans rapport avec le débat" in page.text
    assert "lunettes-pas-cheres" not in page.text
    assert "lunettes-pas-cheres" not in client.get(f"/bills/{SLUG}/articles/{article_ids(client)['11']}").text


def test_its_counts_match_their_rows_and_search_finds_it(client, db):
    load(db)

    with db.session() as session:
        assert tallies.drift(session) == []
    found = client.get("/api/v1/search", params={"q": "logiciels libres", "bill": SLUG}).json()["items"]
    assert "amendment" in {item["type"] for item in found}
    found = client.get("/api/v1/search", params={"q": "appropriation abusive", "bill": SLUG}).json()["items"]
    assert "argument" in {item["type"] for item in found}


def test_the_organizations_say_what_their_interests_are(client, db):
    load(db)

    people = [client.get(f"/api/v1/users/{name}") for name in ("savoirs-communs", "federation-editeurs")]
    assert all(p.json()["kind"] == "organization" and p.json()["organization"]["declared_interests"] for p in people)


def test_loading_twice_changes_nothing(client, db):
    assert load(db) is True
    before, toc = row_counts(db), toc_counts(client)

    assert load(db) is False

    assert row_counts(db) == before
    assert toc_counts(client) == toc


def members(argument_map: dict, stance: str) -> list[set[int]]:
    return [set(p["arguments"]) for p in argument_map["stances"][stance]]


def test_the_argument_map_groups_the_same_reason_worded_differently(client, db, real_embeddings):
    load(db)
    ids = article_ids(client)

    def groups(number: str, stance: str) -> list[list[str]]:
        """Each position of the article's stance as the first words of its arguments, largest first."""
        argument_map = client.get(f"/api/v1/articles/{ids[number]}/argument-map").json()
        bodies = {a["id"]: a["body"] for a in client.get(f"/api/v1/articles/{ids[number]}/arguments",
                                                           params={"limit": 500}).json()}
        return [sorted(bodies[i][:25] for i in group) for group in members(argument_map, stance)]

    # The data file words each of these reasons two or three ways (an exact repeat joins as a supporter).
    assert groups("8", "for") == [
        sorted(["Cet article protège le do", "Il faut protéger le domai", "Le domaine public doit êt"]),
        ["Donner aux associations l"],
    ]
    assert groups("8", "against")[0] == sorted(["La notion de domaine comm", "Cette notion de domaine c"])
    assert groups("11", "for") == [sorted(["La neutralité du net gara", "Grâce à la neutralité du ",
                                            "Inscrire la neutralité da"])]
    assert groups("20", "for") == [sorted(["Chacun doit pouvoir décid", "Chacun doit pouvoir décid",
                                            "Décider du sort de ses co"])]


def test_the_stored_vectors_are_e5s_for_todays_texts_and_code(real_embeddings):
    """``navette demo`` reads the arguments' e5 vectors from drafting/demo (fast); they must be what e5
    gives today (else: ``python -m drafting.seeding.demo vectors`` writes them again)."""
    import numpy as np

    from amendments import positions as method
    from drafting.seeding import consultation

    data = demo.consultation_data()
    with np.load(demo.DEMO_DIR / demo.VECTORS_FILE, allow_pickle=False) as saved:
        assert str(saved["fingerprint"]) == consultation.e5_fingerprint()
        stored = dict(zip((str(d) for d in saved["digests"]), saved["vectors"]))
    bodies = sorted({entry["body"] for entry in data["arguments"]})
    assert sorted(stored) == sorted(consultation.body_digest(b) for b in bodies)
    fresh = method.embed(bodies)

    def same(a, b) -> bool:
        # The model's floats differ by up to ~1e-3 from one CPU to another (its kernels follow the
        # instruction set); a vector of another text is never this close (0.993 at most here).
        return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))) > 0.9999

    for body, vector in zip(bodies, fresh):
        assert same(stored[consultation.body_digest(body)], vector), body
    read = demo.e5_vectors()
    assert all(same(read[b], v) for b, v in zip(bodies, fresh))
