"""A stored page of the signed-in render cache answered before any ORM session
(drafting/web/readercache.py ``hit``): the reader, their staff role, follow state and vote in one
statement, their useful marks in one more; a session token that signs nobody in gets the page rendered
as for anyone else, never a stored page with someone's parts."""
from __future__ import annotations

from sqlalchemy import select

from drafting.models import User
from drafting.services import accounts
from tests.amendments.test_votes import account
from tests.drafting.test_reader_cache import HEADER, debate  # noqa: F401 (the fixture)


def session_for(db, username: str) -> str:
    with db.session() as session:
        return accounts.issue_token(session, session.scalar(select(User).where(User.username == username)), "web")


def test_a_hit_is_one_statement_for_the_reader_and_one_for_their_useful_marks(app, client, db, debate):
    tokens = {name: session_for(db, name) for name in ("alice", "bruno")}
    pages = {debate["page"]: 2, f"/bills/{debate['slug']}": 1}  # the article's map shows a useful button
    for page, statements in pages.items():
        client.cookies.set("navette_session", tokens["bruno"])
        client.get(page)  # stored now
        client.cookies.set("navette_session", tokens["alice"])
        with app.state.db.recorded_statements() as seen:
            answered = client.get(page)
        assert answered.headers[HEADER] == "hit", page
        # Besides BEGIN and, on PostgreSQL, the write mark's read (the cache's freshness, before the page).
        own = [s for s in seen if s != "BEGIN" and "navette_write_mark" not in s]
        assert len(own) == statements, seen
        assert "Alice Lecteur" in answered.text and "Bruno Lecteur" not in answered.text


def test_an_organization_reading_a_stored_page_is_shown_as_one(client, db, debate):
    account(db, "editeurs", organization={"name": "Syndicat des éditeurs", "declared_interests": "Édition"})
    tokens = {name: session_for(db, name) for name in ("alice", "editeurs")}  # written before the page is stored
    client.cookies.set("navette_session", tokens["alice"])
    client.get(debate["page"])
    client.cookies.set("navette_session", tokens["editeurs"])
    answered = client.get(debate["page"])
    assert answered.headers[HEADER] == "hit"
    header = answered.text[answered.text.index('class="who"'):]
    header = header[:header.index("</span>\n")]
    assert "Syndicat des éditeurs" in header and "org-badge" in header


def test_a_session_token_that_signs_nobody_in_reads_the_page_as_anyone_does(client, db, debate):
    client.cookies.set("navette_session", session_for(db, "bruno"))
    client.get(debate["page"])  # stored now, and nothing written since
    client.cookies.set("navette_session", "not-a-session-anyone-was-given")
    answered = client.get(debate["page"])
    assert HEADER not in answered.headers
    assert "Bruno Lecteur" not in answered.text and "Se déconnecter" not in answered.text
