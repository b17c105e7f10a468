"""Servers under test, each in its own process group on a free loopback port, stopped by its own id."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def get(port: int, path: str, timeout: float = 120.0, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict]:
    """One GET on loopback: status, body and headers (errors answered as statuses too)."""
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


class Server:
    """``with Server(command, env) as port:`` runs the command until the block ends."""

    def __init__(self, name: str, command: list[str], env: dict[str, str] | None = None,
                 health: str = "/healthz", log_dir: Path | None = None, startup_timeout: float = 120.0,
                 idle_check: Callable[[], bool] | None = None):
        self.name = name
        self.port = free_port()
        self.command = [part.replace("{port}", str(self.port)) for part in command]
        self.env = {**os.environ, **(env or {})}
        self.health = health
        self.log_path = (log_dir or REPO / "bench" / "var") / f"server-{name}.log"
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.idle_check = idle_check  # e.g. "PostgreSQL runs no query for this database any more"

    def cpu_ticks(self) -> int:
        """CPU time used so far by the server's processes (uvicorn and its workers), in clock ticks."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.process.pid:  # process group
                total += int(fields[11]) + int(fields[12])
        return total

    def wait_idle(self, timeout: float = 300.0) -> None:
        """The load generator stops with requests still queued in the server: wait until the server's
        processes stop using CPU (and its database runs no query), so the next run or check starts
        from a quiet server."""
        deadline = time.monotonic() + timeout
        previous = self.cpu_ticks()
        while time.monotonic() < deadline:
            time.sleep(0.3)
            now = self.cpu_ticks()
            if now - previous <= 1 and (self.idle_check is None or self.idle_check()):
                return
            previous = now

    def __enter__(self) -> "Server":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        # A session of its own: uvicorn's worker processes are stopped with it, by this group's id.
        self.process = subprocess.Popen(self.command, env=self.env, cwd=str(REPO), stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
            try:
                status, _, _ = get(self.port, self.health, timeout=5)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer {self.health} within {self.startup_timeout:.0f} s")

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        group = self.process.pid  # start_new_session: the group id is the child's pid
        try:
            os.killpg(group, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass


def navette(name: str, database_url: str, workers: int = 1, env: dict[str, str] | None = None,
            idle_check: Callable[[], bool] | None = None, page_cache: bool = False) -> Server:
    """``navette serve`` itself (migrations, then uvicorn), with rate limits off: all load is one address.
    The anonymous page cache is off unless ``page_cache``, so a figure measures the page itself; with it,
    the deployed default (NAVETTE_PAGE_CACHE_SECONDS unset)."""
    cache = {} if page_cache else {"NAVETTE_PAGE_CACHE_SECONDS": "0"}
    return Server(name, [sys.executable, "-m", "drafting.cli", "serve", "--database-url", database_url,
                         "--host", HOST, "--port", "{port}", "--workers", str(workers)],
                  env={"NAVETTE_RATE_LIMIT_WRITES": "0", "NAVETTE_RATE_LIMIT_ADDRESS_WRITES": "0", **cache,
                       **(env or {})},
                  idle_check=idle_check)


def hello() -> Server:
    """H: the minimal Litestar handler, served like Navette (uvicorn, one worker, no access log)."""
    return Server("hello", [sys.executable, "-m", "uvicorn", "bench.hello:app", "--host", HOST, "--port", "{port}",
                            "--workers", "1", "--no-access-log", "--log-level", "warning"], health="/")


def render_ceiling(database_url: str, pages_json: str, env: dict[str, str] | None = None,
                   headers: dict[str, str] | None = None) -> Server:
    """Navette's app answering its templates from contexts computed once (with ``headers``, those of a
    signed-in reader): no database per request."""
    return Server("render", [sys.executable, "-m", "uvicorn", "bench.hello:create_render_app", "--factory",
                             "--host", HOST, "--port", "{port}", "--workers", "1", "--no-access-log",
                             "--log-level", "warning"],
                  env={"NAVETTE_BENCH_DATABASE_URL": database_url, "NAVETTE_BENCH_PAGES": pages_json,
                       "NAVETTE_BENCH_HEADERS": json.dumps(headers or {}),
                       "NAVETTE_PAGE_CACHE_SECONDS": "0", **(env or {})})
