"""`navette backup` and `navette restore` (CONTRACT §9) as a person runs them, on SQLite and PostgreSQL,
including a backup taken while another thread keeps writing amendments and votes."""
from __future__ import annotations

import stat
import threading
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from amendments.services import participation
from amendments.services import proposing as amendments
from amendments.models import Amendment, Vote
from drafting.services import accounts
from drafting.app import create_app
from drafting.db import Base, Database, sqlalchemy_url
from drafting.models import Article, User
from drafting.settings import Settings
from litestar.testing import TestClient
from tests.conftest import PG_URL, TEST_SECRET
from tests.drafting.test_cli import _environment, navette


@pytest.fixture
def empty_target(tmp_path):
    """A database that holds nothing yet: a new SQLite file, or a new PostgreSQL database (a dump keeps
    its schema's name, so it comes back into a database of its own)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"navette_restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(sqlalchemy_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _same_schema(source_url: str, target_url: str) -> str:
    """The target URL reading the schema the source lives in (the tests' PostgreSQL schema per process)."""
    options = make_url(source_url).query.get("options")
    return make_url(target_url).update_query_dict({"options": options}).render_as_string(hide_password=False) \
        if options else target_url


def _dangling_references(url: str) -> list[str]:
    """Every foreign key of the schema whose value names no row: a consistent copy has none."""
    engine = create_engine(sqlalchemy_url(url))
    found = []
    try:
        with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                for key in table.foreign_keys:
                    parent = key.column.table
                    orphan = (select(func.count()).select_from(table)
                              .where(key.parent.isnot(None), ~select(parent).where(key.column == key.parent).exists()))
                    if connection.execute(orphan).scalar():
                        found.append(f"{table.name}.{key.parent.name} -> {parent.name}")
    finally:
        engine.dispose()
    return found


def _restored_app_client(url: str) -> TestClient:
    return TestClient(app=create_app(Settings.load(database_url=url, secret_key=TEST_SECRET, page_cache_seconds=0)))


def test_backup_and_restore_bring_the_record_back_into_an_empty_database(api, admin, database_url, empty_target,
                                                                           tmp_path):
    bill = api.bill(admin)
    article_id = bill["articles"][0]["id"]
    alice = api.user("alice")
    proposed = api.client.post(f"/api/v1/articles/{article_id}/amendments", headers=alice.headers,
                               json={"text": "La présente loi a pour objet d'éprouver « Navette » & co.",
                                     "explanation": "Plus juste."})
    assert proposed.status_code == 201, proposed.text
    vote = api.client.put(f"/api/v1/amendments/{proposed.json()['id']}/vote", headers=admin.headers,
                          json={"value": "agree"})
    assert vote.status_code == 200
    backup_file = tmp_path / "navette.backup"

    taken = navette("backup", str(backup_file), "--database-url", database_url, cwd=tmp_path)

    assert taken.returncode == 0, taken.stderr
    assert backup_file.stat().st_size > 0 and not list(tmp_path.glob("*.partial"))
    target = _same_schema(database_url, empty_target)
    restored = navette("restore", str(backup_file), "--database-url", target, cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    with _restored_app_client(target) as client:
        assert client.get(f"/api/v1/bills/{bill['slug']}").json()["articles"] == \
            api.client.get(f"/api/v1/bills/{bill['slug']}").json()["articles"]
        amendment = client.get(f"/api/v1/amendments/{proposed.json()['id']}")
        assert amendment.status_code == 200
        assert amendment.json() == api.client.get(f"/api/v1/amendments/{proposed.json()['id']}").json()
        signed_in = client.post("/api/v1/auth/token", json={"username": "alice", "password": alice.password})
        assert signed_in.status_code == 200  # accounts come back whole: a backup is not a public mirror
    upgraded = navette("db", "upgrade", "--database-url", target, cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr


def test_restore_refuses_a_database_that_holds_a_record(api, admin, database_url, tmp_path):
    api.bill(admin)
    backup_file = tmp_path / "navette.backup"
    assert navette("backup", str(backup_file), "--database-url", database_url, cwd=tmp_path).returncode == 0

    refused = navette("restore", str(backup_file), "--database-url", database_url, cwd=tmp_path)

    assert refused.returncode == 1
    assert "not empty" in refused.stderr and "Traceback" not in refused.stderr
    assert api.client.get("/api/v1/bills").json()  # nothing was touched


def test_restore_into_a_migrated_but_empty_database_works(api, admin, database_url, empty_target, tmp_path):
    bill = api.bill(admin)
    backup_file = tmp_path / "navette.backup"
    assert navette("backup", str(backup_file), "--database-url", database_url, cwd=tmp_path).returncode == 0
    target = _same_schema(database_url, empty_target)
    if PG_URL:  # `navette db upgrade` first, as an operator preparing the new host would
        schema = make_url(target).query["options"].split("=", 1)[1]
        engine = create_engine(sqlalchemy_url(empty_target))
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
    assert navette("db", "upgrade", "--database-url", target, cwd=tmp_path).returncode == 0

    restored = navette("restore", str(backup_file), "--database-url", target, cwd=tmp_path)

    assert restored.returncode == 0, restored.stderr
    with _restored_app_client(target) as client:
        assert client.get(f"/api/v1/bills/{bill['slug']}").status_code == 200


def test_restore_refuses_a_file_that_is_not_a_backup_of_that_kind(empty_target, tmp_path):
    wrong = tmp_path / "notes.txt"
    wrong.write_text("not a database")

    refused = navette("restore", str(wrong), "--database-url", empty_target, cwd=tmp_path)

    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert ("not a SQLite backup" if not PG_URL else "not a pg_dump") in refused.stderr
    missing = navette("restore", str(tmp_path / "absent.backup"), "--database-url", empty_target, cwd=tmp_path)
    assert missing.returncode == 1 and "no backup file" in missing.stderr


@pytest.mark.skipif(not PG_URL, reason="pg_dump is for PostgreSQL (set NAVETTE_TEST_DATABASE_URL)")
def test_backup_says_what_to_install_when_pg_dump_is_missing_or_too_old(database_url, tmp_path):
    bare = tmp_path / "bin"
    bare.mkdir()
    env = {**_environment(), "PATH": str(bare)}

    missing = navette("backup", str(tmp_path / "x.backup"), "--database-url", database_url, cwd=tmp_path, env=env)

    assert missing.returncode == 1
    assert "pg_dump is not on PATH" in missing.stderr and "postgresql-client-" in missing.stderr
    old = bare / "pg_dump"  # an old client, as an older Debian would install it
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 11.22'\n")
    old.chmod(old.stat().st_mode | stat.S_IEXEC)
    too_old = navette("backup", str(tmp_path / "x.backup"), "--database-url", database_url, cwd=tmp_path, env=env)
    assert too_old.returncode == 1
    assert "PostgreSQL 11, older than the server" in too_old.stderr
    assert not (tmp_path / "x.backup").exists()


def test_a_backup_taken_while_amendments_and_votes_are_written_restores_consistent(
        api, admin, database_url, empty_target, tmp_path):
    bill = api.bill(admin, articles=[{"number": str(n), "text": f"Texte initial de l'article {n}."}
                                     for n in range(1, 4)])
    article_ids = [a["id"] for a in bill["articles"]]
    writers = Database(database_url)
    with writers.session() as session:
        for n in range(8):
            accounts.create_user(session, accounts.UserIn(username=f"citoyen{n}", password="correct horse battery"))
    committed: list[int] = []  # amendment ids, appended once their transaction committed
    stop, enough = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def keep_writing() -> None:
        n = 0
        try:
            while not stop.is_set() and n < 5000:
                n += 1
                with writers.session() as session:
                    people = list(session.scalars(select(User).where(User.username.like("citoyen%"))
                                                  .order_by(User.id)))
                    author = people[n % len(people)]
                    article = session.get(Article, article_ids[n % len(article_ids)])
                    proposed = amendments.propose_amendment(
                        session, author, article, text=f"Texte amendé n° {n} de l'article {article.number}.")
                    session.flush()
                    for voter in people[:1 + n % 4]:
                        target = participation.get_target(session, "amendment", proposed.amendment.id)
                        participation.cast_vote(session, voter, target, ("agree", "mixed", "disagree")[n % 3])
                        participation.cast_vote(session, voter, participation.get_target(session, "article", article.id),
                                                ("agree", "disagree")[n % 2])
                    amendment_id = proposed.amendment.id
                committed.append(amendment_id)
                if len(committed) >= 30:
                    enough.set()
        except BaseException as error:  # reported by the test, not lost in the thread
            failures.append(error)
            enough.set()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        assert enough.wait(120), "the writer never got going"
        before_backup = list(committed)
        backup_file = tmp_path / "navette.backup"
        taken = navette("backup", str(backup_file), "--database-url", database_url, cwd=tmp_path)
        written_during = len(committed) - len(before_backup)
    finally:
        stop.set()
        writer.join(60)
        writers.dispose()
    assert not failures, failures
    assert taken.returncode == 0, taken.stderr
    assert written_during > 0 or len(committed) > len(before_backup)  # the writer did not pause for the backup
    target = _same_schema(database_url, empty_target)
    restored = navette("restore", str(backup_file), "--database-url", target, cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr

    assert _dangling_references(target) == []
    recount = navette("db", "recount", "--database-url", target, cwd=tmp_path)
    assert recount.returncode == 0 and "match" in recount.stdout, recount.stderr
    engine = create_engine(sqlalchemy_url(target))
    try:
        with engine.connect() as connection:
            restored_ids = set(connection.scalars(select(Amendment.id)))
            votes = connection.execute(select(func.count()).select_from(Vote)).scalar()
    finally:
        engine.dispose()
    assert set(before_backup) <= restored_ids
    assert restored_ids <= set(committed)  # nothing half-written: only committed proposals
    assert votes > 0
    with _restored_app_client(target) as client:
        answer = client.get(f"/api/v1/amendments/{before_backup[-1]}")
        assert answer.status_code == 200 and answer.json()["text"].startswith("Texte amendé")
