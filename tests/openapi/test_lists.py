"""Bounded lists (CONTRACT §6 "Lists"): `limit` (default 100, at most 500) and `offset` on every list
endpoint, a `Link: <…>; rel="next"` header while more items follow, the JSON array otherwise unchanged."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import insert, select

from amendments.models import Argument
from drafting.models import User


@pytest.fixture
def admin(api):
    return api.user("admin", role="admin")


@pytest.fixture
def bill(api, admin):
    return api.bill(admin)


def seed_arguments(db, article_id: int, count: int) -> None:
    """``count`` distinct arguments on one article, written straight to the table (4,000 through the API
    would take minutes); the API reads them back."""
    with db.session() as session:
        author = session.scalar(select(User.id).where(User.username == "admin"))
        session.execute(insert(Argument), [
            {"article_id": article_id, "stance": "for" if n % 2 else "against", "body": f"Argument numéro {n}",
             "folded": f"argument numero {n}", "author_id": author, "useful_count": 0}
            for n in range(count)
        ])


def next_link(response) -> str | None:
    header = response.headers.get("link")
    if header is None:
        return None
    found = re.fullmatch(r'<([^>]+)>; rel="next"', header)
    assert found, header
    return found.group(1)


def test_four_thousand_arguments_come_in_pages_of_100_by_default(client, db, bill):
    article = bill["articles"][0]["id"]
    seed_arguments(db, article, 4000)

    first = client.get(f"/api/v1/articles/{article}/arguments")

    assert first.status_code == 200
    assert len(first.json()) == 100
    link = next_link(first)
    assert link is not None
    assert urlsplit(link).path == f"/api/v1/articles/{article}/arguments"
    assert parse_qs(urlsplit(link).query) == {"limit": ["100"], "offset": ["100"]}
    second = client.get(link)
    assert len(second.json()) == 100
    assert not {a["id"] for a in first.json()} & {a["id"] for a in second.json()}


def test_limit_is_at_most_500_and_the_pages_cover_the_list_once(client, db, bill):
    article = bill["articles"][0]["id"]
    seed_arguments(db, article, 1200)

    seen, url, pages = [], f"/api/v1/articles/{article}/arguments?limit=500", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        assert len(response.json()) <= 500
        seen += [a["id"] for a in response.json()]
        url, pages = next_link(response), pages + 1

    assert pages == 3 and len(seen) == 1200 and len(set(seen)) == 1200


@pytest.mark.parametrize("value", ["501", "0", "-1", "abc"])
def test_a_limit_out_of_bounds_is_a_400_naming_limit(client, bill, value):
    article = bill["articles"][0]["id"]
    for path in (f"/api/v1/articles/{article}/arguments", "/api/v1/bills", f"/api/v1/bills/{bill['slug']}/trash"):
        response = client.get(path, params={"limit": value})
        assert response.status_code == 400, (path, response.text)
        assert "limit" in response.json()["detail"]
        assert response.json()["extra"]["field"] == "limit"


def test_a_negative_offset_is_a_400_naming_offset(client, bill):
    response = client.get(f"/api/v1/articles/{bill['articles'][0]['id']}/versions", params={"offset": "-1"})
    assert response.status_code == 400 and "offset" in response.json()["detail"]


def test_no_link_on_the_last_page_and_an_offset_beyond_the_end_is_empty(client, db, bill):
    article = bill["articles"][0]["id"]
    seed_arguments(db, article, 5)

    whole = client.get(f"/api/v1/articles/{article}/arguments", params={"limit": 5})
    assert len(whole.json()) == 5 and next_link(whole) is None
    partial = client.get(f"/api/v1/articles/{article}/arguments", params={"limit": 4})
    assert len(partial.json()) == 4 and next_link(partial) is not None
    last = client.get(next_link(partial))
    assert [a["id"] for a in last.json()] == [whole.json()[4]["id"]] and next_link(last) is None
    beyond = client.get(f"/api/v1/articles/{article}/arguments", params={"offset": 50})
    assert beyond.status_code == 200 and beyond.json() == [] and next_link(beyond) is None


def test_the_next_link_keeps_the_other_query_parameters(client, api, admin, bill):
    article = bill["articles"][0]["id"]
    for n in range(3):
        person = api.user(f"citoyen{n}")
        created = client.post(f"/api/v1/articles/{article}/amendments", headers=person.headers,
                              json={"text": f"Texte proposé numéro {n}.", "explanation": "Parce que."})
        assert created.status_code == 201, created.text

    first = client.get(f"/api/v1/articles/{article}/amendments?status=open&sort=recent&limit=2")
    link = next_link(first)
    assert parse_qs(urlsplit(link).query) == {"status": ["open"], "sort": ["recent"], "limit": ["2"], "offset": ["2"]}
    rest = client.get(link).json()
    assert len(first.json()) == 2 and len(rest) == 1
    assert {a["id"] for a in first.json() + rest} == {a["id"] for a in client.get(
        f"/api/v1/articles/{article}/amendments").json()}


def test_every_list_endpoint_pages(client, api, admin, bill):
    """Each list of the contract answers a JSON array bounded by `limit`, with the Link header while more follow."""
    slug, article = bill["slug"], bill["articles"][0]["id"]
    second = api.bill(admin, title="Deuxième projet")
    assert second["slug"] != slug
    for n in range(2):
        client.post(f"/api/v1/articles/{article}/versions", headers=admin.headers,
                    json={"expected_version": n + 1, "text": f"Version {n + 2} de l'article.", "message": "m"})
        client.post(f"/api/v1/bills/{slug}/versions", headers=admin.headers, json={"label": f"v{n + 2}"})
    amendment = client.post(f"/api/v1/articles/{article}/amendments", headers=admin.headers,
                            json={"text": "Autre texte.", "explanation": "e"}).json()["id"]
    client.post(f"/api/v1/articles/{article}/amendments", headers=admin.headers,
                json={"text": "Encore un autre texte.", "explanation": "e"})
    for n in range(2):
        client.post(f"/api/v1/amendments/{amendment}/arguments", headers=admin.headers,
                    json={"stance": "for", "body": f"Raison {n} distincte"})
        client.post(f"/api/v1/articles/{article}/sources", headers=admin.headers,
                    json={"title": f"Source {n}", "url": f"https://example.org/{n}"})
    mod = api.user("moderatrice", role="moderator")
    for n in range(2):
        argument = client.post(f"/api/v1/articles/{article}/arguments", headers=admin.headers,
                               json={"stance": "against", "body": f"Objection {n} à masquer"}).json()["id"]
        client.post("/api/v1/reports", headers=admin.headers, json={"target": "argument", "id": argument,
                                                                    "reason": "Hors sujet"})
        hidden = client.post(f"/api/v1/moderation/argument/{argument}/hide", headers=mod.headers,
                             json={"reason": "Hors sujet"})
        assert hidden.status_code == 200, hidden.text
    client.post("/api/v1/reports", headers=admin.headers, json={"target": "amendment", "id": amendment,
                                                                "reason": "À revoir"})
    client.post("/api/v1/reports", headers=mod.headers, json={"target": "amendment", "id": amendment,
                                                              "reason": "À revoir aussi"})
    lists = [
        ("/api/v1/bills", None),
        (f"/api/v1/bills/{slug}/versions", None),
        (f"/api/v1/articles/{article}/versions", None),
        (f"/api/v1/articles/{article}/amendments", None),
        (f"/api/v1/amendments/{amendment}/arguments", None),
        (f"/api/v1/articles/{article}/sources", None),
        (f"/api/v1/bills/{slug}/trash", None),
        ("/api/v1/moderation/reports", mod.headers),
    ]
    for path, headers in lists:
        whole = client.get(path, headers=headers)
        assert whole.status_code == 200, (path, whole.text)
        assert len(whole.json()) >= 2, path
        assert next_link(whole) is None, path
        page = client.get(path, params={"limit": 1}, headers=headers)
        assert page.json() == whole.json()[:1], path
        assert next_link(page) is not None, path
        rest = client.get(next_link(page), headers=headers)
        assert rest.json() == whole.json()[1:2], path
