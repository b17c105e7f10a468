"""Akoma Ntoso 3.0 documents through HTTP (CONTRACT §9): every bill version and amendment the API serves
as AKN is valid against the OASIS akomantoso30.xsd, and says what the JSON says."""
from __future__ import annotations

import pytest
from lxml import etree

from drafting.records.akn import schema_errors

AKN = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
NS = {"a": AKN}
TRICKY = "Les mots « données & <balises> » ne sont pas du XML."

BILL_MARKDOWN = f"""\
## Article liminaire

Les dispositions qui suivent s'appliquent à l'État.

# Titre Ier – Dispositions générales

## Chapitre Ier – Objet

### Article 1er – Objet

La présente loi a pour objet d'ouvrir les données publiques.
{TRICKY}

### Article 2

Les administrations publient leurs données en ligne.

## Chapitre II – Accès

### Article 3 – Accès libre

L'accès aux données est libre et gratuit.

# Titre II – Dispositions finales

### Article 4

La présente loi entre en vigueur le 1er janvier.
"""


def valid(response) -> etree._Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/akn+xml")
    assert schema_errors(response.content) == []
    return etree.fromstring(response.content)


def texts(element) -> list[str]:
    return ["".join(p.itertext()) for p in element.iterfind(".//a:content/a:p", NS)]


@pytest.fixture
def bill(api, admin):
    return api.bill(admin, markdown=BILL_MARKDOWN, title="Projet de loi « République numérique » & co")


def test_a_bill_version_is_a_valid_akn_bill_with_its_divisions_and_articles(api, bill):
    root = valid(api.client.get(f"/api/v1/bills/{bill['slug']}/versions/1/akn"))

    version = api.client.get(f"/api/v1/bills/{bill['slug']}/versions/1").json()
    document = root.find("a:bill", NS)
    work = document.find("a:meta/a:identification/a:FRBRWork", NS)
    assert work.find("a:FRBRthis", NS).get("value") == f"/akn/fr/bill/{bill['created_at'][:10]}/{bill['slug']}/!main"
    assert work.find("a:FRBRcountry", NS).get("value") == "fr"
    assert work.find("a:FRBRauthor", NS).get("href") == "#person_admin"
    expression = document.find("a:meta/a:identification/a:FRBRExpression", NS)
    assert expression.find("a:FRBRdate", NS).get("date") == version["published_at"][:10]
    assert expression.find("a:FRBRversionNumber", NS).get("value") == "1"
    assert document.find("a:meta/a:identification/a:FRBRManifestation/a:FRBRthis", NS) is not None
    persons = document.findall("a:meta/a:references/a:TLCPerson", NS)
    assert [p.get("showAs") for p in persons] == ["Cabinet du ministre"]
    assert document.find("a:preface//a:docTitle", NS).text == bill["title"]
    articles = document.findall(".//a:body//a:article", NS)
    assert [a.find("a:num", NS).text for a in articles] == [f"Article {a['number']}" for a in version["articles"]]
    assert [a.get("eId") for a in articles][1] == "art_1er"
    for element, article in zip(articles, version["articles"]):
        heading = element.find("a:heading", NS)
        assert (heading.text if heading is not None else "") == article["heading"]
        assert "\n".join(texts(element)) == "\n".join(line for line in article["text"].split("\n") if line.strip())
    first = document.find("a:body/a:article", NS)  # the article before any division stays at the top
    assert first.find("a:num", NS).text == "Article liminaire"
    titles = document.findall("a:body/a:title", NS)
    assert [t.find("a:num", NS).text for t in titles] == ["Titre Ier", "Titre II"]
    chapters = titles[0].findall("a:chapter", NS)
    assert [c.find("a:heading", NS).text for c in chapters] == ["Objet", "Accès"]
    assert [a.find("a:num", NS).text for a in chapters[0].findall("a:article", NS)] == ["Article 1er", "Article 2"]
    assert titles[1].find("a:article/a:num", NS).text == "Article 4"
    assert TRICKY in texts(document)


def test_every_published_version_is_valid_and_keeps_its_own_text(api, admin, bill):
    article = bill["articles"][2]
    edited = api.client.post(f"/api/v1/articles/{article['id']}/versions", headers=admin.headers,
                             json={"expected_version": 1, "message": "Deux alinéas",
                                   "text": "Premier alinéa & « guillemets ».\n\nSecond alinéa\nsur deux lignes."})
    assert edited.status_code == 201, edited.text
    published = api.client.post(f"/api/v1/bills/{bill['slug']}/versions", headers=admin.headers,
                                json={"label": "Texte de la commission"})
    assert published.status_code == 201, published.text

    old = valid(api.client.get(f"/api/v1/bills/{bill['slug']}/versions/1/akn"))
    new = valid(api.client.get(f"/api/v1/bills/{bill['slug']}/versions/2/akn"))

    eid = "art_2"
    assert texts(old.find(f".//a:article[@eId='{eid}']", NS)) == ["Les administrations publient leurs données en ligne."]
    changed = new.find(f".//a:article[@eId='{eid}']", NS)
    paragraphs = changed.findall("a:content/a:p", NS)
    assert len(paragraphs) == 2  # one <p> per alinéa; the second alinéa's line break is an <eol/>
    assert "".join(paragraphs[0].itertext()) == "Premier alinéa & « guillemets »."
    assert paragraphs[1].find("a:eol", NS) is not None
    assert new.find(".//a:FRBRExpression/a:FRBRversionNumber", NS).get("value") == "2"
    assert "Texte de la commission" in new.find(".//a:docStage", NS).text


def test_unknown_bill_or_version_is_404(api, bill):
    assert api.client.get(f"/api/v1/bills/{bill['slug']}/versions/9/akn").status_code == 404
    assert api.client.get("/api/v1/bills/absent/versions/1/akn").status_code == 404
    assert api.client.get("/api/v1/amendments/999999/akn").status_code == 404


def _propose(api, account, path, body) -> dict:
    response = api.client.post(path, headers=account.headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_each_kind_of_amendment_is_a_valid_akn_amendment_with_its_change_as_mod(api, bill):
    alice = api.user("alice", display_name="Alice Martin")
    first, second = bill["articles"][1], bill["articles"][2]
    modify = _propose(api, alice, f"/api/v1/articles/{first['id']}/amendments", {
        "text": first["text"].replace("d'ouvrir", "de libérer").replace("ne sont pas", "sont encore") + "\nEt plus.",
        "explanation": "Parce que « libérer » & <ouvrir> diffèrent.", "title": "Libérer"})
    delete = _propose(api, alice, f"/api/v1/articles/{second['id']}/amendments",
                      {"kind": "delete", "explanation": "Inutile."})
    insert = _propose(api, alice, f"/api/v1/bills/{bill['slug']}/amendments", {
        "kind": "insert", "after_article": second["id"], "heading": "Données « ouvertes »",
        "text": f"Un article nouveau.\n{TRICKY}", "explanation": "Il manque."})
    bruno = api.user("bruno")
    cosigned = api.client.post(f"/api/v1/articles/{second['id']}/amendments", headers=bruno.headers,
                               json={"kind": "delete", "explanation": "Moi aussi."})
    assert cosigned.status_code == 200

    documents = {a["kind"]: valid(api.client.get(f"/api/v1/amendments/{a['id']}/akn")).find("a:amendment", NS)
                 for a in (modify, delete, insert)}

    changed = documents["modify"]
    assert changed.find("a:preface//a:docProponent", NS).get("refersTo") == "#person_alice"
    assert [p.get("showAs") for p in changed.findall("a:meta/a:references/a:TLCPerson", NS)] == ["Alice Martin"]
    mods = changed.findall("a:amendmentBody/a:amendmentContent/a:p/a:mod", NS)
    quoted = [["".join(q.itertext()) for q in m.findall("a:quotedText", NS)] for m in mods]
    assert quoted[0] == ["d'ouvrir", "de libérer"]  # one instruction per change of the word diff, in text order
    assert ["ne "] in quoted and ["pas", "encore"] in quoted
    assert "Et plus" in quoted[-1][-1] and mods[-1].find("a:quotedText/a:eol", NS) is not None
    assert all(m.find("a:ref", NS).get("href").endswith("~art_1er") for m in mods)
    justification = changed.find("a:amendmentBody/a:amendmentJustification/a:p", NS)
    assert justification.text == "Parce que « libérer » & <ouvrir> diffèrent."
    assert changed.find("a:amendmentBody/a:amendmentHeading/a:p", NS).text == "Libérer"

    removal = documents["delete"]
    mod = removal.find(".//a:amendmentContent/a:p/a:mod", NS)
    assert "".join(mod.itertext()) == "Supprimer l'article 2."
    assert [p.get("refersTo") for p in removal.findall("a:preface//a:docProponent", NS)] == \
        ["#person_alice", "#person_bruno"]  # the co-signer is named too

    addition = documents["insert"]
    mod = addition.find(".//a:amendmentContent/a:p/a:mod", NS)
    assert "".join(mod.itertext()).startswith("Après l'article 2, insérer un article additionnel")
    new_article = mod.find("a:quotedStructure/a:article", NS)
    assert new_article.find("a:heading", NS).text == "Données « ouvertes »"
    assert texts(new_article) == ["Un article nouveau.", TRICKY]


def test_an_insertion_at_the_start_and_an_insertion_inside_an_article_are_valid(api, bill):
    alice = api.user("alice")
    article = bill["articles"][1]
    words = _propose(api, alice, f"/api/v1/articles/{article['id']}/amendments", {
        "text": "Désormais, " + article["text"][0].lower() + article["text"][1:], "explanation": "Ajout."})
    first = _propose(api, alice, f"/api/v1/bills/{bill['slug']}/amendments",
                     {"kind": "insert", "after_article": None, "text": "Tout au début.", "explanation": ""})

    start = valid(api.client.get(f"/api/v1/amendments/{words['id']}/akn"))
    mods = ["".join(m.itertext()) for m in start.iterfind(".//a:mod", NS)]
    assert mods[0].startswith("À l'article 1er, ") and "Désormais, " in mods[0]
    opening = valid(api.client.get(f"/api/v1/amendments/{first['id']}/akn"))
    assert "".join(opening.find(".//a:mod", NS).itertext()).startswith("Au début du texte, insérer")


def test_a_hidden_amendment_gives_its_record_without_its_text(api, bill):
    alice = api.user("alice")
    moderator = api.user("modo", role="moderator")
    article = bill["articles"][1]
    secret = "Un texte injurieux que personne ne doit relire."
    amendment = _propose(api, alice, f"/api/v1/articles/{article['id']}/amendments",
                         {"text": secret, "explanation": "Une explication injurieuse.", "title": "Injure"})
    hidden = api.client.post(f"/api/v1/moderation/amendment/{amendment['id']}/hide", headers=moderator.headers,
                             json={"reason": "Propos injurieux"})
    assert hidden.status_code == 200, hidden.text

    response = api.client.get(f"/api/v1/amendments/{amendment['id']}/akn")

    root = valid(response)
    assert root.find(".//a:mod", NS) is None
    assert "Propos injurieux" in "".join(root.find(".//a:amendmentContent", NS).itertext())
    for private in (secret, "injurieuse", "Injure<"):
        assert private not in response.text
