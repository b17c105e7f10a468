"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL when
NAVETTE_TEST_DATABASE_URL is set), the app behind an HTTP test client, and account helpers."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import create_engine, text

from drafting.app import create_app
from drafting.db import Database, sqlalchemy_url
from drafting.migrate import upgrade
from drafting.settings import Settings

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
PG_URL = os.environ.get("NAVETTE_TEST_DATABASE_URL")
TEST_SECRET = "test-secret-key-not-for-production"


def missing(reason: str) -> None:
    """Skip a test whose environment is absent on a workstation; under CI (``CI`` set) fail instead,
    so a broken CI machine never passes by skipping."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: required here)", pytrace=False)
    pytest.skip(reason)


def corpus_path(*parts: str) -> Path:
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        missing(f"shared corpus not available at {path}")
    return path


def _worker() -> str:
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing():
    """argon2 with production parameters costs ~0.4 s a hash; tests use minimal ones."""
    from argon2 import PasswordHasher

    from drafting.services import accounts

    previous = accounts.configure_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    accounts.configure_hasher(previous)


def stems_embedding(texts) -> "np.ndarray":
    """A cheap deterministic stand-in for e5 (NOT about meaning): each French stem of a text is a fixed
    random direction, and a text the normalised sum of its stems'. Texts sharing words are close."""
    import hashlib

    import numpy as np

    from amendments.positions import terms

    rows = []
    for text in texts:
        total = np.zeros(384)
        for stem in terms(text, "fr") or [text]:
            seed = int.from_bytes(hashlib.sha256(stem.encode("utf-8")).digest()[:8], "little")
            total += np.random.default_rng(seed).standard_normal(384)
        rows.append(total / (np.linalg.norm(total) or 1.0))
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), 384)


@pytest.fixture(scope="session", autouse=True)
def _cheap_embeddings():
    """e5 costs ~0.3 s of CPU per argument and the suite writes hundreds of arguments: tests that are
    not about grouping quality place them with ``stems_embedding``. Tests of the argument map's
    grouping (tests/argmap, tests/positions) use the real model through the ``real_embeddings`` fixture."""
    from amendments.services import positions

    previous = positions.configure_embedder(stems_embedding)
    yield
    positions.configure_embedder(previous)


@pytest.fixture
def real_embeddings():
    """The shipped multilingual-e5 model, for tests of what the map groups by meaning."""
    from amendments import positions as method
    from amendments.services import positions

    previous = positions.configure_embedder(method.embed)
    yield
    positions.configure_embedder(previous)


@pytest.fixture(scope="session")
def _migrated_database(tmp_path_factory) -> str:
    """Migrate once per test process; tests then start from a copy or a truncation of it."""
    if PG_URL:
        schema = f"navette_test_{_worker()}"
        admin = create_engine(sqlalchemy_url(PG_URL), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        separator = "&" if "?" in PG_URL else "?"
        url = f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
        upgrade(url)
        yield url
        admin = create_engine(sqlalchemy_url(PG_URL), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
        return
    template = tmp_path_factory.mktemp("template") / "navette.db"
    upgrade(f"sqlite:///{template}")
    yield str(template)


_reset_engines: dict[str, object] = {}


def _empty_all_tables(url: str) -> None:
    """Delete every row, children first: much cheaper than TRUNCATE on tiny tables."""
    from drafting.db import Base

    engine = _reset_engines.get(url)
    if engine is None:
        engine = _reset_engines[url] = create_engine(sqlalchemy_url(url))
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def database_url(_migrated_database, tmp_path) -> str:
    if PG_URL:
        _empty_all_tables(_migrated_database)
        return _migrated_database
    path = tmp_path / "navette.db"
    shutil.copyfile(_migrated_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def settings(database_url) -> Settings:
    return Settings.load(database_url=database_url, secret_key=TEST_SECRET, rate_limit_writes=0, page_cache_seconds=0)


@pytest.fixture
def db(database_url) -> Database:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def client(app):
    with TestClient(app=app) as test_client:
        yield test_client


@dataclass
class Account:
    username: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Api:
    """Thin helpers over the JSON API, so tests read like the contract."""

    def __init__(self, client: TestClient, db: Database):
        self.client = client
        self.db = db

    def user(self, username: str, role: str | None = None, **fields: Any) -> Account:
        from drafting.services import accounts

        password = "correct horse battery"
        if role:
            with self.db.session() as session:
                accounts.create_user(session, accounts.UserIn(username=username, password=password, **fields),
                                     is_admin=role == "admin", is_moderator=role == "moderator")
        else:
            response = self.client.post("/api/v1/users", json={"username": username, "password": password, **fields})
            assert response.status_code == 201, response.text
        token = self.client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert token.status_code == 200, token.text
        return Account(username, password, token.json()["token"])

    def bill(self, admin: Account, articles: list[dict[str, Any]] | None = None, open_: bool = True,
             **fields: Any) -> dict[str, Any]:
        body = {"title": fields.pop("title", "Projet de loi d'essai"), **fields}
        if "markdown" not in body:
            body["articles"] = articles or [
                {"number": "1", "heading": "Objet", "text": "La présente loi a pour objet de tester Navette."},
                {"number": "2", "text": "Les administrations publient leurs données en ligne."},
            ]
        response = self.client.post("/api/v1/bills", json=body, headers=admin.headers)
        assert response.status_code == 201, response.text
        bill = response.json()
        if open_:
            opened = self.client.post(f"/api/v1/bills/{bill['slug']}/status", json={"status": "open"},
                                      headers=admin.headers)
            assert opened.status_code == 200, opened.text
            bill = opened.json()
        return bill


def sign_in(client: TestClient, db: Database, username: str) -> dict[str, str]:
    """A browser session for ``username`` on the test client (the login form itself is tested with the
    accounts); answers the CSRF header htmx sends (forms send the ``navette_csrf`` cookie's token)."""
    from sqlalchemy import select

    from drafting.models import User
    from drafting.services import accounts

    with db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        token = accounts.issue_token(session, user, "web")
    client.cookies.set("navette_session", token)
    client.get("/")
    return {"x-csrftoken": client.cookies.get("navette_csrf")}


@pytest.fixture
def api(client, db) -> Api:
    return Api(client, db)


@pytest.fixture
def admin(api) -> Account:
    return api.user("admin", role="admin", display_name="Cabinet du ministre")
