"""The argument map through HTTP (CONTRACT §7): every visible argument in one position of its stance,
hidden ones in none, supporters counted once per person, organizations named, staff corrections kept.

These tests place arguments with the suite's cheap stems embedding (tests/conftest.py): they pin the
map's bookkeeping, not its grouping quality. Where two arguments must share a position, a staff merge
puts them there; grouping by meaning is tested with the real model in test_argument_map_meaning.py.
"""
from __future__ import annotations

import pytest

from drafting import cli

REASONS = [
    ("for", "La transparence des algorithmes publics renforce la confiance des citoyens."),
    ("for", "Publier le code source permet aux chercheurs de vérifier les calculs de l'impôt."),
    ("against", "Les petites communes n'ont pas les moyens techniques de publier leurs données."),
    ("against", "Le secret des affaires des prestataires privés serait menacé par cette obligation."),
    ("for", "Les associations pourront enfin contrôler l'usage des fonds publics."),
]


@pytest.fixture
def bill(api, admin):
    return api.bill(admin)


@pytest.fixture
def article(bill):
    return bill["articles"][0]


def argue(client, who, article_id: int, stance: str, body: str, status: int = 201) -> dict:
    response = client.post(f"/api/v1/articles/{article_id}/arguments", json={"stance": stance, "body": body},
                           headers=who.headers)
    assert response.status_code == status, response.text
    return response.json()


def argument_map(client, article_id: int) -> dict:
    response = client.get(f"/api/v1/articles/{article_id}/argument-map")
    assert response.status_code == 200, response.text
    return response.json()


def position_of(found: dict, argument_id: int) -> dict:
    matches = [p for stance in found["stances"].values() for p in stance if argument_id in p["arguments"]]
    assert len(matches) == 1, (argument_id, matches)
    return matches[0]


def hide(client, moderator, argument_id: int) -> None:
    response = client.post(f"/api/v1/moderation/argument/{argument_id}/hide",
                           json={"reason": "Hors sujet pour ce débat"}, headers=moderator.headers)
    assert response.status_code == 200, response.text


def merge(client, who, ids: list[int], status: int = 200) -> dict:
    response = client.post("/api/v1/positions/merge", json={"positions": ids}, headers=who.headers)
    assert response.status_code == status, response.text
    return response.json()


def together(client, staff, article_id: int, argument_ids: list[int]) -> dict:
    """The arguments in one position: a staff merge of theirs, when the grouping left them apart."""
    found = argument_map(client, article_id)
    ids = list(dict.fromkeys(position_of(found, i)["id"] for i in argument_ids))
    return merge(client, staff, ids) if len(ids) > 1 else position_of(found, argument_ids[0])


def test_every_visible_argument_is_in_exactly_one_position_of_its_stance_and_hidden_ones_in_none(
        client, api, admin, article):
    people = [api.user(f"citoyen{i}") for i in range(len(REASONS))]
    written = [argue(client, who, article["id"], stance, body) for who, (stance, body) in zip(people, REASONS)]
    moderator = api.user("moderatrice", role="moderator")
    hidden = written[1]["id"]
    hide(client, moderator, hidden)

    found = argument_map(client, article["id"])
    assert set(found["stances"]) == {"for", "against"}
    assert found["updated_at"]
    placed = [i for stance in found["stances"].values() for p in stance for i in p["arguments"]]
    visible = [a["id"] for a in written if a["id"] != hidden]
    assert sorted(placed) == sorted(visible)  # each visible argument once, the hidden one nowhere
    for argument in written:
        if argument["id"] != hidden:
            assert argument["id"] in [i for p in found["stances"][argument["stance"]] for i in p["arguments"]]
    for stance in found["stances"].values():
        for position in stance:
            assert position["representative"] in position["arguments"]
            assert position["label"]
        assert [p["supporters"] for p in stance] == sorted((p["supporters"] for p in stance), reverse=True)


def test_a_person_writing_one_argument_and_supporting_another_of_the_position_counts_once(
        client, api, admin, article):
    alice, bruno = api.user("alice"), api.user("bruno")
    first = argue(client, alice, article["id"], "for", REASONS[0][1])
    second = argue(client, bruno, article["id"], "for", REASONS[1][1])
    together(client, admin, article["id"], [first["id"], second["id"]])
    position = position_of(argument_map(client, article["id"]), first["id"])
    assert position["supporters"] == 2 and position["citizens"] == 2
    # Alice writes Bruno's argument again: she joins its supporters, and the position still counts her once.
    again = argue(client, alice, article["id"], "for", REASONS[1][1].upper(), status=200)
    assert again["id"] == second["id"] and "alice" in again["supporters"]
    position = position_of(argument_map(client, article["id"]), first["id"])
    assert sorted(position["arguments"]) == sorted([first["id"], second["id"]])
    assert position["supporters"] == 2 and position["citizens"] == 2
    # Hiding Bruno's argument takes Bruno away, not Alice (she still wrote the first one).
    hide(client, api.user("moderateur", role="moderator"), second["id"])
    position = position_of(argument_map(client, article["id"]), first["id"])
    assert position["arguments"] == [first["id"]] and position["supporters"] == 1


def test_organizations_are_counted_apart_and_named_with_their_declared_interests(client, api, article):
    citizen = api.user("camille")
    organization = api.user("syndicat", kind="organization",
                            organization={"name": "Syndicat des éditeurs", "declared_interests": "Édition scientifique"})
    body = REASONS[2][1]
    argument = argue(client, citizen, article["id"], "against", body)
    argue(client, organization, article["id"], "against", body, status=200)
    position = position_of(argument_map(client, article["id"]), argument["id"])
    assert position["supporters"] == 2
    assert position["citizens"] == 1
    assert position["organizations"] == [{"name": "Syndicat des éditeurs", "declared_interests": "Édition scientifique"}]


def test_staff_merge_split_and_label_are_kept_after_new_arguments_and_a_rebuild(
        client, api, admin, article, database_url, capsys):
    people = [api.user(f"votant{i}") for i in range(4)]
    written = [argue(client, who, article["id"], "for", body)
               for who, body in zip(people, [REASONS[0][1], REASONS[1][1], REASONS[4][1]])]
    kept = together(client, admin, article["id"], [a["id"] for a in written])
    assert sorted(kept["arguments"]) == sorted(a["id"] for a in written)
    split = client.post(f"/api/v1/positions/{kept['id']}/split", json={"arguments": [written[2]["id"]]},
                        headers=admin.headers)
    assert split.status_code == 201, split.text
    apart = split.json()
    assert apart["arguments"] == [written[2]["id"]] and apart["id"] != kept["id"]
    renamed = client.put(f"/api/v1/positions/{kept['id']}/label", json={"label": "Transparence et contrôle"},
                         headers=admin.headers)
    assert renamed.status_code == 200, renamed.text

    def check() -> None:
        now = argument_map(client, article["id"])
        together = position_of(now, written[0]["id"])
        assert together["id"] == kept["id"] and written[1]["id"] in together["arguments"]
        assert together["label"] == "Transparence et contrôle"
        assert position_of(now, written[2]["id"])["id"] == apart["id"]

    check()
    for who, (stance, body) in zip(people[3:], REASONS[2:4]):
        argue(client, who, article["id"], stance, body)
    argue(client, people[0], article["id"], "for", "La transparence des algorithmes publics renforce la confiance.")
    check()
    assert cli.main(["positions", "rebuild", "--database-url", database_url, "--quiet"]) == 0
    assert "positions" in capsys.readouterr().out
    check()

    history = client.get(f"/api/v1/positions/{kept['id']}").json()["history"]
    kinds = [row["kind"] for row in history]
    assert "split" in kinds and "label" in kinds
    assert all(row["by"] == "admin" and row["at"] for row in history)
    assert next(row for row in history if row["kind"] == "label")["to"] == "Transparence et contrôle"


def test_only_the_bill_authors_correct_the_map(client, api, admin, article):
    author = api.user("autrice")
    assert client.post(f"/api/v1/bills/{article['bill']}/authors", json={"username": "autrice"},
                       headers=admin.headers).status_code == 201
    outsider = api.user("passant")
    first = argue(client, outsider, article["id"], "for", REASONS[0][1])
    second = argue(client, outsider, article["id"], "against", REASONS[2][1])
    found = argument_map(client, article["id"])
    one, other = position_of(found, first["id"])["id"], position_of(found, second["id"])["id"]
    for path, method, body in [("/api/v1/positions/merge", "post", {"positions": [one, other]}),
                               (f"/api/v1/positions/{one}/split", "post", {"arguments": [first["id"]]}),
                               (f"/api/v1/positions/{one}/label", "put", {"label": "Autre chose"})]:
        assert getattr(client, method)(path, json=body, headers=outsider.headers).status_code == 403
        assert getattr(client, method)(path, json=body).status_code == 401
    # Positions of two stances never merge; a split must leave someone; a label is a text.
    refused = client.post("/api/v1/positions/merge", json={"positions": [one, other]}, headers=author.headers)
    assert refused.status_code == 409 and "positions" in refused.json()["detail"]
    alone = client.post(f"/api/v1/positions/{one}/split", json={"arguments": [first["id"]]}, headers=author.headers)
    assert alone.status_code == 400 and "arguments" in alone.json()["detail"]
    blank = client.put(f"/api/v1/positions/{one}/label", json={"label": "  "}, headers=author.headers)
    assert blank.status_code == 400 and "label" in blank.json()["detail"]
    renamed = client.put(f"/api/v1/positions/{one}/label", json={"label": "Confiance"}, headers=author.headers)
    assert renamed.status_code == 200 and renamed.json()["label"] == "Confiance"
    assert client.get("/api/v1/positions/999999").status_code == 404


def test_the_map_of_an_amendment(client, api, admin, article):
    proposer = api.user("proposante")
    amendment = client.post(f"/api/v1/articles/{article['id']}/amendments",
                            json={"text": "La présente loi a pour objet d'essayer Navette.", "explanation": "Mieux."},
                            headers=proposer.headers).json()
    written = client.post(f"/api/v1/amendments/{amendment['id']}/arguments",
                          json={"stance": "against", "body": REASONS[3][1]}, headers=proposer.headers).json()
    found = client.get(f"/api/v1/amendments/{amendment['id']}/argument-map").json()
    assert found["stances"]["for"] == []
    assert [p["arguments"] for p in found["stances"]["against"]] == [[written["id"]]]
    assert client.get("/api/v1/amendments/999999/argument-map").status_code == 404


def test_rebuild_of_an_unknown_bill_is_an_error(database_url, capsys):
    assert cli.main(["positions", "rebuild", "--database-url", database_url, "--bill", "inconnu", "--quiet"]) == 1
    assert "inconnu" in capsys.readouterr().err
