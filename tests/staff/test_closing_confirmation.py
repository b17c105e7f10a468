"""Every way of closing a consultation asks first: "close now" on the bill page or the settings, and a
closing date in the past set in the settings; a date in the future saves at once."""
from __future__ import annotations

from tests.conftest import sign_in
from tests.drafting.test_pages import page
from tests.staff.test_staff_pages import csrf

FORM = {"title": "Projet de loi d'essai", "summary": "", "language": "fr", "consultation_opens_at": ""}


def test_a_closing_date_in_the_past_asks_for_confirmation_then_closes(api, admin, client):
    bill = api.bill(admin)
    sign_in(client, api.db, "admin")
    settings = f"/bills/{bill['slug']}/settings"
    asked = client.post(settings, data={**FORM, "consultation_closes_at": "2020-01-01T00:00",
                                        "_csrf_token": csrf(client)}, follow_redirects=False)
    assert asked.status_code == 200
    doc = page(asked)
    assert doc.find("h1").text == "Clore la consultation ?"
    form = doc.find("form", "confirm")
    assert form.attrs["action"] == settings
    carried = {i.attrs["name"]: i.attrs.get("value") for i in form.find_all("input") if i.attrs.get("type") == "hidden"}
    assert carried["consultation_closes_at"] == "2020-01-01T00:00" and carried["confirm"] == "yes"
    assert client.get(f"/api/v1/bills/{bill['slug']}").json()["status"] == "open"  # nothing changed yet

    confirmed = client.post(settings, data={**carried, "_csrf_token": csrf(client)}, follow_redirects=False)
    assert confirmed.status_code == 303, confirmed.text
    assert client.get(f"/api/v1/bills/{bill['slug']}").json()["status"] == "closed"


def test_a_closing_date_in_the_future_saves_without_asking(api, admin, client):
    bill = api.bill(admin)
    sign_in(client, api.db, "admin")
    saved = client.post(f"/bills/{bill['slug']}/settings", data={
        **FORM, "consultation_closes_at": "2040-01-01T00:00", "_csrf_token": csrf(client)}, follow_redirects=False)
    assert saved.status_code == 303
    assert client.get(f"/api/v1/bills/{bill['slug']}").json()["status"] == "open"


def test_close_now_from_the_bill_page_asks_before_closing(api, admin, client):
    bill = api.bill(admin)
    sign_in(client, api.db, "admin")
    asked = client.post(f"/bills/{bill['slug']}/status", data={"status": "closed", "_csrf_token": csrf(client)},
                        follow_redirects=False)
    assert asked.status_code == 200 and page(asked).find("h1").text == "Clore la consultation ?"
    assert client.get(f"/api/v1/bills/{bill['slug']}").json()["status"] == "open"
