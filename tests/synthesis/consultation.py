"""A small consultation made through the JSON API for the synthesis tests, with the figures it must give
counted by hand from what it does."""
from __future__ import annotations

from typing import Any

ARTICLES = [
    {"number": "1", "heading": "Objet", "text": "Les administrations publient leurs données en ligne."},
    {"number": "2", "text": "Le code source des logiciels publics est un document administratif."},
    {"number": "3", "text": "Un décret précise les modalités d'application."},
]


def build(api, admin) -> dict[str, Any]:
    """Three citizens and an organization vote on articles and amendments, propose three amendments (a
    fourth is hidden), argue (one argument written again by another citizen supports it, one is hidden);
    the authors give an opinion on one amendment."""
    client = api.client
    bill = api.bill(admin, title="Loi pour une République numérique", slug="synthese", articles=ARTICLES)
    first, second, third = (a["id"] for a in bill["articles"])
    alice, bruno, chloe = (api.user(name) for name in ("alice", "bruno", "chloe"))
    asso = api.user("asso", kind="organization",
                    organization={"name": "Regards Citoyens", "declared_interests": "Transparence de la vie publique"})
    moderator = api.user("modo", role="moderator")

    def post(path: str, body: dict[str, Any], who, status: int = 201) -> dict[str, Any]:
        response = client.post(path, json=body, headers=who.headers)
        assert response.status_code == status, response.text
        return response.json()

    def vote(kind: str, target: int, who, value: str) -> None:
        response = client.put(f"/api/v1/{kind}s/{target}/vote", json={"value": value}, headers=who.headers)
        assert response.status_code == 200, response.text

    published = post(f"/api/v1/articles/{first}/amendments", {
        "text": "Les administrations publient leurs données et leurs algorithmes en ligne.",
        "explanation": "Les algorithmes aussi."}, alice)
    secret = post(f"/api/v1/articles/{second}/amendments", {
        "text": "Le code source des logiciels publics est un document communicable.", "explanation": "Mot juste."},
        asso)
    post(f"/api/v1/articles/{third}/amendments", {"kind": "delete", "explanation": "Inutile."}, bruno)
    spam = post(f"/api/v1/articles/{third}/amendments", {
        "text": "Un décret précise les modalités d'application. Achetez nos montres.", "explanation": "Promo."}, chloe)
    post(f"/api/v1/moderation/amendment/{spam['id']}/hide", {"reason": "Publicité."}, moderator, 200)

    for who, value in ((alice, "agree"), (bruno, "agree"), (asso, "disagree")):
        vote("article", first, who, value)
    vote("article", second, chloe, "disagree")
    vote("article", second, bruno, "mixed")
    vote("amendment", published["id"], bruno, "agree")
    vote("amendment", published["id"], chloe, "agree")
    vote("amendment", secret["id"], alice, "agree")
    vote("amendment", secret["id"], bruno, "disagree")

    trust = post(f"/api/v1/articles/{first}/arguments",
                 {"stance": "for", "body": "La transparence renforce la confiance des citoyens."}, alice)
    post(f"/api/v1/articles/{first}/arguments",  # the same argument again: chloe supports alice's
         {"stance": "for", "body": "La transparence renforce la confiance des citoyens !"}, chloe, status=200)
    cost = post(f"/api/v1/articles/{first}/arguments",
                {"stance": "against", "body": "Publier coûte cher aux petites communes."}, asso)
    post(f"/api/v1/articles/{second}/arguments",
         {"stance": "against", "body": "Le secret industriel des prestataires serait menacé."}, chloe)
    post(f"/api/v1/amendments/{published['id']}/arguments",
         {"stance": "for", "body": "Les algorithmes décident de nos droits."}, bruno)
    insult = post(f"/api/v1/articles/{second}/arguments", {"stance": "against", "body": "Insulte grossière."}, bruno)
    post(f"/api/v1/moderation/argument/{insult['id']}/hide", {"reason": "Propos injurieux."}, moderator, 200)

    answer = client.post("/api/v1/amendments/opinions", headers=admin.headers, json={
        "amendments": [published["id"]], "opinion": "favorable", "response": "Retenu pour la deuxième lecture."})
    assert answer.status_code == 200, answer.text
    return {"slug": bill["slug"], "articles": [first, second, third], "published": published["id"],
            "secret": secret["id"], "trust": trust["id"], "cost": cost["id"],
            "people": {"alice": alice, "bruno": bruno, "chloe": chloe, "asso": asso, "modo": moderator}}
