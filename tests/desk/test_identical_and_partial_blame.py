"""Identical amendments discussed together, and blame after a version that merged several amendments,
some in part (issue 16, CONTRACT §8), through HTTP."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from amendments.models import MergedHunk
from tests.amendments.test_desk_api import amendment, citizens, merge, propose
from tests.conftest import sign_in
from tests.desk.test_desk_contract import delete, subamend

CONSEIL = "Le maire convoque le conseil.\nLe conseil délibère.\nLe préfet est informé."


@pytest.fixture
def conseil(api, admin, db):
    """An open bill whose article 1 has three alinéas, and four citizens."""
    bill = api.bill(admin, articles=[{"number": "1", "text": CONSEIL},
                                     {"number": "2", "text": "La présente loi entre en vigueur le 1er janvier."}])
    alice, bruno, chloe, driss = citizens(db, "alice", "bruno", "chloe", "driss")
    return {"slug": bill["slug"], "article": bill["articles"][0]["id"], "other": bill["articles"][1]["id"],
            "alice": alice, "bruno": bruno, "chloe": chloe, "driss": driss}


def edit(client, admin, article_id, version, text):
    """A direct edit by the bill's author: version ``version + 1``."""
    response = merge(client, admin, article_id, version, [], text=text, message="Correction")
    assert response.status_code == 201, response.text


def listed(client, slug, **params):
    response = client.get(f"/api/v1/bills/{slug}/amendments", params=params)
    assert response.status_code == 200, response.text
    return response.json()


# --- identical amendments -------------------------------------------------------------------------

def test_amendments_written_on_different_bases_become_identical_once_rebased_and_are_discussed_together(
        client, admin, conseil):
    one = conseil["article"]
    reunit = CONSEIL.replace("convoque", "réunit")
    first = propose(client, conseil["alice"], one, reunit)
    edit(client, admin, one, 1, CONSEIL.replace("informé", "averti"))
    assert amendment(client, first["id"])["base_version"] == 2
    # the same change again, on version 1: the first is on version 2 now, so it is a new amendment
    between = propose(client, conseil["chloe"], one, CONSEIL.replace("convoque", "rassemble").replace("informé", "averti"))
    again = propose(client, conseil["bruno"], one, reunit, base_version=1)
    assert again["id"] not in (first["id"], between["id"]) and again["base_version"] == 1
    assert again["cosigners"] == [] and amendment(client, first["id"])["cosigners"] == []
    assert [a["id"] for a in listed(client, conseil["slug"])] == [first["id"], between["id"], again["id"]]
    assert amendment(client, first["id"])["identical_to"] == []

    edit(client, admin, one, 2, CONSEIL.replace("informé", "avisé"))  # both rebased onto version 3
    a, b = amendment(client, first["id"]), amendment(client, again["id"])
    assert (a["base_version"], a["text"]) == (b["base_version"], b["text"]) == (3, reunit.replace("informé", "avisé"))
    ordered = listed(client, conseil["slug"])
    assert [x["id"] for x in ordered] == [first["id"], again["id"], between["id"]]
    assert [x["identical_to"] for x in ordered] == [[again["id"]], [first["id"]], []]
    assert a["identical_to"] == [again["id"]] and b["identical_to"] == [first["id"]]
    # a status filter keeps the group together and its marks
    assert [x["id"] for x in listed(client, conseil["slug"], status="open")] == [first["id"], again["id"], between["id"]]


def test_identical_deletions_and_subamendments_are_grouped_and_subamendments_follow_their_group(
        client, admin, db, conseil):
    one = conseil["article"]
    gone = delete(client, conseil["alice"], one)
    change = propose(client, conseil["chloe"], one, CONSEIL.replace("délibère", "vote"))
    edit(client, admin, one, 1, CONSEIL.replace("informé", "averti"))
    # a deletion written on version 1 while the other one is on version 2: not a co-signature
    response = client.post(f"/api/v1/articles/{one}/amendments",
                           json={"kind": "delete", "base_version": 1}, headers=conseil["bruno"].headers)
    assert response.status_code == 201, response.text
    gone_again = response.json()
    assert gone_again["base_version"] == 1 and amendment(client, gone["id"])["base_version"] == 2
    parent = amendment(client, change["id"])
    better = parent["text"].replace("vote", "vote à main levée")
    sub = subamend(client, conseil["driss"], parent["id"], better).json()
    other_sub = subamend(client, conseil["alice"], parent["id"], parent["text"].replace("maire", "président")).json()
    same_sub = subamend(client, conseil["bruno"], parent["id"], better).json()
    assert same_sub["id"] != sub["id"]
    ordered = listed(client, conseil["slug"])
    assert [x["id"] for x in ordered] == [gone["id"], gone_again["id"], change["id"], other_sub["id"], sub["id"],
                                          same_sub["id"]]
    marks = {x["id"]: x["identical_to"] for x in ordered}
    assert marks == {gone["id"]: [gone_again["id"]], gone_again["id"]: [gone["id"]], change["id"]: [],
                     other_sub["id"]: [], sub["id"]: [same_sub["id"]], same_sub["id"]: [sub["id"]]}
    # the liasse shows them grouped
    sign_in(client, db, "admin")
    page = client.get(f"/bills/{conseil['slug']}/desk").text
    assert page.count('<p class="identical-group">Amendements identiques n° ') == 3  # two groups, and the current one
    assert f"Amendements identiques n° {gone['id']}, {gone_again['id']}</p>" in page
    assert f"Amendements identiques n° {sub['id']}, {same_sub['id']}</p>" in page
    current = page.split('id="current-title"')[1].split("</section>")[0]
    assert f'<a href="/amendments/{gone_again["id"]}">{gone_again["id"]}</a>' in current
    review = client.get(f"/bills/{conseil['slug']}/review?status=all").text
    assert f"Identique aux amendements n° {gone_again['id']}</p>" in review


def test_each_subamendment_comes_right_after_its_parent_even_inside_an_identical_group(client, admin, db, conseil):
    """CONTRACT §8: sub-amendments right after their parent, also when the parent has identical ones."""
    one = conseil["article"]
    reunit = CONSEIL.replace("convoque", "réunit")
    first = propose(client, conseil["alice"], one, reunit)
    edit(client, admin, one, 1, CONSEIL.replace("informé", "averti"))
    again = propose(client, conseil["bruno"], one, reunit, base_version=1)
    edit(client, admin, one, 2, CONSEIL.replace("informé", "avisé"))  # both rebased onto version 3: identical
    assert amendment(client, first["id"])["identical_to"] == [again["id"]]
    text = amendment(client, first["id"])["text"]
    of_again = subamend(client, conseil["chloe"], again["id"], text.replace("conseil délibère", "conseil vote")).json()
    of_first = subamend(client, conseil["driss"], first["id"], text.replace("maire", "président")).json()
    expected = [first["id"], of_first["id"], again["id"], of_again["id"]]
    assert [x["id"] for x in listed(client, conseil["slug"])] == expected
    sign_in(client, db, "admin")
    page = client.get(f"/bills/{conseil['slug']}/desk").text
    liasse = page.split('<ol class="liasse">')[1].split("</ol>")[0]
    assert [int(n) for n in re.findall(r'name="amendment" value="(\d+)"', liasse)] == expected
    assert liasse.count('<p class="identical-group">') == 1  # the group is named once, at its first member


def test_identical_new_articles_are_grouped(client, admin, db, conseil):
    body = {"kind": "insert", "after_article": conseil["article"], "text": "Le conseil se réunit chaque mois."}
    first = client.post(f"/api/v1/bills/{conseil['slug']}/amendments", json=body, headers=conseil["alice"].headers).json()
    cosigned = client.post(f"/api/v1/bills/{conseil['slug']}/amendments", json=body, headers=conseil["bruno"].headers)
    assert cosigned.status_code == 200 and cosigned.json()["id"] == first["id"]  # while open: a co-signature
    assert client.post(f"/api/v1/amendments/{first['id']}/withdraw", headers=conseil["alice"].headers).status_code == 200
    again = client.post(f"/api/v1/bills/{conseil['slug']}/amendments", json=body, headers=conseil["chloe"].headers)
    assert again.status_code == 201, again.text
    headed = client.post(f"/api/v1/bills/{conseil['slug']}/amendments", json={**body, "heading": "Réunions"},
                         headers=conseil["driss"].headers).json()
    ordered = listed(client, conseil["slug"], kind="insert")
    assert [x["id"] for x in ordered] == [first["id"], again.json()["id"], headed["id"]]
    assert [x["identical_to"] for x in ordered] == [[again.json()["id"]], [first["id"]], []]


# --- blame after partial merges -------------------------------------------------------------------

def blame_by_amendment(client, article_id):
    segments = client.get(f"/api/v1/articles/{article_id}/blame").json()["segments"]
    credited: dict[int | None, list[str]] = {}
    for segment in segments:
        credited.setdefault(segment["amendment"], []).append(segment["text"])
    return "".join(s["text"] for s in segments), segments, credited


@pytest.mark.parametrize("partial_first", [True, False])
def test_blame_credits_each_amendment_of_a_merge_only_with_the_hunks_merged(client, admin, db, conseil, partial_first):
    one = conseil["article"]
    two_changes = propose(client, conseil["alice"], one, CONSEIL.replace("convoque", "réunit").replace("informé", "averti"))
    other = propose(client, conseil["bruno"], one, CONSEIL.replace("délibère", "vote"))
    hunks = client.get(f"/api/v1/amendments/{two_changes['id']}/hunks").json()
    assert [h["wording"] for h in hunks] == [
        "À l'alinéa 1, substituer aux mots : « convoque » les mots : « réunit ».",
        "À l'alinéa 3, substituer aux mots : « informé » les mots : « averti ».",
    ]
    order = [two_changes["id"], other["id"]] if partial_first else [other["id"], two_changes["id"]]
    done = merge(client, admin, one, 1, order, hunks={str(two_changes["id"]): [0]})
    assert done.status_code == 201, done.text
    expected = "Le maire réunit le conseil.\nLe conseil vote.\nLe préfet est informé."
    assert done.json()["text"] == expected
    assert (amendment(client, two_changes["id"])["partial"], amendment(client, other["id"])["partial"]) == (True, False)

    text, segments, credited = blame_by_amendment(client, one)
    assert text == expected
    assert "".join(credited[two_changes["id"]]).strip() == "réunit"
    assert "".join(credited[other["id"]]).strip() == "vote"
    left_out = [s for s in segments if "informé" in s["text"]]
    assert [(s["version"], s["amendment"], s["author"]) for s in left_out] == [(1, None, "admin")]

    with db.session(write=False) as session:
        rows = list(session.scalars(select(MergedHunk).order_by(MergedHunk.hunk_index)))
    assert [(r.amendment_id, r.hunk_index, r.wording) for r in rows] == [(two_changes["id"], 0, hunks[0]["wording"])]
    assert rows[0].diff == '[[0, "Le maire "], [-1, "convoque"], [1, "réunit"], [0, " le conseil.\\nLe conseil délibère.\\nLe préfet est informé."]]'


def test_blame_after_partial_merges_of_three_amendments(client, admin, conseil):
    one = conseil["article"]
    a = propose(client, conseil["alice"], one, CONSEIL.replace("maire", "président").replace("informé", "averti"))
    b = propose(client, conseil["bruno"], one, CONSEIL.replace("délibère", "vote").replace("préfet", "recteur"))
    c = propose(client, conseil["chloe"], one, CONSEIL.replace("le conseil.", "le conseil municipal."))
    done = merge(client, admin, one, 1, [a["id"], b["id"], c["id"]], hunks={str(a["id"]): [1], str(b["id"]): [0]})
    assert done.status_code == 201, done.text
    assert done.json()["text"] == "Le maire convoque le conseil municipal.\nLe conseil vote.\nLe préfet est averti."
    _, segments, credited = blame_by_amendment(client, one)
    assert "".join(credited[a["id"]]).strip() == "averti"
    assert "".join(credited[b["id"]]).strip() == "vote"
    assert "".join(credited[c["id"]]).strip() == "municipal"
    assert not [s for s in segments if s["amendment"] and ("maire" in s["text"] or "préfet" in s["text"])]


def test_a_hunk_choice_is_checked_on_every_path(client, admin, conseil):
    one = conseil["article"]
    two_changes = propose(client, conseil["alice"], one, CONSEIL.replace("convoque", "réunit").replace("informé", "averti"))
    other = propose(client, conseil["bruno"], one, CONSEIL.replace("délibère", "vote"))
    empty = merge(client, admin, one, 1, [two_changes["id"], other["id"]], hunks={str(two_changes["id"]): []})
    assert empty.status_code == 400 and empty.json()["detail"].startswith("hunks")
    with_text = merge(client, admin, one, 1, [two_changes["id"]], hunks={str(two_changes["id"]): [7]},
                      text=CONSEIL.replace("convoque", "réunit"))
    assert with_text.status_code == 400 and with_text.json()["detail"].startswith("hunks")
    stranger = merge(client, admin, one, 1, [other["id"]], hunks={str(two_changes["id"]): [0]})
    assert stranger.status_code == 400 and stranger.json()["detail"].startswith("hunks")
    assert amendment(client, two_changes["id"])["status"] == "open"
