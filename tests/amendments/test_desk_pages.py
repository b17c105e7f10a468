"""The merge page refuses with its explanation, to any of the bill's authors (not only admins)."""
from __future__ import annotations

import pytest

from tests.amendments.test_desk_api import BASE, HEAD_CHANGE, OTHER_WORDS, SAME_WORD_AS_HEAD, article, citizens
from tests.amendments.test_desk_api import desk, post_form, propose  # noqa: F401
from tests.conftest import sign_in


@pytest.fixture
def author(client, admin, db, desk):
    """A bill author who is not an administrator, signed in on the test client's browser session."""
    (author,) = citizens(db, "autrice")
    added = client.post(f"/api/v1/bills/{desk['bill']['slug']}/authors", json={"username": "autrice"},
                        headers=admin.headers)
    assert added.status_code == 201, added.text
    sign_in(client, db, "autrice")
    return author


def merge_form(client, desk, **fields):
    client.cookies.set("lang", "en")  # the messages below are the English ones
    data = {"amendments": "", "expected_version": "1", "text": BASE, "message": "Fusion", **fields}
    return post_form(client, f"/articles/{desk['article']}/merge", data)


def test_stale_expected_version_shows_the_merge_page_with_409(client, desk, author):
    first = propose(client, desk["alice"], desk["article"], HEAD_CHANGE)
    page = merge_form(client, desk, amendments=str(first["id"]), expected_version="7", text=HEAD_CHANGE)
    assert page.status_code == 409, page.text[:500]
    assert "the head is version 1, not 7" in page.text and 'id="merge-preview"' in page.text
    assert article(client, desk["article"])["version"] == 1


def test_expected_version_that_is_not_a_number_shows_the_page_naming_the_field(client, desk, author):
    first = propose(client, desk["alice"], desk["article"], HEAD_CHANGE)
    page = merge_form(client, desk, amendments=str(first["id"]), expected_version="abc", text=HEAD_CHANGE)
    assert page.status_code == 400, page.text[:500]
    assert "expected_version: must be a whole number" in page.text


def test_an_empty_merge_shows_the_page_with_its_reason(client, desk, author):
    page = merge_form(client, desk)
    assert page.status_code == 400, page.text[:500]
    assert "text: is the same as the current version" in page.text


def test_conflicting_amendments_show_the_conflict_with_409(client, desk, author):
    first = propose(client, desk["alice"], desk["article"], HEAD_CHANGE)
    second = propose(client, desk["bruno"], desk["article"], SAME_WORD_AS_HEAD)
    other = propose(client, desk["chloe"], desk["article"], OTHER_WORDS)
    client.cookies.set("lang", "en")
    page = post_form(client, f"/articles/{desk['article']}/merge",
                     {"amendments": f"{first['id']},{second['id']},{other['id']}", "expected_version": "1",
                      "message": "Fusion"})
    assert page.status_code == 409, page.text[:500]
    assert "some amendments change the same words" in page.text
    assert f"{second['id']}</a>" in page.text.split('class="apply-report"')[1]
    assert article(client, desk["article"])["version"] == 1
