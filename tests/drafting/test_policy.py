"""The amendment state table (drafting.policy.AMENDMENT_TRANSITIONS) walked through HTTP: every step of
the table does what it says, and every step it lacks is refused with 409."""
from __future__ import annotations

import pytest

from amendments.models import AMENDMENT_STATUSES
from drafting.policy import AMENDMENT_TRANSITIONS
from tests.amendments.test_desk_api import HEAD_CHANGE, OTHER_WORDS, SAME_WORD_AS_HEAD, amendment, article
from tests.amendments.test_desk_api import desk, propose  # noqa: F401

# The actions a person takes through the API; the others follow a new version of the article.
ACTIONS_BY_PEOPLE = ("withdraw", "accept", "reject", "resubmit")


def publish(client, admin, article_id: int, text: str):
    head = article(client, article_id)["version"]
    return client.post(f"/api/v1/articles/{article_id}/versions",
                       json={"expected_version": head, "message": "Nouvelle version", "text": text},
                       headers=admin.headers)


def reach(client, admin, desk, status: str, *, sub: bool = False) -> dict:
    """A fresh amendment of the desk's article (proposed by alice, changing "administrations"), in ``status``;
    ``sub``: a sub-amendment (by bruno) of such an amendment instead."""
    proposed = propose(client, desk["alice"], desk["article"], HEAD_CHANGE)
    if sub:
        made = client.post(f"/api/v1/amendments/{proposed['id']}/subamendments", headers=desk["bruno"].headers,
                           json={"text": HEAD_CHANGE.replace("deux", "trois"), "explanation": "Plus long."})
        assert made.status_code == 201, made.text
        proposed = made.json()
    ident = proposed["id"]
    if status == "conflict":  # the authors change the same word
        assert publish(client, admin, desk["article"], SAME_WORD_AS_HEAD).status_code == 201
    elif status == "accepted":
        assert act(client, admin, desk, ident, "accept").status_code == 201
    elif status == "rejected":
        assert act(client, admin, desk, ident, "reject").status_code == 200
    elif status == "withdrawn":
        assert act(client, admin, desk, ident, "withdraw").status_code == 200
    found = amendment(client, ident)
    assert found["status"] == status
    return found


def act(client, admin, desk, amendment_id: int, action: str):
    """Take ``action`` on the amendment through the API, as the person who may."""
    if action == "withdraw":
        return client.post(f"/api/v1/amendments/{amendment_id}/withdraw", headers=desk["alice"].headers)
    if action == "accept":
        head = article(client, desk["article"])
        return client.post(f"/api/v1/articles/{desk['article']}/versions", headers=admin.headers, json={
            "expected_version": head["version"], "message": "Fusion", "merge": [amendment_id],
            "text": "Les ministères et les collectivités publient leurs données en ligne dans un délai de deux mois."})
    if action == "reject":
        return client.post(f"/api/v1/amendments/{amendment_id}/reject", json={"response": "Non."},
                           headers=admin.headers)
    if action == "resubmit":
        return client.post(f"/api/v1/amendments/{amendment_id}/rebase", headers=desk["alice"].headers,
                           json={"text": "Les ministères publient leurs données en ligne sous deux mois."})
    if action == "rebase":  # a new version changing other words
        return publish(client, admin, desk["article"], OTHER_WORDS)
    if action == "collide":  # a new version changing the same word
        return publish(client, admin, desk["article"], SAME_WORD_AS_HEAD)
    if action == "supersede":  # a new version that already makes the change
        return publish(client, admin, desk["article"], HEAD_CHANGE)
    if action == "fall":  # the authors merge a deletion of its article
        deletion = client.post(f"/api/v1/articles/{desk['article']}/amendments", json={"kind": "delete"},
                               headers=desk["chloe"].headers).json()
        head = article(client, desk["article"])["version"]
        return client.post(f"/api/v1/articles/{desk['article']}/versions", headers=admin.headers,
                           json={"expected_version": head, "merge": [deletion["id"]]})
    if action == "incorporate":  # the parent's proposer takes the sub-amendment in
        return client.post(f"/api/v1/amendments/{amendment_id}/incorporate", headers=desk["alice"].headers)
    raise AssertionError(action)


@pytest.mark.parametrize(("step", "to_status"), sorted(AMENDMENT_TRANSITIONS.items()),
                         ids=lambda value: "-".join(value) if isinstance(value, tuple) else value)
def test_each_step_of_the_table_moves_the_amendment_where_the_table_says(client, admin, desk, step, to_status):
    from_status, action = step
    proposed = reach(client, admin, desk, from_status, sub=action == "incorporate")
    response = act(client, admin, desk, proposed["id"], action)
    assert response.status_code in (200, 201), response.text
    assert amendment(client, proposed["id"])["status"] == to_status


MISSING = [(status, action) for status in AMENDMENT_STATUSES for action in ACTIONS_BY_PEOPLE
           if (status, action) not in AMENDMENT_TRANSITIONS]


@pytest.mark.parametrize(("from_status", "action"), MISSING, ids=lambda value: value)
def test_a_step_the_table_lacks_is_refused_and_changes_nothing(client, admin, desk, from_status, action):
    proposed = reach(client, admin, desk, from_status)
    response = act(client, admin, desk, proposed["id"], action)
    assert response.status_code == 409, response.text
    assert response.json()["detail"].startswith("status:")
    assert amendment(client, proposed["id"])["status"] == from_status


def test_the_table_knows_every_status_of_the_contract():
    assert {status for status, _ in AMENDMENT_TRANSITIONS} | set(AMENDMENT_TRANSITIONS.values()) == set(AMENDMENT_STATUSES)
