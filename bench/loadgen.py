"""HTTP load from a separate process, over keep-alive connections on loopback, for a fixed duration.

Two tools give the same report (requests/s, p50 and p99 latency, errors): ``wrk`` when /usr/bin/wrk
(or ``wrk`` on PATH) exists, with a generated Lua script; otherwise this module's own asyncio client
(raw sockets, keep-alive), run as ``python -m bench.loadgen SPEC.json`` in a child process.

A load is either one request repeated by every connection, or voters: connection/voter ``i`` sends
``method path_template.format(target)`` with its own headers and body, going through the targets
in order, so no two requests of one voter name the same target before all targets were used. A voter
with ``bodies`` sends the next one at each pass over the targets (its vote changes at every pass, so a
database with few targets is written as often as one with many, never asked the same vote again).
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

WRK_THREADS = 1  # one load-generating core; the server under test gets the other ones


@dataclass
class Load:
    """What to send: ``requests`` (one per voter, cycled over ``targets``) or a single request."""

    host: str
    port: int
    concurrency: int
    duration: float
    method: str = "GET"
    path: str = "/"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    # Voters: one (headers, body or bodies: one a pass over the targets) per voter; ``path`` then holds
    # "{target}".
    voters: list[dict[str, Any]] = field(default_factory=list)
    targets: list[int] = field(default_factory=list)
    timeout: float = 30.0


@dataclass
class LoadResult:
    tool: str
    concurrency: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx answers
    socket_errors: int
    bytes: int = 0

    @property
    def ok(self) -> int:
        return self.requests - self.errors


def wrk_path() -> str | None:
    return shutil.which("wrk") or ("/usr/bin/wrk" if os.path.exists("/usr/bin/wrk") else None)


def run_load(load: Load, tool: str = "auto") -> LoadResult:
    """Run one load to completion in a child process and return its figures."""
    wrk = wrk_path()
    if tool == "wrk" or (tool == "auto" and wrk):
        if not wrk:
            raise RuntimeError("wrk is not installed (apt-get install wrk)")
        return _run_wrk(wrk, load)
    return _run_python(load)


# --- wrk ---------------------------------------------------------------------------------------

_WRK_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "status": %d, "connect": %d, "read": %d, '
    .. '"write": %d, "timeout": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50.0), latency:percentile(99.0)))
end
"""


def _lua_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


def _lua_table(headers: dict[str, str]) -> str:
    return "{" + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()) + "}"


def _bodies(voter: dict[str, Any]) -> list[str]:
    """A voter's bodies, one a pass over the targets."""
    return list(voter.get("bodies") or [voter.get("body") or ""])


def wrk_script(load: Load) -> str:
    if not load.voters:
        request = (f"wrk.method = {_lua_string(load.method)}\n"
                   + (f"wrk.body = {_lua_string(load.body)}\n" if load.body is not None else "")
                   + "".join(f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}\n" for k, v in load.headers.items()))
        return request + _WRK_DONE
    prefix, _, suffix = load.path.partition("{target}")
    voters = ",\n  ".join(
        "{" + f"headers = {_lua_table({**load.headers, **v.get('headers', {})})}, "
        "bodies = {" + ", ".join(_lua_string(b) for b in _bodies(v)) + "}}" for v in load.voters
    )
    return f"""
local voters = {{
  {voters}
}}
local targets = {{ {", ".join(str(t) for t in load.targets)} }}
local nv, nt, i = #voters, #targets, 0
request = function()
  local voter = voters[(i % nv) + 1]
  local target = targets[(math.floor(i / nv) % nt) + 1]
  local body = voter.bodies[(math.floor(i / (nv * nt)) % #voter.bodies) + 1]
  i = i + 1
  return wrk.format({_lua_string(load.method)}, {_lua_string(prefix)} .. target .. {_lua_string(suffix)},
                    voter.headers, body)
end
""" + _WRK_DONE


def _run_wrk(wrk: str, load: Load) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(load))
    try:
        path = load.path if not load.voters else "/"
        command = [wrk, f"-t{min(WRK_THREADS, load.concurrency)}", f"-c{load.concurrency}",
                   f"-d{max(1, round(load.duration))}s", f"--timeout={int(load.timeout)}s", "-s", script.name,
                   f"http://{load.host}:{load.port}{path}"]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=load.duration + 60)
    finally:
        os.unlink(script.name)
    line = next((l for l in completed.stdout.splitlines() if l.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {completed.stdout}\n{completed.stderr}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    seconds = raw["duration_us"] / 1e6
    return LoadResult(
        tool="wrk", concurrency=load.concurrency, seconds=seconds, requests=raw["requests"],
        rps=raw["requests"] / seconds if seconds else 0.0, p50_ms=raw["p50_us"] / 1000, p99_ms=raw["p99_us"] / 1000,
        errors=raw["status"], socket_errors=raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
        bytes=raw["bytes"],
    )


# --- the Python client -------------------------------------------------------------------------

def _run_python(load: Load) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as spec:
        json.dump(asdict(load), spec)
    try:
        completed = subprocess.run([sys.executable, "-m", "bench.loadgen", spec.name], capture_output=True,
                                   text=True, timeout=load.duration + 60,
                                   cwd=str(Path(__file__).resolve().parents[1]))
    finally:
        os.unlink(spec.name)
    if completed.returncode != 0:
        raise RuntimeError(f"load generator failed: {completed.stderr}")
    return LoadResult(**json.loads(completed.stdout.strip().splitlines()[-1]))


def _encode(method: str, path: str, host: str, headers: dict[str, str], body: str | None) -> bytes:
    payload = body.encode() if body is not None else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body is not None or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(payload)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length, chunked = 0, False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    size = len(head)
    if chunked:
        while True:
            size_line = await reader.readuntil(b"\r\n")
            chunk = int(size_line.split(b";")[0], 16)
            await reader.readexactly(chunk + 2)
            size += chunk
            if chunk == 0:
                break
    elif length:
        await reader.readexactly(length)
        size += length
    return status, size


async def _connection(load: Load, index: int, deadline: float, latencies: list[float], counters: dict) -> None:
    if load.voters:
        voter = load.voters[index % len(load.voters)]
        headers = {**load.headers, **voter.get("headers", {})}
        requests = [_encode(load.method, load.path.replace("{target}", str(t)), load.host, headers, body)
                    for body in _bodies(voter) for t in load.targets]
    else:
        requests = [_encode(load.method, load.path, load.host, load.headers, load.body)]
    try:
        reader, writer = await asyncio.open_connection(load.host, load.port, limit=1 << 24)
    except OSError:
        counters["socket"] += 1
        return
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    n = 0
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            writer.write(requests[n % len(requests)])
            n += 1
            status, size = await asyncio.wait_for(_read_response(reader), load.timeout)
            if time.perf_counter() > deadline:  # answered after the end: not counted, like wrk
                break
            latencies.append(time.perf_counter() - started)
            counters["bytes"] += size
            if not 200 <= status < 400:
                counters["errors"] += 1
    except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError):
        counters["socket"] += 1
    finally:
        writer.close()


async def _drive(load: Load) -> LoadResult:
    latencies: list[float] = []
    counters = {"errors": 0, "socket": 0, "bytes": 0}
    started = time.perf_counter()
    deadline = started + load.duration
    await asyncio.gather(*(_connection(load, i, deadline, latencies, counters) for i in range(load.concurrency)))
    seconds = min(time.perf_counter(), deadline) - started
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else 0.0

    return LoadResult(tool="python", concurrency=load.concurrency, seconds=seconds, requests=len(latencies),
                      rps=len(latencies) / seconds if seconds else 0.0, p50_ms=percentile(50), p99_ms=percentile(99),
                      errors=counters["errors"], socket_errors=counters["socket"], bytes=counters["bytes"])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    load = Load(**json.loads(Path(argv[0]).read_text()))
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        pass
    result = asyncio.run(_drive(load))
    print(json.dumps(asdict(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
