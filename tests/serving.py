"""Running `navette serve` as a real process in tests: a free port, waiting for it, stopping it."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def first_answer(server: subprocess.Popen, url: str, timeout: float = 90) -> httpx.Response | None:
    """The first answer from ``url`` while the server runs, or None if it never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.1)
    return None


def stop(server: subprocess.Popen) -> str:
    """Terminate the server (kill it if it lingers) and return what it printed."""
    server.terminate()
    try:
        output, _ = server.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        output, _ = server.communicate()
    return output


def serve(database_url: str, cwd: Path, *, workers: int = 1, **env: str) -> tuple[subprocess.Popen, str]:
    """`navette serve` on ``database_url`` with these NAVETTE_* settings (rate limits and the page
    cache off unless given), and its base URL; wait for it with ``first_answer``, end it with ``stop``."""
    settings = {"NAVETTE_SECRET_KEY": "serving-test-secret", "NAVETTE_RATE_LIMIT_WRITES": "0",
                "NAVETTE_PAGE_CACHE_SECONDS": "0", **env}
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NAVETTE_")} | settings
    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).with_name("navette")), "serve", "--workers", str(workers),
                               "--port", str(port), "--database-url", database_url],
                              cwd=cwd, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return server, f"http://127.0.0.1:{port}"
