"""The page cache (drafting/pagecache.py): anonymous GETs of public pages and JSON served for a few seconds
without touching the database; signed-in people, htmx fragments and writes always go through."""
from __future__ import annotations

import dataclasses
import re

import anyio
import pytest
from litestar.testing import TestClient
from amendments.services import participation
from drafting.services import accounts
from drafting.app import create_app
from drafting.models import User
from drafting.web.pagecache import MAX_BODY_BYTES, PageCache, PageCacheMiddleware, cacheable_path
from drafting.settings import Settings
from drafting.web.request import SESSION_COOKIE
from tests.conftest import PG_URL

CACHE = "x-navette-cache"


@pytest.fixture
def settings(settings):
    """The suite's settings with the cache on (the shared fixture keeps it off), and the JSON documents'
    cache off: a request the page cache lets through reaches the database (tests/amendments/test_json_documents.py)."""
    return dataclasses.replace(settings, page_cache_seconds=60, document_cache_entries=0)


@pytest.fixture
def bill(api, admin) -> dict:
    return api.bill(admin)


@pytest.fixture
def urls(bill) -> dict[str, str]:
    article_id = bill["articles"][0]["id"]
    return {
        "page": f"/bills/{bill['slug']}/articles/{article_id}",
        "json": f"/api/v1/articles/{article_id}",
        "vote": f"/api/v1/articles/{article_id}/vote",
        "vote_form": f"/articles/{article_id}/vote",
    }


def statements(app):
    return app.state.db.recorded_statements()


def mark_reads(app, hits: int) -> list[str]:
    """What ``hits`` cache hits send to the database: nothing on SQLite (its files' sizes are the write
    mark), one read of the write-mark sequence each on PostgreSQL."""
    postgresql = app.state.db.engine.dialect.name == "postgresql"
    return ["SELECT last_value FROM navette_write_mark"] * hits if postgresql else []


def web_session(app, db, client, username: str) -> dict[str, str]:
    """Signs ``client`` in with a browser session for a new account; answers the CSRF header forms need."""
    with db.session() as session:
        user = User(username=username, display_name=username.title())
        session.add(user)
        session.flush()
        token = accounts.issue_token(session, user, "web")
    client.cookies.set(SESSION_COOKIE, token)
    client.get("/")
    return {"x-csrftoken": client.cookies.get("navette_csrf")}


def api_token(db, username: str) -> dict[str, str]:
    with db.session() as session:
        user = User(username=username, display_name=username.title())
        session.add(user)
        session.flush()
        return {"Authorization": f"Bearer {accounts.issue_token(session, user, 'api')}"}


def tally(html: str) -> list[str]:
    return re.findall(r'<span class="vote-count">(\d+)</span>', html)


# --- hits ---------------------------------------------------------------------------------------

def test_second_anonymous_get_is_served_from_the_cache_without_rendering_or_reading(app, client, urls):
    for path in ("/", urls["page"], urls["json"]):
        first = client.get(path)
        assert first.status_code == 200 and first.headers[CACHE] == "miss"
        with statements(app) as seen:
            second = client.get(path)
        assert second.headers[CACHE] == "hit"
        assert second.content == first.content
        assert second.headers["content-type"] == first.headers["content-type"]
        assert seen == mark_reads(app, 1), path


def test_hit_replays_no_cookie_and_no_page_carries_a_csrf_token_for_anonymous_visitors(app, client, db, bill, urls):
    first = client.get(urls["page"])
    assert "navette_csrf=" in first.headers.get("set-cookie", "")  # a new visitor's cookie, on the miss only
    token = client.cookies.get("navette_csrf")
    with TestClient(app=app) as newcomer:
        hit = newcomer.get(urls["page"])
        assert hit.headers[CACHE] == "hit"
        assert "set-cookie" not in hit.headers
        assert newcomer.cookies.get("navette_csrf") is None

    article_id = bill["articles"][0]["id"]
    amendment = client.post(f"/api/v1/articles/{article_id}/amendments", headers=api_token(db, "alice"),
                            json={"text": "La présente loi a pour objet d'évaluer Navette.", "explanation": "Mieux."})
    assert amendment.status_code == 201, amendment.text
    for path in ("/", f"/bills/{bill['slug']}", urls["page"], f"/amendments/{amendment.json()['id']}",
                 f"/bills/{bill['slug']}/history", f"/articles/{article_id}/blame", f"/articles/{article_id}/arguments"):
        html = client.get(path).text
        assert "hx-headers" not in html and "_csrf_token" not in html and token not in html, path


def test_signed_in_pages_and_the_sign_in_page_still_carry_the_csrf_token(app, client, db, urls):
    with TestClient(app=app) as visitor:
        assert 'hx-headers=\'{"X-CSRFToken": "' in visitor.get("/login").text
    csrf = web_session(app, db, client, "camille")
    assert f'hx-headers=\'{{"X-CSRFToken": "{csrf["x-csrftoken"]}"}}\'' in client.get(urls["page"]).text


def test_language_variants_are_kept_apart(app, client):
    with TestClient(app=app) as english:
        english.cookies.set("lang", "en")
        assert english.get("/").headers[CACHE] == "miss"
        french = client.get("/")
        assert french.headers[CACHE] == "miss"
        assert '<html lang="fr">' in french.text and "Projets de loi" in french.text
        for _ in range(2):
            again = english.get("/")
            assert again.headers[CACHE] == "hit" and '<html lang="en">' in again.text and "Bills" in again.text
        assert client.get("/").text == french.text
        # The query parameter wins over the cookie, as request_language says.
        asked = english.get("/?lang=fr")
        assert asked.headers[CACHE] == "miss" and '<html lang="fr">' in asked.text


def test_conditional_get_answers_304_from_the_stored_etag(app, client, bill):
    path = f"/bills/{bill['slug']}/versions/1"
    first = client.get(path)
    assert first.status_code == 200 and first.headers[CACHE] == "miss"
    with statements(app) as seen:
        same = client.get(path, headers={"If-None-Match": first.headers["etag"]})
        weak = client.get(path, headers={"If-None-Match": f"W/{first.headers['etag']}"})
        other = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert seen == mark_reads(app, 3)
    for answer in (same, weak):
        assert answer.status_code == 304 and answer.headers[CACHE] == "hit" and answer.content == b""
        assert answer.headers["etag"] == first.headers["etag"]
        assert answer.headers["cache-control"] == first.headers["cache-control"]
    assert other.status_code == 200 and other.headers[CACHE] == "hit" and other.content == first.content


# --- what is never served from the cache, nor stored ---------------------------------------------

def test_signed_in_browser_is_never_served_from_the_cache_nor_stored(app, client, db, urls):
    with TestClient(app=app) as anonymous:
        web_session(app, db, client, "camille")
        anonymous.get(urls["page"])  # stored after the account was written (a write makes answers stale)
        for _ in range(2):
            with statements(app) as seen:
                mine = client.get(urls["page"])
            assert CACHE not in mine.headers and seen
            assert "Camille" in mine.text
        assert anonymous.get(urls["page"]).headers[CACHE] == "hit"
        app.state.page_cache.invalidate()
        client.get(urls["page"])  # a signed-in answer after the cache emptied: not stored either
        shared = anonymous.get(urls["page"])
        assert shared.headers[CACHE] == "miss" and "Camille" not in shared.text


def test_bearer_token_requests_are_never_served_from_the_cache_nor_stored(app, client, db, urls):
    headers = api_token(db, "robot")
    for _ in range(2):
        with statements(app) as seen:
            answer = client.get(urls["json"], headers=headers)
        assert answer.status_code == 200 and CACHE not in answer.headers and seen
    assert client.get(urls["json"]).headers[CACHE] == "miss"
    assert client.get(urls["json"], headers=headers).headers.get(CACHE) is None


def test_htmx_requests_bypass_the_cache(app, client, urls):
    client.get(urls["page"])
    for _ in range(2):
        with statements(app) as seen:
            fragment = client.get(urls["page"], headers={"HX-Request": "true"})
        assert CACHE not in fragment.headers and seen
    app.state.page_cache.invalidate()
    client.get(urls["page"], headers={"HX-Request": "true"})
    assert client.get(urls["page"]).headers[CACHE] == "miss"


def test_not_found_answers_are_not_stored(app, client, bill):
    for path in ("/bills/no-such-bill", "/api/v1/articles/999999", f"/bills/{bill['slug']}/articles/999999"):
        for _ in range(2):
            with statements(app) as seen:
                answer = client.get(path)
            assert answer.status_code == 404 and answer.headers[CACHE] == "miss" and seen, path


def test_post_is_never_cached_and_its_path_is_read_fresh_after_it(app, client, db, bill):
    path = f"/api/v1/articles/{bill['articles'][0]['id']}/arguments"
    assert client.get(path).json() == [] and client.get(path).headers[CACHE] == "hit"
    headers = api_token(db, "alice")
    for _ in range(2):
        posted = client.post(path, headers=headers, json={"stance": "for", "body": "Un argument solide."})
        assert posted.status_code in (200, 201) and CACHE not in posted.headers
        assert posted.json()["body"] == "Un argument solide."
    fresh = client.get(path)
    assert fresh.headers[CACHE] == "miss" and [a["body"] for a in fresh.json()] == ["Un argument solide."]


def test_routes_that_depend_on_the_visitor_are_not_cached(client):
    for path in ("/login", "/register", "/healthz", "/static/navette.css", "/moderation", "/api/v1/me"):
        for _ in range(2):
            assert CACHE not in client.get(path, follow_redirects=False).headers, path


def test_cacheable_paths_are_the_public_pages_and_the_json_api():
    public = ["/", "/bills/loi-1", "/bills/loi-1/articles/3", "/bills/loi-1/history", "/bills/loi-1/versions/2",
              "/bills/loi-1/diff", "/bills/loi-1/feed.atom", "/bills/loi-1/trash", "/amendments/4",
              "/amendments/4/arguments", "/articles/3/history", "/articles/3/blame", "/articles/3/compare",
              "/articles/3/versions/1", "/articles/3/arguments", "/api/v1/bills", "/api/v1/bills/loi-1",
              "/api/v1/articles/3/amendments", "/api/v1/users/alice", "/bills/review"]
    personal = ["/login", "/register", "/logout", "/lang/en", "/moderation", "/moderation/argument/3", "/reports/new",
                "/healthz", "/static/htmx.min.js", "/bills/loi-1/review", "/bills/loi-1/participants/new",
                "/bills/loi-1/articles/3/propose", "/articles/3/merge", "/api/v1/me", "/api/v1/moderation/reports",
                "/api/v1/auth/token", "/bills", "/api"]
    assert [p for p in public if not cacheable_path(p)] == []
    assert [p for p in personal if cacheable_path(p)] == []


# --- freshness ----------------------------------------------------------------------------------

def test_vote_through_the_api_drops_the_cache_so_the_next_anonymous_read_is_fresh(app, client, db, urls):
    assert client.get(urls["json"]).json()["votes"]["agree"] == 0
    assert client.get(urls["json"]).headers[CACHE] == "hit"
    voted = client.put(urls["vote"], json={"value": "agree"}, headers=api_token(db, "alice"))
    assert voted.status_code == 200, voted.text
    fresh = client.get(urls["json"])
    assert fresh.headers[CACHE] == "miss" and fresh.json()["votes"]["agree"] == 1


def test_vote_through_the_form_drops_the_cache_so_the_next_anonymous_page_is_fresh(app, client, db, urls):
    with TestClient(app=app) as anonymous:
        assert tally(anonymous.get(urls["page"]).text) == ["0", "0", "0"]
        assert anonymous.get(urls["page"]).headers[CACHE] == "hit"
        csrf = web_session(app, db, client, "camille")
        voted = client.post(urls["vote_form"], data={"value": "agree"}, headers=csrf, follow_redirects=False)
        assert voted.status_code == 303
        fresh = anonymous.get(urls["page"])
        assert fresh.headers[CACHE] == "miss" and tally(fresh.text) == ["1", "0", "0"]


def test_refused_write_keeps_the_cache(client, urls):
    client.get(urls["json"])
    assert client.put(urls["vote"], json={"value": "agree"}).status_code == 401
    assert client.get(urls["json"]).headers[CACHE] == "hit"


def vote_elsewhere(db, article_id: int) -> None:
    """A vote another worker (or the command line) recorded: this process does not hear of it."""
    with db.session() as session:
        voter = User(username="ailleurs", display_name="Ailleurs")
        session.add(voter)
        session.flush()
        participation.cast_vote(session, voter, participation.get_target(session, "article", article_id), "agree")


def test_a_write_in_another_process_is_seen_at_once(client, db, bill, urls):
    assert client.get(urls["json"]).json()["votes"]["agree"] == 0
    assert client.get(urls["json"]).headers[CACHE] == "hit"
    vote_elsewhere(db, bill["articles"][0]["id"])  # the app is not told: the database's write mark moves
    fresh = client.get(urls["json"])
    assert fresh.headers[CACHE] == "miss" and fresh.json()["votes"]["agree"] == 1
    assert client.get(urls["json"]).headers[CACHE] == "hit"


def test_a_write_through_a_second_app_instance_is_seen_at_once_by_the_first(settings, client, db, urls):
    """Two workers (or machines) sharing one database: neither hears of the other's writes but through it."""
    assert client.get(urls["json"]).json()["votes"]["agree"] == 0
    assert client.get(urls["json"]).headers[CACHE] == "hit"
    with TestClient(app=create_app(settings)) as other_worker:
        voted = other_worker.put(urls["vote"], json={"value": "agree"}, headers=api_token(db, "alice"))
        assert voted.status_code == 200, voted.text
    fresh = client.get(urls["json"])
    assert fresh.headers[CACHE] == "miss" and fresh.json()["votes"]["agree"] == 1
    assert client.get(urls["json"]).headers[CACHE] == "hit"


def test_a_bill_imported_from_the_command_line_is_listed_at_once(client, database_url, tmp_path):
    from tests.drafting.test_cli import navette

    assert client.get("/api/v1/bills").json() == []
    assert client.get("/api/v1/bills").headers[CACHE] == "hit"
    text = tmp_path / "loi.md"
    text.write_text("# Loi d'essai\n\n## Article 1er\n\nLa présente loi est un essai.\n", encoding="utf-8")
    imported = navette("import", str(text), "--database-url", database_url, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    listed = client.get("/api/v1/bills")
    assert listed.headers[CACHE] == "miss" and len(listed.json()) == 1


def test_reads_do_not_move_the_write_mark(app, client, urls):
    client.get(urls["page"])
    for _ in range(3):
        client.get(urls["json"])
        assert client.get(urls["page"]).headers[CACHE] == "hit"


def test_an_answer_expires_after_page_cache_seconds(settings, db, bill, urls):
    app = create_app(dataclasses.replace(settings, page_cache_seconds=0.2))
    now = [1000.0]
    app.state.page_cache.clock = lambda: now[0]  # the cache's clock, moved by hand: nothing sleeps
    with TestClient(app=app) as client:
        assert client.get(urls["json"]).json()["votes"]["agree"] == 0
        vote_elsewhere(db, bill["articles"][0]["id"])
        now[0] += 0.25
        fresh = client.get(urls["json"])
        assert fresh.headers[CACHE] == "miss" and fresh.json()["votes"]["agree"] == 1


def test_least_recently_used_answer_leaves_when_the_cache_is_full(settings, bill):
    with TestClient(app=create_app(dataclasses.replace(settings, page_cache_entries=2))) as client:
        first, second, third = "/", f"/bills/{bill['slug']}", "/api/v1/bills"
        client.get(first)
        client.get(second)
        assert client.get(first).headers[CACHE] == "hit"  # now the most recently used
        client.get(third)
        assert client.get(first).headers[CACHE] == "hit"
        assert client.get(second).headers[CACHE] == "miss"
        assert len(client.app.state.page_cache) == 2


def test_zero_seconds_turns_the_cache_off(settings):
    app = create_app(dataclasses.replace(settings, page_cache_seconds=0))
    assert app.state.page_cache is None
    with TestClient(app=app) as uncached:
        assert all(CACHE not in uncached.get("/").headers for _ in range(2))


def test_settings_read_the_cache_from_the_environment(monkeypatch):
    monkeypatch.delenv("NAVETTE_PAGE_CACHE_SECONDS", raising=False)
    monkeypatch.delenv("NAVETTE_PAGE_CACHE_ENTRIES", raising=False)
    defaults = Settings(database_url="sqlite://")
    assert (defaults.page_cache_seconds, defaults.page_cache_entries) == (2, 1000)
    monkeypatch.setenv("NAVETTE_PAGE_CACHE_SECONDS", "0.5")
    monkeypatch.setenv("NAVETTE_PAGE_CACHE_ENTRIES", "50")
    configured = Settings(database_url="sqlite://")
    assert (configured.page_cache_seconds, configured.page_cache_entries) == (0.5, 50)
    for bad in ("soon", "-1", "nan"):
        monkeypatch.setenv("NAVETTE_PAGE_CACHE_SECONDS", bad)
        with pytest.raises(ValueError, match="NAVETTE_PAGE_CACHE_SECONDS"):
            Settings(database_url="sqlite://")


# --- the middleware on its own: concurrent misses, big answers ----------------------------------

def _scope(path: str = "/bills/loi-1") -> dict:
    return {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b"",
            "headers": [(b"host", b"navette.test")], "scheme": "https", "http_version": "1.1",
            "root_path": "", "state": {}}


async def _no_body() -> dict:
    return {"type": "http.request", "body": b"", "more_body": False}


def _run_concurrently(downstream, requests: int, meanwhile=lambda cache: None) -> list[list[dict]]:
    """``requests`` anonymous GETs of one path, the later ones arriving while the first is rendered;
    ``meanwhile`` runs before the rendering ends."""
    cache = PageCache(60, 10)
    middleware = PageCacheMiddleware(cache, lambda request: "fr", "navette_csrf")
    answers: list[list[dict]] = [[] for _ in range(requests)]

    def sender(messages: list[dict]):
        async def send(message: dict) -> None:
            messages.append(message)
        return send

    async def scenario() -> None:
        downstream.release = anyio.Event()
        async with anyio.create_task_group() as group:
            for messages in answers:
                group.start_soon(middleware.handle, _scope(), _no_body, sender(messages), downstream)
                await anyio.wait_all_tasks_blocked()
            meanwhile(cache)
            downstream.release.set()

    anyio.run(scenario)
    return answers


class _SlowPage:
    """A handler that answers only once released, counting how often it runs."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks or (b"<p>rendered</p>",)
        self.calls = 0
        self.release: anyio.Event | None = None

    async def __call__(self, scope, receive, send) -> None:
        self.calls += 1
        await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        for i, chunk in enumerate(self.chunks):
            await send({"type": "http.response.body", "body": chunk, "more_body": i < len(self.chunks) - 1})


def test_concurrent_misses_of_one_page_render_it_once():
    page = _SlowPage()
    answers = _run_concurrently(page, 3)
    assert page.calls == 1
    caches = [dict(messages[0]["headers"])[b"x-navette-cache"] for messages in answers]
    assert caches == [b"miss", b"hit", b"hit"]
    assert all(b"".join(m.get("body", b"") for m in messages[1:]) == b"<p>rendered</p>" for messages in answers)


def test_answers_over_one_megabyte_are_not_stored():
    half = b"x" * (MAX_BODY_BYTES // 2 + 1)
    page = _SlowPage(half, half)
    answers = _run_concurrently(page, 2)
    assert page.calls == 2
    assert all(b"".join(m.get("body", b"") for m in messages[1:]) == half + half for messages in answers)


def test_an_answer_rendered_across_a_write_is_neither_stored_nor_shared():
    page = _SlowPage()
    answers = _run_concurrently(page, 2, meanwhile=PageCache.invalidate)
    assert page.calls == 2  # the request that waited renders its own answer, after the write
    assert [dict(messages[0]["headers"])[b"x-navette-cache"] for messages in answers] == [b"miss", b"miss"]
