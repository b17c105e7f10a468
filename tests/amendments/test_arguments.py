"""Arguments for and against, their grouping (same text, near-duplicates), useful marks and sources,
through the API and the pages."""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from amendments.services import participation
from amendments.services import arguments
from amendments.models import Argument
from amendments.services.arguments import SIMILARITY_THRESHOLD, fold, similarity
from drafting.models import User
from tests.amendments.test_votes import account, admin, make_amendment, set_status  # noqa: F401
from tests.conftest import sign_in
from tests.conftest import corpus_path


@pytest.fixture
def bill(api, admin):
    return api.bill(admin)


@pytest.fixture
def article_id(bill) -> int:
    return bill["articles"][0]["id"]


def argue(client, who, article_id: int, body: str, stance: str = "for", kind: str = "articles"):
    return client.post(f"/api/v1/{kind}/{article_id}/arguments", json={"stance": stance, "body": body},
                       headers=who.headers)


# --- creating and listing ----------------------------------------------------------------------

def test_argument_is_created_with_the_contract_shape(client, db, article_id):
    alice = account(db, "alice")
    response = argue(client, alice, article_id, "Publier les données coûte peu\net rapporte beaucoup.")
    assert response.status_code == 201, response.text
    argument = response.json()
    assert {"id", "stance", "body", "author", "supporters", "useful", "similar_to", "created_at"} <= set(argument)
    assert argument["stance"] == "for" and argument["author"] == "alice"
    assert argument["body"] == "Publier les données coûte peu\net rapporte beaucoup."
    assert argument["supporters"] == [] and argument["useful"] == 0 and argument["similar_to"] is None
    assert argument["created_at"].endswith("Z")
    assert client.get(f"/api/v1/arguments/{argument['id']}").json() == argument


def test_argument_of_5000_characters_is_accepted_and_longer_is_refused_naming_body(client, db, article_id):
    alice = account(db, "alice")
    assert argue(client, alice, article_id, "a" * 5000).status_code == 201
    refused = argue(client, alice, article_id, "b" * 5001)
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("body")


INVALID_ARGUMENTS = [
    ({"stance": "neutral", "body": "Un argument."}, "stance"),
    ({"stance": "FOR", "body": "Un argument."}, "stance"),
    ({"stance": "for", "body": "   "}, "body"),
    ({"stance": "for", "body": "?!… « »"}, "body"),
    ({"stance": "for", "body": 12}, "body"),
    ({"body": "Un argument."}, "stance"),
]


def test_invalid_argument_is_400_naming_the_field(client, db, article_id):
    alice = account(db, "alice")
    for payload, field in INVALID_ARGUMENTS:
        response = client.post(f"/api/v1/articles/{article_id}/arguments", json=payload, headers=alice.headers)
        assert response.status_code == 400, (payload, response.text)
        assert field in response.json()["detail"], payload
    assert client.get(f"/api/v1/articles/{article_id}/arguments").json() == []


def test_anonymous_argument_is_401_and_closed_bill_is_409(api, admin, client, db, bill, article_id):
    assert client.post(f"/api/v1/articles/{article_id}/arguments",
                       json={"stance": "for", "body": "Bien."}).status_code == 401
    set_status(client, admin, bill, "closed")
    assert argue(client, account(db, "alice"), article_id, "Bien.").status_code == 409


def test_arguments_are_listed_most_useful_first_without_hidden_ones(client, db, article_id):
    alice, bruno, chloe = (account(db, name) for name in ("alice", "bruno", "chloe"))
    moderator = account(db, "mod", "moderator")
    first = argue(client, alice, article_id, "Premier argument, peu convaincant.").json()
    second = argue(client, bruno, article_id, "Deuxième argument, très convaincant.", "against").json()
    third = argue(client, chloe, article_id, "Troisième argument, assez convaincant.").json()
    for person in (alice, chloe):
        client.put(f"/api/v1/arguments/{second['id']}/useful", headers=person.headers)
    client.put(f"/api/v1/arguments/{third['id']}/useful", headers=alice.headers)
    listed = client.get(f"/api/v1/articles/{article_id}/arguments").json()
    assert [a["id"] for a in listed] == [second["id"], third["id"], first["id"]]
    assert [a["useful"] for a in listed] == [2, 1, 0]

    client.post(f"/api/v1/moderation/argument/{second['id']}/hide", json={"reason": "Hors sujet"},
                headers=moderator.headers)
    assert [a["id"] for a in client.get(f"/api/v1/articles/{article_id}/arguments").json()] == [third["id"],
                                                                                               first["id"]]
    assert [a["id"] for a in client.get(f"/api/v1/articles/{article_id}/arguments?limit=1&offset=1").json()] == [
        first["id"]]


def test_arguments_on_an_amendment_are_listed_apart_and_shown_on_its_page(client, db, article_id):
    alice = account(db, "alice")
    amendment_id = make_amendment(db, article_id, "alice")
    created = argue(client, alice, amendment_id, "Évaluer vaut mieux que tester.", "for", kind="amendments")
    assert created.status_code == 201, created.text
    assert created.json()["amendment"] == amendment_id
    assert [a["id"] for a in client.get(f"/api/v1/amendments/{amendment_id}/arguments").json()] == [
        created.json()["id"]]
    assert client.get(f"/api/v1/articles/{article_id}/arguments").json() == []
    page = client.get(f"/amendments/{amendment_id}")
    assert page.status_code == 200
    assert "Évaluer vaut mieux que tester." in page.text
    assert f'id="arguments-amendment-{amendment_id}"' in page.text


# --- the same argument again, and near-duplicates ---------------------------------------------------

def test_fold_ignores_case_spaces_punctuation_and_compatibility_forms():
    assert fold("  L’État doit PUBLIER ses données ! ") == fold("l'état doit publier\u00a0ses   données")
    assert fold("ﬁchiers ouverts") == fold("FICHIERS OUVERTS")
    assert fold("Hors-sujet.") == "hors sujet"
    assert fold("Données publiques") != fold("Donnees publiques")


def test_same_argument_written_again_joins_the_first_ones_supporters(client, db, article_id):
    alice, bruno, chloe = (account(db, name) for name in ("alice", "bruno", "chloe"))
    first = argue(client, alice, article_id, "Les données publiques doivent être ouvertes par défaut.")
    assert first.status_code == 201
    again = argue(client, bruno, article_id, "les DONNÉES publiques doivent être   ouvertes, par défaut !")
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["supporters"] == ["bruno"]
    assert argue(client, chloe, article_id, "Les données publiques doivent être ouvertes par défaut").json()[
        "supporters"] == ["bruno", "chloe"]
    # Joining twice, or repeating one's own argument, changes nothing.
    assert argue(client, bruno, article_id, "Les données publiques doivent être ouvertes par défaut.").json()[
        "supporters"] == ["bruno", "chloe"]
    repeated = argue(client, alice, article_id, "Les données publiques doivent être ouvertes par défaut.")
    assert repeated.status_code == 200
    assert len(client.get(f"/api/v1/articles/{article_id}/arguments").json()) == 1
    # The other stance, or another target, is another argument.
    assert argue(client, bruno, article_id, "Les données publiques doivent être ouvertes par défaut.",
                 "against").status_code == 201


def test_same_argument_posted_at_once_by_ten_people_is_one_argument(db, article_id):
    names = [f"citizen{i}" for i in range(10)]
    for name in names:
        account(db, name)
    barrier = threading.Barrier(len(names))

    def post(name: str) -> bool:
        barrier.wait()
        with db.session() as session:
            user = session.scalar(select(User).where(User.username == name))
            target = participation.get_target(session, "article", article_id)
            return arguments.add_argument(session, user, target, "for", "Enfin de la transparence !").created

    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        created = list(pool.map(post, names))
    assert created.count(True) == 1
    with db.session(write=False) as session:
        [argument_id] = session.scalars(select(Argument.id)).all()
        assert len(arguments.supporters_of(session, [argument_id])[argument_id]) == 9


def test_hidden_argument_cannot_be_posted_again(client, db, article_id):
    alice, bruno = account(db, "alice"), account(db, "bruno")
    moderator = account(db, "mod", "moderator")
    first = argue(client, alice, article_id, "Texte injurieux répété.").json()
    client.post(f"/api/v1/moderation/argument/{first['id']}/hide", json={"reason": "Injure"}, headers=moderator.headers)
    assert argue(client, bruno, article_id, "texte injurieux répété").status_code == 409


@lru_cache(maxsize=1)
def _corpus_arguments() -> dict[int, dict]:
    path = corpus_path("consultation_republique_numerique", "opinions.json")
    opinions = json.loads(path.read_text(encoding="utf-8"))["opinions"]
    return {argument["id"]: argument for opinion in opinions for argument in opinion["arguments"]}


# Real pairs from the République numérique consultation (argument ids in opinions.json), each pair
# posted on one opinion with one stance.
NEAR_DUPLICATES = [
    (4433, 4436),  # "Les usages existants c'est bien" / "Les usages d'aujourd'hui c'est bien"
    (4907, 5977),  # one organisation's argument, its first words changed
    (282, 4732),  # "Oui mais toujours avec une traduction en français" / "… française !"
    (6044, 6045),  # "paye" corrected into "payer"
]
DISTINCT = [
    (2449, 4459),  # two arguments pointing at other proposals by URL
    (3998, 4357),  # a long argument and a shorter one reusing one of its sentences
    (5243, 6018),  # "Proposition contraire aux droits d'auteurs." / "Extrairement contraire …"
    (3803, 4296),  # a sentence, and the same sentence followed by a reason
    (1811, 2632),  # "Hors sujet." / "Hors sujet, le numérique à l'Ecole doit être traité …"
    (653, 1521),  # "Dès le collège" / "Proposer dès le collège et même …"
    (1590, 4432),  # "Hors sujet ?" / "Completement hors sujet."
]


def _pair(first_id: int, second_id: int) -> tuple[dict, dict]:
    arguments = _corpus_arguments()
    first, second = arguments[first_id], arguments[second_id]
    assert first["type"] == second["type"]
    return first, second


def _post_pairs(api, admin, client, db, pairs) -> list[tuple[dict, dict]]:
    """Each pair posted on an article of its own: the first by one person, the second by another."""
    bill = api.bill(admin, articles=[{"number": str(n + 1), "text": f"Article {n + 1}."} for n in range(len(pairs))])
    alice, bruno = account(db, "alice"), account(db, "bruno")
    posted = []
    for article, (first_id, second_id) in zip(bill["articles"], pairs):
        first, second = _pair(first_id, second_id)
        stance = "for" if first["type"] == 1 else "against"
        original = argue(client, alice, article["id"], first["body"], stance)
        other = argue(client, bruno, article["id"], second["body"], stance)
        assert (original.status_code, other.status_code) == (201, 201), (first_id, second_id, other.text)
        posted.append((original.json(), other.json()))
    return posted


def test_real_near_duplicates_from_the_consultation_are_marked_similar(api, admin, client, db):
    for (first_id, second_id), (original, near) in zip(NEAR_DUPLICATES,
                                                       _post_pairs(api, admin, client, db, NEAR_DUPLICATES)):
        assert near["similar_to"] == original["id"], (first_id, second_id)


def test_real_distinct_arguments_from_the_consultation_stay_apart(api, admin, client, db):
    for (first_id, second_id), (_, other) in zip(DISTINCT, _post_pairs(api, admin, client, db, DISTINCT)):
        assert other["similar_to"] is None, (first_id, second_id)


def test_threshold_separates_every_calibration_pair():
    for pairs, near in ((NEAR_DUPLICATES, True), (DISTINCT, False)):
        for first_id, second_id in pairs:
            first, second = _pair(first_id, second_id)
            score = similarity(fold(first["body"]), fold(second["body"]))
            assert (score >= SIMILARITY_THRESHOLD) is near, (first_id, second_id, score)


def test_near_duplicate_points_at_the_first_argument_of_its_group(client, db, article_id):
    alice, bruno, chloe = (account(db, name) for name in ("alice", "bruno", "chloe"))
    first = argue(client, alice, article_id, "Les usages existants c'est bien, les usages futurs c'est mieux.").json()
    second = argue(client, bruno, article_id, "Les usages existants c'est bien, les usages futurs c'est bien mieux.")
    third = argue(client, chloe, article_id, "Les usages existant c'est bien, les usages futur c'est bien mieux.")
    assert second.json()["similar_to"] == first["id"]
    assert third.json()["similar_to"] == first["id"]


def test_page_shows_near_duplicates_together_and_how_many_people_made_an_argument(api, client, db, bill, article_id):
    alice, bruno, chloe = (account(db, name) for name in ("alice", "bruno", "chloe"))
    first = argue(client, alice, article_id, "Oui mais toujours avec une traduction en français").json()
    argue(client, bruno, article_id, "oui, mais toujours avec une traduction en français.")
    argue(client, chloe, article_id, "Oui mais toujours avec une traduction en français")
    near = argue(client, account(db, "david"), article_id, "Oui mais toujours avec une traduction française !").json()
    # The full list keeps near-duplicates under their first (the article page shows the argument map).
    html = client.get(f"/articles/{article_id}/arguments").text
    assert "3 personnes ont avancé cet argument" in html
    similar = html[html.index('class="similar-arguments"'):]
    assert f'id="argument-{near["id"]}"' in similar
    assert html.index(f'id="argument-{first["id"]}"') < html.index('class="similar-arguments"') < html.index(
        f'id="argument-{near["id"]}"')


# --- useful marks ------------------------------------------------------------------------------

def test_useful_marks_count_once_per_person(client, db, article_id):
    alice, bruno, chloe = (account(db, name) for name in ("alice", "bruno", "chloe"))
    argument = argue(client, alice, article_id, "Un argument utile.").json()
    path = f"/api/v1/arguments/{argument['id']}/useful"
    assert client.put(path, headers=bruno.headers).json() == {"useful": 1}
    assert client.put(path, headers=bruno.headers).json() == {"useful": 1}
    assert client.put(path, headers=chloe.headers).json() == {"useful": 2}
    assert client.delete(path, headers=bruno.headers).json() == {"useful": 1}
    assert client.delete(path, headers=bruno.headers).json() == {"useful": 1}
    assert client.get(f"/api/v1/arguments/{argument['id']}").json()["useful"] == 1
    assert client.put(path).status_code == 401
    assert client.put("/api/v1/arguments/999/useful", headers=bruno.headers).status_code == 404


# --- organizations -----------------------------------------------------------------------------

def test_organization_arguments_carry_its_name_and_declared_interests(client, db, bill, article_id):
    federation = account(db, "fedit", organization={"name": "Fédération des éditeurs",
                                                    "declared_interests": "Édition scientifique privée"})
    argument = argue(client, federation, article_id, "Un embargo protège les revues.", "against").json()
    assert argument["author_organization"] == {"name": "Fédération des éditeurs",
                                               "declared_interests": "Édition scientifique privée"}
    html = client.get(f"/bills/{bill['slug']}/articles/{article_id}").text
    card = html[html.index(f'id="argument-{argument["id"]}"'):]
    assert "Organisation : Fédération des éditeurs" in card
    assert "Intérêts déclarés : Édition scientifique privée" in card


# --- sources -----------------------------------------------------------------------------------

def test_source_is_added_listed_and_rendered_nofollow(client, db, bill, article_id):
    alice = account(db, "alice")
    created = client.post(f"/api/v1/articles/{article_id}/sources", headers=alice.headers, json={
        "title": "Étude d'impact", "url": "https://www.legifrance.gouv.fr/dossierlegislatif/JORFDOLE000031589829/",
        "note": "Page 12"})
    assert created.status_code == 201, created.text
    source = created.json()
    assert {"id", "title", "url", "note", "author", "created_at"} <= set(source)
    assert client.get(f"/api/v1/articles/{article_id}/sources").json() == [source]
    html = client.get(f"/bills/{bill['slug']}/articles/{article_id}").text
    assert ('<a href="https://www.legifrance.gouv.fr/dossierlegislatif/JORFDOLE000031589829/" '
            'rel="nofollow noopener">Étude d&#39;impact</a>') in html
    assert client.post(f"/api/v1/articles/{article_id}/sources", headers=alice.headers, json={
        "title": "Encore", "url": source["url"]}).status_code == 409


REFUSED_URLS = ["javascript:alert(1)", "ftp://example.org/a", "/relative/path", "example.org",
                "data:text/html,<b>x</b>", "https://", "http://exa mple.org", "https://[::1"]


def test_source_url_other_than_http_or_https_is_400(client, db, article_id):
    alice = account(db, "alice")
    for url in REFUSED_URLS:
        response = client.post(f"/api/v1/articles/{article_id}/sources", headers=alice.headers,
                               json={"title": "Une source", "url": url})
        assert response.status_code == 400, (url, response.text)
        assert response.json()["detail"].startswith("url"), url
    assert client.get(f"/api/v1/articles/{article_id}/sources").json() == []


def test_source_needs_a_title_and_a_signed_in_author(client, db, article_id):
    alice = account(db, "alice")
    assert client.post(f"/api/v1/articles/{article_id}/sources", headers=alice.headers,
                       json={"title": " ", "url": "https://example.org"}).json()["detail"].startswith("title")
    assert client.post(f"/api/v1/articles/{article_id}/sources",
                       json={"title": "x", "url": "https://example.org"}).status_code == 401


# --- the pages: with htmx, and without JavaScript ----------------------------------------------------

def test_argument_form_without_javascript_redirects_to_the_new_argument(client, db, bill, article_id):
    account(db, "alice")
    csrf = sign_in(client, db, "alice")
    response = client.post(f"/articles/{article_id}/arguments", headers=csrf, follow_redirects=False,
                           data={"stance": "against", "body": "Le délai est trop court pour les communes."})
    assert response.status_code == 303
    argument_id = client.get(f"/api/v1/articles/{article_id}/arguments").json()[0]["id"]
    assert response.headers["location"] == f"/bills/{bill['slug']}/articles/{article_id}#argument-{argument_id}"
    html = client.get(response.headers["location"].split("#")[0]).text
    against = html[html.index('class="argument-column stance-against"'):]
    assert "Le délai est trop court pour les communes." in against


def test_refused_argument_form_without_javascript_keeps_the_text_and_says_why(client, db, article_id):
    account(db, "alice")
    csrf = sign_in(client, db, "alice")
    response = client.post(f"/articles/{article_id}/arguments", headers=csrf,
                           data={"stance": "for", "body": "x" * 5001})
    assert response.status_code == 400
    assert "5 000 caractères au plus" in response.text
    assert "x" * 5001 in response.text
    assert client.get(f"/api/v1/articles/{article_id}/arguments").json() == []


def test_argument_form_with_htmx_answers_the_arguments_fragment(client, db, article_id):
    account(db, "alice")
    csrf = {**sign_in(client, db, "alice"), "HX-Request": "true"}
    response = client.post(f"/articles/{article_id}/arguments", headers=csrf,
                           data={"stance": "for", "body": "<script>alert('x')</script> Transparence !"})
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith(f'<section class="arguments" id="arguments-article-{article_id}"')
    assert "Votre argument est publié." in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Transparence !" in html
    assert "<script>" not in html
    refused = client.post(f"/articles/{article_id}/arguments", headers=csrf, data={"stance": "for", "body": ""})
    assert refused.status_code == 200 and "Écrivez votre argument" in refused.text


def test_useful_button_works_with_htmx_and_without_javascript(client, db, bill, article_id):
    alice = account(db, "alice")
    account(db, "bruno")
    argument = argue(client, alice, article_id, "Un argument.").json()
    csrf = sign_in(client, db, "bruno")
    page = f"/bills/{bill['slug']}/articles/{article_id}"
    fragment = client.post(f"/arguments/{argument['id']}/useful", data={"useful": "1", "next": page},
                           headers={**csrf, "HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith(f'<span class="useful" id="useful-{argument["id"]}">')
    assert '<span class="useful-count">1</span>' in fragment.text
    assert 'aria-pressed="true"' in fragment.text
    back = client.post(f"/arguments/{argument['id']}/useful", data={"useful": "0", "next": page}, headers=csrf,
                       follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == f"{page}#argument-{argument['id']}"
    assert client.get(f"/api/v1/arguments/{argument['id']}").json()["useful"] == 0
    offsite = client.post(f"/arguments/{argument['id']}/useful", data={"useful": "1", "next": "https://evil.example"},
                          headers=csrf, follow_redirects=False)
    assert offsite.headers["location"].startswith(page)


def test_source_form_without_javascript_and_its_refusal(client, db, bill, article_id):
    account(db, "alice")
    csrf = sign_in(client, db, "alice")
    added = client.post(f"/articles/{article_id}/sources", headers=csrf, follow_redirects=False,
                        data={"title": "Rapport Lemaire", "url": "https://example.org/rapport", "note": ""})
    assert added.status_code == 303 and "#source-" in added.headers["location"]
    refused = client.post(f"/articles/{article_id}/sources", headers=csrf,
                          data={"title": "Piège", "url": "javascript:alert(1)"})
    assert refused.status_code == 400
    assert "http:// ou https://" in refused.text and 'value="javascript:alert(1)"' in refused.text
    assert [s["title"] for s in client.get(f"/api/v1/articles/{article_id}/sources").json()] == ["Rapport Lemaire"]


def test_full_list_of_arguments_is_paginated(client, db, article_id):
    from amendments.views import participation as participation_pages

    alice = account(db, "alice")
    total = participation_pages.GROUPS_ON_TARGET_PAGE + 2
    for i in range(total):
        argue(client, alice, article_id, f"Argument {hashlib.sha256(str(i).encode()).hexdigest()}")
    article = client.get(f"/api/v1/articles/{article_id}").json()
    page = client.get(f"/bills/{article['bill']}/articles/{article_id}").text
    # The article page shows the argument map: every position, and the representative argument of
    # each position shown open (the rest are folded: label, people, a link to their members).
    from amendments.views.positions import SHOWN_PER_STANCE

    found = client.get(f"/api/v1/articles/{article_id}/argument-map").json()
    assert page.count('class="position"') == sum(len(stance) for stance in found["stances"].values())
    assert page.count('class="argument"') == sum(min(len(stance), SHOWN_PER_STANCE)
                                                 for stance in found["stances"].values())
    assert f"Voir les {total} arguments" in page
    full = client.get(f"/articles/{article_id}/arguments")
    assert full.status_code == 200 and full.text.count('class="argument"') == total
