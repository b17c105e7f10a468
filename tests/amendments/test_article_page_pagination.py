"""The article page shows one page of amendments and the top arguments only, whatever the debate's size."""
from __future__ import annotations

import hashlib
import re

import pytest

from amendments.services import tallies
from amendments.models import Amendment, Argument, Vote
from amendments.views.amendments import AMENDMENTS_PER_PAGE
from amendments.services import position_staff
from amendments.views.participation import GROUPS_ON_TARGET_PAGE
from amendments.views.positions import FOLDED_PER_STANCE, SHOWN_PER_STANCE
from drafting.models import User


@pytest.fixture
def article(api, admin):
    bill = api.bill(admin, articles=[{"number": "1", "text": "Les données publiques sont ouvertes."}], open_=True)
    return bill["slug"], bill["articles"][0]["id"], bill["id"]


def add_amendments(db, bill_id: int, article_id: int, n: int, *, start: int = 0, status: str = "open") -> None:
    """``n`` amendments numbered from ``start`` (later numbers are newer), each with a few votes."""
    with db.session() as session:
        people = []
        for i in range(start, start + n):
            user = User(username=f"auteur-{i:03d}", display_name=f"Auteur {i}")
            session.add(user)
            people.append(user)
        session.flush()
        for i, author in zip(range(start, start + n), people):
            text = f"Texte proposé numéro {i}."
            amendment = Amendment(bill_id=bill_id, article_id=article_id, kind="modify", author_id=author.id,
                                  title=f"Proposition {i:03d}", status=status, base_version=1, text=text,
                                  text_digest=hashlib.sha256(text.encode()).hexdigest())
            session.add(amendment)
            session.flush()
            session.add(Vote(user_id=author.id, amendment_id=amendment.id, value="agree" if i % 2 else "disagree"))
        session.flush()
        tallies.rebuild(session)  # written in bulk, straight to the tables: counted as after a bulk load


def add_arguments(db, article_id: int, n: int, *, start: int = 0) -> None:
    with db.session() as session:
        author = User(username=f"argumentateur-{start}", display_name="Argumentateur")
        session.add(author)
        session.flush()
        for i in range(start, start + n):
            body = f"Argument {i:03d} : une raison différente numéro {i}."
            session.add(Argument(article_id=article_id, stance="for" if i % 2 else "against", body=body,
                                 folded=body.lower(), author_id=author.id))
        session.flush()
        tallies.rebuild(session)


def titles(html: str) -> list[str]:
    return re.findall(r"Proposition (\d{3})", html)


def test_the_article_page_lists_one_page_of_amendments_newest_first(client, db, article):
    slug, article_id, bill_id = article
    add_amendments(db, bill_id, article_id, AMENDMENTS_PER_PAGE + 5)
    html = client.get(f"/bills/{slug}/articles/{article_id}").text
    newest = [f"{i:03d}" for i in range(AMENDMENTS_PER_PAGE + 4, 4, -1)]
    assert titles(html) == newest
    assert f"({AMENDMENTS_PER_PAGE + 5})" in html
    assert "Page 1 sur 2" in html
    assert f'href="/bills/{slug}/articles/{article_id}?amendment_page=2#amendments"' in html
    assert 'rel="prev"' not in html


def test_page_two_shows_the_next_amendments_and_links_back(client, db, article):
    slug, article_id, bill_id = article
    add_amendments(db, bill_id, article_id, AMENDMENTS_PER_PAGE + 5)
    html = client.get(f"/bills/{slug}/articles/{article_id}?amendment_page=2").text
    assert titles(html) == ["004", "003", "002", "001", "000"]
    assert "Page 2 sur 2" in html
    assert f'rel="prev" href="/bills/{slug}/articles/{article_id}#amendments"' in html
    assert 'rel="next"' not in html


def test_a_page_past_the_end_shows_the_last_page_and_nonsense_shows_the_first(client, db, article):
    slug, article_id, bill_id = article
    add_amendments(db, bill_id, article_id, AMENDMENTS_PER_PAGE + 5)
    assert titles(client.get(f"/bills/{slug}/articles/{article_id}?amendment_page=99").text)[0] == "004"
    for raw in ("0", "-1", "abc", ""):
        response = client.get(f"/bills/{slug}/articles/{article_id}?amendment_page={raw}")
        assert response.status_code == 200
        assert titles(response.text)[0] == f"{AMENDMENTS_PER_PAGE + 4:03d}"


def test_page_links_keep_the_sort_and_the_status_filter(client, db, article):
    slug, article_id, bill_id = article
    add_amendments(db, bill_id, article_id, AMENDMENTS_PER_PAGE + 3)
    add_amendments(db, bill_id, article_id, 2, start=100, status="rejected")
    html = client.get(f"/bills/{slug}/articles/{article_id}?amendment_sort=votes&amendment_status=open").text
    assert "100" not in titles(html)
    assert f"?amendment_sort=votes&amp;amendment_status=open&amp;amendment_page=2#amendments" in html
    second = client.get(f"/bills/{slug}/articles/{article_id}?amendment_sort=votes&amendment_status=open"
                        f"&amendment_page=2").text
    assert f"?amendment_sort=votes&amp;amendment_status=open#amendments" in second  # back to page 1
    shown = titles(html) + titles(second)
    assert sorted(shown) == [f"{i:03d}" for i in range(AMENDMENTS_PER_PAGE + 3)]
    # Most supported first: odd numbers have an agree vote, even ones none.
    assert all(int(n) % 2 for n in shown[:(AMENDMENTS_PER_PAGE + 3) // 2])


def test_the_article_page_shows_the_top_arguments_per_stance_and_links_to_all_of_them(client, db, article):
    slug, article_id, _ = article
    per_stance = GROUPS_ON_TARGET_PAGE + 3
    add_arguments(db, article_id, 2 * per_stance)
    position_staff.rebuild_all(db)  # written in bulk: mapped as by `navette positions rebuild`
    html = client.get(f"/bills/{slug}/articles/{article_id}").text
    # The article page shows the argument map: one representative argument per position (its label
    # repeats its first sentence), bounded.
    found = client.get(f"/api/v1/articles/{article_id}/argument-map").json()
    shown = re.findall(r"Argument (\d{3}) :", html)
    assert len(set(shown)) == sum(min(len(stance), SHOWN_PER_STANCE + FOLDED_PER_STANCE)
                             for stance in found["stances"].values())
    assert f"Voir les {2 * per_stance} arguments" in html
    assert f'href="/articles/{article_id}/arguments"' in html
    full = client.get(f"/articles/{article_id}/arguments").text
    assert len(re.findall(r"Argument (\d{3}) :", full)) == 2 * per_stance


def test_the_article_page_sends_as_many_statements_with_60_amendments_and_arguments_as_with_5(
        client, app, db, article):
    slug, article_id, bill_id = article
    path = f"/bills/{slug}/articles/{article_id}"

    def statements(query: str = "") -> int:
        client.get(path + query)  # warm the caches
        with app.state.db.recorded_statements() as seen:
            assert client.get(path + query).status_code == 200
        return len(seen)

    add_amendments(db, bill_id, article_id, 5)
    add_arguments(db, article_id, 5)
    small = {query: statements(query) for query in ("", "?amendment_sort=votes")}
    add_amendments(db, bill_id, article_id, 55, start=5)
    add_arguments(db, article_id, 55, start=5)
    large = {query: statements(query) for query in ("", "?amendment_sort=votes", "?amendment_page=3")}
    assert large[""] == small[""]
    assert large["?amendment_sort=votes"] == small["?amendment_sort=votes"]
    assert large["?amendment_page=3"] == small[""]


def test_near_duplicates_under_an_argument_are_capped_and_counted(client, db, article):
    from amendments.services.arguments import SIMILAR_SHOWN

    slug, article_id, _ = article
    extra = 4
    with db.session() as session:
        author = User(username="campagne", display_name="Campagne")
        session.add(author)
        session.flush()
        head = Argument(article_id=article_id, stance="for", body="Argument de tête.", folded="argument de tete",
                        author_id=author.id)
        session.add(head)
        session.flush()
        for i in range(SIMILAR_SHOWN + extra):
            body = f"Copie proche numéro {i:02d}."
            session.add(Argument(article_id=article_id, stance="for", body=body, folded=body.lower(),
                                 author_id=author.id, similar_to_id=head.id))
    html = client.get(f"/articles/{article_id}/arguments").text  # the full list (the article page shows the map)
    assert len(re.findall(r"Copie proche numéro \d\d", html)) == SIMILAR_SHOWN
    assert f"Arguments proches ({SIMILAR_SHOWN + extra})" in html
    assert f"et {extra} autres arguments proches" in html
