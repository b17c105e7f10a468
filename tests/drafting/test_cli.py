"""The `navette` console script (CONTRACT §1), run as a person runs it: a real process, a real database
(a SQLite file, or a schema of its own on PostgreSQL when NAVETTE_TEST_DATABASE_URL is set)."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from tests.serving import first_answer, free_port, stop
from sqlalchemy import create_engine, func, inspect, select, text

from drafting.services import accounts
from drafting.db import Database, sqlalchemy_url
from drafting.models import Article, ArticleVersion, Bill, BillVersion, Division, User
from tests.conftest import PG_URL, corpus_path

NAVETTE = Path(sys.executable).with_name("navette")


def navette(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60):
    assert NAVETTE.exists(), f"the console script is not installed at {NAVETTE} (pip install -e .)"
    return subprocess.run([str(NAVETTE), *args], cwd=cwd, env=env or _environment(), capture_output=True,
                          text=True, timeout=timeout)


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NAVETTE_")}
    env["NAVETTE_SECRET_KEY"] = "cli-test-secret"  # required by `serve` on PostgreSQL
    return env


@pytest.fixture
def url(tmp_path) -> str:
    """An empty database of this test's own: a SQLite file, or a fresh PostgreSQL schema."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'navette.db'}"
        return
    schema = f"navette_cli_{uuid.uuid4().hex[:12]}"
    admin = create_engine(sqlalchemy_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db(url):
    """Opened lazily by each test after the command created the tables."""
    databases = []

    def open_database() -> Database:
        databases.append(Database(url))
        return databases[-1]

    yield open_database
    for database in databases:
        database.dispose()


def test_db_upgrade_applies_the_migrations_and_can_run_again(url, tmp_path):
    first = navette("db", "upgrade", "--database-url", url, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    engine = create_engine(sqlalchemy_url(url))
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"alembic_version", "users", "bills", "articles", "article_versions", "bill_versions"} <= tables
    again = navette("db", "upgrade", "--database-url", url, cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_database_url_comes_from_the_environment(url, tmp_path, db):
    env = {**_environment(), "NAVETTE_DATABASE_URL": url}
    result = navette("user", "create", "depuis-env", "--password", "une phrase de passe", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    with db().session() as session:
        assert session.scalar(select(User.username).where(User.username == "depuis-env")) == "depuis-env"
    assert not (tmp_path / "var").exists()


def test_user_create_makes_an_account_and_refuses_a_taken_name_or_a_short_password(url, tmp_path, db):
    created = navette("user", "create", "cabinet", "--password", "une phrase de passe", "--role", "admin",
                      "--display-name", "Cabinet du ministre", "--database-url", url, cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert "cabinet" in created.stdout
    moderator = navette("user", "create", "modo", "--password", "une phrase de passe", "--role", "moderator",
                        "--database-url", url, cwd=tmp_path)
    assert moderator.returncode == 0, moderator.stderr

    taken = navette("user", "create", "cabinet", "--password", "autre phrase de passe", "--database-url", url,
                    cwd=tmp_path)

    assert taken.returncode == 1
    assert "already taken" in taken.stderr and "Traceback" not in taken.stderr
    short = navette("user", "create", "camille", "--password", "court", "--database-url", url, cwd=tmp_path)
    assert short.returncode == 1 and "password" in short.stderr
    with db().session() as session:
        user = accounts.authenticate(session, "cabinet", "une phrase de passe")
        assert (user.display_name, user.roles) == ("Cabinet du ministre", ["admin"])
        moderator = session.scalar(select(User).where(User.username == "modo"))
        assert moderator.roles == ["moderator"] and moderator.password_hash.startswith("$argon2")


# --- import --------------------------------------------------------------------------------------

def verbatim(body: str) -> str:
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def as_pasted(articles: list[dict]) -> str:
    """The bill as a person would save it: "Article N" (or "§ N heading") lines, then each text."""
    parts = []
    for article in articles:
        if article["number"].startswith("§"):
            parts.append(f"{article['number']} {article['heading']}".rstrip())
        else:
            parts.append(f"Article {article['number']}")
        parts.append(article["text"])
    return "\n\n".join(parts) + "\n"


CORPUS_BILLS = [
    "fr_republique_numerique_consultation_2015.json",
    "fr_pjl15-034.json",
    "fr_pjl12-689.json",
    "de_ifg_informationsfreiheitsgesetz.json",
]


def test_import_prints_the_slug_and_finds_every_article_of_real_bills(url, tmp_path, db):
    assert navette("db", "upgrade", "--database-url", url, cwd=tmp_path).returncode == 0
    imported = {}
    for name in CORPUS_BILLS:
        articles = json.loads(corpus_path("bills", name).read_text(encoding="utf-8"))["articles"]
        path = tmp_path / f"{Path(name).stem}.txt"
        path.write_text(as_pasted(articles), encoding="utf-8")

        result = navette("import", str(path), "--database-url", url, cwd=tmp_path)

        assert result.returncode == 0, result.stderr
        slug = result.stdout.strip()
        assert slug and "\n" not in slug, result.stdout
        imported[slug] = articles
    assert len(imported) == len(CORPUS_BILLS)

    with db().session() as session:
        for slug, expected in imported.items():
            bill = session.scalar(select(Bill).where(Bill.slug == slug))
            assert bill.status == "draft"
            rows = session.execute(
                select(Article.number, Article.heading, ArticleVersion.text)
                .join(ArticleVersion, ArticleVersion.article_id == Article.id)
                .where(Article.bill_id == bill.id).order_by(Article.position)
            ).all()
            assert [r.number for r in rows] == [a["number"].removeprefix("§ ") for a in expected], slug
            for row, article in zip(rows, expected):
                assert row.text == verbatim(article["text"]), f"{slug}: article {article['number']}"
                if article["number"].startswith("§"):
                    assert row.heading == article["heading"]


def test_import_takes_a_title_and_a_slug_and_finds_divisions(url, tmp_path, db):
    path = tmp_path / "projet.md"
    path.write_text("# Projet de loi\n\n## Titre Ier – Dispositions générales\n\n### Article 1er – Objet\n\n"
                    "La présente loi a pour objet la transparence.\n\n### Article 2\n\n« Art. L. 1. – Cité. »\n",
                    encoding="utf-8")

    result = navette("import", str(path), "--title", "Transparence", "--slug", "transparence",
                     "--database-url", url, cwd=tmp_path)

    assert (result.returncode, result.stdout) == (0, "transparence\n"), result.stderr
    with db().session() as session:
        bill = session.scalar(select(Bill).where(Bill.slug == "transparence"))
        assert bill.title == "Transparence"
        divisions = session.scalars(select(Division).where(Division.bill_id == bill.id)).all()
        assert [(d.label, d.heading) for d in divisions] == [("Titre Ier", "Dispositions générales")]
        articles = session.scalars(select(Article).where(Article.bill_id == bill.id).order_by(Article.position)).all()
        assert [(a.number, a.heading, a.division_id) for a in articles] == [
            ("1er", "Objet", divisions[0].id), ("2", "", divisions[0].id)]
    taken = navette("import", str(path), "--slug", "transparence", "--database-url", url, cwd=tmp_path)
    assert taken.returncode == 1 and "transparence" in taken.stderr and taken.stdout == ""


def test_import_errors_go_to_stderr_with_a_non_zero_status(url, tmp_path, db):
    no_article = tmp_path / "expose.txt"
    no_article.write_text("Exposé des motifs\n\nCe texte n'a aucun article.\n", encoding="utf-8")
    result = navette("import", str(no_article), "--database-url", url, cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert "no article found" in result.stderr.lower() and "Traceback" not in result.stderr
    missing = navette("import", str(tmp_path / "absent.txt"), "--database-url", url, cwd=tmp_path)
    assert missing.returncode == 1 and "absent.txt" in missing.stderr
    with db().session() as session:
        assert session.scalar(select(func.count()).select_from(Bill)) == 0


def test_unreachable_database_is_a_message_not_a_traceback(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once closed
    result = navette("db", "upgrade", "--database-url", f"postgresql://nobody@127.0.0.1:{port}/none", cwd=tmp_path)
    assert result.returncode != 0
    assert result.stderr.startswith("error:") and "Traceback" not in result.stderr


# --- demo ----------------------------------------------------------------------------------------

def test_demo_is_idempotent_and_loads_thirty_articles_with_a_history_and_a_consultation(url, tmp_path, db):
    first = navette("demo", "--database-url", url, cwd=tmp_path)
    second = navette("demo", "--database-url", url, cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "loaded" in first.stdout and "already present" in second.stdout
    with db().session() as session:
        bills = session.scalars(select(Bill)).all()
        assert [(b.slug, b.status) for b in bills] == [("republique-numerique", "open")]
        articles = session.scalars(select(Article).where(Article.bill_id == bills[0].id)).all()
        assert len(articles) == 30
        edited = [a for a in articles if a.current_version > 1]
        assert edited, "the demo history edits some articles"
        assert session.scalar(select(func.count()).select_from(ArticleVersion)) == 30 + sum(
            a.current_version - 1 for a in articles)
        # Version 2 from the demo's history, version 3 after the consultation's merged amendment.
        assert session.scalars(select(BillVersion.seq).order_by(BillVersion.seq)).all() == [1, 2, 3]


# --- serve ---------------------------------------------------------------------------------------

def test_serve_migrates_answers_healthz_and_stops_when_terminated(url, tmp_path):
    port = free_port()
    server = subprocess.Popen([str(NAVETTE), "serve", "--port", str(port), "--database-url", url],
                              cwd=tmp_path, env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        health = first_answer(server, f"http://127.0.0.1:{port}/healthz")
        assert health is not None, f"navette serve did not answer: {server.poll()}"
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        home = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert home.status_code == 200 and "Navette" in home.text
    finally:
        output = stop(server)
    assert server.returncode is not None
    assert "Traceback" not in output, output


def test_serve_on_postgresql_without_a_secret_key_says_so(tmp_path):
    env = {k: v for k, v in _environment().items() if k != "NAVETTE_SECRET_KEY"}
    result = navette("serve", "--port", str(free_port()), "--database-url",
                     "postgresql://nobody@127.0.0.1:1/none", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "NAVETTE_SECRET_KEY" in result.stderr and "Traceback" not in result.stderr


def test_navette_is_on_the_path_of_the_environment():
    assert NAVETTE.exists() and os.access(NAVETTE, os.X_OK)
    assert shutil.which("navette", path=str(NAVETTE.parent)) == str(NAVETTE)
