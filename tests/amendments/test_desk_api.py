"""The authors' desk through the JSON API: merging, rebasing, rejecting, answering (CONTRACT §2, §3)."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from amendments.models import AmendmentEvent
from tests.conftest import Account, sign_in

BASE = "Les administrations publient leurs données en ligne dans un délai de deux mois."
# Two citizens change different words, a third the same word as the first.
OTHER_WORDS = "Les administrations publient leurs données en ligne dans un délai de trois mois."
SAME_WORD_AS_HEAD = "Les collectivités publient leurs données en ligne dans un délai de deux mois."
HEAD_CHANGE = "Les ministères publient leurs données en ligne dans un délai de deux mois."


def citizens(db, *usernames: str) -> list[Account]:
    """Signed-in citizens, made straight in the database: set-up without the cost of password hashing."""
    from drafting.services import accounts
    from drafting.models import User

    made = []
    with db.session() as session:
        for username in usernames:
            user = User(username=username, display_name=username.capitalize(), kind="citizen")
            session.add(user)
            session.flush()
            made.append(Account(username, "", accounts.issue_token(session, user, "api")))
    return made


def propose(client, account, article_id: int, text: str, **fields: Any) -> dict[str, Any]:
    """A citizen proposes a new text for an article; answers the amendment JSON."""
    response = client.post(f"/api/v1/articles/{article_id}/amendments",
                           json={"text": text, "explanation": fields.pop("explanation", "Parce que."), **fields},
                           headers=account.headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


def merge(client, account, article_id: int, expected_version: int, ids: list[int], **fields: Any):
    return client.post(f"/api/v1/articles/{article_id}/versions",
                       json={"expected_version": expected_version, "message": fields.pop("message", "Fusion"),
                             "merge": ids, **fields},
                       headers=account.headers)


def amendment(client, amendment_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/amendments/{amendment_id}")
    assert response.status_code == 200, response.text
    return response.json()


def article(client, article_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/articles/{article_id}")
    assert response.status_code == 200, response.text
    return response.json()


def events(db, amendment_id: int) -> list[AmendmentEvent]:
    with db.session(write=False) as session:
        return list(session.scalars(select(AmendmentEvent).where(AmendmentEvent.amendment_id == amendment_id)
                                    .order_by(AmendmentEvent.id)))


@pytest.fixture
def desk(api, admin, db):
    """An open bill whose article 2 has BASE as version 1, and three citizens."""
    bill = api.bill(admin, articles=[
        {"number": "1", "text": "La présente loi a pour objet l'ouverture des données."},
        {"number": "2", "text": BASE},
        {"number": "3", "text": "La présente loi entre en vigueur le 1er janvier."},
    ])
    alice, bruno, chloe = citizens(db, "alice", "bruno", "chloe")
    return {"bill": bill, "article": bill["articles"][1]["id"], "alice": alice, "bruno": bruno, "chloe": chloe}


def test_a_citizen_cannot_merge_reject_or_respond(client, desk):
    mine = propose(client, desk["alice"], desk["article"], OTHER_WORDS)
    bruno = desk["bruno"]
    assert merge(client, bruno, desk["article"], 1, [mine["id"]]).status_code == 403
    assert client.post(f"/api/v1/articles/{desk['article']}/versions",
                       json={"expected_version": 1, "message": "", "text": HEAD_CHANGE},
                       headers=bruno.headers).status_code == 403
    for action in ("reject", "respond"):
        response = client.post(f"/api/v1/amendments/{mine['id']}/{action}", json={"response": "Non."},
                               headers=bruno.headers)
        assert response.status_code == 403, response.text
    assert client.post(f"/api/v1/amendments/{mine['id']}/reject", json={"response": "Non."}).status_code == 401
    assert amendment(client, mine["id"])["status"] == "open"
    assert article(client, desk["article"])["version"] == 1


def test_a_stale_expected_version_gets_409_and_changes_nothing(client, admin, desk):
    mine = propose(client, desk["alice"], desk["article"], OTHER_WORDS)
    first = client.post(f"/api/v1/articles/{desk['article']}/versions",
                        json={"expected_version": 1, "message": "Correction", "text": HEAD_CHANGE},
                        headers=admin.headers)
    assert first.status_code == 201, first.text
    stale = merge(client, admin, desk["article"], 1, [mine["id"]])
    assert stale.status_code == 409
    assert stale.json()["extra"]["field"] == "expected_version"
    assert article(client, desk["article"])["version"] == 2
    assert amendment(client, mine["id"])["status"] == "open"


def test_open_amendment_is_rebased_when_other_words_change(client, admin, db, desk):
    mine = propose(client, desk["alice"], desk["article"], OTHER_WORDS)
    response = client.post(f"/api/v1/articles/{desk['article']}/versions",
                           json={"expected_version": 1, "message": "Les ministères", "text": HEAD_CHANGE},
                           headers=admin.headers)
    assert response.status_code == 201, response.text
    rebased = amendment(client, mine["id"])
    assert rebased["status"] == "open"
    assert rebased["base_version"] == 2
    assert rebased["text"] == "Les ministères publient leurs données en ligne dans un délai de trois mois."
    assert [(op, text.strip()) for op, text in rebased["diff"] if op != 0] == [(-1, "deux"), (1, "trois")]
    record = [e for e in events(db, mine["id"]) if e.kind == "rebased"]
    assert len(record) == 1
    assert (record[0].from_version, record[0].to_version, record[0].previous_text) == (1, 2, OTHER_WORDS)


def test_amendment_on_the_same_word_becomes_conflict_and_keeps_its_base(client, admin, db, desk):
    theirs = propose(client, desk["alice"], desk["article"], SAME_WORD_AS_HEAD)
    client.post(f"/api/v1/articles/{desk['article']}/versions",
                json={"expected_version": 1, "message": "", "text": HEAD_CHANGE}, headers=admin.headers)
    conflicted = amendment(client, theirs["id"])
    assert conflicted["status"] == "conflict"
    assert (conflicted["base_version"], conflicted["text"]) == (1, SAME_WORD_AS_HEAD)
    [event] = [e for e in events(db, theirs["id"]) if e.kind == "conflict"]
    assert (event.from_version, event.to_version) == (1, 2)
    assert '"ours": "collectivités"' in event.detail and '"theirs": "ministères"' in event.detail


def test_merging_the_rebased_amendment_keeps_both_changes(client, admin, desk):
    first = propose(client, desk["alice"], desk["article"], HEAD_CHANGE)
    second = propose(client, desk["bruno"], desk["article"], OTHER_WORDS)
    v2 = merge(client, admin, desk["article"], 1, [first["id"]], message="Les ministères")
    assert v2.status_code == 201, v2.text
    assert v2.json()["merged_amendments"] == [first["id"]]
    assert amendment(client, first["id"])["status"] == "accepted"
    assert amendment(client, second["id"])["base_version"] == 2

    v3 = merge(client, admin, desk["article"], 2, [second["id"]], message="Trois mois")
    assert v3.status_code == 201, v3.text
    both = "Les ministères publient leurs données en ligne dans un délai de trois mois."
    assert article(client, desk["article"])["text"] == both
    assert amendment(client, second["id"])["status"] == "accepted"

    diff = client.get(f"/api/v1/articles/{desk['article']}/diff", params={"from": 1, "to": 3}).json()["diff"]
    assert "".join(t for op, t in diff if op <= 0) == BASE
    assert "".join(t for op, t in diff if op >= 0) == both
    versions = client.get(f"/api/v1/articles/{desk['article']}/versions").json()
    assert [v["merged_amendments"] for v in versions] == [[], [first["id"]], [second["id"]]]
    blame = client.get(f"/api/v1/articles/{desk['article']}/blame").json()
    assert "".join(s["text"] for s in blame["segments"]) == both
    authors = {s["text"].strip(): s["author"] for s in blame["segments"]}
    assert authors["ministères"] == "alice" and authors["trois"] == "bruno"


def test_several_amendments_merge_in_one_version_in_the_given_order(client, admin, desk):
    first = propose(client, desk["alice"], desk["article"], HEAD_CHANGE)
    second = propose(client, desk["bruno"], desk["article"], OTHER_WORDS)
    response = merge(client, admin, desk["article"], 1, [second["id"], first["id"]])
    assert response.status_code == 201, response.text
    assert response.json()["merged_amendments"] == [second["id"], first["id"]]
    assert response.json()["text"] == "Les ministères publient leurs données en ligne dans un délai de trois mois."


def test_conflicting_merge_is_refused_with_the_conflicts_and_nothing_changes(client, admin, db, desk):
    first = propose(client, desk["alice"], desk["article"], HEAD_CHANGE)
    clashing = propose(client, desk["bruno"], desk["article"], SAME_WORD_AS_HEAD)
    fine = propose(client, desk["chloe"], desk["article"], OTHER_WORDS)
    response = merge(client, admin, desk["article"], 1, [first["id"], fine["id"], clashing["id"]])
    assert response.status_code == 409, response.text
    assert response.json()["extra"]["conflicts"] == [clashing["id"]]
    assert article(client, desk["article"])["version"] == 1
    assert {amendment(client, i)["status"] for i in (first["id"], clashing["id"], fine["id"])} == {"open"}
    assert [e.kind for e in events(db, fine["id"])] == ["proposed"]


def test_merging_with_a_final_text_credits_the_amendments(client, admin, desk):
    clashing_a = propose(client, desk["alice"], desk["article"], HEAD_CHANGE)
    clashing_b = propose(client, desk["bruno"], desk["article"], SAME_WORD_AS_HEAD)
    final = "Les ministères et les collectivités publient leurs données en ligne dans un délai de deux mois."
    response = merge(client, admin, desk["article"], 1, [clashing_a["id"], clashing_b["id"]], text=final)
    assert response.status_code == 201, response.text
    assert response.json()["text"] == final
    assert response.json()["merged_amendments"] == [clashing_a["id"], clashing_b["id"]]
    assert {amendment(client, i)["status"] for i in (clashing_a["id"], clashing_b["id"])} == {"accepted"}


def test_merge_rejects_bad_lists(client, admin, desk, api):
    other_bill = api.bill(admin, slug="autre-projet")
    elsewhere = propose(client, desk["alice"], other_bill["articles"][0]["id"], "Un tout autre texte.")
    mine = propose(client, desk["alice"], desk["article"], OTHER_WORDS)
    assert merge(client, admin, desk["article"], 1, [elsewhere["id"]]).status_code == 400
    assert merge(client, admin, desk["article"], 1, [999_999]).status_code == 400
    twice = merge(client, admin, desk["article"], 1, [mine["id"], mine["id"]])
    assert twice.status_code == 400 and "merge" in twice.json()["detail"]
    missing = client.post(f"/api/v1/articles/{desk['article']}/versions", json={"expected_version": 1},
                          headers=admin.headers)
    assert missing.status_code == 400 and "text" in missing.json()["detail"]
    client.post(f"/api/v1/amendments/{mine['id']}/reject", json={"response": "Non."}, headers=admin.headers)
    assert merge(client, admin, desk["article"], 1, [mine["id"]]).status_code == 409


def test_the_proposer_resolves_a_conflict_by_rebasing(client, admin, db, desk):
    theirs = propose(client, desk["alice"], desk["article"], SAME_WORD_AS_HEAD)
    client.post(f"/api/v1/articles/{desk['article']}/versions",
                json={"expected_version": 1, "message": "", "text": HEAD_CHANGE}, headers=admin.headers)
    assert amendment(client, theirs["id"])["status"] == "conflict"
    # the conflicting amendment cannot be merged as it is
    refused = merge(client, admin, desk["article"], 2, [theirs["id"]])
    assert refused.status_code == 409 and refused.json()["extra"]["conflicts"] == [theirs["id"]]

    resolved = "Les ministères et les collectivités publient leurs données en ligne dans un délai de deux mois."
    not_mine = client.post(f"/api/v1/amendments/{theirs['id']}/rebase", json={"text": resolved},
                           headers=desk["bruno"].headers)
    assert not_mine.status_code == 403
    response = client.post(f"/api/v1/amendments/{theirs['id']}/rebase", json={"text": resolved},
                           headers=desk["alice"].headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["base_version"], body["text"]) == ("open", 2, resolved)
    assert [(op, text.strip()) for op, text in body["diff"] if op != 0] == [(1, "et les collectivités")]
    [event] = [e for e in events(db, theirs["id"]) if e.kind == "resubmitted"]
    assert (event.from_version, event.to_version, event.previous_text) == (1, 2, SAME_WORD_AS_HEAD)

    merged = merge(client, admin, desk["article"], 2, [theirs["id"]])
    assert merged.status_code == 201, merged.text
    assert article(client, desk["article"])["text"] == resolved


def test_rebase_requires_a_new_text_and_an_open_or_conflict_amendment(client, admin, desk):
    mine = propose(client, desk["alice"], desk["article"], OTHER_WORDS)
    same = client.post(f"/api/v1/amendments/{mine['id']}/rebase", json={"text": BASE},
                       headers=desk["alice"].headers)
    assert same.status_code == 400 and "text" in same.json()["detail"]
    assert client.post(f"/api/v1/amendments/{mine['id']}/rebase", json={},
                       headers=desk["alice"].headers).status_code == 400
    client.post(f"/api/v1/amendments/{mine['id']}/reject", json={"response": "Non."}, headers=admin.headers)
    late = client.post(f"/api/v1/amendments/{mine['id']}/rebase", json={"text": HEAD_CHANGE},
                       headers=desk["alice"].headers)
    assert late.status_code == 409


def test_rejection_carries_a_public_response(client, admin, db, desk):
    mine = propose(client, desk["alice"], desk["article"], OTHER_WORDS)
    empty = client.post(f"/api/v1/amendments/{mine['id']}/reject", json={"response": "  "}, headers=admin.headers)
    assert empty.status_code == 400 and "response" in empty.json()["detail"]
    response = client.post(f"/api/v1/amendments/{mine['id']}/reject",
                           json={"response": "Le délai de deux mois est celui du code."}, headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "rejected"
    assert response.json()["response"] == "Le délai de deux mois est celui du code."
    assert amendment(client, mine["id"])["response"] == "Le délai de deux mois est celui du code."
    again = client.post(f"/api/v1/amendments/{mine['id']}/reject", json={"response": "Encore non."},
                        headers=admin.headers)
    assert again.status_code == 409
    assert merge(client, admin, desk["article"], 1, [mine["id"]]).status_code == 409
    assert [e.kind for e in events(db, mine["id"])] == ["proposed", "rejected"]


def test_a_response_changes_no_state(client, admin, desk):
    mine = propose(client, desk["alice"], desk["article"], OTHER_WORDS)
    response = client.post(f"/api/v1/amendments/{mine['id']}/respond",
                           json={"response": "Nous étudions la question."}, headers=admin.headers)
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["response"]) == ("open", "Nous étudions la question.")
    merged = merge(client, admin, desk["article"], 1, [mine["id"]])
    assert merged.status_code == 201
    # the authors may still answer an accepted amendment; the latest answer is shown
    later = client.post(f"/api/v1/amendments/{mine['id']}/respond", json={"response": "Retenu, merci."},
                        headers=admin.headers)
    assert later.status_code == 200
    assert (later.json()["status"], later.json()["response"]) == ("accepted", "Retenu, merci.")


def test_a_direct_edit_also_rebases_and_supersedes_what_it_already_makes(client, admin, db, desk):
    made = propose(client, desk["alice"], desk["article"], HEAD_CHANGE)
    other = propose(client, desk["bruno"], desk["article"], OTHER_WORDS)
    response = client.post(f"/api/v1/articles/{desk['article']}/versions",
                           json={"expected_version": 1, "message": "Reprise directe", "text": HEAD_CHANGE},
                           headers=admin.headers)
    assert response.status_code == 201, response.text
    assert response.json()["merged_amendments"] == []
    superseded = amendment(client, made["id"])
    assert (superseded["status"], superseded["base_version"], superseded["text"]) == ("accepted", 1, HEAD_CHANGE)
    assert [e.kind for e in events(db, made["id"])] == ["proposed", "superseded"]
    assert amendment(client, other["id"])["status"] == "open"


def test_bill_version_2_and_the_bill_diff_mark_the_article_modified(client, admin, desk):
    mine = propose(client, desk["alice"], desk["article"], OTHER_WORDS)
    assert merge(client, admin, desk["article"], 1, [mine["id"]]).status_code == 201
    published = client.post(f"/api/v1/bills/{desk['bill']['slug']}/versions",
                            json={"label": "Version 2", "message": "Après consultation"}, headers=admin.headers)
    assert published.status_code == 201, published.text
    assert published.json()["seq"] == 2
    diff = client.get(f"/api/v1/bills/{desk['bill']['slug']}/diff", params={"from": 1, "to": 2}).json()
    changes = {a["id"]: a["change"] for a in diff["articles"]}
    assert changes[desk["article"]] == "modified"
    assert sorted(changes.values()) == ["modified", "unchanged", "unchanged"]


def test_merging_a_deletion_removes_the_article_from_the_next_bill_version(client, admin, desk):
    gone = desk["bill"]["articles"][2]["id"]
    deletion = client.post(f"/api/v1/articles/{gone}/amendments",
                           json={"kind": "delete", "explanation": "Inutile."}, headers=desk["alice"].headers)
    assert deletion.status_code == 201, deletion.text
    edit = propose(client, desk["bruno"], gone, "La présente loi entre en vigueur le 1er juillet.")
    response = merge(client, admin, gone, 1, [deletion.json()["id"]])
    assert response.status_code == 201, response.text
    assert (response.json()["deletes_article"], response.json()["text"]) == (True, "")
    fallen = amendment(client, edit["id"])  # made moot: it falls (CONTRACT §8)
    assert (fallen["status"], fallen["response"]) == ("rejected", "Tombé")
    client.post(f"/api/v1/bills/{desk['bill']['slug']}/versions", json={"label": "Version 2"}, headers=admin.headers)
    snapshot = client.get(f"/api/v1/bills/{desk['bill']['slug']}/versions/2").json()
    assert gone not in [a["id"] for a in snapshot["articles"]]
    diff = client.get(f"/api/v1/bills/{desk['bill']['slug']}/diff", params={"from": 1, "to": 2}).json()
    assert {a["id"]: a["change"] for a in diff["articles"]}[gone] == "removed"
    history = client.get(f"/api/v1/articles/{gone}/versions").json()
    assert [v["version"] for v in history] == [1, 2]
    assert history[0]["text"] == "La présente loi entre en vigueur le 1er janvier."


def test_merging_an_insertion_creates_the_article_at_its_place(client, admin, desk):
    slug = desk["bill"]["slug"]
    first, second = desk["bill"]["articles"][0]["id"], desk["article"]
    proposed = client.post(f"/api/v1/bills/{slug}/amendments",
                           json={"kind": "insert", "after_article": first, "heading": "Codes sources",
                                 "text": "Les codes sources sont des documents administratifs.",
                                 "explanation": "Clarifier."}, headers=desk["alice"].headers)
    assert proposed.status_code == 201, proposed.text
    insertion = proposed.json()["id"]
    assert client.post(f"/api/v1/amendments/{insertion}/merge-insert", json={"number": "1 bis"},
                       headers=desk["bruno"].headers).status_code == 403
    taken = client.post(f"/api/v1/amendments/{insertion}/merge-insert", json={"number": "2"},
                        headers=admin.headers)
    assert taken.status_code == 409
    response = client.post(f"/api/v1/amendments/{insertion}/merge-insert",
                           json={"number": "1 bis", "message": "Proposition retenue"}, headers=admin.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "accepted" and body["created_article"]
    bill = client.get(f"/api/v1/bills/{slug}").json()
    assert [a["number"] for a in bill["articles"]] == ["1", "1 bis", "2", "3"]
    created = article(client, body["created_article"])
    assert (created["heading"], created["version"], created["text"]) == (
        "Codes sources", 1, "Les codes sources sont des documents administratifs.")
    assert client.get(f"/api/v1/articles/{created['id']}/versions").json()[0]["merged_amendments"] == [insertion]
    blame = client.get(f"/api/v1/articles/{created['id']}/blame").json()
    assert {s["author"] for s in blame["segments"]} == {"alice"}
    assert client.post(f"/api/v1/amendments/{insertion}/merge-insert", json={"number": "1 ter"},
                       headers=admin.headers).status_code == 409
    assert second in [a["id"] for a in bill["articles"]]


def test_insertions_renumber_positions_when_no_gap_is_left(client, admin, desk):
    slug = desk["bill"]["slug"]
    after = desk["bill"]["articles"][0]["id"]
    numbers = []
    for n in range(5):  # positions 10 and 20: 15, 17, 18, then renumbering
        proposed = client.post(f"/api/v1/bills/{slug}/amendments",
                               json={"kind": "insert", "after_article": after, "text": f"Nouvel article n° {n}.",
                                     "explanation": "."}, headers=desk["alice"].headers)
        assert proposed.status_code == 201, proposed.text
        number = f"1-{n}"
        merged = client.post(f"/api/v1/amendments/{proposed.json()['id']}/merge-insert", json={"number": number},
                             headers=admin.headers)
        assert merged.status_code == 200, merged.text
        numbers.insert(0, number)
    bill = client.get(f"/api/v1/bills/{slug}").json()
    assert [a["number"] for a in bill["articles"]] == ["1", *numbers, "2", "3"]
    positions = [a["position"] for a in bill["articles"]]
    assert positions == sorted(set(positions))


# --- pages: the desk without JavaScript, and its htmx fragment ------------------------------------

def post_form(client, url: str, data: dict[str, str], **kwargs):
    return client.post(url, data={**data, "_csrf_token": client.cookies.get("navette_csrf")},
                       follow_redirects=False, **kwargs)


def argue(db, amendment_id: int, username: str, stance: str, body: str, useful_marks: int = 0) -> int:
    """An argument on an amendment (and people who found it useful), written straight to the database."""
    from amendments.services import tallies
    from amendments.models import Argument, UsefulMark
    from amendments.services.arguments import fold
    from drafting.models import User

    with db.session() as session:
        author = session.scalar(select(User).where(User.username == username))
        argument = Argument(amendment_id=amendment_id, stance=stance, body=body, folded=fold(body),
                            author_id=author.id)
        session.add(argument)
        session.flush()
        markers = session.scalars(select(User.id).where(User.username != username).limit(useful_marks)).all()
        for user_id in markers:
            session.add(UsefulMark(argument_id=argument.id, user_id=user_id))
        session.flush()
        tallies.rebuild(session)  # the counts a bulk load leaves stale
        return argument.id


def test_review_page_lists_amendments_by_article_most_supported_first(client, admin, db, desk):
    quiet = propose(client, desk["alice"], desk["article"], OTHER_WORDS, title="Trois mois")
    popular = propose(client, desk["bruno"], desk["article"], SAME_WORD_AS_HEAD, title="Les collectivités")
    propose(client, desk["chloe"], desk["article"], SAME_WORD_AS_HEAD)  # co-signs the popular one
    client.put(f"/api/v1/amendments/{popular['id']}/vote", json={"value": "agree"}, headers=desk["alice"].headers)
    argue(db, popular["id"], "alice", "against", "Les collectivités n'ont pas les moyens.")
    argue(db, popular["id"], "bruno", "for", "Un argument moins utile.")
    useful = argue(db, popular["id"], "chloe", "for", "Au plus près du terrain.", useful_marks=2)
    sign_in(client, db, "admin")
    page = client.get(f"/bills/{desk['bill']['slug']}/review")
    assert page.status_code == 200, page.text
    html = page.text
    assert html.index("Les collectivités</a>") < html.index("Trois mois</a>")
    assert "<del>ministères</del>" not in html and "<ins>collectivités</ins>" in html
    assert "chloe" in html and "Les collectivités n&#39;ont pas les moyens." in html
    assert "Au plus près du terrain." in html and "Un argument moins utile." not in html  # the most useful
    assert "2 pour, 1 contre" in html and useful
    assert f"/articles/{desk['article']}/merge?amendment={quiet['id']}" in html
    assert 'action="/bills/' + desk["bill"]["slug"] + '/versions"' in html


def test_review_and_merge_pages_are_for_the_bills_authors(client, db, desk):
    slug = desk["bill"]["slug"]
    anonymous = client.get(f"/bills/{slug}/review", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    sign_in(client, db, "alice")
    assert client.get(f"/bills/{slug}/review").status_code == 403
    assert client.get(f"/articles/{desk['article']}/merge").status_code == 403
    refused = post_form(client, f"/articles/{desk['article']}/merge",
                        {"amendments": "", "expected_version": "1", "text": HEAD_CHANGE, "message": "x"})
    assert refused.status_code == 403
    assert article(client, desk["article"])["version"] == 1


def test_merge_page_previews_then_publishes_without_javascript(client, admin, db, desk):
    first = propose(client, desk["alice"], desk["article"], HEAD_CHANGE)
    second = propose(client, desk["bruno"], desk["article"], OTHER_WORDS)
    sign_in(client, db, "admin")
    url = f"/articles/{desk['article']}/merge"
    preview = client.get(url, params=[("amendment", first["id"]), ("amendment", second["id"])])
    assert preview.status_code == 200
    assert "<del>administrations</del>" in preview.text and "<ins>ministères</ins>" in preview.text
    assert "<ins>trois</ins>" in preview.text
    assert f'name="amendments" value="{first["id"]},{second["id"]}"' in preview.text
    fragment = client.get(url, params={"amendment": first["id"]}, headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section id="merge-preview"')
    assert fragment.headers["vary"].startswith("HX-Request")

    published = post_form(client, url, {"amendments": f"{first['id']},{second['id']}", "expected_version": "1",
                                         "text": "Les ministères publient leurs données en ligne dans un délai de "
                                                 "trois mois.\r\n".rstrip("\r\n"),
                                         "message": "Deux amendements"})
    assert published.status_code == 303, published.text
    assert published.headers["location"] == f"/bills/{desk['bill']['slug']}/articles/{desk['article']}"
    versions = client.get(f"/api/v1/articles/{desk['article']}/versions").json()
    assert (versions[-1]["message"], versions[-1]["merged_amendments"]) == ("Deux amendements",
                                                                            [first["id"], second["id"]])


def test_merge_page_shows_conflicts_and_a_stale_version_as_errors(client, admin, db, desk):
    first = propose(client, desk["alice"], desk["article"], HEAD_CHANGE)
    clashing = propose(client, desk["bruno"], desk["article"], SAME_WORD_AS_HEAD)
    sign_in(client, db, "admin")
    url = f"/articles/{desk['article']}/merge"
    preview = client.get(url, params=[("amendment", first["id"]), ("amendment", clashing["id"])])
    assert "merge-conflicts" in preview.text and f"n° {clashing['id']}" in preview.text
    refused = post_form(client, url, {"amendments": f"{first['id']},{clashing['id']}", "expected_version": "1",
                                      "message": ""})
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text and f"/amendments/{clashing['id']}" in refused.text
    assert article(client, desk["article"])["version"] == 1
    client.post(f"/api/v1/articles/{desk['article']}/versions",
                json={"expected_version": 1, "text": OTHER_WORDS}, headers=admin.headers)
    stale = post_form(client, url, {"amendments": "", "expected_version": "1", "text": HEAD_CHANGE, "message": ""})
    assert stale.status_code == 409 and "expected_version" in stale.text
    assert HEAD_CHANGE in stale.text  # the author's text is kept in the form


def test_desk_panel_forms_reject_respond_and_resubmit(client, admin, db, desk):
    mine = propose(client, desk["alice"], desk["article"], SAME_WORD_AS_HEAD)
    client.post(f"/api/v1/articles/{desk['article']}/versions",
                json={"expected_version": 1, "text": HEAD_CHANGE}, headers=admin.headers)
    sign_in(client, db, "alice")
    page = client.get(f"/amendments/{mine['id']}")
    assert page.status_code == 200
    panel = page.text[page.text.index('id="desk"'):]
    assert f'action="/amendments/{mine["id"]}/rebase"' in panel
    assert "<ins>collectivités</ins>" in panel and "<ins>ministères</ins>" in panel  # why it conflicts
    assert f'action="/amendments/{mine["id"]}/reject"' not in page.text
    resolved = "Les ministères et les collectivités publient leurs données en ligne dans un délai de deux mois."
    done = post_form(client, f"/amendments/{mine['id']}/rebase", {"text": resolved})
    assert done.status_code == 303 and done.headers["location"] == f"/amendments/{mine['id']}"
    assert amendment(client, mine["id"])["status"] == "open"

    sign_in(client, db, "admin")
    page = client.get(f"/amendments/{mine['id']}")
    assert f'action="/amendments/{mine["id"]}/reject"' in page.text
    answered = post_form(client, f"/amendments/{mine['id']}/respond", {"response": "Nous en discutons."})
    assert answered.status_code == 303
    rejected = post_form(client, f"/amendments/{mine['id']}/reject", {"response": "Trop large."})
    assert rejected.status_code == 303
    body = amendment(client, mine["id"])
    assert (body["status"], body["response"]) == ("rejected", "Trop large.")
    panel = client.get(f"/amendments/{mine['id']}").text.split('id="desk"')[1]
    assert "Nous en discutons." in panel and "Trop large." in panel
    assert "en conflit avec la version 2" in panel and "soumise à nouveau sur la version 2" in panel
    assert f'action="/amendments/{mine["id"]}/reject"' not in panel  # rejected: no more state changes


def test_merging_an_insertion_from_the_review_page(client, admin, db, desk):
    slug = desk["bill"]["slug"]
    proposed = client.post(f"/api/v1/bills/{slug}/amendments",
                           json={"kind": "insert", "after_article": desk["article"], "text": "Un article nouveau.",
                                 "explanation": "."}, headers=desk["alice"].headers).json()
    sign_in(client, db, "admin")
    review = client.get(f"/bills/{slug}/review").text
    assert f'action="/amendments/{proposed["id"]}/merge-insert"' in review
    created = post_form(client, f"/amendments/{proposed['id']}/merge-insert", {"number": "2 bis", "message": ""})
    assert created.status_code == 303
    numbers = [a["number"] for a in client.get(f"/api/v1/bills/{slug}").json()["articles"]]
    assert numbers == ["1", "2", "2 bis", "3"]
