"""The synthesis of a consultation through HTTP (CONTRACT §7): every figure checked against a
consultation the test makes through the API (tests/synthesis/consultation.py), counted by hand."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.synthesis.consultation import build


@pytest.fixture
def consultation(api, admin):
    return build(api, admin)


def synthesis(client, slug: str) -> dict:
    response = client.get(f"/api/v1/bills/{slug}/synthesis")
    assert response.status_code == 200, response.text
    return response.json()


def test_synthesis_counts_people_votes_amendments_and_visible_arguments(client, consultation):
    found = synthesis(client, consultation["slug"])
    # alice, bruno, chloe and the organization; the moderator and the authors only moderated and answered.
    assert (found["participants"], found["citizens"], found["organizations"]) == (4, 3, 1)
    assert found["votes"] == 9
    assert found["amendments"] == 3  # the hidden one left out
    assert found["arguments"] == 4  # the hidden one left out, the one written again is a support
    today = datetime.now(timezone.utc).date().isoformat()
    # All on one day: the day's participants are the four people above.
    assert found["by_day"] == [{"date": today, "votes": 9, "amendments": 3, "arguments": 4, "participants": 4}]


def test_synthesis_gives_each_article_its_votes_amendments_arguments_and_positions(client, consultation):
    found = synthesis(client, consultation["slug"])
    first, second, third = consultation["articles"]
    articles = {a["id"]: a for a in found["articles"]}
    assert [a["id"] for a in found["articles"]] == [first, second, third]
    assert [a["number"] for a in found["articles"]] == ["1", "2", "3"]
    assert articles[first]["votes"] == {"agree": 2, "mixed": 0, "disagree": 1}
    assert articles[second]["votes"] == {"agree": 0, "mixed": 1, "disagree": 1}
    assert articles[third]["votes"] == {"agree": 0, "mixed": 0, "disagree": 0}
    assert [articles[i]["amendments"] for i in (first, second, third)] == [1, 1, 1]
    assert [articles[i]["arguments"] for i in (first, second, third)] == [2, 1, 0]
    positions = articles[first]["positions"]
    assert articles[first]["positions_total"] == 2
    for_side = next(p for p in positions if p["stance"] == "for")
    against = next(p for p in positions if p["stance"] == "against")
    assert (for_side["supporters"], for_side["citizens"], for_side["organizations"]) == (2, 2, 0)  # alice, chloe
    assert (against["supporters"], against["citizens"], against["organizations"]) == (1, 0, 1)  # the association
    assert positions[0] == for_side  # largest first
    assert articles[third]["positions"] == [] and articles[third]["positions_total"] == 0


def test_synthesis_counts_the_answers_to_the_most_supported_amendments(client, api, admin, consultation):
    found = synthesis(client, consultation["slug"])
    # Two amendments have agree votes; the authors gave an opinion on one.
    assert (found["answered"], found["awaiting_answer"]) == (1, 1)
    response = client.post(f"/api/v1/amendments/{consultation['secret']}/respond",
                           json={"response": "À l'étude."}, headers=admin.headers)
    assert response.status_code == 200, response.text
    found = synthesis(client, consultation["slug"])
    assert (found["answered"], found["awaiting_answer"]) == (2, 0)


def test_synthesis_of_a_bill_nobody_took_part_in_is_all_zeros(client, api, admin):
    bill = api.bill(admin)
    found = synthesis(client, bill["slug"])
    assert {k: found[k] for k in ("participants", "citizens", "organizations", "votes", "amendments", "arguments",
                                  "answered", "awaiting_answer")} == dict.fromkeys(
        ("participants", "citizens", "organizations", "votes", "amendments", "arguments", "answered",
         "awaiting_answer"), 0)
    assert found["by_day"] == []
    assert [a["votes"] for a in found["articles"]] == [{"agree": 0, "mixed": 0, "disagree": 0}] * 2


def test_synthesis_of_an_unknown_bill_is_404(client):
    response = client.get("/api/v1/bills/no-such-bill/synthesis")
    assert response.status_code == 404
