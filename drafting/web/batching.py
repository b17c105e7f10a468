"""Requests of one worker whose writes go to the database together (the API's votes): each request
queues its item and waits; a drain hands every item queued so far to ``run`` (one transaction, one
commit) and answers each request with its own outcome once that commit is done.

While a batch is written, the requests arriving meanwhile queue for the next one, so under load a batch
holds about as many items as there are requests in flight, and alone a request waits for nothing but
one pass of the event loop. On SQLite (``Settings.inline_handlers``) a batch runs on the event loop; on
PostgreSQL in a worker thread, so that the loop reads the next requests while it waits on the network
and the disk. Either way one batch of a worker runs at a time (``RUNNING``): on PostgreSQL with two
workers at 10 connections, four batches at once held one or two votes each and cost twice the
processor time per vote of one batch holding them all (bench/ANALYSIS.md, lead, 2 December). Batches
of two workers meet, if at all, on the counts rows, locked in one order. An outcome that is an
exception is raised in its own request only.
"""
from __future__ import annotations

import asyncio
from typing import Any, Callable, Generic, TypeVar

import anyio.to_thread

from amendments.services import vote_batches
from drafting.db import Database
from drafting.settings import Settings
from drafting.web import ratelimit

T = TypeVar("T")

MAX_BATCH = 200  # items per transaction at most: a batch's locks and its answers' wait stay short
RUNNING = 1  # batches of one worker written at once, on the event loop (SQLite) or in a thread
# Further turns of the event loop a drain waits before taking the queue: the answers of a batch go out
# together and the next requests come back over a few turns (a few microseconds each when nothing is
# ready), so on SQLite at 50 connections a batch holds about 40 votes, not 20 (bench/ANALYSIS.md, votepath).
GATHERING_TURNS = 3


class Batcher(Generic[T]):
    """``run(items) -> outcomes`` (same length and order; an exception instance is that item's error),
    called with the items queued since the last call; ``inline`` calls it on the event loop."""

    def __init__(self, run: Callable[[list[T]], list[Any]], *, inline: bool) -> None:
        self._run = run
        self._inline = inline
        self._queued: list[tuple[T, asyncio.Future]] = []
        self._drains = 0  # drains running (each writing a batch, or about to take the queued items)
        self._collecting = False  # a drain will take the queued items at its next step
        self._loop: asyncio.AbstractEventLoop | None = None

    async def submit(self, item: T) -> Any:
        """The item's outcome, once the transaction that wrote it has committed."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (tests start one per client): nothing of the old one
            self._loop, self._queued, self._drains, self._collecting = loop, [], 0, False
        future = loop.create_future()
        self._queued.append((item, future))
        if not self._collecting and self._drains < RUNNING:
            self._drains += 1
            self._collecting = True
            loop.create_task(self._drain())
        outcome = await future
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    async def _drain(self) -> None:
        batch: list[tuple[T, asyncio.Future]] = []
        try:
            while True:
                await asyncio.sleep(0)  # the requests already read this turn of the loop join the batch
                for _ in range(GATHERING_TURNS):  # and those read in the next few turns
                    await asyncio.sleep(0)
                self._collecting = False
                batch, self._queued = self._queued[:MAX_BATCH], self._queued[MAX_BATCH:]
                if not batch:
                    return
                items = [item for item, _ in batch]
                try:
                    outcomes = self._run(items) if self._inline else await anyio.to_thread.run_sync(self._run, items)
                except Exception as error:  # not one item's refusal: each waiting request gets it
                    outcomes = [error] * len(batch)
                for (_, future), outcome in zip(batch, outcomes):
                    if not future.done():  # a request whose client went away was cancelled
                        future.set_result(outcome)
                batch = []
                if self._collecting or not self._queued:
                    return  # another drain takes what queued meanwhile, or nothing did
                self._collecting = True
        except BaseException as error:  # cancelled (shutdown): no request waits for ever
            for _, future in batch + self._queued:
                if not future.done():
                    future.set_exception(error)
            self._queued = []
            raise
        finally:
            self._drains -= 1


def vote_batcher(db: Database, settings: Settings) -> Batcher[vote_batches.Ballot]:
    """The worker's queue of votes (the API's PUT and DELETE of a vote), written in batches."""
    return Batcher(lambda ballots: vote_batches.cast(db, ballots, ratelimit.batch_limits(settings)),
                   inline=settings.inline_handlers)
