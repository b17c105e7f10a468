"""Where handlers run (Settings.handlers): on the event loop on SQLite by default, in worker threads on
PostgreSQL, either one on demand; the same answers both ways."""
from __future__ import annotations

import dataclasses
import threading

import pytest
from litestar.testing import TestClient

from drafting.web import request as web
from drafting.app import create_app
from drafting.settings import Settings
from tests.conftest import Api


def test_auto_runs_inline_on_sqlite_and_in_threads_on_postgresql():
    sqlite = Settings.load(database_url="sqlite:////tmp/navette-settings.db", secret_key="s")
    postgres = Settings.load(database_url="postgresql://postgres@127.0.0.1:5432/test", secret_key="s")
    assert sqlite.inline_handlers and not postgres.inline_handlers
    assert not dataclasses.replace(sqlite, handlers="threads").inline_handlers
    assert dataclasses.replace(postgres, handlers="inline").inline_handlers


def test_an_unknown_mode_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.setenv("NAVETTE_HANDLERS", "fibres")
    with pytest.raises(ValueError, match="NAVETTE_HANDLERS"):
        Settings.load(database_url="sqlite:////tmp/navette-settings.db", secret_key="s")


@pytest.mark.parametrize("mode", ["inline", "threads"])
def test_both_modes_answer_the_same_and_run_where_they_say(settings, db, monkeypatch, mode):
    ran_on: list[str] = []
    original = web.transaction

    def recording(request):
        ran_on.append(threading.current_thread().name)
        return original(request)

    for module in ("drafting.api.bills", "amendments.api.participation"):
        monkeypatch.setattr(f"{module}.transaction", recording)
    app = create_app(dataclasses.replace(settings, handlers=mode))
    with TestClient(app=app) as client:
        api = Api(client, db)
        admin = api.user("admin", role="admin")
        bill = api.bill(admin)
        article = bill["articles"][0]["id"]
        voted = client.put(f"/api/v1/articles/{article}/vote", json={"value": "agree"}, headers=admin.headers)
        assert voted.status_code == 200 and voted.json()["votes"] == {"agree": 1, "mixed": 0, "disagree": 0}
        assert client.get(f"/bills/{bill['slug']}").status_code == 200
    assert ran_on
    workers = {name for name in ran_on if name == "AnyIO worker thread"}  # anyio's name for its threads
    if mode == "inline":  # all on the one thread that runs the event loop
        assert not workers and len(set(ran_on)) == 1
    else:
        assert set(ran_on) == workers
