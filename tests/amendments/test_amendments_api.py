"""Amendments through the JSON API (CONTRACT §2 Amendments, issue 3): proposing, co-signing, withdrawing, listing."""
from __future__ import annotations

import hashlib
import json
import re

import pytest
from sqlalchemy import select

from amendments.services import participation
from amendments.models import Amendment, AmendmentEvent, ModerationDecision, Vote
from drafting.services import accounts
from drafting.models import Bill, User
from tests.conftest import Account, corpus_path

BASE = "Les administrations publient leurs données en ligne.\nElles les mettent à jour chaque année."
PROPOSAL = "Les administrations publient leurs données ouvertes en ligne.\nElles les mettent à jour chaque mois."


def quick_account(db, username, role=None, *, kind="api", display_name=None, organization=None,
                  declared_interests="") -> Account:
    """An account written straight to the database with a token: no password hashing, so tests stay fast."""
    with db.session() as session:
        user = User(username=username, display_name=display_name or username, is_admin=role == "admin",
                    is_moderator=role == "moderator", kind="organization" if organization else "citizen",
                    organization_name=organization, declared_interests=declared_interests or None)
        session.add(user)
        session.flush()
        token = accounts.issue_token(session, user, kind)
    return Account(username, "", token)


class QuickApi:
    """The conftest ``api`` helpers, with accounts made by ``quick_account``."""

    def __init__(self, api):
        self._api, self.client, self.db = api, api.client, api.db

    def user(self, username, role=None, **fields):
        return quick_account(self.db, username, role, **fields)

    def bill(self, *args, **kwargs):
        return self._api.bill(*args, **kwargs)


@pytest.fixture
def api(api):
    return QuickApi(api)


@pytest.fixture
def admin(api):
    return api.user("admin", role="admin", display_name="Cabinet du ministre")


@pytest.fixture
def bill(api, admin):
    return api.bill(admin, articles=[
        {"number": "1", "heading": "Objet", "text": BASE},
        {"number": "2", "text": "Un décret fixe les modalités d'application."},
    ])


@pytest.fixture
def article_id(bill):
    return bill["articles"][0]["id"]


@pytest.fixture
def alice(api):
    return api.user("alice")


def propose(client, account, article_id, **body):
    body.setdefault("text", PROPOSAL)
    body.setdefault("explanation", "Plus précis.")
    return client.post(f"/api/v1/articles/{article_id}/amendments", json=body, headers=account.headers)


def events_of(db, amendment_id):
    with db.session() as session:
        return [(e.kind, e.actor.username if e.actor else None) for e in session.scalars(
            select(AmendmentEvent).where(AmendmentEvent.amendment_id == amendment_id).order_by(AmendmentEvent.id))]


# --- proposing ---------------------------------------------------------------------------------

def test_signed_in_citizen_proposes_a_new_text_and_gets_the_word_diff(client, alice, article_id, bill, db):
    response = propose(client, alice, article_id, title="Données ouvertes")
    assert response.status_code == 201, response.text
    amendment = response.json()
    assert amendment["kind"] == "modify" and amendment["status"] == "open"
    assert amendment["article"] == article_id and amendment["bill"] == bill["slug"]
    assert amendment["author"] == "alice" and amendment["cosigners"] == []
    assert amendment["title"] == "Données ouvertes" and amendment["explanation"] == "Plus précis."
    assert amendment["base_version"] == 1 and amendment["text"] == PROPOSAL
    assert amendment["votes"] == {"agree": 0, "mixed": 0, "disagree": 0} and amendment["response"] is None
    diff = amendment["diff"]
    assert "".join(t for op, t in diff if op <= 0) == BASE and "".join(t for op, t in diff if op >= 0) == PROPOSAL
    assert [t.strip() for op, t in diff if op == 1] == ["ouvertes", "mois"]
    assert [t.strip() for op, t in diff if op == -1] == ["année"]
    assert client.get(f"/api/v1/amendments/{amendment['id']}").json() == amendment
    with db.session() as session:
        stored = session.get(Amendment, amendment["id"])
        assert stored.text_digest == hashlib.sha256(PROPOSAL.encode()).hexdigest()
    assert events_of(db, amendment["id"]) == [("proposed", "alice")]


def test_base_version_defaults_to_the_head_and_an_older_one_can_be_named(client, admin, alice, article_id):
    head_text = BASE.replace("chaque année", "chaque semestre")
    published = client.post(f"/api/v1/articles/{article_id}/versions", headers=admin.headers,
                            json={"expected_version": 1, "message": "Précision", "text": head_text})
    assert published.status_code == 201, published.text
    on_head = propose(client, alice, article_id).json()
    assert on_head["base_version"] == 2
    assert "".join(t for op, t in on_head["diff"] if op <= 0) == head_text
    on_first = propose(client, alice, article_id, base_version=1)
    assert on_first.status_code == 201 and on_first.json()["base_version"] == 1
    assert "".join(t for op, t in on_first.json()["diff"] if op <= 0) == BASE


def test_unknown_base_version_is_400_naming_the_field(client, alice, article_id):
    response = propose(client, alice, article_id, base_version=7)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("base_version")


def test_proposal_without_sign_in_is_401(client, article_id):
    response = client.post(f"/api/v1/articles/{article_id}/amendments", json={"text": PROPOSAL, "explanation": ""})
    assert response.status_code == 401
    bad_token = client.post(f"/api/v1/articles/{article_id}/amendments", json={"text": PROPOSAL},
                            headers={"Authorization": "Bearer nope"})
    assert bad_token.status_code == 401


def test_proposal_on_a_bill_not_open_is_409(client, api, admin, alice):
    draft = api.bill(admin, title="Brouillon", open_=False)
    closed = api.bill(admin, title="Clos")
    assert client.post(f"/api/v1/bills/{closed['slug']}/status", json={"status": "closed"},
                       headers=admin.headers).status_code == 200
    for bill in (draft, closed):
        article_id = bill["articles"][0]["id"]
        assert propose(client, alice, article_id).status_code == 409
        assert propose(client, alice, article_id, kind="delete").status_code == 409
        insert = client.post(f"/api/v1/bills/{bill['slug']}/amendments", headers=alice.headers,
                             json={"kind": "insert", "after_article": None, "text": "Nouveau.", "explanation": ""})
        assert insert.status_code == 409
        assert "not open" in insert.json()["detail"]


def test_text_equal_to_its_base_is_400(client, alice, article_id):
    response = propose(client, alice, article_id, text=BASE)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("text")
    assert client.get(f"/api/v1/articles/{article_id}/amendments").json() == []


def test_text_over_100000_characters_is_400_naming_the_limit(client, alice, article_id):
    too_long = propose(client, alice, article_id, text="x" * 100_001)
    assert too_long.status_code == 400
    assert "text" in too_long.json()["detail"] and "100000" in too_long.json()["detail"]
    at_limit = propose(client, alice, article_id, text="mot " * 25_000)
    assert at_limit.status_code == 201


def test_malformed_proposals_are_400_naming_the_field(client, alice, article_id):
    cases = [
        ({"explanation": "sans texte"}, "text"),
        ({"text": 12}, "text"),
        ({"text": PROPOSAL, "base_version": "un"}, "base_version"),
        ({"text": PROPOSAL, "title": "t" * 301}, "title"),
        ({"text": PROPOSAL, "kind": "rewrite"}, "kind"),
    ]
    for body, field in cases:
        response = client.post(f"/api/v1/articles/{article_id}/amendments", json=body, headers=alice.headers)
        assert response.status_code == 400, (body, response.text)
        assert field in response.json()["detail"], body
    assert client.get(f"/api/v1/articles/{article_id}/amendments").json() == []


def test_proposal_that_is_not_json_is_400(client, alice, article_id):
    response = client.post(f"/api/v1/articles/{article_id}/amendments", content=b"{text", headers=alice.headers)
    assert response.status_code == 400


def test_proposal_on_unknown_article_is_404(client, alice):
    assert propose(client, alice, 9999).status_code == 404
    assert client.get("/api/v1/amendments/9999").status_code == 404
    assert client.get("/api/v1/articles/9999/amendments").status_code == 404


def test_markup_in_fields_is_kept_as_text(client, alice, article_id):
    payload = "<script>alert('x')</script>"
    amendment = propose(client, alice, article_id, text=BASE + "\n" + payload, title=payload,
                        explanation=payload).json()
    assert amendment["title"] == payload and amendment["explanation"] == payload
    assert amendment["diff"][-1] == [1, "\n" + payload]


# --- identical proposals -----------------------------------------------------------------------

def test_identical_proposal_cosigns_the_open_amendment(client, api, alice, article_id, db):
    first = propose(client, alice, article_id)
    assert first.status_code == 201
    bob, carol = api.user("bob"), api.user("carol")
    again = propose(client, bob, article_id, title="Autre titre", explanation="Je soutiens.")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["cosigners"] == ["bob"]
    assert again.json()["title"] == first.json()["title"]
    assert propose(client, carol, article_id).json()["cosigners"] == ["bob", "carol"]
    assert propose(client, bob, article_id).json()["cosigners"] == ["bob", "carol"]  # once
    by_author = propose(client, alice, article_id)
    assert by_author.status_code == 200 and by_author.json()["cosigners"] == ["bob", "carol"]
    listed = client.get(f"/api/v1/articles/{article_id}/amendments").json()
    assert [a["id"] for a in listed] == [first.json()["id"]]
    assert events_of(db, first.json()["id"]) == [("proposed", "alice"), ("cosigned", "bob"), ("cosigned", "carol")]


def test_identical_text_is_new_when_the_base_differs_or_the_first_is_no_longer_open(client, admin, api, alice,
                                                                                       article_id):
    client.post(f"/api/v1/articles/{article_id}/versions", headers=admin.headers,
                json={"expected_version": 1, "message": "", "text": BASE + "\nTroisième alinéa."})
    first = propose(client, alice, article_id, base_version=1).json()
    bob = api.user("bob")
    on_head = propose(client, bob, article_id)
    assert on_head.status_code == 201 and on_head.json()["base_version"] == 2
    on_same_base = propose(client, bob, article_id, base_version=1)
    assert on_same_base.status_code == 200 and on_same_base.json()["id"] == first["id"]
    assert client.post(f"/api/v1/amendments/{first['id']}/withdraw", headers=alice.headers).status_code == 200
    after_withdrawal = propose(client, bob, article_id, base_version=1)
    assert after_withdrawal.status_code == 201
    assert after_withdrawal.json()["id"] not in (first["id"], on_head.json()["id"])


# --- deletions and new articles ----------------------------------------------------------------

def test_deletion_proposal_has_empty_text_and_deletes_everything(client, api, alice, article_id):
    response = client.post(f"/api/v1/articles/{article_id}/amendments", headers=alice.headers,
                           json={"kind": "delete", "explanation": "Inutile."})
    assert response.status_code == 201, response.text
    deletion = response.json()
    assert deletion["kind"] == "delete" and deletion["text"] == "" and deletion["base_version"] == 1
    assert deletion["diff"] == [[-1, BASE]]
    bob = api.user("bob")
    same = client.post(f"/api/v1/articles/{article_id}/amendments", headers=bob.headers,
                       json={"kind": "delete", "explanation": "D'accord."})
    assert same.status_code == 200 and same.json()["id"] == deletion["id"] and same.json()["cosigners"] == ["bob"]


def test_new_article_proposal_goes_after_an_article_of_the_bill(client, api, alice, bill):
    after = bill["articles"][0]["id"]
    response = client.post(f"/api/v1/bills/{bill['slug']}/amendments", headers=alice.headers, json={
        "kind": "insert", "after_article": after, "heading": "Évaluation",
        "text": "Le Gouvernement remet un rapport au Parlement.", "explanation": "Pour évaluer.",
    })
    assert response.status_code == 201, response.text
    insertion = response.json()
    assert insertion["kind"] == "insert" and insertion["article"] is None and insertion["base_version"] is None
    assert insertion["after_article"] == after and insertion["heading"] == "Évaluation"
    assert insertion["diff"] == [[1, "Le Gouvernement remet un rapport au Parlement."]]
    first = client.post(f"/api/v1/bills/{bill['slug']}/amendments", headers=alice.headers,
                        json={"kind": "insert", "after_article": None, "text": "Article liminaire.", "explanation": ""})
    assert first.status_code == 201 and first.json()["after_article"] is None
    bob = api.user("bob")
    same = client.post(f"/api/v1/bills/{bill['slug']}/amendments", headers=bob.headers, json={
        "kind": "insert", "after_article": after, "heading": "Évaluation",
        "text": "Le Gouvernement remet un rapport au Parlement.", "explanation": "",
    })
    assert same.status_code == 200 and same.json()["id"] == insertion["id"] and same.json()["cosigners"] == ["bob"]


def test_new_article_must_follow_an_article_of_the_same_bill(client, api, admin, alice, bill):
    other = api.bill(admin, title="Autre projet")
    response = client.post(f"/api/v1/bills/{bill['slug']}/amendments", headers=alice.headers, json={
        "kind": "insert", "after_article": other["articles"][0]["id"], "text": "Nouveau.", "explanation": ""})
    assert response.status_code == 400 and response.json()["detail"].startswith("after_article")
    wrong_kind = client.post(f"/api/v1/bills/{bill['slug']}/amendments", headers=alice.headers,
                             json={"kind": "modify", "text": "Nouveau."})
    assert wrong_kind.status_code == 400 and "kind" in wrong_kind.json()["detail"]
    empty = client.post(f"/api/v1/bills/{bill['slug']}/amendments", headers=alice.headers,
                        json={"kind": "insert", "after_article": None, "text": ""})
    assert empty.status_code == 400 and "text" in empty.json()["detail"]
    anonymous = client.post(f"/api/v1/bills/{bill['slug']}/amendments", json={"kind": "insert", "text": "Nouveau."})
    assert anonymous.status_code == 401
    unknown = client.post("/api/v1/bills/nope/amendments", headers=alice.headers, json={"kind": "insert", "text": "x"})
    assert unknown.status_code == 404


# --- withdrawing -------------------------------------------------------------------------------

def test_proposer_withdraws_and_others_cannot(client, api, alice, article_id, db):
    amendment = propose(client, alice, article_id).json()
    bob = api.user("bob")
    url = f"/api/v1/amendments/{amendment['id']}/withdraw"
    assert client.post(url).status_code == 401
    assert client.post(url, headers=bob.headers).status_code == 403
    withdrawn = client.post(url, headers=alice.headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert client.post(url, headers=alice.headers).status_code == 409
    assert client.get(f"/api/v1/amendments/{amendment['id']}").json()["status"] == "withdrawn"
    assert events_of(db, amendment["id"]) == [("proposed", "alice"), ("withdrawn", "alice")]
    assert client.post("/api/v1/amendments/9999/withdraw", headers=alice.headers).status_code == 404


def test_only_open_or_conflicting_amendments_can_be_withdrawn(client, alice, article_id, db):
    for n, (status, answer) in enumerate([("conflict", 200), ("accepted", 409), ("rejected", 409)]):
        amendment = propose(client, alice, article_id, text=BASE + f"\nAlinéa {n}.").json()
        with db.session() as session:
            session.get(Amendment, amendment["id"]).status = status
        response = client.post(f"/api/v1/amendments/{amendment['id']}/withdraw", headers=alice.headers)
        assert response.status_code == answer, status


# --- listing and visibility --------------------------------------------------------------------

def _vote(db, amendment_id, username, value="agree"):
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        participation.cast_vote(session, user, participation.get_target(session, "amendment", amendment_id), value)


def test_article_amendments_are_listed_newest_first_or_most_supported_first(client, api, alice, article_id, db):
    bob, carol = api.user("bob"), api.user("carol")
    texts = [BASE + f"\nAlinéa {n}." for n in range(3)]
    ids = [propose(client, who, article_id, text=t).json()["id"] for who, t in zip((alice, bob, carol), texts)]
    deletion = client.post(f"/api/v1/articles/{article_id}/amendments", headers=bob.headers,
                           json={"kind": "delete", "explanation": ""}).json()["id"]
    _vote(db, ids[0], "bob")
    _vote(db, ids[0], "carol")
    _vote(db, ids[1], "alice")
    _vote(db, ids[2], "alice", "disagree")
    recent = client.get(f"/api/v1/articles/{article_id}/amendments").json()
    assert [a["id"] for a in recent] == [deletion, ids[2], ids[1], ids[0]]
    assert [a["id"] for a in client.get(f"/api/v1/articles/{article_id}/amendments?sort=recent").json()] == \
        [a["id"] for a in recent]
    by_votes = client.get(f"/api/v1/articles/{article_id}/amendments?sort=votes").json()
    assert [a["id"] for a in by_votes][:2] == [ids[0], ids[1]]
    assert by_votes[0]["votes"]["agree"] == 2


def test_article_amendments_can_be_filtered_by_status(client, alice, article_id):
    kept = propose(client, alice, article_id).json()["id"]
    taken_back = propose(client, alice, article_id, text=BASE + "\nAutre.").json()["id"]
    client.post(f"/api/v1/amendments/{taken_back}/withdraw", headers=alice.headers)
    url = f"/api/v1/articles/{article_id}/amendments"
    assert [a["id"] for a in client.get(f"{url}?status=open").json()] == [kept]
    assert [a["id"] for a in client.get(f"{url}?status=withdrawn").json()] == [taken_back]
    assert client.get(f"{url}?status=accepted").json() == []
    assert client.get(f"{url}?status=lost").status_code == 400
    assert client.get(f"{url}?sort=alphabet").status_code == 400


def test_hidden_amendment_answers_hidden_without_text_and_leaves_lists(client, api, alice, article_id, db):
    amendment = propose(client, alice, article_id, title="Titre").json()
    moderator = api.user("modo", role="moderator")
    with db.session() as session:
        moderator_id = session.scalar(select(User.id).where(User.username == moderator.username))
        bill_id = session.scalar(select(Bill.id).where(Bill.slug == amendment["bill"]))
        decision = ModerationDecision(target_type="amendment", target_id=amendment["id"], bill_id=bill_id,
                                      action="hide", reason="Propos injurieux", moderator_id=moderator_id)
        session.add(decision)
        session.flush()
        session.get(Amendment, amendment["id"]).hidden_by_id = decision.id
    shown = client.get(f"/api/v1/amendments/{amendment['id']}")
    assert shown.status_code == 200
    body = shown.json()
    assert body["hidden"]["reason"] == "Propos injurieux" and body["hidden"]["at"]
    assert body["text"] is None and body["diff"] is None and body["title"] is None
    assert client.get(f"/api/v1/articles/{article_id}/amendments").json() == []
    again = propose(client, api.user("bob"), article_id)
    assert again.status_code == 201 and again.json()["id"] != amendment["id"]


# --- real texts --------------------------------------------------------------------------------

_WORD = re.compile(r"\w")


def _real_changes():
    """Consecutive versions (k, k+1) of every article history of the corpus."""
    root = corpus_path("article_histories")
    for path in sorted(root.glob("*/*.json")):
        texts = [v["text"] for v in json.loads(path.read_text(encoding="utf-8"))["versions"]]
        pairs = [(old, new) for old, new in zip(texts, texts[1:]) if old is not None and old.strip() and new != old]
        if pairs:
            yield path.stem, pairs


def test_every_real_change_in_the_corpus_is_accepted_as_an_amendment(client, api, admin):
    citizen = api.user("citoyenne")
    checked = 0
    for name, pairs in _real_changes():
        bill = api.bill(admin, title=name, articles=[{"number": str(i + 1), "text": old}
                                                     for i, (old, _) in enumerate(pairs)])
        for article, (old, new) in zip(bill["articles"], pairs):
            if new is None or not new.strip():  # repealed, or emptied to white space: a deletion (CONTRACT §6)
                response = client.post(f"/api/v1/articles/{article['id']}/amendments", headers=citizen.headers,
                                       json={"kind": "delete", "explanation": name})
                assert response.status_code == 201 and response.json()["diff"] == [[-1, article["text"]]]
                continue
            response = client.post(f"/api/v1/articles/{article['id']}/amendments", headers=citizen.headers,
                                   json={"text": new, "explanation": f"{name} v+1"})
            expected_new = new.replace("\r\n", "\n").replace("\r", "\n")
            if expected_new == article["text"]:  # differs only by line endings
                assert response.status_code == 400
                continue
            assert response.status_code == 201, (name, response.text[:300])
            diff = response.json()["diff"]
            assert "".join(t for op, t in diff if op <= 0) == article["text"], name
            assert "".join(t for op, t in diff if op >= 0) == expected_new, name
            for side in ([t for op, t in diff if op <= 0], [t for op, t in diff if op >= 0]):
                for left, right in zip(side, side[1:]):  # no cut inside a word of either text
                    assert not (_WORD.match(left[-1]) and _WORD.match(right[0])), (name, left[-20:], right[:20])
            checked += 1
    assert checked > 100


def test_identical_proposals_sent_at_the_same_moment_make_one_amendment(api, article_id, db):
    """Two writers racing (threads, each its own transaction): one proposes, the other co-signs."""
    import threading

    from amendments.services import proposing as amendments
    from drafting.services import bills as services

    for name in ("rita", "sami"):
        api.user(name)
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def propose_as(username):
        try:
            barrier.wait(timeout=10)
            with db.session() as session:
                user = session.scalar(select(User).where(User.username == username))
                article = services.get_article(session, article_id)
                outcomes.append(amendments.propose_amendment(session, user, article, text=PROPOSAL).created)
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=propose_as, args=(name,)) for name in ("rita", "sami")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(outcomes) == [False, True]
    with db.session() as session:
        assert len(session.scalars(select(Amendment).where(Amendment.article_id == article_id)).all()) == 1
