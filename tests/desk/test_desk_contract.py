"""The authors' desk, parliament-grade, through HTTP (CONTRACT §8): wording, opinions, discussion
order, sub-amendments, hunks and partial merges."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from tests.amendments.test_desk_api import BASE, amendment, article, citizens, merge, propose

TWO_ALINEAS = "Les administrations publient leurs données.\n\nElles le font dans un délai de deux mois."


@pytest.fixture
def desk(api, admin, db):
    """An open bill of three articles (article 2 has two alinéas) and three citizens."""
    bill = api.bill(admin, articles=[
        {"number": "1", "text": BASE},
        {"number": "2", "text": TWO_ALINEAS},
        {"number": "3", "text": "La présente loi entre en vigueur le 1er janvier."},
    ])
    alice, bruno, chloe = citizens(db, "alice", "bruno", "chloe")
    ids = [a["id"] for a in bill["articles"]]
    return {"bill": bill, "slug": bill["slug"], "articles": ids, "alice": alice, "bruno": bruno, "chloe": chloe}


def opinion(client, account, ids, value, response=None):
    body = {"amendments": ids, "opinion": value, **({"response": response} if response is not None else {})}
    return client.post("/api/v1/amendments/opinions", json=body, headers=account.headers)


def delete(client, account, article_id):
    response = client.post(f"/api/v1/articles/{article_id}/amendments", json={"kind": "delete"},
                           headers=account.headers)
    assert response.status_code == 201, response.text
    return response.json()


def insert(client, account, slug, after, text_):
    response = client.post(f"/api/v1/bills/{slug}/amendments",
                           json={"kind": "insert", "after_article": after, "text": text_}, headers=account.headers)
    assert response.status_code == 201, response.text
    return response.json()


def subamend(client, account, parent_id, text_):
    return client.post(f"/api/v1/amendments/{parent_id}/subamendments",
                       json={"text": text_, "explanation": "Mieux."}, headers=account.headers)


# --- wording -------------------------------------------------------------------------------------

def test_every_kind_of_amendment_has_its_french_wording(client, desk):
    words = propose(client, desk["alice"], desk["articles"][0], BASE.replace("deux mois", "trois mois"))
    assert words["wording"] == "À l'alinéa 1, substituer aux mots : « deux » les mots : « trois »."
    second = propose(client, desk["alice"], desk["articles"][1], TWO_ALINEAS.split("\n\n")[0])
    assert second["wording"] == "Supprimer l'alinéa 2."
    assert delete(client, desk["bruno"], desk["articles"][2])["wording"] == "Supprimer cet article."
    new = insert(client, desk["chloe"], desk["slug"], desk["articles"][0], "Les codes sources sont publiés.")
    assert new["wording"] == ("Après l'article 1, insérer un article additionnel ainsi rédigé :\n"
                              "« Les codes sources sont publiés. »")
    first = insert(client, desk["chloe"], desk["slug"], None, "Définitions.")
    assert first["wording"].startswith("Avant l'article 1, insérer un article additionnel ainsi rédigé :")
    assert amendment(client, words["id"])["wording"] == words["wording"]


def test_a_german_bill_words_its_amendments_in_german(client, admin, api, db, desk):
    with db.session() as session:
        if "language" not in {c["name"] for c in inspect(session.connection()).get_columns("bills")}:
            pytest.skip("bills have no language column on this branch (CONTRACT §6 Bill language lands beside it)")
        session.execute(text("UPDATE bills SET language = 'de' WHERE slug = :slug"), {"slug": desk["slug"]})
    words = propose(client, desk["alice"], desk["articles"][0], BASE.replace("deux mois", "trois mois"))
    assert words["wording"] == "In Absatz 1 werden die Wörter „deux“ durch die Wörter „trois“ ersetzt."
    assert delete(client, desk["bruno"], desk["articles"][2])["wording"] == "Der Artikel wird aufgehoben."


# --- opinions ------------------------------------------------------------------------------------

def test_an_opinion_on_a_batch_answers_each_and_can_be_given_again(client, admin, desk):
    a = propose(client, desk["alice"], desk["articles"][0], BASE.replace("deux", "trois"))
    b = propose(client, desk["bruno"], desk["articles"][0], BASE.replace("deux", "quatre"))
    assert a["opinion"] is None
    given = opinion(client, admin, [a["id"], b["id"]], "defavorable", "Le délai de deux mois suffit.")
    assert given.status_code == 200, given.text
    assert [(x["id"], x["opinion"], x["response"]) for x in given.json()] == [
        (a["id"], "defavorable", "Le délai de deux mois suffit."), (b["id"], "defavorable", "Le délai de deux mois suffit.")]
    again = opinion(client, admin, [a["id"]], "sagesse")
    assert again.status_code == 200, again.text
    assert amendment(client, a["id"])["opinion"] == "sagesse"
    assert amendment(client, b["id"])["opinion"] == "defavorable"


def test_opinions_are_the_authors_on_one_bill_and_not_on_withdrawn_amendments(client, admin, api, desk):
    a = propose(client, desk["alice"], desk["articles"][0], BASE.replace("deux", "trois"))
    assert opinion(client, desk["bruno"], [a["id"]], "favorable").status_code == 403
    assert opinion(client, admin, [a["id"]], "bof").json()["detail"].startswith("opinion")
    assert opinion(client, admin, [], "favorable").json()["detail"].startswith("amendments")
    other = api.bill(admin, title="Autre projet")
    elsewhere = propose(client, desk["alice"], other["articles"][0]["id"], "Un autre texte.")
    assert opinion(client, admin, [a["id"], elsewhere["id"]], "favorable").status_code == 400
    assert client.post(f"/api/v1/amendments/{a['id']}/withdraw", headers=desk["alice"].headers).status_code == 200
    assert opinion(client, admin, [a["id"]], "retrait").status_code == 409
    assert amendment(client, a["id"])["opinion"] is None


# --- discussion order -----------------------------------------------------------------------------

def test_the_bill_amendments_come_in_the_order_of_the_text(client, admin, desk):
    one, two, three = desk["articles"]
    late = propose(client, desk["alice"], one, BASE.replace("deux mois", "trois mois"))
    early = propose(client, desk["bruno"], one, BASE.replace("administrations", "communes"))
    gone = delete(client, desk["chloe"], one)
    after_one = insert(client, desk["alice"], desk["slug"], one, "Un article nouveau.")
    first = insert(client, desk["bruno"], desk["slug"], None, "Définitions.")
    on_three = propose(client, desk["alice"], three, "La présente loi entre en vigueur le 1er mars.")
    sub = subamend(client, desk["chloe"], late["id"], BASE.replace("deux mois", "six mois"))
    assert sub.status_code == 201, sub.text
    sub = sub.json()
    assert sub["parent"] == late["id"]
    listed = client.get(f"/api/v1/bills/{desk['slug']}/amendments")
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()] == [
        first["id"], gone["id"], early["id"], late["id"], sub["id"], after_one["id"], on_three["id"]]
    paged = client.get(f"/api/v1/bills/{desk['slug']}/amendments", params={"limit": 3, "offset": 2})
    assert [a["id"] for a in paged.json()] == [early["id"], late["id"], sub["id"]]
    assert 'rel="next"' in paged.headers["link"] and "offset=5" in paged.headers["link"]
    last = client.get(f"/api/v1/bills/{desk['slug']}/amendments", params={"limit": 3, "offset": 6})
    assert "link" not in last.headers
    inserts = client.get(f"/api/v1/bills/{desk['slug']}/amendments", params={"kind": "insert"}).json()
    assert [a["id"] for a in inserts] == [first["id"], after_one["id"]]
    assert client.get(f"/api/v1/bills/{desk['slug']}/amendments", params={"limit": 501}).json()["detail"].startswith("limit")
    assert client.get(f"/api/v1/bills/{desk['slug']}/amendments", params={"kind": "x"}).json()["detail"].startswith("kind")


def test_merging_a_deletion_makes_the_other_amendments_of_the_article_fall(client, admin, desk):
    one = desk["articles"][0]
    edit = propose(client, desk["alice"], one, BASE.replace("deux", "trois"))
    gone = delete(client, desk["bruno"], one)
    assert merge(client, admin, one, 1, [gone["id"]]).status_code == 201
    fallen = amendment(client, edit["id"])
    assert (fallen["status"], fallen["response"]) == ("rejected", "Tombé")
    assert str(gone["id"]) in fallen["fallen"]


# --- sub-amendments -------------------------------------------------------------------------------

def test_incorporating_a_subamendment_changes_the_parent_and_rebases_the_others(client, admin, db, desk):
    one = desk["articles"][0]
    parent = propose(client, desk["alice"], one, BASE.replace("deux mois", "trois mois"))
    changed = parent["text"]
    other_words = subamend(client, desk["bruno"], parent["id"], changed.replace("administrations", "communes")).json()
    same_words = subamend(client, desk["chloe"], parent["id"], changed.replace("trois mois", "six mois")).json()
    clashing = subamend(client, desk["chloe"], parent["id"], changed.replace("Les administrations", "Toutes")).json()
    assert other_words["wording"] == "À l'alinéa 1, substituer aux mots : « administrations » les mots : « communes »."
    assert subamend(client, desk["bruno"], other_words["id"], "x").status_code == 409  # no sub of a sub
    assert client.post(f"/api/v1/amendments/{other_words['id']}/incorporate",
                       headers=desk["chloe"].headers).status_code == 403
    done = client.post(f"/api/v1/amendments/{other_words['id']}/incorporate", headers=desk["alice"].headers)
    assert done.status_code == 200, done.text
    assert done.json()["id"] == parent["id"]
    assert done.json()["text"] == "Les communes publient leurs données en ligne dans un délai de trois mois."
    assert amendment(client, other_words["id"])["status"] == "accepted"
    followed = amendment(client, same_words["id"])
    assert (followed["status"], followed["text"]) == (
        "open", "Les communes publient leurs données en ligne dans un délai de six mois.")
    assert followed["wording"] == "À l'alinéa 1, substituer aux mots : « trois » les mots : « six »."
    assert amendment(client, clashing["id"])["status"] == "conflict"
    from amendments.models import AmendmentEvent
    from sqlalchemy import select
    with db.session(write=False) as session:
        kinds = list(session.scalars(select(AmendmentEvent.kind).where(AmendmentEvent.amendment_id == parent["id"])
                                     .order_by(AmendmentEvent.id)))
    assert kinds == ["proposed", "incorporated"]
    # the parent merged: its open sub-amendments fall
    assert merge(client, admin, one, 1, [parent["id"]]).status_code == 201
    for sub in (same_words, clashing):
        fallen = amendment(client, sub["id"])
        assert (fallen["status"], fallen["response"]) == ("rejected", "Tombé")


def test_a_withdrawn_parent_drops_its_subamendments_and_a_sub_is_not_merged_into_the_article(client, admin, desk):
    one = desk["articles"][0]
    parent = propose(client, desk["alice"], one, BASE.replace("deux mois", "trois mois"))
    sub = subamend(client, desk["bruno"], parent["id"], parent["text"].replace("trois", "six")).json()
    assert merge(client, admin, one, 1, [sub["id"]]).json()["detail"].startswith("merge")
    assert client.post(f"/api/v1/amendments/{parent['id']}/withdraw", headers=desk["alice"].headers).status_code == 200
    assert amendment(client, sub["id"])["status"] == "rejected"
    assert subamend(client, desk["bruno"], parent["id"], "Autre.").status_code == 409


# --- hunks and partial merge ----------------------------------------------------------------------

def test_merging_one_hunk_accepts_the_amendment_partly_and_blame_credits_it_there_only(client, admin, desk):
    two = desk["articles"][1]
    both = "Les communes publient leurs données.\n\nElles le font dans un délai de six mois."
    proposed = propose(client, desk["alice"], two, both)
    hunks = client.get(f"/api/v1/amendments/{proposed['id']}/hunks").json()
    assert [(h["index"], h["wording"]) for h in hunks] == [
        (0, "À l'alinéa 1, substituer aux mots : « administrations » les mots : « communes »."),
        (1, "À l'alinéa 2, substituer aux mots : « deux » les mots : « six »."),
    ]
    refused = merge(client, admin, two, 1, [proposed["id"]], hunks={str(proposed["id"]): [5]})
    assert refused.status_code == 400 and refused.json()["detail"].startswith("hunks")
    done = merge(client, admin, two, 1, [proposed["id"]], hunks={str(proposed["id"]): [1]})
    assert done.status_code == 201, done.text
    assert done.json()["text"] == "Les administrations publient leurs données.\n\nElles le font dans un délai de six mois."
    merged = amendment(client, proposed["id"])
    assert (merged["status"], merged["partial"]) == ("accepted", True)
    blame = client.get(f"/api/v1/articles/{two}/blame").json()["segments"]
    credited = "".join(s["text"] for s in blame if s["amendment"] == proposed["id"])
    assert "six" in credited and "communes" not in credited and "administrations" not in credited
    again = propose(client, desk["alice"], two, both.replace("six", "six"))
    assert again["status"] == "open" and again["id"] != proposed["id"]


def test_a_conflicting_merge_reports_what_applied_and_why_the_others_did_not(client, admin, desk):
    one = desk["articles"][0]
    good = propose(client, desk["alice"], one, BASE.replace("deux mois", "trois mois"))
    first = propose(client, desk["bruno"], one, BASE.replace("administrations", "communes"))
    clash = propose(client, desk["chloe"], one, BASE.replace("administrations", "régions"))
    response = merge(client, admin, one, 1, [good["id"], first["id"], clash["id"]])
    assert response.status_code == 409
    extra = response.json()["extra"]
    assert extra["conflicts"] == [clash["id"]] and extra["applied"] == [good["id"], first["id"]]
    assert extra["failed"][0]["reason"] == "overlap" and extra["failed"][0]["with"] == first["id"]
    assert article(client, one)["version"] == 1
