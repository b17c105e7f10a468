"""A first pass through the bills API on a real database."""


def test_bill_created_through_api_gives_article_texts_back_verbatim(api, admin, client):
    texts = ["Premier alinéa.\n\nDeuxième alinéa avec « guillemets » et l’apostrophe.", "  Texte\tbrut  "]
    bill = api.bill(admin, articles=[{"number": "1", "text": texts[0]}, {"number": "2 bis", "text": texts[1]}],
                    open_=False)
    fetched = client.get(f"/api/v1/bills/{bill['slug']}").json()
    assert [a["text"] for a in fetched["articles"]] == texts
    assert [a["number"] for a in fetched["articles"]] == ["1", "2 bis"]
    assert fetched["status"] == "draft" and fetched["authors"] == ["admin"]
