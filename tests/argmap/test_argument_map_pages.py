"""The argument map on the article and amendment pages, and the position page with the staff's forms,
without JavaScript (cheap stems embedding: these tests pin what the pages show, not the grouping)."""
from __future__ import annotations

import re
from markupsafe import escape

from tests.argmap.test_argument_map_api import REASONS, argue, argument_map, position_of
from tests.conftest import sign_in


def test_the_article_page_shows_positions_with_counts_organizations_and_a_link_to_members(client, api, admin, db):
    bill = api.bill(admin)
    article = bill["articles"][0]
    organization = api.user("editeurs", kind="organization",
                            organization={"name": "Syndicat des éditeurs", "declared_interests": "Édition scientifique"})
    citizen = api.user("camille")
    first = argue(client, organization, article["id"], "against", REASONS[2][1])
    argue(client, citizen, article["id"], "against", REASONS[2][1], status=200)
    argue(client, citizen, article["id"], "for", REASONS[0][1])
    html = client.get(f"/bills/{bill['slug']}/articles/{article['id']}").text
    position = position_of(argument_map(client, article["id"]), first["id"])
    assert f'id="position-{position["id"]}"' in html
    assert str(escape(position["label"])) in html
    section = html[html.index(f'id="position-{position["id"]}"'):]
    section = section[:section.index("</li>\n", section.index("argument-actions"))]
    assert "2 personnes" in section and "1 citoyen" in section and "1 organisation" in section
    assert "Syndicat des éditeurs" in section and "Édition scientifique" in section
    assert f'href="/positions/{position["id"]}"' in section
    assert 'class="argument-form' in html or 'name="body"' in html or "Se connecter" in html

    page = client.get(f"/positions/{position['id']}")
    assert page.status_code == 200
    assert str(escape(REASONS[2][1])) in page.text and "Historique" in page.text
    assert "Renommer" not in page.text  # anonymous readers get no correction forms


def test_the_bills_author_renames_and_splits_a_position_with_forms(client, api, admin, db):
    bill = api.bill(admin)
    article = bill["articles"][0]
    people = [api.user(f"personne{i}") for i in range(2)]
    written = [argue(client, who, article["id"], "for", body) for who, body in zip(people, [REASONS[0][1], REASONS[1][1]])]
    found = argument_map(client, article["id"])
    ids = list(dict.fromkeys(position_of(found, a["id"])["id"] for a in written))
    headers = sign_in(client, db, "admin")
    csrf: dict = {}
    if len(ids) > 1:
        merged = client.post(headers=headers, url=f"/positions/{ids[0]}/merge", data={"other": str(ids[1]), **csrf}, follow_redirects=False)
        assert merged.status_code == 303, merged.text
    target = ids[0]
    page = client.get(f"/positions/{target}").text
    assert "Renommer" in page and 'name="argument"' in page

    renamed = client.post(headers=headers, url=f"/positions/{target}/label", data={"label": "Confiance et contrôle", **csrf},
                          follow_redirects=False)
    assert renamed.status_code == 303
    refused = client.post(headers=headers, url=f"/positions/{target}/label", data={"label": " ", **csrf})
    assert refused.status_code == 400 and "Donnez un intitulé" in refused.text
    split = client.post(headers=headers, url=f"/positions/{target}/split", data={"argument": str(written[1]["id"]), **csrf},
                        follow_redirects=False)
    assert split.status_code == 303
    new_id = int(re.search(r"/positions/(\d+)", split.headers["location"]).group(1))
    assert new_id != target
    found = argument_map(client, article["id"])
    assert position_of(found, written[0]["id"])["label"] == "Confiance et contrôle"
    assert position_of(found, written[1]["id"])["id"] == new_id
    history = client.get(f"/positions/{target}").text
    assert "a renommé la position" in history and "a séparé des arguments de cette position" in history


def test_people_who_are_not_the_bills_authors_get_no_forms_and_a_403(client, api, admin, db):
    bill = api.bill(admin)
    article = bill["articles"][0]
    outsider = api.user("passante")
    written = argue(client, outsider, article["id"], "for", REASONS[0][1])
    position = position_of(argument_map(client, article["id"]), written["id"])
    headers = sign_in(client, db, "passante")
    assert "Renommer" not in client.get(f"/positions/{position['id']}").text
    refused = client.post(f"/positions/{position['id']}/label", headers=headers, data={"label": "Autre"})
    assert refused.status_code == 403


def test_a_page_names_a_positions_first_organizations_and_counts_the_others(client, api, admin, db):
    """A position held by many organizations: the article page names the first ones the map keeps and
    counts the rest; the position's page names them all."""
    from drafting.seeding.argmap import seed_argument_map

    bill = api.bill(admin)
    article_id = bill["articles"][0]["id"]
    seed_argument_map(db, article_id, 60, per_position=60)  # one position; every third author an organization
    position = argument_map(client, article_id)["stances"]["against"][0]
    names = [o["name"] for o in position["organizations"]]
    assert len(names) == 20 == position["supporters"] - position["citizens"]
    html = client.get(f"/bills/{bill['slug']}/articles/{article_id}").text
    section = html[html.index(f'id="position-{position["id"]}"'):]
    assert "20 organisations" in section[:section.index("</p>")]
    assert all(f"<strong>{name}</strong>" in section for name in names[:12])
    assert f"<strong>{names[12]}</strong>" not in section
    assert "et 8 autres organisations" in section
    page = client.get(f"/positions/{position['id']}").text
    assert all(f"<strong>{name}</strong>" in page for name in names)
