"""A refused ``on_behalf_of`` on the HTML forms (CONTRACT §6 "Acting for an in-person participant"):
the proposal form and the argument form come back as typed, with the reason in the reader's language,
instead of the bare error page."""
from __future__ import annotations

import html as html_module
import re

import pytest

from tests.conftest import sign_in

TEXT = "La loi teste Navette autrement."
ARGUMENT = "Un argument saisi en réunion publique."
ASSISTED_ONLY = {
    "fr": "on ne peut saisir une contribution que pour une personne dont l'équipe du projet a ouvert le compte",
    "de": "Beiträge können nur für eine Person erfasst werden, deren Konto das Team des Entwurfs eröffnet hat",
}
STAFF_ONLY = "seuls les auteurs du projet peuvent saisir une contribution pour quelqu'un d'autre"
UNKNOWN = "aucun compte n'a cet identifiant"


def _participant(client, admin, bill, username):
    answer = client.post(f"/api/v1/bills/{bill['slug']}/participants",
                         json={"display_name": "Marie Dupont", "username": username}, headers=admin.headers)
    assert answer.status_code == 201, answer.text
    return username


def _post(client, url, data, **kwargs):
    return client.post(url, data={**data, "_csrf_token": client.cookies.get("navette_csrf")},
                       follow_redirects=False, **kwargs)


def _text(html):
    return html_module.unescape(html)


def _textarea(html, name):
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.S)
    return _text(found.group(1)) if found else None


@pytest.fixture
def scene(client, api, admin):
    """A bill, its first article, its in-person participant marie.d, a citizen alice; admin signed in."""
    bill = api.bill(admin)
    person = _participant(client, admin, bill, "marie.d")
    api.user("alice")
    sign_in(client, api.db, "admin")
    return bill, bill["articles"][0], person


def _propose(client, bill, article, on_behalf_of, **kwargs):
    url = f"/bills/{bill['slug']}/articles/{article['id']}/amendments"
    return _post(client, url, {"kind": "modify", "text": TEXT, "explanation": "Plus clair.",
                               "on_behalf_of": on_behalf_of}, **kwargs)


def _argue(client, article, on_behalf_of, **kwargs):
    return _post(client, f"/articles/{article['id']}/arguments",
                 {"stance": "against", "body": ARGUMENT, "on_behalf_of": on_behalf_of}, **kwargs)


def test_the_proposal_form_comes_back_with_why_on_behalf_of_was_refused(client, api, scene):
    bill, article, person = scene
    for_a_citizen = _propose(client, bill, article, "alice")
    assert for_a_citizen.status_code == 403
    assert ASSISTED_ONLY["fr"] in _text(for_a_citizen.text)
    assert 'id="propose-form"' in for_a_citizen.text and _textarea(for_a_citizen.text, "text").strip() == TEXT
    assert "Plus clair." in _textarea(for_a_citizen.text, "explanation")

    unknown = _propose(client, bill, article, "personne")
    assert unknown.status_code == 400 and UNKNOWN in _text(unknown.text)
    assert _textarea(unknown.text, "text").strip() == TEXT

    in_german = _propose(client, bill, article, "alice", headers={"Accept-Language": "de"})
    assert in_german.status_code == 403 and ASSISTED_ONLY["de"] in _text(in_german.text)
    assert _textarea(in_german.text, "text").strip() == TEXT

    sign_in(client, api.db, "alice")
    by_a_citizen = _propose(client, bill, article, person)
    assert by_a_citizen.status_code == 403 and STAFF_ONLY in _text(by_a_citizen.text)
    assert _textarea(by_a_citizen.text, "text").strip() == TEXT
    assert client.get(f"/api/v1/articles/{article['id']}/amendments").json() == []


def test_the_argument_form_comes_back_with_why_on_behalf_of_was_refused(client, api, scene):
    _, article, person = scene
    for_a_citizen = _argue(client, article, "alice")
    assert for_a_citizen.status_code == 403
    page = _text(for_a_citizen.text)
    assert 'class="argument-form"' in for_a_citizen.text and ASSISTED_ONLY["fr"] in page
    assert _textarea(for_a_citizen.text, "body") == ARGUMENT

    unknown = _argue(client, article, "personne")
    assert unknown.status_code == 400 and UNKNOWN in _text(unknown.text)
    assert _textarea(unknown.text, "body") == ARGUMENT

    in_german = _argue(client, article, "alice", headers={"Accept-Language": "de"})
    assert in_german.status_code == 403 and ASSISTED_ONLY["de"] in _text(in_german.text)
    assert _textarea(in_german.text, "body") == ARGUMENT

    with_htmx = _argue(client, article, "alice", headers={"HX-Request": "true"})
    assert with_htmx.status_code == 200  # htmx swaps only a 2xx answer: the fragment says why
    assert ASSISTED_ONLY["fr"] in _text(with_htmx.text) and _textarea(with_htmx.text, "body") == ARGUMENT

    sign_in(client, api.db, "alice")
    by_a_citizen = _argue(client, article, person)
    assert by_a_citizen.status_code == 403 and STAFF_ONLY in _text(by_a_citizen.text)
    assert _textarea(by_a_citizen.text, "body") == ARGUMENT
    assert client.get(f"/api/v1/articles/{article['id']}/arguments").json() == []
