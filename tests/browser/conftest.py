"""Shared browser fixtures: a live Navette server, Debian's chromium driven by Playwright, and a
screenshot of the page whenever a browser test fails.

Fixtures (reuse them, don't copy them):

- ``live_server`` (session): the real app served by uvicorn on a free 127.0.0.1 port, over a fresh
  migrated SQLite database in a temporary folder. ``.url``, ``.db`` (drafting.db.Database) and helpers:
  ``unique(prefix)`` for names that no other test of the session uses, ``create_user(...)``,
  ``create_bill(...)``, ``session_cookie(username)`` and ``sign_in(page, username, password)``.
  The database is shared by every test of one process: create your own users and bills with unique names.
- ``browser`` (session): chromium launched from /usr/bin/chromium (the test is skipped if it is absent, and fails when ``CI`` is set).
- ``page`` / ``page_nojs``: a new context and page per test (``base_url`` is the live server, so
  ``page.goto("/login")`` works), with JavaScript on / off. A test whose page logs a
  Content-Security-Policy violation fails (``watch_csp(page)`` for pages of your own contexts).

Safe under pytest-xdist (``-n 2 --dist loadfile``): every worker starts its own server on its own port
with its own database, and screenshots are named after the test.
"""
from __future__ import annotations

import itertools
import os
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.conftest import missing

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
DEFAULT_PASSWORD = "correct horse battery"
TIMEOUT_MS = 10_000


@dataclass
class LiveUser:
    id: int
    username: str
    password: str | None
    display_name: str


@dataclass
class LiveArticle:
    id: int
    number: str
    heading: str
    text: str


@dataclass
class LiveBill:
    id: int
    slug: str
    title: str
    status: str
    articles: list[LiveArticle] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/bills/{self.slug}"

    def article_path(self, index: int = 0) -> str:
        return f"/bills/{self.slug}/articles/{self.articles[index].id}"


class LiveServer:
    """A running Navette and helpers that write straight through the services (fast set-up)."""

    def __init__(self, url: str, db) -> None:
        self.url = url
        self.db = db
        self._counter = itertools.count(1)

    def unique(self, prefix: str = "user") -> str:
        """A name (valid as a username or a slug) no other test of this session gets."""
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw")
        return f"{prefix}-{worker}-{next(self._counter)}".lower()

    def create_user(self, username: str | None = None, *, password: str | None = DEFAULT_PASSWORD,
                    role: str | None = None, display_name: str | None = None, kind: str = "citizen",
                    organization: str | None = None, declared_interests: str = "",
                    email: str | None = None, created_by: str | None = None) -> LiveUser:
        """An account: ``role`` "admin" or "moderator"; ``organization`` (a name) makes an organization
        account; ``created_by`` (a username) makes an assisted account opened by staff (no password)."""
        from sqlalchemy import select

        from drafting.services import accounts
        from drafting.models import User

        username = username or self.unique("user")
        data = accounts.UserIn(
            username=username, password=password, display_name=display_name, email=email,
            kind="organization" if organization else kind,
            organization=accounts.OrganizationIn(name=organization, declared_interests=declared_interests)
            if organization else None,
        )
        with self.db.session() as session:
            staff = session.scalar(select(User).where(User.username == created_by)) if created_by else None
            user = accounts.create_user(session, data, is_admin=role == "admin",
                                        is_moderator=role == "moderator", created_by=staff)
            return LiveUser(user.id, user.username, password, user.display_name)

    def create_bill(self, author: LiveUser | str | None = None, *, title: str | None = None,
                    articles: list[dict[str, Any]] | None = None, markdown: str | None = None,
                    summary: str | None = None, slug: str | None = None, open_: bool = True) -> LiveBill:
        """A bill created (and by default opened, which publishes version 1) by ``author``, an admin
        (a new one when omitted)."""
        from sqlalchemy import select

        from drafting.services import bills as services
        from drafting.models import User

        if author is None:
            author = self.create_user(self.unique("admin"), role="admin", display_name="Cabinet du ministre")
        username = author if isinstance(author, str) else author.username
        if markdown is None and articles is None:
            articles = [
                {"number": "1", "heading": "Objet", "text": "La présente loi a pour objet de tester Navette."},
                {"number": "2", "text": "Les administrations publient leurs données en ligne."},
            ]
        data = services.BillIn(
            title=title or "Projet de loi d'essai", slug=slug or self.unique("projet"), summary=summary,
            markdown=markdown,
            articles=[services.ArticleIn(number=a["number"], text=a["text"], heading=a.get("heading"))
                      for a in articles] if articles is not None else None,
        )
        with self.db.session() as session:
            user = session.scalar(select(User).where(User.username == username))
            bill = services.create_bill(session, user, data)
            if open_:
                services.set_status(session, user, bill, "open")
            heads = services.head_versions(session, services.bill_articles(session, bill))
            return LiveBill(
                bill.id, bill.slug, bill.title, bill.status,
                [LiveArticle(a.id, a.number, a.heading, heads[a.id].text)
                 for a in services.bill_articles(session, bill)],
            )

    def session_cookie(self, username: str) -> dict[str, Any]:
        """A signed-in browser session for ``username``, for ``context.add_cookies([...])``."""
        from sqlalchemy import select

        from drafting.services import accounts
        from drafting.models import User
        from drafting.web.request import SESSION_COOKIE

        with self.db.session() as session:
            user = session.scalar(select(User).where(User.username == username))
            token = accounts.issue_token(session, user, "web")
        return {"name": SESSION_COOKIE, "value": token, "url": self.url, "httpOnly": True, "sameSite": "Lax"}

    def sign_in(self, page, username: str, password: str = DEFAULT_PASSWORD) -> None:
        """Sign in through the login form, as a person would."""
        page.goto(f"{self.url}/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.locator("form[action='/login'] button[type=submit]").click()
        page.wait_for_load_state()


def _listening_socket() -> socket.socket:
    """A socket bound to a free port, handed to uvicorn so no other process can take the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    import uvicorn

    from drafting.app import create_app
    from drafting.db import Database
    from drafting.migrate import upgrade
    from drafting.settings import Settings

    path = tmp_path_factory.mktemp("live") / "navette.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    app = create_app(Settings.load(database_url=url, secret_key="test", rate_limit_writes=0))
    sock = _listening_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="navette-live", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            pytest.fail("the live Navette server did not start")
        time.sleep(0.02)
    db = Database(url)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", db)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        db.dispose()


@pytest.fixture(scope="session")
def _playwright():
    try:
        from playwright import sync_api
    except ImportError:
        missing("Playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    if not os.access(CHROMIUM, os.X_OK):
        missing(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) "
                "to run the browser tests")
    chromium = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so page fixtures know whether the test failed."""
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


def _screenshot_name(node_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", node_name).strip("_") + ".png"


def watch_csp(page) -> list[str]:
    """The console messages of ``page`` about something the Content-Security-Policy blocked."""
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    return blocked


def _new_page(browser, live_server: LiveServer, request, *, javascript: bool):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript, locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    blocked = watch_csp(page)
    yield page
    report = getattr(request.node, "_report_call", None)
    if report is not None and report.passed and blocked:  # every journey runs under the strict CSP
        context.close()
        pytest.fail(f"the Content-Security-Policy blocked something: {blocked}")
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=str(SCREENSHOTS / _screenshot_name(request.node.name)), full_page=True)
        except Exception as error:  # a screenshot must never hide the real failure
            print(f"could not save a screenshot: {error}")
    context.close()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh context and page with JavaScript on (htmx enhances the pages)."""
    yield from _new_page(browser, live_server, request, javascript=True)


@pytest.fixture
def page_nojs(browser, live_server, request):
    """A fresh context and page with JavaScript off: every journey must still work."""
    yield from _new_page(browser, live_server, request, javascript=False)
