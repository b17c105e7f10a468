"""The argument map groups by meaning across languages, through HTTP, with the shipped e5 model
(``real_embeddings``): a French and a German argument giving the same reason land in one position.
About 0.3 s of CPU per argument: keep these tests few."""
from __future__ import annotations

import json
from pathlib import Path

LABELS = Path(__file__).resolve().parents[1] / "data" / "positions"


def test_a_french_and_a_german_argument_with_the_same_reason_are_one_position(client, api, admin, real_embeddings):
    reasons = json.loads((LABELS / "crosslingual.json").read_text(encoding="utf-8"))["reasons"]
    article = api.bill(admin)["articles"][0]
    written: dict[str, dict[str, int]] = {}
    for language in ("fr", "de"):
        for i, reason in enumerate(reasons):
            who = api.user(f"{language}{i}")
            response = client.post(f"/api/v1/articles/{article['id']}/arguments", headers=who.headers,
                                   json={"stance": reason["stance"], "body": reason["texts"][language]})
            assert response.status_code == 201, response.text
            written.setdefault(reason["key"], {})[language] = response.json()["id"]
    found = client.get(f"/api/v1/articles/{article['id']}/argument-map").json()
    position_of = {i: p["id"] for stance in found["stances"].values() for p in stance for i in p["arguments"]}
    for key, ids in written.items():
        assert position_of[ids["fr"]] == position_of[ids["de"]], (key, found)
    # and the reasons stay apart: one position per reason
    assert len({position_of[ids["fr"]] for ids in written.values()}) == len(reasons)
    for position in (p for stance in found["stances"].values() for p in stance):
        assert position["supporters"] == 2 and position["citizens"] == 2
