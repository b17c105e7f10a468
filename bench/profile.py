"""Where one request's time goes: cProfile over repeated in-process requests, plus its SQL statements.

Run: python -m bench.profile DATABASE_URL PATH [--method PUT --json '{"value": "agree"}' --token T] [--signed-in]
[-n 20]; with ``--votes`` PATH is a vote URL with ``{target}`` (``/api/v1/amendments/{target}/vote``) and
each request is a new vote (benchmark voters, values and targets in turn), as the vote benchmark sends
(e.g. on bench/var/rn.db after a benchmark run: sqlite:///bench/var/rn.db /bills/republique-numerique)
"""
from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def timing_statements(db) -> Iterator[list[tuple[float, str]]]:
    """(milliseconds, statement) of every statement the app's engines run while the block runs."""
    from sqlalchemy import event

    timed: list[tuple[float, str]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        timed.append(((time.perf_counter() - conn.info.pop("bench_started")) * 1000, " ".join(statement.split())))

    engines = db.engines()
    for engine in engines:
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
    try:
        yield timed
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)


def main(argv: list[str] | None = None) -> int:
    import asyncio

    import anyio.to_thread
    import httpx

    from bench.probes import _settings
    from drafting.app import create_app

    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("path")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--json", help="request body")
    parser.add_argument("--token", help="API bearer token")
    parser.add_argument("--signed-in", action="store_true",
                        help="as a seeded participant, signed in (session cookie and bearer token)")
    parser.add_argument("--votes", action="store_true",
                        help="PUT changing votes of the benchmark voters on the benchmark's targets (PATH has {target})")
    parser.add_argument("--time", action="store_true", help="time the requests without the profiler")
    parser.add_argument("-n", type=int, default=20, help="requests profiled")
    parser.add_argument("--concurrent", type=int, default=1,
                        help="requests sent at once (votes: a batch of up to this many in one transaction)")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--width", type=int, default=160, help="characters of each statement shown")
    args = parser.parse_args(argv)

    async def inline(fn, *fn_args, **_):  # handlers run in this thread, where the profiler looks
        return fn(*fn_args)

    anyio.to_thread.run_sync = inline
    app = create_app(_settings(args.database_url))
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    if args.signed_in:
        from bench.probes import reader_tokens, signed_in_headers

        headers = {**signed_in_headers(reader_tokens(args.database_url)), **headers}
    body = json.loads(args.json) if args.json else None
    requests = _vote_requests(args.database_url, args.path) if args.votes else None
    profiler = cProfile.Profile()

    async def drive() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def ask(n: int):
                if requests is None:
                    return await client.request(args.method, args.path, json=body, headers=headers)
                path, vote_headers, vote = requests(n)
                return await client.put(path, json=vote, headers=vote_headers)

            first = await ask(0)
            print(f"{first.request.method} {first.request.url.path}: {first.status_code}, {len(first.content):,} bytes")
            with timing_statements(app.state.db) as timed:
                await ask(1)
            print(f"{len(timed)} SQL statements, slowest first (ms):")
            for ms, statement in sorted(timed, reverse=True):
                print(f"  {ms:9.2f}  {statement[:args.width]}")
            started = time.perf_counter()
            if not args.time:
                profiler.enable()
            for n in range(0, args.n, args.concurrent):
                await asyncio.gather(*(ask(m + 2) for m in range(n, min(n + args.concurrent, args.n))))
            profiler.disable()
            print(f"{args.n} requests: {(time.perf_counter() - started) * 1000 / args.n:.2f} ms each, in-process "
                  f"with the client's own time{'' if args.time else ', under the profiler'}")
            if args.time:
                hello = time.perf_counter()
                for _ in range(args.n):
                    await client.get("/healthz")
                print(f"/healthz the same way: {(time.perf_counter() - hello) * 1000 / args.n:.2f} ms each")

    asyncio.run(drive())
    if args.time:
        return 0
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    return 0


def _vote_requests(database_url: str, path: str):
    """Request ``n`` of a vote run: (path, headers, body), each a vote that changes something."""
    from bench.datasets import Dataset, describe
    from bench.probes import VALUES
    from drafting.seeding import bench as benchseed

    voters = 50
    targets = describe(Dataset("profiled", "", database_url, False, None)).vote_targets
    tokens = benchseed.voter_tokens(database_url, voters)  # their earlier votes go first

    def request(n: int):
        voter = n % voters
        return (path.format(target=targets[n // voters % len(targets)]),
                {"Authorization": f"Bearer {tokens[voter]}"}, {"value": VALUES[(voter + n) % 3]})

    return request


if __name__ == "__main__":
    sys.exit(main())
