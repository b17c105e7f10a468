"""Search follows a bill's edits through PATCH (CONTRACT §6 "Editing a bill" and "Search")."""
from __future__ import annotations


def test_a_renamed_bill_is_found_under_its_new_title_only(api, admin, client):
    bill = api.bill(admin, title="Projet de loi sur les bibliothèques")
    renamed = client.patch(f"/api/v1/bills/{bill['slug']}", json={"title": "Projet de loi sur les archives"},
                           headers=admin.headers)
    assert renamed.status_code == 200, renamed.text

    def bills_found(q: str) -> list[str]:
        answer = client.get("/api/v1/search", params={"q": q, "kind": "bill"})
        assert answer.status_code == 200, answer.text
        return [item["bill"] for item in answer.json()["items"]]

    assert bill["slug"] in bills_found("archives")
    assert bill["slug"] not in bills_found("bibliothèques")
