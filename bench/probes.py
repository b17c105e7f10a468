"""Measurements taken beside the load runs: statements and time per page in-process, render-only time,
and the checks that concurrent votes were neither lost nor doubled."""
from __future__ import annotations

import http.client
import json
import logging
import threading
import time
from dataclasses import dataclass, replace

from sqlalchemy import func, select

from bench.mixed_writes import hot_articles, mixed_writes  # noqa: F401  (bench.probes' own, as before)
from drafting.seeding import bench as benchseed
from drafting.db import Database

VALUES = ("agree", "mixed", "disagree")
logging.getLogger("httpx").setLevel(logging.WARNING)  # the test client logs every request otherwise


def counting_statements(db: Database):
    """Every SQL statement the app's engines send while the block runs."""
    return db.recorded_statements()


@dataclass
class PageProfile:
    status: int
    bytes: int
    statements: int
    request_ms: float  # the whole request, in-process (no network)
    render_ms: float | None  # the template alone, with the context the handler computed


def _settings(url: str):
    from drafting.settings import Settings

    # The page cache and the JSON documents' cache off: these probes measure what the page itself costs.
    return Settings.load(database_url=url, secret_key="bench-secret-key", rate_limit_writes=0, page_cache_seconds=0,
                         document_cache_entries=0)


def reader_tokens(url: str) -> tuple[str, str]:
    """A browser session and an API token for one signed-in reader: a seeded participant (not a
    benchmark voter, whose tokens the vote runs clear, and not staff)."""
    from drafting.models import User
    from drafting.services import accounts

    db = Database(url)
    try:
        with db.session() as session:
            user = session.scalars(select(User).where(
                ~User.username.like(benchseed.VOTER_PREFIX + "%"), User.is_admin.is_(False),
            ).order_by(User.id).limit(1)).one()
            return accounts.issue_token(session, user, "web"), accounts.issue_token(session, user, "api")
    finally:
        db.dispose()


def signed_in_headers(tokens: tuple[str, str] | None) -> dict[str, str]:
    """The headers of a signed-in reader: the session cookie for pages, the bearer token for the API
    (both on every request, so one set of headers serves either)."""
    if tokens is None:
        return {}
    from drafting.web.request import SESSION_COOKIE

    web, api = tokens
    return {"Cookie": f"{SESSION_COOKIE}={web}", "Authorization": f"Bearer {api}"}


def profile_pages(url: str, pages: dict[str, str], budget: float = 2.0,
                  headers: dict[str, str] | None = None) -> dict[str, PageProfile]:
    """Per page: status, size, SQL statements of one GET (signed in when ``headers`` say so), and its
    time in-process."""
    from litestar.testing import TestClient

    from bench.hello import capture_contexts
    from drafting.app import create_app

    app = create_app(_settings(url))
    profiles: dict[str, PageProfile] = {}
    with TestClient(app=app) as client:
        client.headers.update(headers or {})
        for name, path in pages.items():
            started = time.perf_counter()
            with counting_statements(app.state.db) as statements:
                first = client.get(path)
            times = [time.perf_counter() - started]
            if times[0] < budget:  # count again once warm, then time a few more
                with counting_statements(app.state.db) as statements:
                    client.get(path)
                times = []
                deadline = time.perf_counter() + budget
                while len(times) < 3 or (time.perf_counter() < deadline and len(times) < 50):
                    started = time.perf_counter()
                    client.get(path)
                    times.append(time.perf_counter() - started)
            profiles[name] = PageProfile(first.status_code, len(first.content), len(statements),
                                         sorted(times)[len(times) // 2] * 1000, None)
    html_pages = {name: path for name, path in pages.items() if not path.startswith("/api/")
                  and profiles[name].status == 200}
    if html_pages:
        # "Template alone": the whole template, as rendered without the signed-in render cache.
        render_app = create_app(replace(_settings(url), render_cache_seconds=0))
        contexts = capture_contexts(render_app, html_pages, keep_injected=True, headers=headers)
        environment = render_app.template_engine.engine
        for name, (template_name, context) in contexts.items():
            template = environment.get_template(template_name)
            times = []
            deadline = time.perf_counter() + budget
            while not times or (time.perf_counter() < deadline and len(times) < 50
                                and (len(times) < 3 or times[0] < budget)):
                started = time.perf_counter()
                template.render(**context)
                times.append(time.perf_counter() - started)
            profiles[name].render_ms = sorted(times)[len(times) // 2] * 1000
        render_app.state.db.dispose()
    app.state.db.dispose()
    return profiles


class SteadyVotes:
    """Votes written on one article at a steady rate from a thread while a page is loaded: what the
    signed-in render cache pays when every write makes its pages stale. ``answered`` counts the
    statuses of the votes written."""

    def __init__(self, port: int, article_id: int, tokens: list[str], per_second: float) -> None:
        self.port, self.article_id, self.tokens, self.per_second = port, article_id, tokens, per_second
        self.answered: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._write, daemon=True)

    def _write(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        i = 0
        next_at = time.monotonic()
        while not self._stop.is_set():
            body = json.dumps({"value": VALUES[i % 3]})
            try:
                connection.request("PUT", f"/api/v1/articles/{self.article_id}/vote", body=body, headers={
                    "Authorization": f"Bearer {self.tokens[i % len(self.tokens)]}",
                    "Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                status = 0
            self.answered[status] = self.answered.get(status, 0) + 1
            i += 1
            next_at = max(next_at + 1 / self.per_second, time.monotonic())  # late: no burst to catch up
            self._stop.wait(max(0.0, next_at - time.monotonic()))
        connection.close()

    def __enter__(self) -> "SteadyVotes":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(timeout=60)


# --- votes -------------------------------------------------------------------------------------

def voter_ids(url: str, count: int) -> list[int]:
    from drafting.models import User

    db = Database(url)
    try:
        with db.session(write=False) as session:
            return list(session.scalars(
                select(User.id).where(User.username.like(benchseed.VOTER_PREFIX + "%"))
                .order_by(User.username).limit(count)
            ))
    finally:
        db.dispose()


def check_vote_run(url: str, port: int, voters: list[int], targets: list[int], answered_ok: int,
                   answered: int, concurrency: int) -> dict:
    """After a vote load: no (voter, target) twice, every 200 a row, and tallies equal to the rows."""
    from amendments.models import Vote

    db = Database(url)
    try:
        with db.session(write=False) as session:
            mine = Vote.user_id.in_(voters)
            rows = session.scalar(select(func.count()).select_from(Vote).where(mine))
            distinct = session.scalar(select(func.count()).select_from(
                select(Vote.user_id, Vote.amendment_id).where(mine).distinct().subquery()))
            touched = list(session.scalars(select(Vote.amendment_id).where(mine).distinct().limit(25)))
            counted = {
                target: dict(session.execute(
                    select(Vote.value, func.count()).where(Vote.amendment_id == target).group_by(Vote.value)
                ).all())
                for target in touched
            }
    finally:
        db.dispose()
    mismatches = []
    from bench.servers import get

    for target, by_value in counted.items():
        status, body, _ = get(port, f"/api/v1/amendments/{target}")
        if status != 200:
            mismatches.append(f"amendment {target}: GET answered {status}")
            continue
        shown = json.loads(body).get("votes", {})
        if any(shown.get(value, 0) != by_value.get(value, 0) for value in VALUES):
            mismatches.append(f"amendment {target}: API {shown} != rows {by_value}")
    cycled = answered > len(voters) * len(targets)
    # wrk stops with up to `concurrency` requests in flight: the server may have committed them.
    exact = (rows == distinct and not mismatches
             and (cycled or answered_ok <= rows <= answered_ok + concurrency))
    return {"rows": rows, "distinct_pairs": distinct, "answered_ok": answered_ok, "answered": answered,
            "tallies_checked": len(counted), "mismatches": mismatches, "cycled": cycled, "exact": exact}


def vote_burst(port: int, url: str, tokens: list[str], voters: list[int], article_id: int, rounds: int = 3) -> dict:
    """All voters PUT their vote on one article at the same moment, ``rounds`` times, changing their
    mind each round: afterwards exactly one row each, with the value each sent last."""
    from amendments.models import Vote

    barrier = threading.Barrier(len(tokens))
    statuses: list[int] = []
    lock = threading.Lock()

    def voter(index: int, token: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        for r in range(rounds):
            body = json.dumps({"value": VALUES[(index + r) % 3]})
            connection.request("PUT", f"/api/v1/articles/{article_id}/vote", body=body,
                               headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            with lock:
                statuses.append(response.status)
        connection.close()

    threads = [threading.Thread(target=voter, args=(i, t)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db = Database(url)
    try:
        with db.session(write=False) as session:
            rows = session.execute(
                select(Vote.user_id, Vote.value).where(Vote.article_id == article_id, Vote.user_id.in_(voters))
            ).all()
            tally = dict(session.execute(
                select(Vote.value, func.count()).where(Vote.article_id == article_id).group_by(Vote.value)
            ).all())
    finally:
        db.dispose()
    expected = {voters[i]: VALUES[(i + rounds - 1) % 3] for i in range(len(tokens))}
    from bench.servers import get

    status, body, _ = get(port, f"/api/v1/articles/{article_id}")
    shown = json.loads(body).get("votes", {}) if status == 200 else {}
    ok = sum(1 for s in statuses if s == 200)
    exact = (ok == len(statuses) and len(rows) == len(tokens) and dict(rows) == expected
             and all(shown.get(v, 0) == tally.get(v, 0) for v in VALUES))
    return {"voters": len(tokens), "requests": len(statuses), "answered_200": ok, "rows": len(rows),
            "rows_as_sent_last": sum(1 for user, value in rows if expected.get(user) == value),
            "api_tally": shown, "row_tally": tally, "exact": exact}


def _healthz_latencies(port: int, until: float) -> list[float]:
    """/healthz asked again and again by one keep-alive client until ``until``: each answer's seconds."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies = []
    try:
        while time.perf_counter() < until:
            started = time.perf_counter()
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                latencies.append(time.perf_counter() - started)
            time.sleep(0.005)  # a prober, not a load: it leaves the server to the password checks
    finally:
        connection.close()
    return latencies


def _ms(latencies: list[float], p: float) -> float | None:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered else None


def healthz_during_wrong_passwords(port: int, duration: float, clients: int = 8) -> dict:
    """/healthz latency (median, p99) from one client while ``clients`` others send wrong passwords to
    POST /api/v1/auth/token without pause (argon2 with its production parameters), against the same
    probe on the idle server just before. The server must not throttle sign-in (all comes from one
    address): the probe measures the password checks, not their refusal."""
    idle = _healthz_latencies(port, time.perf_counter() + min(duration, 2.0))
    stop = threading.Event()
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    body = json.dumps({"username": "bench-nobody", "password": "not the password"})

    def guesser() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while not stop.is_set():
            connection.request("POST", "/api/v1/auth/token", body=body, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
        connection.close()

    threads = [threading.Thread(target=guesser, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # every guesser has a check running
    loaded = _healthz_latencies(port, time.perf_counter() + duration)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    return {"clients": clients, "seconds": duration, "healthz_answers": len(loaded),
            "median_ms": _ms(loaded, 50), "p99_ms": _ms(loaded, 99), "idle_median_ms": _ms(idle, 50),
            "sign_in_answers": dict(sorted(statuses.items()))}
