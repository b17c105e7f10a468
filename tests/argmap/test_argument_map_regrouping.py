"""The map regrouped as a target grows (position_staff.regroups: below 30 arguments and at 60, 120, 240,
480): every visible argument stays in one position of its stance, and staff corrections survive it.

The arguments are placed with the suite's cheap stems embedding (tests/conftest.py): these tests pin the
bookkeeping across the regrouping, not its quality (bench/bench_positions.py measures that)."""
from __future__ import annotations

import pytest

from drafting import cli
from tests.argmap.test_argument_map_api import argue, argument_map, position_of, together

SUBJECTS = ("La transparence", "Le contrôle citoyen", "La sécurité des données", "Le coût pour les communes",
            "Le secret des affaires", "La confiance du public", "La liberté de la presse", "La vie privée")
EFFECTS = ("renforce la démocratie locale", "menace les petites entreprises", "aide les chercheurs",
           "pèse sur les budgets publics", "protège les usagers", "complique le travail des agents",
           "favorise l'innovation")


@pytest.fixture
def article(api, admin):
    return api.bill(admin)["articles"][0]


def memberships(found: dict) -> list[list[int]]:
    return sorted(sorted(p["arguments"]) for stance in found["stances"].values() for p in stance)


def test_staff_corrections_and_one_position_per_argument_survive_the_regrouping_at_60(
        client, api, admin, article, database_url):
    people = [api.user(f"lecteur{i}") for i in range(6)]
    bodies = [f"{SUBJECTS[n % len(SUBJECTS)]} {EFFECTS[n % len(EFFECTS)]} (avis {n})." for n in range(62)]
    first = [argue(client, people[0], article["id"], "for", bodies[0]),
             argue(client, people[1], article["id"], "for", bodies[1])]
    merged = together(client, admin, article["id"], [a["id"] for a in first])
    renamed = client.put(f"/api/v1/positions/{merged['id']}/label", json={"label": "Transparence, contrôle"},
                         headers=admin.headers)
    assert renamed.status_code == 200, renamed.text

    def check(written: list[dict]) -> dict:
        now = argument_map(client, article["id"])
        kept = position_of(now, first[0]["id"])
        assert kept["id"] == merged["id"] and first[1]["id"] in kept["arguments"]
        assert kept["label"] == "Transparence, contrôle"
        for argument in written:
            assert position_of(now, argument["id"])["id"] in [p["id"] for p in now["stances"][argument["stance"]]]
        return now

    written = list(first)
    for n, body in enumerate(bodies[2:], start=2):
        written.append(argue(client, people[n % len(people)], article["id"], "against" if n % 3 == 0 else "for", body))
        if len(written) == 60:
            # The 60th argument regrouped the target: a rebuild from the same stored vectors finds the same map.
            regrouped = memberships(check(written))
            assert cli.main(["positions", "rebuild", "--database-url", database_url, "--quiet"]) == 0
            assert memberships(check(written)) == regrouped
    check(written)
    assert len(written) == 62
