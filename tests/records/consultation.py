"""A small consultation built through the JSON API, with every kind of public record the open-data
package, the mirror and restore-mirror must carry."""
from __future__ import annotations

from typing import Any


def build_consultation(api, admin) -> dict[str, Any]:
    """Three articles, two article versions on two of them, a merged amendment, open, rejected, withdrawn and
    hidden amendments, a merged insertion (a fourth article) and a deletion, arguments with supporters (one
    hidden), votes, useful marks, answers, a source, two bill versions. Answers what a test needs to name: the slug, the ids and the accounts."""
    client = api.client
    bill = api.bill(admin, title="Loi pour une République numérique", slug="republique", articles=[
        {"number": "1", "heading": "Objet", "text": "Les administrations publient leurs données en ligne."},
        {"number": "2", "text": "Le code source des logiciels publics est un document administratif."},
        {"number": "3", "text": "Un décret précise les modalités d'application."},
    ])
    slug = bill["slug"]
    first, second, third = (a["id"] for a in bill["articles"])
    alice = api.user("alice", email="alice@example.org", display_name="Alice Martin")
    bruno = api.user("bruno", email="bruno@example.org")
    asso = api.user("asso", kind="organization",
                    organization={"name": "Regards Citoyens", "declared_interests": "Transparence"})
    moderator = api.user("modo", role="moderator")

    def post(path: str, body: dict[str, Any], who, status: int = 201) -> dict[str, Any]:
        response = client.post(path, json=body, headers=who.headers)
        assert response.status_code == status, response.text
        return response.json()

    merged = post(f"/api/v1/articles/{first}/amendments", {
        "text": "Les administrations publient leurs données et leurs algorithmes en ligne.",
        "explanation": "Les algorithmes aussi."}, alice)
    post(f"/api/v1/articles/{first}/amendments", {  # the same text: bruno co-signs it
        "text": "Les administrations publient leurs données et leurs algorithmes en ligne.",
        "explanation": "Pareil."}, bruno, status=200)
    rejected = post(f"/api/v1/articles/{second}/amendments", {
        "text": "Le code source des logiciels publics est secret.", "explanation": "Sécurité."}, bruno)
    withdrawn = post(f"/api/v1/articles/{second}/amendments", {
        "text": "Le code source des logiciels publics est un document communicable.", "explanation": "Mot juste."},
        alice)
    still_open = post(f"/api/v1/articles/{first}/amendments", {
        "text": "Les administrations publient leurs données en ligne, gratuitement.", "explanation": "Gratuité."},
        asso)
    deletion = post(f"/api/v1/articles/{third}/amendments", {"kind": "delete", "explanation": "Inutile."}, bruno)
    insertion = post(f"/api/v1/bills/{slug}/amendments", {
        "kind": "insert", "after_article": second, "heading": "Accessibilité",
        "text": "Les sites publics sont accessibles.", "explanation": "Handicap."}, asso)
    post(f"/api/v1/amendments/{rejected['id']}/reject", {"response": "Contraire à l'objet du texte."}, admin, 200)
    post(f"/api/v1/amendments/{still_open['id']}/respond", {"response": "À l'étude."}, admin, 200)
    post(f"/api/v1/amendments/{withdrawn['id']}/withdraw", {}, alice, 200)

    for who, value in ((alice, "agree"), (bruno, "disagree"), (asso, "agree")):
        assert client.put(f"/api/v1/articles/{first}/vote", json={"value": value}, headers=who.headers).status_code == 200
    assert client.put(f"/api/v1/amendments/{merged['id']}/vote", json={"value": "mixed"},
                      headers=bruno.headers).status_code == 200

    argument = post(f"/api/v1/articles/{first}/arguments",
                    {"stance": "for", "body": "La transparence renforce la confiance."}, alice)
    post(f"/api/v1/articles/{first}/arguments",
         {"stance": "for", "body": "La transparence renforce la confiance !"}, bruno, status=200)  # supports it
    post(f"/api/v1/articles/{first}/arguments",
         {"stance": "against", "body": "Publier coûte cher aux petites communes."}, asso)
    post(f"/api/v1/amendments/{merged['id']}/arguments",
         {"stance": "for", "body": "Les algorithmes décident de nos droits."}, asso)
    hidden = post(f"/api/v1/articles/{second}/arguments", {"stance": "against", "body": "Insulte grossière."}, bruno)
    assert client.put(f"/api/v1/arguments/{argument['id']}/useful", headers=asso.headers).status_code == 200
    post(f"/api/v1/moderation/argument/{hidden['id']}/hide", {"reason": "Propos injurieux."}, moderator, 200)
    off_topic = post(f"/api/v1/articles/{third}/amendments", {
        "text": "Un décret précise les modalités d'application. Achetez nos montres.", "explanation": "Promo."}, bruno)
    post(f"/api/v1/moderation/amendment/{off_topic['id']}/hide", {"reason": "Publicité."}, moderator, 200)
    source = post(f"/api/v1/articles/{first}/sources", {"title": "Rapport Lemaire", "url": "https://example.org/rapport",
                                                        "note": "Chapitre 2"}, alice)

    post(f"/api/v1/articles/{first}/versions", {"expected_version": 1, "message": "Amendement retenu",
                                                "merge": [merged["id"]]}, admin)
    post(f"/api/v1/articles/{second}/versions", {"expected_version": 1, "message": "Précision",
                                                 "text": "Le code source des logiciels publics est un document "
                                                         "administratif communicable."}, admin)
    created = post(f"/api/v1/amendments/{insertion['id']}/merge-insert", {"number": "2 bis"}, admin, 200)
    post(f"/api/v1/bills/{slug}/versions", {"label": "Texte après consultation", "message": "Deuxième version"}, admin)
    return {"slug": slug, "articles": [first, second, third], "inserted_article": created["created_article"],
            "source": source["id"], "users": [admin, alice, bruno, asso, moderator],
            "amendments": {"merged": merged["id"], "rejected": rejected["id"], "withdrawn": withdrawn["id"],
                           "open": still_open["id"], "deletion": deletion["id"], "insertion": insertion["id"],
                           "hidden": off_topic["id"]},
            "arguments": {"supported": argument["id"], "hidden": hidden["id"]}}
