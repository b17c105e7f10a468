"""Running `navette serve` as a real process in tests: a free port, waiting for it, stopping it."""
from __future__ import annotations

import socket
import subprocess
import time

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def first_answer(server: subprocess.Popen, url: str, timeout: float = 30) -> httpx.Response | None:
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
